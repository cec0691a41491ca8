"""Sales tools over Slack: /tool add and /tool <query> as slash commands, the result a native link through
/t/<id> that counts for the rep who opens it, a hostile title shown as text; the staleness note's Remove button."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from sqlmodel import select

from storage.models import Member, MemberAccount, Outbox, Tool, ToolClick
from tests.adapters.slack.conftest import SlackWire
from tests.adapters.slack.test_lead_story import ack_of, all_text, buttons, deliver, dms_to

HOSTILE = "<!channel> Pricing deck &lt;script&gt;x&lt;/script&gt;"  # as Slack sends a typed @channel and <script>


def test_marketing_publishes_and_a_rep_opens_a_tool_over_slack(wire: SlackWire) -> None:
    published = ack_of(
        wire.command("mara", "/tool", f'add "{HOSTILE}" url:<https://drive.example.com/pricing> tags:pricing')
    )
    assert "Published *T-1*" in all_text(published["blocks"])
    found = ack_of(wire.command("rita", "/tool", "pricng deck"))
    assert found["response_type"] == "ephemeral"
    shown = all_text(found["blocks"])
    assert "|@channel Pricing deck &lt;script&gt;x&lt;/script&gt;>" in shown
    assert "<!channel>" not in shown and "<script>" not in shown
    [url] = re.findall(r"<(http://127\.0\.0\.1:8000/t/\d+\?m=[^|>]+)\|", shown)
    opened = wire.http.get(url.replace("http://127.0.0.1:8000", ""), follow_redirects=False)
    assert opened.status_code == 302 and opened.headers["location"] == "https://drive.example.com/pricing"
    with wire.runtime.db.session() as session:
        [click] = session.exec(select(ToolClick)).all()
        rita = session.exec(
            select(Member)
            .join(MemberAccount, MemberAccount.member_id == Member.id)  # type: ignore[arg-type]
            .where(MemberAccount.external_id == "URITA")
        ).one()
        assert click.member_id == rita.id


def test_the_staleness_note_removes_a_tool_with_one_click(wire: SlackWire) -> None:
    assert ack_of(wire.command("mara", "/tool", "add Old deck url:https://example.com/old"))
    assert ack_of(wire.command("mara", "/tool", "add Older deck url:https://example.com/older"))
    clock = wire.runtime.clock
    clock.advance(timedelta(days=200))  # type: ignore[attr-defined]
    from schedules.jobs.tool_staleness import run_tool_staleness

    assert str(wire.http.portal.call(run_tool_staleness, wire.runtime)) == "told 1 owner about 2 stale tools"
    deliver(wire)
    [dm] = dms_to(wire, "UMARA")
    labels = buttons(dm["blocks"])
    assert set(labels) == {"Remove T-1", "Remove T-2"}
    remove, block = labels["Remove T-1"]
    assert remove["value"] == "tool remove T-1" and remove["style"] == "danger"
    with wire.runtime.db.session() as session:
        row = session.exec(select(Outbox).where(Outbox.kind == "tool_stale")).one()
    message = {"ts": (row.delivered_ref or ":1.0").split(":")[1], "blocks": dm["blocks"], "text": dm["text"]}
    assert wire.click("mara", message, {**remove, "block_id": block["block_id"]}, channel="DUMARA").status_code == 200
    [update] = wire.fake.wait_for("response")
    rewritten = update.params["blocks"]
    assert update.params["replace_original"] is True
    assert "Removed *T-1*" in all_text(rewritten) and set(buttons(rewritten)) == {"Remove T-2"}  # the rest stays
    with wire.runtime.db.session() as session:
        removed = {t.number: t.removed_at is not None for t in session.exec(select(Tool))}
    assert removed == {1: True, 2: False}
    assert json.dumps(rewritten).count("tool remove T-2") == 1
