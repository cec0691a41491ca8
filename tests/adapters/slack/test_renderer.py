"""Reply → Block Kit: user text is escaped, mentions ping natively, Block Kit limits are respected."""

from __future__ import annotations

import json

from adapters.slack.renderer import (
    MAX_BLOCKS_MESSAGE,
    fallback_text,
    outbox_id_of,
    parse_button_value,
    render_blocks,
)
from adapters.slack.text import strip_bot_mention, to_command_text
from bot.core.replies import (
    Bar,
    Bars,
    Button,
    Buttons,
    Divider,
    Mention,
    Reply,
    b,
    code,
    context,
    fields,
    link,
    p,
    section,
)

HOSTILE = "<!channel> @here <https://evil|click> & <@U999> *bold* `x`"


def test_plain_text_is_escaped_so_it_can_never_ping_or_link() -> None:
    blocks = render_blocks(Reply(blocks=(section("Note: ", p(HOSTILE)), context(HOSTILE), fields(("Note", HOSTILE)))))
    wire = json.dumps(blocks)
    for forbidden in ("<!channel>", "<https://evil|click>", "<@U999>"):
        assert forbidden not in wire
    text = blocks[0]["text"]["text"]
    assert "&lt;!channel&gt; @here &lt;https://evil|click&gt; &amp; &lt;@U999&gt;" in text
    assert "&lt;!channel&gt;" in fallback_text(Reply(blocks=(section(HOSTILE),)))


def test_bold_labels_keep_their_spaces_outside_the_asterisks() -> None:
    # Slack shows "*Usage: *" with its asterisks; "*Usage:* " is bold.
    blocks = render_blocks(Reply(blocks=(section(b("Usage: "), code("lead show <id>")), section(b(" Note "), "x"))))
    assert blocks[0]["text"]["text"] == "*Usage:* `lead show &lt;id&gt;`"
    assert blocks[1]["text"]["text"] == " *Note* x"


def test_mentions_ping_only_with_a_slack_account() -> None:
    rita = Mention(name="Rita", accounts={"slack": "URITA", "teams": "29:x"})
    ted = Mention(name="Ted <!here>", accounts={"teams": "29:y"})
    forged = Mention(name="x", accounts={"slack": "U1> <!channel"})
    text = render_blocks(Reply(blocks=(section(rita, " and ", ted, forged),)))[0]["text"]["text"]
    assert text.startswith("<@URITA> and @Ted &lt;!here&gt;@x")


def test_bold_code_and_links_render_as_mrkdwn_but_cannot_be_broken_out_of() -> None:
    text = render_blocks(
        Reply(
            blocks=(
                section(
                    b("L-1"),
                    " ",
                    code("lead show"),
                    " ",
                    b("a*b"),
                    link("deck", "https://x.test/a?b=1&c=2"),
                    link("bad", "javascript:alert(1)"),
                    link("x|y>", "https://ok.test"),
                ),
            )
        )
    )
    text = text[0]["text"]["text"]
    assert text.startswith("*L-1* `lead show` *a∗b*")  # still bold; its asterisk a look-alike that cannot close it
    assert "<https://x.test/a?b=1&amp;c=2|deck>" in text
    assert "javascript" not in text and "bad" in text
    assert "<https://ok.test|x¦y&gt;>" in text


def test_block_kit_limits() -> None:
    many = Reply(blocks=tuple(section(f"line {i}") for i in range(80)))
    blocks = render_blocks(many)
    assert len(blocks) == MAX_BLOCKS_MESSAGE and blocks[-1]["elements"][0]["text"] == "…and 31 more"

    long = "\n".join(f"row {i} " + "x" * 40 for i in range(200))
    section_text = render_blocks(Reply(blocks=(section(long),)))[0]["text"]["text"]
    assert len(section_text) <= 3000 and section_text.endswith("more")

    twelve = fields(*[(f"F{i}", "v") for i in range(12)])
    chunks = render_blocks(Reply(blocks=(twelve,)))
    assert [len(chunk["fields"]) for chunk in chunks] == [10, 2]

    label = "A very long button label " * 5
    long_command = "lead touch L-1 " + "y" * 2100
    row = render_blocks(
        Reply(
            blocks=(
                Buttons(
                    buttons=(
                        Button(label=label, command="lead show L-1"),
                        Button(label="Too long", command=long_command),
                    )
                ),
            )
        )
    )
    [button] = row[0]["elements"]
    assert len(button["text"]["text"]) <= 75 and button["value"] == "lead show L-1"


def test_buttons_carry_their_command_prompt_style_and_card() -> None:
    reply = Reply(
        blocks=(
            Buttons(
                buttons=(
                    Button(label="Accept", command="lead accept L-7", style="primary"),
                    Button(label="Reject", command="lead reject L-7", style="danger", prompt="Why?"),
                )
            ),
            Divider(),
            Buttons(buttons=(Button(label="Show", command="lead show L-7"),)),
        )
    )
    blocks = render_blocks(reply, outbox_id=42)
    first, _, second = blocks
    accept, reject = first["elements"]
    assert (accept["value"], accept["style"], accept["action_id"]) == ("lead accept L-7", "primary", "tandem:0")
    assert parse_button_value(reject["value"]) == ("lead reject L-7", "Why?") and reject["style"] == "danger"
    assert second["elements"][0]["action_id"] == "tandem:2"  # unique across the message
    assert outbox_id_of(first["block_id"]) == 42 and outbox_id_of(second["block_id"]) == 42
    assert outbox_id_of(render_blocks(reply)[0]["block_id"]) is None


def test_bars_are_drawn_with_text() -> None:
    reply = Reply(
        blocks=(
            Bars(
                title="Funnel",
                bars=(
                    Bar(label="Approach", value=10, maximum=10, caption="10"),
                    Bar(label="Need <x>", value=5, maximum=10),
                    Bar(label="Zero", value=1, maximum=0),
                ),
            ),
        )
    )
    text = render_blocks(reply)[0]["text"]["text"]
    lines = text.split("\n")
    assert lines[0] == "*Funnel*"
    assert lines[1].startswith("`" + "█" * 20 + "`") and lines[2].count("█") == 10
    assert "Need &lt;x&gt;" in lines[2] and lines[3].count("█") == 0


def test_slack_wire_text_becomes_what_the_person_typed() -> None:
    typed = (
        "handoff Acme email:<mailto:ann@acme.test|ann@acme.test> to:<@URITA|rita> "
        'url:<https://acme.test/deck> note:"&lt;!channel&gt; R&amp;D &lt;b&gt;" <!here> '
        "<#C123|sales> <!subteam^S1|@sales-team>"
    )
    assert to_command_text(typed) == (
        "handoff Acme email:ann@acme.test to:<@URITA|rita> "
        'url:https://acme.test/deck note:"<!channel> R&D <b>" @here '
        "<#C123|sales> @sales-team"
    )
    assert strip_bot_mention("<@UBOT> lead show L-1", "UBOT") == "lead show L-1"
    assert strip_bot_mention("hey <@UBOT> lead list", "UBOT") == "hey   lead list"
    assert strip_bot_mention("<@URITA> hi", "UBOT") == "<@URITA> hi"
