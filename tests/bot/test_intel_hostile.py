"""Whatever a rep types as a competitor's name or a note — broadcasts, mentions, HTML, Slack and Teams markdown —
the answer and the marketing channel's post show it as text on Slack, in Teams and in the playground: it pings
nobody, links nowhere and adds no markup. Over the intel grammar, through dispatch."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import col, select

from adapters.slack.renderer import escape as slack_escape
from adapters.slack.renderer import fallback_text, render_blocks
from adapters.teams.cards import escape as teams_escape
from adapters.teams.cards import render_card
from adapters.web.render import render_reply
from bot.core.outbox import reply_of
from bot.core.replies import Bold, Plain, Reply
from bot.intel.names import in_command
from storage.models import Outbox
from tests.adapters.web.test_render import assert_only_our_markup
from tests.bot.conftest import Team, text_of

PIECES = [
    "<!channel>",
    "<!here>",
    "@here",
    "@channel",
    "<script>",
    "</script>",
    "<img src=x onerror=alert(1)>",
    "*bold*",
    "_it_",
    "~x~",
    "`",
    "```",
    "<at>Rita</at>",
    "<@U123>",
    "<#C1|sales>",
    "<https://evil.test|click>",
    "[click](https://evil.test)",
    "**",
    "&lt;",
    "&amp;",
    "# ",
    "> ",
    "|",
    "Globex",
    "a",
    " ",
]
names = st.lists(st.sampled_from(PIECES), min_size=1, max_size=5).map("".join)
notes = st.lists(st.sampled_from([*PIECES, "\n", "'", "“"]), min_size=1, max_size=10).map("".join)


def slack_mrkdwn(reply: Reply) -> list[str]:
    out: list[str] = [fallback_text(reply)]

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                out.append(str(node["text"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(render_blocks(reply))
    return out


def teams_texts(reply: Reply) -> list[str]:
    card, _entities = render_card(reply)
    out: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "TextBlock":
                out.append(str(node.get("text", "")))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card.model_dump(by_alias=True, exclude_none=True))
    return out


def assert_shown_as_text(reply: Reply, user_texts: list[str]) -> None:
    slack = slack_mrkdwn(reply)
    for text in slack:  # no ping, no link, no channel: Slack's control characters are all escaped
        assert "<" not in text and ">" not in text, text
        assert not re.search(r"&(?!amp;|lt;|gt;)", text), text
    teams = teams_texts(reply)
    for text in teams:  # no tag, no mention, no link: Teams' markup characters are backslash-escaped
        ours = re.sub(r"(?<!\\)`[^`\n]*?(?<!\\)`", "", text)  # the renderer's own code spans (command hints)
        assert not re.search(r"(?<!\\)[<>\[\]]", ours), text
    web = "".join(assert_only_our_markup(str(render_reply(reply))).text.split())
    for user_text in user_texts:  # and the person's text is there, whole, as text
        assert any(slack_escape(user_text) in text for text in slack), (user_text, slack)
        assert any(teams_escape(user_text).replace("\n", "\n\n") in text for text in teams), (user_text, teams)
        if "`" not in user_text:  # backticks become code on the web, as everywhere
            assert "".join(user_text.split()) in web, (user_text, web)


def shown_name_and_note(post: Reply) -> tuple[str, str]:
    [name] = [s.text[len("Intel on ") :] for s in post.blocks[0].text if isinstance(s, Bold)]  # type: ignore[union-attr]
    [note] = [s.text for s in post.blocks[1].text if isinstance(s, Plain)]  # type: ignore[union-attr]
    return name, note


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names, notes)
def test_hostile_names_and_notes_are_text_in_every_rendering(team: Team, name: str, note: str) -> None:
    team.say("mara", "tandem settings marketing_channel #marketing")
    with team.runtime.db.session() as session:
        before = session.exec(select(col(Outbox.id)).order_by(col(Outbox.id).desc())).first() or 0
    answer = team.say("rita", f'intel "{name}" {note}')
    assert "something went wrong" not in text_of(answer)
    with team.runtime.db.session() as session:
        rows = session.exec(select(Outbox).where(col(Outbox.id) > before, Outbox.kind == "intel")).all()
    if not answer.ok or not note.strip():
        assert rows == []  # refused (an empty name), or a name alone (which shows it): nothing posted
        assert_shown_as_text(answer, [])
        return
    [row] = rows
    post = reply_of(row)
    shown_name, shown_note = shown_name_and_note(post)
    assert_shown_as_text(post, [shown_note])
    assert_shown_as_text(answer, [])
    shown = team.say("sam", f"intel show {in_command(shown_name)}")  # as the More button runs it
    assert shown.ok and shown_name in text_of(shown) and shown_note in text_of(shown), text_of(shown)
    assert_shown_as_text(shown, [shown_note])
    assert_shown_as_text(team.say("sam", "intel list"), [])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_random_text_after_intel_never_crashes(team: Team, text: str) -> None:
    for command in ("intel ", "intel show ", "intel list ", 'intel "'):
        reply = team.say("rita", command + text)
        assert "something went wrong" not in text_of(reply), (command, text)
