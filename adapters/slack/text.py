"""Slack's wire text → the plain text our grammar reads. Slack escapes ``& < >`` and wraps links, e-mails
and broadcasts in angle brackets; user and channel mentions are kept because the grammar understands them."""

from __future__ import annotations

import re

_MARKUP = re.compile(r"<([^<>]*)>")
_LEADING_MENTION = re.compile(r"^\s*<@([UW][A-Z0-9]+)(?:\|[^>]*)?>\s*")


def _convert(match: re.Match[str]) -> str:
    inner = match.group(1)
    target, _, label = inner.partition("|")
    if target.startswith(("@U", "@W", "#C", "#G")):
        return match.group(0)  # <@U123|ana>, <#C123|sales>: the grammar reads these
    if target.startswith("!"):
        # <!here>, <!channel>, <!subteam^S1|@sales>: said as words, never re-emitted as a broadcast
        if label:
            return label
        return "@" + target[1:].split("^")[0]
    if target.startswith("mailto:"):
        return target[len("mailto:") :]
    return target or label


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def to_command_text(text: str) -> str:
    """What the person typed, as our grammar expects it."""
    return unescape(_MARKUP.sub(_convert, text or "")).strip()


def strip_bot_mention(text: str, bot_user_id: str | None) -> str:
    """``<@UBOT> lead show L-1`` → ``lead show L-1`` (app mentions start with the bot's mention)."""
    match = _LEADING_MENTION.match(text or "")
    if match and (bot_user_id is None or match.group(1) == bot_user_id):
        return text[match.end() :]
    if bot_user_id:
        return text.replace(f"<@{bot_user_id}>", " ").strip()
    return text
