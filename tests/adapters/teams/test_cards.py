"""Reply → Adaptive Card: every block type renders to valid card elements, user text stays text (markdown,
HTML and ``<at>`` tags are escaped), mentions ping only with a mention entity, buttons carry their command."""

from __future__ import annotations

import re

from microsoft_teams.cards import AdaptiveCard

from adapters.teams.cards import escape, render_card, render_message
from adapters.teams.translate import NotACommand, command_text, submit_of
from bot.core.replies import (
    Bar,
    Bars,
    Button,
    Divider,
    Mention,
    Reply,
    b,
    buttons,
    code,
    context,
    fields,
    link,
    say,
    section,
)


def _card_json(reply: Reply, **kw: object) -> dict:
    card, _ = render_card(reply, **kw)  # type: ignore[arg-type]
    data = card.model_dump(by_alias=True, exclude_none=True)
    AdaptiveCard.model_validate(data)  # what we send parses back as a card
    return data


def test_markdown_and_html_in_user_text_render_as_text() -> None:
    hostile = "**boss** _x_ ~y~ [click](https://evil.example) <b>hi</b> <at>Everyone</at> # no\n- item\n1. one"
    out = escape(hostile)
    assert re.search(r"(?<!\\)[*_~\[\]()<>#]", out) is None  # every markup character is escaped
    assert "\\- item" in out and "\\# no" in out and "1\\. one" in out
    card = _card_json(say("Note: ", hostile))
    assert "msteams" not in card or "entities" not in card["msteams"]


def test_every_block_type_renders() -> None:
    rita = Mention(name="Rita Rep", accounts={"teams": "29:rita", "slack": "U1"})
    reply = Reply(
        blocks=(
            section(b("L-7 · Acme"), " owned by ", rita),
            fields(("Company", "Acme_Co"), ("Owner", (rita,))),
            Divider(),
            Bars(title="Funnel", bars=(Bar(label="approach", value=3, maximum=4, caption="3 leads"),)),
            context(
                "See ",
                link("the deck", "https://acme.test/deck"),
                " or ",
                link("this", "javascript:alert(1)"),
                " ",
                code("lead show L-7"),
            ),
            buttons(
                Button(label="Accept", command="lead accept L-7", style="primary"),
                Button(label="Won", command="lead won L-7", prompt="Amount and reason (optional)"),
            ),
        )
    )
    card = _card_json(reply, outbox_id=12)
    types = [element["type"] for element in card["body"]]
    assert types == ["TextBlock", "FactSet", "TextBlock", "TextBlock", "ActionSet"]
    assert card["body"][2]["separator"] is True
    assert card["body"][1]["facts"][0] == {"title": "Company", "value": "Acme\\_Co"}
    assert "[the deck](https://acme.test/deck)" in card["body"][3]["text"]
    assert "](javascript" not in card["body"][3]["text"]
    [entity] = card["msteams"]["entities"]  # Rita mentioned twice, one entity
    assert entity["mentioned"] == {"id": "29:rita", "name": "Rita Rep"} and entity["text"] == "<at>Rita Rep</at>"
    accept, won = card["body"][4]["actions"]
    assert accept["type"] == "Action.Submit" and accept["style"] == "positive"
    assert accept["data"] == {"tandem_command": "lead accept L-7", "tandem_label": "Accept", "tandem_outbox": 12}
    assert won["type"] == "Action.ShowCard"
    [text_input] = won["card"]["body"]
    assert text_input["type"] == "Input.Text" and text_input["id"] == "tandem_text"
    assert text_input["isRequired"] is False  # the prompt says optional
    assert won["card"]["actions"][0]["data"]["tandem_command"] == "lead won L-7"


def test_bold_labels_keep_their_spaces_outside_the_asterisks() -> None:
    # markdown shows "**Usage: **" as typed; "**Usage:** " is bold.
    card = _card_json(Reply(blocks=(section(b("Usage: "), code("lead show L-7")), section(b(" Note "), "x"))))
    assert card["body"][0]["text"] == "**Usage:** `lead show L-7`"
    assert card["body"][1]["text"] == " **Note** x"


def test_a_member_without_a_teams_account_is_named_not_pinged() -> None:
    slack_only = Mention(name="Sam <Sales>", accounts={"slack": "U9"})
    message = render_message(say("Ask ", slack_only)).model_dump(by_alias=True, exclude_none=True)
    assert message["text"] == "Ask @Sam \\<Sales\\>" and "entities" not in message


def test_short_answers_are_text_messages_with_mention_entities() -> None:
    rita = Mention(name="Rita", accounts={"teams": "29:rita"})
    message = render_message(say("Handed to ", rita, ".")).model_dump(by_alias=True, exclude_none=True)
    assert message["text"] == "Handed to <at>Rita</at>."
    assert message["entities"] == [
        {"type": "mention", "text": "<at>Rita</at>", "mentioned": {"id": "29:rita", "name": "Rita"}}
    ]
    card = render_message(Reply(blocks=(section("<script>"), buttons(Button(label="Go", command="help")))))
    dumped = card.model_dump(by_alias=True, exclude_none=True)
    assert dumped["attachments"][0]["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert "<" not in dumped["summary"]


def test_command_text_strips_the_bot_and_resolves_people_mentions() -> None:
    from microsoft_teams.api import MessageActivity

    activity = MessageActivity.model_validate(
        {
            "type": "message",
            "id": "1",
            "text": "<at>Tandem</at> lead reassign L-2 to:<at>Rita</at>",
            "from": {"id": "29:marta"},
            "recipient": {"id": "28:bot"},
            "conversation": {"id": "19:c@thread.tacv2"},
            "channelId": "msteams",
            "serviceUrl": "http://x",
            "entities": [
                {"type": "mention", "text": "<at>Tandem</at>", "mentioned": {"id": "28:bot", "name": "Tandem"}},
                {"type": "mention", "text": "<at>Rita</at>", "mentioned": {"id": "29:rita", "name": "Rita R"}},
            ],
        }
    )
    assert command_text(activity) == "lead reassign L-2 to:29:rita"


def test_submit_payloads_are_checked() -> None:
    assert submit_of({"other": 1}) is None
    submit = submit_of(
        {
            "tandem_command": "lead reject L-1",
            "tandem_text": "  too\nsmall ",
            "tandem_outbox": 4,
            "tandem_label": "Reject",
        }
    )
    assert submit is not None and submit.command == "lead reject L-1 too small" and submit.outbox_id == 4
    for bad in ({"tandem_command": ""}, {"tandem_command": "x" * 600}, {"tandem_command": "a", "tandem_text": 5}):
        try:
            submit_of(bad)
        except NotACommand:
            continue
        raise AssertionError(f"accepted {bad}")
    assert submit_of({"tandem_command": "help", "tandem_outbox": "7"}).outbox_id is None  # type: ignore[union-attr]


def test_a_short_answer_to_a_click_keeps_the_card_and_adds_the_outcome() -> None:
    from adapters.teams.submits import outcome_card
    from adapters.teams.translate import Submit

    original = Reply(
        blocks=(
            section("How much did marketing help you sell this quarter?"),
            buttons(Button(label="4", command="survey 4"), Button(label="5", command="survey 5")),
        )
    )
    after = outcome_card(
        original, Submit(command="survey 4", outbox_id=3, label="4"), say("Thanks, noted 4/5."), "Rita Rep"
    )
    card = _card_json(after)
    assert [e["type"] for e in card["body"]] == ["TextBlock", "TextBlock"] and "actions" not in card
    assert card["body"][1]["text"] == "Thanks, noted 4/5. — Rita Rep"
