"""Hostile text typed into a campaign — its name, goal, audience, talking points, a comment — never becomes markup
in Slack, Teams or the playground: the announcement, `campaign why` and the owner's comment DM render with exactly
the markup they have for harmless words. Generated through the real grammar and dispatch (Hypothesis)."""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from html.parser import HTMLParser
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from adapters.slack.renderer import render_blocks
from adapters.teams.cards import render_card
from adapters.web.render import render_reply
from bot.core.forms import quote
from bot.core.outbox import reply_of
from bot.core.replies import Reply
from storage.models import Outbox
from tests.bot.conftest import Team, team, text_of

__all__ = ["team"]  # the fixture: a workspace of four people

TOKENS = (
    "<!channel>",
    "<!here>",
    "@here",
    "@channel",
    "<script>alert(1)</script>",
    "<b>x</b>",
    "*bold*",
    "_it_",
    "~x~",
    "`code`",
    "```block```",
    "> quote",
    "[link](https://evil.test)",
    "<https://evil.test|click>",
    "<at>Everyone</at>",
    "<@U123>",
    "# heading",
    "1. item",
    "&amp;",
    "🟢 Accepted",
    "L-1",
    "\\*",
    "\n",
)
HOSTILE = st.lists(
    st.one_of(st.sampled_from(TOKENS), st.text(alphabet="ab *_~`<>[]()#!@&\\|:", max_size=8)), min_size=1, max_size=8
).map(" ".join)
_count = itertools.count(1)


def _announce(team: Team, name: str, text: str) -> int | None:
    """Announce through the grammar; the campaign's number, or None when the text makes no valid campaign."""
    fields = " ".join(f"{key}:{quote(text)}" for key in ("goal", "audience", "talking"))
    reply = team.say("mara", f"campaign announce {quote(name)} {fields} target:12 ends:2026-05-01")
    if not reply.ok:
        return None
    return int(re.search(r"C-(\d+)", text_of(reply)).group(1))  # type: ignore[union-attr]


def _three_replies(team: Team, number: int, comment: str) -> list[Reply] | None:
    """The sales channel's announcement, the rep's `campaign why`, the owner's comment DM."""
    why = team.say("rita", f"campaign why C-{number}")
    commented = team.say("rita", f"campaign comment C-{number} {comment}")
    if not commented.ok:
        return None
    with team.runtime.db.session() as session:
        posts = session.exec(select(Outbox).where(Outbox.kind.in_(("campaign_announce", "campaign_comment")))).all()  # type: ignore[attr-defined]
    announce = [reply_of(r) for r in posts if r.kind == "campaign_announce" and f"C-{number}" in text_of(reply_of(r))]
    dms = [reply_of(r) for r in posts if r.kind == "campaign_comment" and f"C-{number}:" in text_of(reply_of(r))]
    return [announce[-1], why, dms[-1]]


def _slack_marks(reply: Reply) -> list[Counter[str]]:
    """Per text object: the mrkdwn marks, links and mentions in it (escaped text has no < or >)."""
    out: list[Counter[str]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                text = re.sub(r"<@U[A-Z0-9]+>", "@", node["text"])
                out.append(Counter(ch for ch in text if ch in "*`~<>") + Counter(re.findall(r"(?<![^\W_])_", text)))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(render_blocks(reply))
    return out


def _teams_marks(reply: Reply) -> list[Counter[str]]:
    """Per text block: the markdown characters not escaped with a backslash."""
    card, _ = render_card(reply)
    texts = re.findall(r'"text":\s*"((?:[^"\\]|\\.)*)"', json.dumps(card.model_dump(by_alias=True, exclude_none=True)))
    out: list[Counter[str]] = []
    for raw in texts:
        text = json.loads(f'"{raw}"')
        text = re.sub(r"<at>[^<]*</at>", "@", text)
        marks: Counter[str] = Counter()
        escaped = False
        for ch in text:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch in "*`_~[]<>#":
                marks[ch] += 1
        out.append(marks)
    return out


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs).get("class") or ""))


def _web_tags(reply: Reply) -> list[tuple[str, str]]:
    parser = _Tags()
    parser.feed(str(render_reply(reply)))
    return parser.tags


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(HOSTILE, HOSTILE)
def test_hostile_campaign_text_renders_with_the_markup_of_harmless_words(team: Team, text: str, comment: str) -> None:
    assert team.say("mara", "tandem settings sales_channel #sales").ok
    serial = next(_count)
    hostile = _announce(team, f"{text[:150]} {serial}", text)
    assume(hostile is not None)
    calm = _announce(team, f"Calm words {serial}", "Calm words")
    assert hostile is not None and calm is not None
    shown = _three_replies(team, hostile, comment)
    assume(shown is not None)
    plain = _three_replies(team, calm, "calm words")
    assert shown is not None and plain is not None
    for rough, quiet in zip(shown, plain, strict=True):
        assert _slack_marks(rough) == _slack_marks(quiet), text_of(rough)
        assert _teams_marks(rough) == _teams_marks(quiet), text_of(rough)
        assert _web_tags(rough) == _web_tags(quiet), text_of(rough)
        slack = json.dumps(render_blocks(rough))
        assert "<!channel>" not in slack and "<!here>" not in slack and "<script" not in slack
        assert "<script" not in str(render_reply(rough)) and "<b>" not in str(render_reply(rough))
