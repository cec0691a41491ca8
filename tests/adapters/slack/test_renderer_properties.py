"""Whatever text a person types, the Block Kit Tandem builds from it can never contain Slack markup."""

from __future__ import annotations

import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.slack.renderer import fallback_text, render_blocks
from adapters.slack.text import to_command_text
from bot.core.replies import Bar, Bars, Bold, Code, Context, Fields, Mention, Plain, Reply, Section

PIECES = list("<>&|!@#*_~`:/ \nabcUCW0123") + ["<!channel>", "<!here>", "<@U1>", "&lt;", "&gt;", "<http://x|y>"]
hostile = st.lists(st.sampled_from(PIECES), max_size=12).map("".join)
spans = st.lists(
    st.one_of(
        hostile.map(lambda t: Plain(text=t)),
        hostile.map(lambda t: Bold(text=t)),
        hostile.map(lambda t: Code(text=t)),
        hostile.map(lambda t: Mention(name=t, accounts={"teams": "29:x"})),
    ),
    max_size=6,
)


def _user_text(blocks: list[dict[str, object]]) -> list[str]:
    out: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                out.append(str(node["text"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    return out


@settings(max_examples=200, deadline=None)
@given(spans, spans, hostile, hostile)
def test_user_text_never_becomes_markup(first: list, second: list, label: str, caption: str) -> None:
    reply = Reply(
        blocks=(
            Section(text=tuple(first)),
            Context(text=tuple(second)),
            Fields(items=((label, tuple(first)),)),
            Bars(title=label, bars=(Bar(label=label, value=1, maximum=2, caption=caption),)),
        )
    )
    texts = _user_text(render_blocks(reply)) + [fallback_text(reply)]
    for text in texts:
        assert "<" not in text and ">" not in text, text
        assert not re.search(r"&(?!amp;|lt;|gt;)", text), text
    json.dumps(render_blocks(reply))  # always serialisable


WIRE = [
    "&lt;",
    "&gt;",
    "&amp;",
    "a",
    "!",
    "@",
    "|",
    " ",
    "#",
    "<!channel>",
    "<!here>",
    "<@U1>",
    "<@U1|ana>",
    "<http://x|y>",
    "<mailto:a@b.c|a@b.c>",
    "<!subteam^S1|@team>",
    "<#C1|sales>",
]
wire_text = st.lists(st.sampled_from(WIRE), max_size=12).map("".join)


@settings(max_examples=200, deadline=None)
@given(wire_text)
def test_a_real_broadcast_on_the_wire_becomes_words(text: str) -> None:
    """Slack sends a typed @channel as <!channel> and a typed "<!channel>" as &lt;!channel&gt;: only the
    latter (the person's literal text) may come out as "<!" — to be escaped again when echoed."""
    converted = to_command_text(text)
    if "&lt;" not in text:
        assert "<!" not in converted and "<http" not in converted and "<mailto" not in converted
