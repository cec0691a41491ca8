"""Text typed in the web playground or the terminal, as the bot reads it. A leading ``@tandem`` addresses the bot
(that is how the README teaches a channel to use it, and how Slack and Teams users type it) and is not part of
the command: ``@Tandem lead show L-1`` runs ``lead show L-1``."""

from __future__ import annotations

import re

_BOT_MENTION = re.compile(r"^\s*@tandem(?=[\s:,]|$)[:,]?\s*", re.IGNORECASE)


def without_bot_mention(text: str) -> str:
    """``@tandem lead show L-1`` → ``lead show L-1``; any other text is returned unchanged."""
    return _BOT_MENTION.sub("", text, count=1)
