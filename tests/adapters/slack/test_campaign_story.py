"""Campaigns over Slack: `/campaign announce` alone opens the announce modal (a past end date is refused under its
field), its submission announces; the sales channel's post carries Why? and Comment; Why? answers the rep alone
(ephemeral), Comment asks for the text in a modal and reaches the owner; hostile text stays text."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from storage.models import Campaign, CampaignComment, Outbox
from tests.adapters.slack.conftest import SlackWire
from tests.adapters.slack.test_lead_story import ack_of, all_text, buttons, deliver

HOSTILE = "<!channel> *Q4* `Webinar` &lt;script&gt;"  # as Slack sends a typed @channel and <script>


def _channel_posts(wire: SlackWire, channel: str) -> list[dict[str, Any]]:
    return [c.params for c in wire.fake.calls_to("chat.postMessage") if c.params.get("channel") == channel]


def _announced(wire: SlackWire) -> dict[str, Any]:
    """Mara sets #sales as the sales channel and announces; the post as Slack received it."""
    ack_of(wire.command("mara", "/tandem", "settings sales_channel <#C0SALES|sales>"))
    ack_of(wire.command("rita", "/lead", "list"))
    answer = ack_of(
        wire.command(
            "mara", "/campaign", f'announce "{HOSTILE}" goal:"60 leads &lt;b&gt;now&lt;/b&gt;" talking:"@here Globex"'
        )
    )
    assert "Announced *C-1*" in all_text(answer["blocks"])
    deliver(wire)
    [post] = _channel_posts(wire, "C0SALES")
    return post


def test_announce_alone_opens_the_modal_and_its_submission_announces(wire: SlackWire) -> None:
    opened = wire.command("mara", "/campaign", "announce")
    assert opened.status_code == 200 and not opened.content
    [call] = wire.fake.calls_to("views.open")
    view = call.params["view"]
    assert view["callback_id"] == "tandem_form:campaign_announce"
    kinds = {b["block_id"]: b["element"]["type"] for b in view["blocks"]}
    assert kinds == {
        "f_name": "plain_text_input",
        "f_goal": "plain_text_input",
        "f_audience": "plain_text_input",
        "f_target": "number_input",
        "f_ends": "datepicker",
        "f_talking": "plain_text_input",
    }
    [target] = [b for b in view["blocks"] if b["block_id"] == "f_target"]
    assert target["element"]["min_value"] == "1"

    form = {
        "f_name": {"type": "plain_text_input", "value": "Q4 Webinar"},
        "f_goal": {"type": "plain_text_input", "value": "60 qualified leads"},
        "f_target": {"type": "number_input", "value": "40"},
        "f_ends": {"type": "datepicker", "selected_date": "2026-03-01"},
    }
    refused = wire.submit("mara", view, form)
    assert refused.json()["response_action"] == "errors"
    assert list(refused.json()["errors"]) == ["f_ends"] and "is in the past" in refused.json()["errors"]["f_ends"]

    done = wire.submit("mara", view, {**form, "f_ends": {"type": "datepicker", "selected_date": "2026-04-30"}})
    assert done.status_code == 200 and not done.content  # the modal closes
    [told] = wire.fake.calls_to("response")
    assert "Announced *C-1* Q4 Webinar" in all_text(told.params["blocks"])
    with wire.runtime.db.session() as session:
        stored = session.exec(select(Campaign)).one()
    assert (stored.name, stored.target, str(stored.ends_on)) == ("Q4 Webinar", 40, "2026-04-30")


def test_a_rep_submitting_the_announce_modal_is_told_why_inline(wire: SlackWire) -> None:
    wire.command("rita", "/campaign", "announce")
    view = wire.fake.calls_to("views.open")[0].params["view"]
    form = {
        "f_name": {"type": "plain_text_input", "value": "Mine"},
        "f_goal": {"type": "plain_text_input", "value": "x"},
    }
    errors = wire.submit("rita", view, form).json()["errors"]
    assert "needs the marketer role" in " ".join(errors.values())


def test_the_post_escapes_hostile_text_and_why_answers_the_rep_alone(wire: SlackWire) -> None:
    post = _announced(wire)
    shown = all_text(post["blocks"])
    assert "<!channel>" not in shown and "<script>" not in shown and "<b>" not in shown
    assert "*@channel ∗Q4∗ ˋWebinarˋ &lt;script&gt;*" in shown  # its own marks cannot format: look-alikes
    assert "@here Globex" in shown and "<!here>" not in shown
    labels = buttons(post["blocks"])
    assert set(labels) == {"Why?", "Comment"}
    why, block = labels["Why?"]
    assert why["value"] == "campaign why C-1"

    message = {"ts": "1700000000.000100", "blocks": post["blocks"], "text": post["text"]}
    clicked = wire.click("rita", message, {**why, "block_id": block["block_id"]}, channel="C0SALES")
    assert clicked.status_code == 200
    [answer] = wire.fake.wait_for("response")
    assert answer.params["response_type"] == "ephemeral" and answer.params["replace_original"] is False
    explained = all_text(answer.params["blocks"])
    assert "What to do with its leads" in explained and "∗Q4∗ ˋWebinarˋ" in explained
    assert wire.fake.calls_to("chat.update") == []  # the channel post is left as everyone sees it


def test_comment_asks_in_a_modal_and_reaches_the_owner(wire: SlackWire) -> None:
    post = _announced(wire)
    comment, block = buttons(post["blocks"])["Comment"]
    message = {"ts": "1700000000.000100", "blocks": post["blocks"], "text": post["text"]}
    wire.click("rita", message, {**comment, "block_id": block["block_id"]}, channel="C0SALES")
    [opened] = wire.fake.wait_for("views.open")
    view = opened.params["view"]
    assert view["callback_id"] == "tandem_prompt" and "What should Mara know" in all_text(view["blocks"])
    typed = "They keep asking about <!channel> pricing"
    done = wire.submit("rita", view, {"f_text": {"type": "plain_text_input", "value": typed}})
    assert done.status_code == 200 and not done.content
    [answer] = wire.fake.wait_for("response")
    assert answer.params["response_type"] == "ephemeral" and "Sent to" in all_text(answer.params["blocks"])
    with wire.runtime.db.session() as session:
        assert session.exec(select(CampaignComment)).one().text == typed
        [dm] = session.exec(select(Outbox).where(Outbox.kind == "campaign_comment")).all()
        assert dm.target_member_id is not None
    deliver(wire)
    [to_mara] = _channel_posts(wire, "DUMARA")
    assert "&lt;!channel&gt; pricing" in all_text(to_mara["blocks"]) and "<!channel>" not in all_text(to_mara["blocks"])
