"""Hand-off nags (SPEC §4): cadence, escalation, quiet hours in the owner's own time zone, DST — with a
clock the tests move and delivery to a loopback fake Slack."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import event, func
from sqlmodel import col, select

from bot.core.clock import FakeClock
from bot.core.outbox import reply_of
from bot.core.runtime import Runtime
from bot.leads.nag_queries import due_leads
from bot.leads.nag_rules import QuietHours
from bot.leads.nags import NagRound
from schedules.jobs.nags import run_nags
from storage.models import Member, Outbox
from tests.bot.conftest import Team
from tests.schedules.conftest import SlackTeam, buttons_of, text_of, utc

BERLIN = ZoneInfo("Europe/Berlin")


async def test_friday_evening_handoff_in_berlin_is_nagged_monday_0900_not_saturday(slack_team: SlackTeam) -> None:
    team = slack_team
    team.at(utc(2026, 3, 27, 15, 0))  # Friday 16:00 in Berlin (CET); clocks go forward on Sunday the 29th
    lead = team.handoff("Acme")
    assert lead.nag_due_at == utc(2026, 3, 27, 19, 0)  # 4-hour SLA: 20:00 Berlin, inside quiet hours

    team.at(utc(2026, 3, 27, 19, 5))
    done = await team.run("nags")
    assert "deferred to working hours 1" in (done.result or "")
    assert team.lead(lead.id).nag_due_at == utc(2026, 3, 30, 7, 0)  # Monday 09:00 CEST = 07:00 UTC

    for moment in (utc(2026, 3, 28, 9, 0), utc(2026, 3, 29, 12, 0), utc(2026, 3, 30, 6, 55)):
        team.at(moment)
        await team.run("nags")
        assert team.outbox("nag") == []

    team.at(utc(2026, 3, 30, 7, 0))
    await team.run("nags")
    [nag] = team.outbox("nag")
    assert nag.target_member_id == team.member("rita").id
    assert buttons_of(reply_of(nag))["Accept"] == f"lead accept L-{lead.number}"
    assert [e.kind for e in team.trail(lead.id)] == ["handoff", "nag"]
    local = team.trail(lead.id)[-1].created_at.astimezone(BERLIN)
    assert (local.weekday(), local.hour, local.minute) == (0, 9, 0)

    await team.run("delivery")
    dm = [p for p in team.posts() if "waiting for you" in str(p.get("blocks") or p.get("text"))]
    assert len(dm) == 1 and dm[0]["channel"] == "DURITA"


async def test_quiet_hours_follow_the_owners_own_time_zone(slack_team: SlackTeam) -> None:
    team = slack_team
    team.at(utc(2026, 3, 10, 13, 0))  # Tuesday: 14:00 Berlin, 09:00 New York
    berlin_lead = team.handoff("Berlin GmbH", to="rita")
    ny_lead = team.handoff("New York Inc", to="sam")

    team.at(utc(2026, 3, 10, 17, 30))  # 18:30 Berlin (quiet), 13:30 New York (working)
    await team.run("nags")
    nags = team.outbox("nag")
    assert [n.target_member_id for n in nags] == [team.member("sam").id]
    assert team.lead(berlin_lead.id).nag_due_at == utc(2026, 3, 11, 8, 0)  # Wednesday 09:00 Berlin
    assert team.lead(ny_lead.id).nag_count == 1


async def test_quiet_hours_none_nags_at_night_and_on_weekends(slack_team: SlackTeam) -> None:
    team = slack_team
    team.setting("quiet_hours", "none")
    team.at(utc(2026, 3, 14, 1, 0))  # Saturday 02:00 Berlin
    lead = team.handoff("Night Owl Ltd")
    team.later(hours=4)
    await team.run("nags")
    assert len(team.outbox("nag")) == 1 and team.lead(lead.id).nag_count == 1


async def test_cadence_escalation_once_and_phases(slack_team: SlackTeam) -> None:
    team = slack_team
    team.setting("quiet_hours", "none")
    team.setting("managers_channel", "slack:CMGR")
    start = utc(2026, 3, 10, 10, 0)
    team.at(start)
    lead = team.handoff("Globex")

    async def nags_at(hours: float) -> tuple[int, int]:
        team.at(start + timedelta(hours=hours))
        await team.run("nags")
        return len(team.outbox("nag")), len(team.outbox("escalation"))

    assert await nags_at(3.9) == (0, 0)  # SLA not yet breached
    assert await nags_at(4) == (1, 0)
    assert await nags_at(5) == (1, 0)  # at most once per nag_every_hours (24)
    assert await nags_at(27.9) == (1, 0)
    assert await nags_at(28) == (2, 0)
    assert await nags_at(52) == (3, 2)  # after 2 nags: managers channel + the marketer
    escalations = team.outbox("escalation")
    assert {e.target_channel for e in escalations} == {"slack:CMGR", None}
    assert {e.target_member_id for e in escalations} == {None, team.member("mara").id}
    manager_post = reply_of(next(e for e in escalations if e.target_channel))
    assert "Globex" in text_of(manager_post) and "2 reminders" in text_of(manager_post)
    assert manager_post.visibility == "in_channel"
    assert await nags_at(76) == (4, 2)  # managers hear once per SLA phase, not every day
    kinds = [e.kind for e in team.trail(lead.id)]
    assert kinds == ["handoff", "nag", "nag", "nag", "escalation", "nag"]

    # Accepting starts the first-touch phase: its own reminder count and Log touch button.
    team.at(start + timedelta(hours=77))
    assert team.say("rita", f"lead accept L-{lead.number}").ok
    assert await nags_at(77 + 23.9) == (4, 2)
    assert await nags_at(77 + 24) == (5, 2)
    touch_nag = reply_of(team.outbox("nag")[-1])
    assert "first touch" in text_of(touch_nag)
    log_touch = next(
        b for block in touch_nag.blocks if block.kind == "buttons" for b in block.buttons if b.label == "Log touch"
    )
    assert log_touch.command == f"lead touch L-{lead.number}" and log_touch.prompt == "What did you do?"

    # A touch quiets it until the lead goes stale (7 days), then won leads are never nagged again.
    team.at(start + timedelta(hours=102))
    assert team.say("rita", f"lead touch L-{lead.number} called the CFO").ok
    assert await nags_at(102 + 7 * 24 - 1) == (5, 2)
    assert await nags_at(102 + 7 * 24) == (6, 2)
    assert "no touch for 7 days" in text_of(reply_of(team.outbox("nag")[-1]))
    assert team.say("rita", f"lead won L-{lead.number} 10000").ok
    assert team.lead(lead.id).nag_due_at is None
    assert await nags_at(102 + 30 * 24) == (6, 2)


async def test_counts_in_reminders_and_escalations_read_as_english(slack_team: SlackTeam) -> None:
    team = slack_team
    team.setting("quiet_hours", "none")
    team.setting("managers_channel", "slack:CMGR")
    team.setting("escalate_after_nags", "1")
    team.setting("stale_after_days", "1")
    start = utc(2026, 3, 10, 10, 0)
    team.at(start)
    lead = team.handoff("Globex")
    for hours in (4, 28):
        team.at(start + timedelta(hours=hours))
        await team.run("nags")
    [escalation] = [e.detail for e in team.trail(lead.id) if e.kind == "escalation"]
    assert escalation is not None and escalation.startswith("after 1 reminder; told the managers channel")
    to_managers, to_marketer = (text_of(reply_of(e)) for e in team.outbox("escalation"))
    assert "has had 1 reminder: not accepted" in to_managers and ", after 1 reminder. Managers" in to_marketer
    assert "1 reminders" not in to_managers + to_marketer
    # the stale rule names its days the same way
    team.at(start + timedelta(hours=29))
    assert team.say("rita", f"lead accept L-{lead.number}").ok
    assert team.say("rita", f"lead touch L-{lead.number} called").ok
    team.at(start + timedelta(hours=29 + 24))
    await team.run("nags")
    assert "no touch for 24 h (stale after 1 day)" in (team.trail(lead.id)[-1].detail or "")


async def test_no_nags_for_touched_won_lost_or_rejected_leads(slack_team: SlackTeam) -> None:
    team = slack_team
    team.setting("quiet_hours", "none")
    team.at(utc(2026, 3, 10, 10, 0))
    leads = {name: team.handoff(name) for name in ("Open", "Touched", "Won", "Lost", "Rejected")}
    for name in ("Touched", "Won", "Lost"):
        assert team.say("rita", f"lead accept L-{leads[name].number}").ok
        assert team.say("rita", f"lead touch L-{leads[name].number} intro call").ok
    assert team.say("rita", f"lead won L-{leads['Won'].number}").ok
    assert team.say("rita", f"lead lost L-{leads['Lost'].number} price").ok
    assert team.say("rita", f"lead reject L-{leads['Rejected'].number} student").ok

    team.later(days=2)  # past every accept / first-touch SLA, before the touched one goes stale
    await team.run("nags")
    assert [n.dedupe_key.split(":")[1] for n in team.outbox("nag")] == [f"L{leads['Open'].id}"]


async def test_a_stale_due_time_is_corrected_not_nagged(slack_team: SlackTeam) -> None:
    """The nag job trusts the SLA rule over the stored due time: a lead touched since is not nagged."""
    team = slack_team
    team.setting("quiet_hours", "none")
    team.at(utc(2026, 3, 10, 10, 0))
    lead = team.handoff("Hooli")
    assert team.say("rita", f"lead accept L-{lead.number}").ok
    assert team.say("rita", f"lead touch L-{lead.number}").ok
    with team.runtime.db.session() as s:  # an out-of-date due time, e.g. from an older release
        row = s.get(type(lead), lead.id)
        assert row is not None
        row.nag_due_at = team.clock.now()
        s.add(row)
    await team.run("nags")
    assert team.outbox("nag") == []
    assert team.lead(lead.id).nag_due_at == utc(2026, 3, 17, 10, 0)


async def test_escalation_without_a_managers_channel_goes_to_the_managers_by_dm(slack_team: SlackTeam) -> None:
    team = slack_team
    team.setting("quiet_hours", "none")
    team.setting("escalate_after_nags", "0")
    team.at(utc(2026, 3, 10, 10, 0))
    lead = team.handoff("Initech")
    team.later(hours=4)
    await team.run("nags")
    targets = {e.target_member_id for e in team.outbox("escalation")}
    assert targets == {team.member("dana").id, team.member("mara").id}
    assert [e.kind for e in team.trail(lead.id)] == ["handoff", "nag", "escalation"]


def test_quiet_hours_rules() -> None:
    default = QuietHours.parse("18:00-09:00")
    assert default.is_quiet(utc(2026, 3, 10, 18, 0)) and default.is_quiet(utc(2026, 3, 10, 8, 59))
    assert not default.is_quiet(utc(2026, 3, 10, 9, 0)) and not default.is_quiet(utc(2026, 3, 10, 17, 59))
    assert default.is_quiet(utc(2026, 3, 14, 12, 0))  # Saturday
    lunch = QuietHours.parse("12:00-13:00")
    assert lunch.is_quiet(utc(2026, 3, 10, 12, 30)) and not lunch.is_quiet(utc(2026, 3, 10, 13, 0))
    assert lunch.next_working(utc(2026, 3, 10, 12, 30), ZoneInfo("UTC")) == utc(2026, 3, 10, 13, 0)
    off = QuietHours.parse("none")
    assert not off.is_quiet(utc(2026, 3, 14, 3, 0))
    # autumn DST change in New York (Sunday 1 Nov 2026): Monday 09:00 EST is 14:00 UTC, not 13:00
    assert default.next_working(utc(2026, 10, 30, 23, 0), ZoneInfo("America/New_York")) == utc(2026, 11, 2, 14, 0)


def test_finding_due_leads_reads_the_nag_due_index(runtime: Runtime) -> None:
    """The nag job's own query can use the partial index, so its cost follows the due leads, not the table
    (measured over 1M leads in bench/nags.py)."""
    seen: list[tuple[str, object]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many):  # type: ignore[no-untyped-def]
        if "FROM lead" in statement:
            seen.append((statement, parameters))

    event.listen(runtime.db.engine, "before_cursor_execute", capture)
    try:
        with runtime.db.session() as session:
            due_leads(session, utc(2026, 3, 10, 10, 0), 200)
    finally:
        event.remove(runtime.db.engine, "before_cursor_execute", capture)
    [(statement, parameters)] = seen
    with runtime.db.engine.connect() as conn:
        if runtime.db.is_sqlite:
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()  # type: ignore[arg-type]
        else:
            conn.exec_driver_sql("SET enable_seqscan = off")  # a tiny table: ask whether the index CAN serve it
            rows = conn.exec_driver_sql("EXPLAIN " + statement, parameters).all()  # type: ignore[arg-type]
    plan = " ".join(str(row[-1]) for row in rows)
    assert "ix_lead_nag_due" in plan, plan


async def test_changing_an_sla_setting_does_not_renag_a_lead_nagged_recently(slack_team: SlackTeam) -> None:
    """`tandem settings accept_sla_hours …` recomputes every open lead's due time; a lead nagged an hour
    ago still waits for `nag_every_hours`."""
    team = slack_team
    team.setting("quiet_hours", "none")
    team.at(utc(2026, 3, 10, 10, 0))
    lead = team.handoff("Umbrella")
    team.at(utc(2026, 3, 10, 14, 0))
    await team.run("nags")
    assert len(team.outbox("nag")) == 1
    team.at(utc(2026, 3, 10, 15, 0))
    assert team.say("mara", "tandem settings accept_sla_hours 2").ok
    assert team.lead(lead.id).nag_due_at == utc(2026, 3, 10, 12, 0)  # recomputed from the hand-off
    await team.run("nags")
    assert len(team.outbox("nag")) == 1
    assert team.lead(lead.id).nag_due_at == utc(2026, 3, 11, 14, 0)  # 24 h after the last nag


async def test_a_reassigned_lead_is_nagged_on_its_new_owners_own_sla(slack_team: SlackTeam) -> None:
    team = slack_team
    team.setting("quiet_hours", "none")
    team.at(utc(2026, 3, 10, 10, 0))
    lead = team.handoff("Soylent")
    team.at(utc(2026, 3, 10, 14, 0))
    await team.run("nags")  # Rita is reminded at 14:00
    team.at(utc(2026, 3, 10, 15, 0))
    assert team.say("mara", f"lead reassign L-{lead.number} to:<@USAM>").ok
    team.at(utc(2026, 3, 10, 19, 0))  # Sam's 4 hours are up; Rita's reminder 5 hours ago does not hold it back
    await team.run("nags")
    assert [n.target_member_id for n in team.outbox("nag")] == [team.member("rita").id, team.member("sam").id]


def _workspace_with_leads(runtime: Runtime, team_id: str, leads: int, accept_sla_hours: int) -> None:
    """Mara (admin, marketing) hands ``leads`` leads to Rita; Dana manages; every nag escalates at once."""
    team = Team(runtime, team_id=team_id)
    for who in ("mara", "rita", "dana"):
        assert team.say(who, "lead list").ok
    with runtime.db.session() as s:
        mara = s.get(Member, team.member("mara").id)
        assert mara is not None
        mara.role = "admin"
        s.add(mara)
    for command in (
        f"tandem role dana@{team_id.lower()}.test manager",
        "tandem settings quiet_hours none",
        "tandem settings escalate_after_nags 0",
        f"tandem settings accept_sla_hours {accept_sla_hours}",
    ):
        assert team.say("mara", command).ok, command
    for n in range(leads):
        assert team.say("mara", f"lead handoff Company {n} to:@rita").ok


async def test_a_nag_round_costs_as_many_round_trips_for_50_due_leads_as_for_5(runtime: Runtime) -> None:
    """The round reads what its batch needs (owners, marketers, mentions, cards, reminders so far, managers,
    dedupe keys) in one query each and writes in bulk: more due leads cost no more round trips."""
    clock = runtime.clock
    assert isinstance(clock, FakeClock)
    _workspace_with_leads(runtime, "T-FIVE", 5, accept_sla_hours=4)
    _workspace_with_leads(runtime, "T-FIFTY", 50, accept_sla_hours=8)
    statements: list[str] = []

    def count(_conn, _cursor, statement, _parameters, _context, _many):  # type: ignore[no-untyped-def]
        statements.append(statement)

    async def round_at(moment: datetime) -> tuple[NagRound, int]:
        clock.set(moment)
        statements.clear()
        event.listen(runtime.db.engine, "before_cursor_execute", count)
        try:
            done = await run_nags(runtime)
        finally:
            event.remove(runtime.db.engine, "before_cursor_execute", count)
        return done, len(statements)

    five, five_statements = await round_at(utc(2026, 3, 10, 14, 0))  # only the 4-hour SLA is up
    fifty, fifty_statements = await round_at(utc(2026, 3, 10, 18, 0))  # only the 8-hour one
    assert (five.nagged, five.escalated, fifty.nagged, fifty.escalated) == (5, 5, 50, 50)
    with runtime.db.session() as s:  # each nag: the owner's DM, the manager's and the marketer's escalation
        assert (
            s.exec(select(func.count()).select_from(Outbox).where(col(Outbox.kind).in_(("nag", "escalation")))).one()
            == 3 * 55
        )
    assert abs(fifty_statements - five_statements) <= 2, (five_statements, fifty_statements)
