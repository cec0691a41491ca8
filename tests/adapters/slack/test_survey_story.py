"""The pulse survey over Slack: the question DM with 1–5 buttons, a click that answers and keeps the buttons for a
change of mind, the comment asked for in a modal (the prompt-button mechanism), and `/tandem survey results`
where comments appear without authors and as text."""

from __future__ import annotations

import functools
import json

from sqlmodel import select

from schedules.registry import run_job_now
from storage.models import Outbox, SurveyAnswer
from tests.adapters.slack.conftest import SlackWire
from tests.adapters.slack.test_lead_story import ack_of, all_text, buttons, deliver, dms_to

HOSTILE = "<!channel> the leads were *great* & <b>qualified</b>"


def ask(wire: SlackWire) -> str:
    firing = wire.http.portal.call(functools.partial(run_job_now, wire.runtime, "survey"))
    assert firing.ran and not firing.error, firing
    return firing.result or ""


def question_to(wire: SlackWire, user: str) -> tuple[dict, dict]:  # type: ignore[type-arg]
    """The question DM as Slack received it, and the message a click carries."""
    [dm] = [d for d in dms_to(wire, user) if "Pulse survey" in all_text(d["blocks"])]
    with wire.runtime.db.session() as session:
        rows = session.exec(select(Outbox).where(Outbox.kind == "survey_question")).all()
        ref = next(r.delivered_ref for r in rows if (r.delivered_ref or "").startswith("D" + user))
    assert ref is not None
    return dm, {"ts": ref.split(":")[1], "blocks": dm["blocks"], "text": dm["text"]}


def test_a_rep_answers_in_slack_changes_their_mind_and_comments_in_a_modal(wire: SlackWire) -> None:
    for who in ("rita", "sam", "eve"):
        ack_of(wire.command(who, "/lead", "list mine"))
    assert ask(wire).startswith("asked 3 reps")
    deliver(wire)
    dm, message = question_to(wire, "URITA")
    labels = buttons(dm["blocks"])
    assert set(labels) == {"1", "2", "3", "4", "5", "Add a comment"}
    four, block = labels["4"]
    assert four["value"] == "tandem survey answer 4 quarter:2026-Q1"

    wire.click("rita", message, {**four, "block_id": block["block_id"]}, channel="DURITA")
    [update] = wire.fake.wait_for("response")
    assert update.params["replace_original"] is True
    rewritten = update.params["blocks"]
    assert "Thanks — you answered *4* for Q1 2026" in all_text(rewritten)
    assert "✅ *4* — by <@URITA>" in all_text(rewritten)
    again = buttons(rewritten)  # the answer carries the buttons: one more click changes it
    two, block2 = again["2"]
    wire.click("rita", {**message, "blocks": rewritten}, {**two, "block_id": block2["block_id"]}, channel="DURITA")
    second = wire.fake.wait_for("response", 2)[1]
    assert "you answered *2* (replacing your 4)" in all_text(second.params["blocks"])

    comment, block3 = buttons(second.params["blocks"])["Add a comment"]
    assert json.loads(comment["value"])["p"].startswith("What helped you most")
    wire.click("rita", message, {**comment, "block_id": block3["block_id"]}, channel="DURITA")
    [opened] = wire.fake.wait_for("views.open")
    view = opened.params["view"]
    assert view["callback_id"] == "tandem_prompt" and "Shown without your name" in all_text(view["blocks"])
    empty = wire.submit("rita", view, {})
    assert empty.json()["response_action"] == "errors" and "Type your comment" in empty.json()["errors"]["f_text"]
    too_long = wire.submit("rita", view, {"f_text": {"type": "plain_text_input", "value": "x" * 1500}})
    assert "at most 1,000" in too_long.json()["errors"]["f_text"]
    wire.submit("rita", view, {"f_text": {"type": "plain_text_input", "value": HOSTILE}})
    third = wire.fake.wait_for("response", 3)[2]
    assert "Your comment is saved" in all_text(third.params["blocks"])
    with wire.runtime.db.session() as session:
        [row] = session.exec(select(SurveyAnswer)).all()
        assert (row.score, row.comment) == (2, HOSTILE)

    for who, score in (("sam", 4), ("eve", 5)):
        ack_of(wire.command(who, "/tandem", f"survey answer {score}"))
    shown = ack_of(wire.command("mara", "/tandem", "survey results"))
    assert shown["response_type"] == "ephemeral"
    text = all_text(shown["blocks"])
    assert "3.7 / 5" in text and "3 of 3 reps (100%)" in text
    assert "&lt;!channel&gt; the leads were" in text and "<!channel>" not in text and "<b>" not in text
    assert "URITA" not in text and "Rita" not in text  # no author anywhere


def test_a_rep_asking_for_results_in_slack_is_told_who_can(wire: SlackWire) -> None:
    ack_of(wire.command("rita", "/lead", "list mine"))
    refused = ack_of(wire.command("rita", "/tandem", "survey results"))
    assert "needs the manager role" in all_text(refused["blocks"])
