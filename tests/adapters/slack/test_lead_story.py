"""The lead story over Slack, end to end: hand-off (text and modal) → owner's DM with buttons → Accept
click → feedback → the marketer's DM; another workspace sees none of it."""

from __future__ import annotations

import functools
import json
from typing import Any

from sqlmodel import select

from schedules.jobs.delivery import deliver_due
from schedules.jobs.undeliverable import NOTICE_KIND
from storage.models import Lead, Member, Outbox
from tests.adapters.slack.conftest import SlackWire


def deliver(wire: SlackWire) -> Any:
    """Run the outbox delivery job inside the app's event loop, as the scheduler would."""
    return wire.http.portal.call(functools.partial(deliver_due, wire.runtime, owner="test"))


def ack_of(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    return response.json() if response.content else {}


def all_text(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def dms_to(wire: SlackWire, user: str) -> list[dict[str, Any]]:
    return [c.params for c in wire.fake.calls_to("chat.postMessage") if c.params.get("channel") == "D" + user]


def buttons(blocks: list[dict[str, Any]]) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """label → (action, block) for every button in a message."""
    found = {}
    for block in blocks:
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            found[element["text"]["text"]] = (element, block)
    return found


def test_handoff_accept_feedback_over_slack(wire: SlackWire) -> None:
    assert "Your open leads" in all_text(ack_of(wire.command("rita", "/lead", "list mine"))["blocks"])
    answer = ack_of(
        wire.command("mara", "/lead", 'handoff Acme email:ann@acme.test to:<@URITA|rita> note:"Wants a demo"')
    )
    assert answer["response_type"] == "ephemeral"
    assert "Handed off *L-1*" in all_text(answer["blocks"]) and "<@URITA>" in all_text(answer["blocks"])

    report = deliver(wire)
    assert report.sent >= 1
    [dm] = dms_to(wire, "URITA")
    assert wire.fake.calls_to("conversations.open")[0].params["users"] == "URITA"
    assert wire.fake.calls_to("chat.postMessage")[0].token == "xoxb-test"
    with wire.runtime.db.session() as session:
        row = session.exec(select(Outbox).where(Outbox.kind == "handoff")).one()
        assert row.status == "sent" and row.delivered_ref and row.delivered_ref.startswith("DURITA:")
    labels = buttons(dm["blocks"])
    assert {"Accept", "Reject"} <= set(labels)
    accept, block = labels["Accept"]
    assert accept["value"] == "lead accept L-1" and block["block_id"].startswith(f"tandem:o{row.id}:")
    assert json.loads(labels["Reject"][0]["value"])["p"].startswith("Why are you rejecting")

    message = {"ts": row.delivered_ref.split(":")[1], "blocks": dm["blocks"], "text": dm["text"]}
    assert wire.click("rita", message, {**accept, "block_id": block["block_id"]}, channel="DURITA").status_code == 200
    [update] = wire.fake.wait_for("response")
    assert update.params["replace_original"] is True
    assert "Accepted by <@URITA>" in all_text(update.params["blocks"])
    assert "✅ *Accept* — by <@URITA>" in all_text(update.params["blocks"])
    assert not any(b["value"] == "lead accept L-1" for b, _ in buttons(update.params["blocks"]).values())
    with wire.runtime.db.session() as session:
        assert session.exec(select(Lead)).one().status == "accepted"
        assert session.get(Outbox, row.id).response_note  # the card knows it was answered

    rated = ack_of(wire.command("rita", "/lead", "feedback L-1 4 great-fit"))
    assert "rated L-1 Acme" in all_text(rated["blocks"])
    deliver(wire)
    to_mara = "\n".join(all_text(dm["blocks"]) for dm in dms_to(wire, "UMARA"))
    assert "accepted L-1 Acme" in to_mara and "rated L-1 Acme" in to_mara and "4/5" in to_mara

    # A second click on the same (stale) card is refused and changes nothing for anyone else.
    wire.click("rita", message, {**accept, "block_id": block["block_id"]}, channel="DURITA")
    second = wire.fake.wait_for("response", 2)[1]
    assert second.params["replace_original"] is False and second.params["response_type"] == "ephemeral"


def test_another_workspace_sees_nothing(wire: SlackWire) -> None:
    ack_of(wire.command("rita", "/lead", "list"))
    ack_of(wire.command("mara", "/lead", "handoff Acme to:<@URITA>"))
    shown = ack_of(wire.command("UOTHER", "/lead", "show L-1", team_id="T2"))
    assert "Acme" not in all_text(shown["blocks"]) and "L-1" in all_text(shown["blocks"])
    listed = ack_of(wire.command("UOTHER", "/lead", "list all", team_id="T2"))
    assert "Acme" not in all_text(listed["blocks"])
    accepted = ack_of(wire.command("URITA", "/lead", "accept L-1", team_id="T2"))
    assert "Acme" not in all_text(accepted["blocks"])
    with wire.runtime.db.session() as session:
        assert session.exec(select(Lead)).one().status == "handed_off"


def test_handoff_modal_opens_validates_and_hands_off(wire: SlackWire) -> None:
    ack_of(wire.command("rita", "/lead", "list"))
    opened = wire.command("mara", "/lead", "handoff")
    assert opened.status_code == 200 and not opened.content
    [call] = wire.fake.calls_to("views.open")
    assert call.params["trigger_id"] == "trigger.mara"
    view = call.params["view"]
    assert view["callback_id"] == "tandem_form:lead_handoff"
    assert {b["block_id"] for b in view["blocks"]} >= {"f_company", "f_email", "f_owner", "f_note", "f_source"}

    missing = wire.submit("mara", view, {"f_email": {"type": "email_text_input", "value": "not-an-email"}})
    assert missing.json() == {
        "response_action": "errors",
        "errors": {"f_company": "Company is needed.", "f_email": "That doesn't look like an e-mail address."},
    }

    unknown = wire.submit(
        "mara",
        view,
        {
            "f_company": {"type": "plain_text_input", "value": "Globex"},
            "f_owner": {"type": "users_select", "selected_user": "UNOBODY"},
        },
    )
    assert unknown.json()["response_action"] == "errors"
    assert "UNOBODY" in unknown.json()["errors"]["f_owner"]

    done = wire.submit(
        "mara",
        view,
        {
            "f_company": {"type": "plain_text_input", "value": 'Globex "Intl"'},
            "f_owner": {"type": "users_select", "selected_user": "URITA"},
            "f_note": {"type": "plain_text_input", "value": "Met at the fair.\nHot!"},
        },
    )
    assert done.status_code == 200 and not done.content  # the modal closes
    [told] = wire.fake.calls_to("response")
    assert told.path.startswith("/response/cmd") and "Handed off *L-1*" in all_text(told.params["blocks"])
    with wire.runtime.db.session() as session:
        lead = session.exec(select(Lead)).one()
        owner = session.get(Member, lead.owner_id)
        assert lead.company == 'Globex "Intl"' and lead.note == "Met at the fair.\nHot!"
        assert owner is not None and owner.display_name == "Rita"


def test_the_handoff_modal_shows_a_duplicate_and_creates_it_only_when_ticked(wire: SlackWire) -> None:
    ack_of(wire.command("rita", "/lead", "list"))
    ack_of(wire.command("mara", "/lead", "handoff Acme email:jo@acme.test to:<@URITA>"))
    wire.command("mara", "/lead", "handoff")
    view = wire.fake.calls_to("views.open")[0].params["view"]
    [force] = [block for block in view["blocks"] if block["block_id"] == "f_force"]
    assert force["element"]["type"] == "checkboxes" and force["optional"] is True
    assert force["element"]["options"][0]["value"] == "yes" and "force:yes" in all_text([force])

    form = {
        "f_company": {"type": "plain_text_input", "value": "Acme Europe"},
        "f_email": {"type": "email_text_input", "value": "Jo@Acme.test"},
    }
    refused = wire.submit("mara", view, form)
    assert refused.json()["response_action"] == "errors"
    assert list(refused.json()["errors"]) == ["f_force"]
    assert "already an open lead for jo@acme.test: L-1 Acme, owned by @Rita" in refused.json()["errors"]["f_force"]
    assert wire.fake.calls_to("response") == []

    ticked = {"type": "checkboxes", "selected_options": [{"text": {"type": "plain_text", "text": "x"}, "value": "yes"}]}
    done = wire.submit("mara", view, {**form, "f_force": ticked})
    assert done.status_code == 200 and not done.content
    with wire.runtime.db.session() as session:
        assert [lead.company for lead in session.exec(select(Lead).order_by(Lead.id))] == ["Acme", "Acme Europe"]


def test_a_rep_submitting_the_handoff_modal_is_told_why_inline(wire: SlackWire) -> None:
    wire.command("sam", "/lead", "handoff")
    view = wire.fake.calls_to("views.open")[0].params["view"]
    refused = wire.submit("sam", view, {"f_company": {"type": "plain_text_input", "value": "Initech"}})
    errors = refused.json()["errors"]
    assert list(errors) == ["f_company"] and "marketer" in errors["f_company"]
    with wire.runtime.db.session() as session:
        assert session.exec(select(Lead)).first() is None


def test_reject_button_asks_why_then_rejects(wire: SlackWire) -> None:
    ack_of(wire.command("rita", "/lead", "list"))
    ack_of(wire.command("mara", "/lead", "handoff Acme to:<@URITA>"))
    deliver(wire)
    [dm] = dms_to(wire, "URITA")
    reject, block = buttons(dm["blocks"])["Reject"]
    message = {"ts": "1700000000.000001", "blocks": dm["blocks"]}
    wire.click("rita", message, {**reject, "block_id": block["block_id"]}, channel="DURITA")
    [opened] = wire.fake.wait_for("views.open")
    view = opened.params["view"]
    assert view["callback_id"] == "tandem_prompt" and "Why are you rejecting" in all_text(view["blocks"])

    empty = wire.submit("rita", view, {})
    assert empty.json()["response_action"] == "errors" and "f_text" in empty.json()["errors"]
    wire.submit("rita", view, {"f_text": {"type": "plain_text_input", "value": "student, not a buyer"}})
    [update] = wire.fake.wait_for("response")
    assert update.params["replace_original"] is True and "Reject" in all_text(update.params["blocks"])
    with wire.runtime.db.session() as session:
        lead = session.exec(select(Lead)).one()
        assert lead.status == "rejected" and "student" in (lead.outcome_reason or "")


def test_a_dm_card_acted_on_elsewhere_loses_its_buttons(wire: SlackWire) -> None:
    wire.command("rita", "/lead", "list mine")
    ack_of(wire.command("mara", "/lead", "handoff Acme to:<@URITA|rita>"))
    deliver(wire)
    [dm] = dms_to(wire, "URITA")
    assert "Accept" in buttons(dm["blocks"])
    with wire.runtime.db.session() as session:
        ref = session.exec(select(Outbox).where(Outbox.kind == "handoff")).one().delivered_ref
    assert ref is not None
    channel, ts = ref.split(":")

    ack_of(wire.command("rita", "/lead", "accept L-1"))  # typed, not clicked: the DM still offers Accept
    report = deliver(wire)
    assert report.sent >= 1
    [update] = wire.fake.calls_to("chat.update")
    assert (update.params["channel"], update.params["ts"]) == (channel, ts)
    assert buttons(update.params["blocks"]) == {}
    assert "Since then: 🟢 Accepted — <@URITA>" in all_text(update.params["blocks"])
    assert "L-1 · Acme" in all_text(update.params["blocks"])  # the card itself stays
    assert len(dms_to(wire, "URITA")) == 1  # rewritten, not sent again
    deliver(wire)
    assert len(wire.fake.calls_to("chat.update")) == 1


def test_a_card_that_can_no_longer_be_edited_is_left_quietly(wire: SlackWire) -> None:
    wire.command("rita", "/lead", "list mine")
    ack_of(wire.command("mara", "/lead", "handoff Acme to:<@URITA|rita>"))
    deliver(wire)
    wire.fake.answer("chat.update", {"ok": False, "error": "message_not_found"})  # the user deleted the DM
    ack_of(wire.command("rita", "/lead", "accept L-1"))
    deliver(wire)
    with wire.runtime.db.session() as session:
        rewrite = session.exec(select(Outbox).where(Outbox.kind == "card_update")).one()
        assert rewrite.status == "failed" and "message_not_found" in (rewrite.last_error or "")
        assert not session.exec(select(Outbox).where(Outbox.kind == NOTICE_KIND)).all()  # admins not bothered
