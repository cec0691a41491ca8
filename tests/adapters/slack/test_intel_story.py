"""Competitive intel over Slack: /intel as a slash command, the note posted to the marketing channel with the
rep mentioned and hostile text escaped, and the post's buttons — More on Globex, and Add intel, which asks for
the note in a modal."""

from __future__ import annotations

import json

from sqlmodel import select

from storage.models import IntelNote
from tests.adapters.slack.conftest import SlackWire
from tests.adapters.slack.test_lead_story import ack_of, all_text, buttons, deliver

# As Slack sends them: a typed "<!channel>" arrives escaped, a real @here broadcast as <!here>.
HOSTILE = "&lt;!channel&gt; *bold* cut prices 20% &lt;script&gt;x&lt;/script&gt; <!here>"


def channel_posts(wire: SlackWire, channel: str) -> list[dict]:  # type: ignore[type-arg]
    return [c.params for c in wire.fake.calls_to("chat.postMessage") if c.params.get("channel") == channel]


def test_a_rep_files_intel_with_slash_intel_and_marketing_sees_it_in_its_channel(wire: SlackWire) -> None:
    assert ack_of(wire.command("mara", "/tandem", "settings marketing_channel <#C0MKT|marketing>"))
    answer = ack_of(wire.command("rita", "/intel", f"Globex {HOSTILE}"))
    assert answer["response_type"] == "ephemeral"
    assert "Thanks — that's the first note on *Globex*." in all_text(answer["blocks"])
    assert "Posted to the marketing channel" in all_text(answer["blocks"])

    deliver(wire)
    [post] = channel_posts(wire, "C0MKT")
    sent = json.dumps(post["blocks"], ensure_ascii=False) + post["text"]
    assert "*Intel on Globex* from <@URITA>:" in sent  # attributed, with a native mention of the rep
    assert "&lt;!channel&gt; *bold* cut prices 20% &lt;script&gt;x&lt;/script&gt; @here" in sent
    for forbidden in ("<!channel>", "<!here>", "<script>"):
        assert forbidden not in sent
    labels = buttons(post["blocks"])
    assert set(labels) == {"More on Globex", "Add intel"}
    more, block = labels["More on Globex"]
    assert more["value"] == "intel show Globex"

    message = {"ts": "1700000000.000002", "blocks": post["blocks"], "text": post["text"]}
    clicked = wire.click("mara", message, {**more, "block_id": block["block_id"]}, channel="C0MKT")
    assert clicked.status_code == 200
    [shown] = wire.fake.wait_for("response")
    assert shown.params["response_type"] == "ephemeral" and shown.params["replace_original"] is False
    assert "*Globex* — 1 note, the latest first:" in all_text(shown.params["blocks"])
    assert "&lt;!channel&gt; *bold* cut prices" in all_text(shown.params["blocks"])


def test_add_intel_on_the_channel_post_asks_for_the_note_and_files_it(wire: SlackWire) -> None:
    ack_of(wire.command("mara", "/tandem", "settings marketing_channel <#C0MKT|marketing>"))
    ack_of(wire.command("rita", "/intel", '"Acme Corp" cut prices in EMEA'))
    deliver(wire)
    [post] = channel_posts(wire, "C0MKT")
    add, block = buttons(post["blocks"])["Add intel"]
    assert json.loads(add["value"])["c"] == 'intel "Acme Corp"'
    wire.click(
        "sam",
        {"ts": "1700000000.000003", "blocks": post["blocks"]},
        {**add, "block_id": block["block_id"]},
        channel="C0MKT",
    )
    [opened] = wire.fake.wait_for("views.open")
    view = opened.params["view"]
    assert "What did you hear about Acme Corp?" in all_text(view["blocks"])
    wire.submit("sam", view, {"f_text": {"type": "plain_text_input", "value": "their CRO left for Globex"}})
    [answer] = wire.fake.wait_for("response")
    assert "the 2nd note on *Acme Corp*" in all_text(answer.params["blocks"])
    with wire.runtime.db.session() as session:
        assert [n.text for n in session.exec(select(IntelNote).order_by(IntelNote.id))] == [  # type: ignore[arg-type]
            "cut prices in EMEA",
            "their CRO left for Globex",
        ]


def test_slash_intel_list_and_help_answer_in_slack(wire: SlackWire) -> None:
    assert "No intel yet" in all_text(ack_of(wire.command("rita", "/intel", "list"))["blocks"])
    ack_of(wire.command("rita", "/intel", "Initech launched SSO"))
    listed = all_text(ack_of(wire.command("sam", "/intel", "list"))["blocks"])
    assert "*Initech* — 1 note, last on 10 Mar" in listed
    assert "No marketing channel is set" in all_text(ack_of(wire.command("sam", "/intel", "Initech again"))["blocks"])
    assert "intel show &lt;competitor&gt;" in all_text(ack_of(wire.command("rita", "/intel", ""))["blocks"])
