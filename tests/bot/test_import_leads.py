"""Importing leads from a CSV file (SPEC §5 `tandem import leads`, §3 Duplicates): rows become hand-offs —
routed round-robin or to their owner_email, SLA clock started — each owner gets one message, duplicates are
skipped and counted, refused rows are named by line; on every database backend."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from bot.core.clock import FakeClock
from bot.core.errors import NotAllowed
from bot.core.outbox import reply_of
from bot.core.people import find_workspace
from bot.core.replies import Buttons, Mention, Plain
from bot.imports.report import ImportReport
from bot.imports.service import ImportFile, UnreadableFile, import_leads
from storage.models import Campaign, Lead, LeadEvent, LeadImport, Outbox, Workspace
from tests.bot.conftest import Team, _set_role, text_of

HEADER = "company,email,name,source,campaign,note,owner_email\n"


def workspace_id(team: Team) -> int:
    with team.runtime.db.session() as session:
        workspace = find_workspace(session, team.platform, team.team_id)
        assert workspace is not None and workspace.id is not None
        return workspace.id


def run(
    team: Team,
    text: str | bytes,
    *,
    by: str | None = None,
    name: str = "leads.csv",
    dry_run: bool = False,
    batch_size: int = 500,
    progress: object = None,
) -> ImportReport:
    data = text.encode() if isinstance(text, str) else text
    return import_leads(
        team.runtime.db,
        team.runtime.clock,
        ImportFile(name, data),
        workspace_id=workspace_id(team),
        by_id=team.member(by).id if by else None,
        dry_run=dry_run,
        batch_size=batch_size,
        progress=progress,  # type: ignore[arg-type]
    )


def leads(team: Team) -> list[Lead]:
    with team.runtime.db.session() as session:
        return list(
            session.exec(select(Lead).where(Lead.workspace_id == workspace_id(team)).order_by(col(Lead.number))).all()
        )


def digests(team: Team, who: str) -> list[Outbox]:
    return [row for row in team.inbox(who) if row.kind == "import_digest"]


def counts(team: Team) -> tuple[int, ...]:
    with team.runtime.db.session() as session:
        return tuple(
            session.exec(select(func.count()).select_from(table)).one()
            for table in (Lead, LeadEvent, Outbox, LeadImport)
        )


ROWS = (
    HEADER + "Acme,jo@acme.com,Jo Smith,webinar,,call after 3pm,\n"
    "Globex,gus@globex.com,Gus,,,,\n"
    "Initech,bill@initech.com,Bill,,,,\n"
    "Umbrella,,,,,,\n"
)


def test_imported_rows_are_hand_offs_routed_round_robin_with_the_sla_clock_started(team: Team) -> None:
    report = run(team, ROWS)
    assert report.imported == [1, 2, 3, 4] and not report.refused and not report.duplicates
    found = leads(team)
    rita, sam = team.member("rita"), team.member("sam")
    assert [lead.owner_id for lead in found] == [rita.id, sam.id, rita.id, sam.id]
    assert {lead.status for lead in found} == {"handed_off"}
    assert [lead.source for lead in found] == ["webinar", "marketing", "marketing", "marketing"]
    assert found[0].contact_name == "Jo Smith" and found[0].note == "call after 3pm"
    now = team.runtime.clock.now()
    assert {lead.nag_due_at for lead in found} == {now + timedelta(hours=4)}  # accept_sla_hours
    assert team.events(1) == ["handoff"]
    assert report.owners == {"Rita": 2, "Sam": 2}
    with team.runtime.db.session() as session:
        assert session.get(Workspace, workspace_id(team)).routing_cursor == sam.id  # type: ignore[union-attr]
    assert "L-1 Acme" in team.text("rita", "lead list mine") and "L-3 Initech" in team.text("rita", "lead list mine")


def test_each_owner_gets_one_message_for_the_import_not_one_per_lead(team: Team) -> None:
    run(team, ROWS)
    assert [row.kind for row in team.inbox("rita")] == ["import_digest"]
    [digest] = digests(team, "rita")
    text = text_of(reply_of(digest))
    assert text.startswith("📥 2 new leads for you from an import of leads.csv.")
    assert "L-1 Acme — Jo Smith · jo@acme.com" in text and "L-3 Initech — Bill · bill@initech.com" in text
    assert "within 4 hours" in text and "lead accept L-1" in text
    assert "lead list mine lists all your open leads" in text
    assert not any(isinstance(block, Buttons) for block in reply_of(digest).blocks)  # a click would replace the list
    assert digest.dedupe_key == f"import_digest:i1:m{team.member('rita').id}"


def test_a_digest_names_the_first_ten_leads_and_counts_the_rest(team: Team) -> None:
    run(team, HEADER + "".join(f"Company {n},,,,,,rita@t-acme.test\n" for n in range(1, 15)))
    text = text_of(reply_of(digests(team, "rita")[0]))
    assert "14 new leads" in text and "L-10 Company 10" in text and "L-11" not in text and "…and 4 more." in text


def test_the_marketer_who_imports_is_named_and_is_the_leads_marketer(team: Team) -> None:
    report = run(team, ROWS, by="mara")
    assert report.by == "Mara"
    mara = team.member("mara")
    assert {lead.marketer_id for lead in leads(team)} == {mara.id}
    intro = reply_of(digests(team, "sam")[0]).blocks[0]
    assert isinstance(intro.text[1], Mention) and intro.text[1].name == "Mara"  # type: ignore[union-attr]
    assert "handed you 2 new leads from the import of leads.csv" in text_of(reply_of(digests(team, "sam")[0]))
    with team.runtime.db.session() as session:
        actors = set(session.exec(select(LeadEvent.actor_id)).all())
    assert actors == {mara.id}


def test_a_rep_cannot_import(team: Team) -> None:
    with pytest.raises(NotAllowed, match="needs the marketer role; you are a rep"):
        run(team, ROWS, by="rita")
    assert counts(team)[0] == 0


def test_owner_email_gives_the_lead_to_that_member_and_leaves_round_robin_alone(team: Team) -> None:
    report = run(team, HEADER + "Acme,,,,,,DANA@t-acme.test\nGlobex,,,,,,\nInitech,,,,,,\n")
    found = leads(team)
    assert [lead.owner_id for lead in found] == [team.member(w).id for w in ("dana", "rita", "sam")]
    assert report.owners == {"Dana": 1, "Rita": 1, "Sam": 1}
    assert len(digests(team, "dana")) == 1


def test_an_owner_from_another_workspace_is_refused_without_naming_it(team: Team) -> None:
    globex = Team(team.runtime, team_id="T-GLOBEX")
    globex.say("gus", "lead list")
    report = run(team, HEADER + "Acme,,,,,,gus@t-globex.test\nInitech,,,,,,\n")
    [refusal] = report.refused
    assert str(refusal).startswith("line 2: nobody with the e-mail gus@t-globex.test is a member of this workspace")
    assert "GLOBEX" not in str(refusal).upper().replace("GUS@T-GLOBEX.TEST", "")
    assert [lead.company for lead in leads(team)] == ["Initech"]
    assert leads(globex) == []


def test_a_row_matching_an_open_lead_is_skipped_and_counted(team: Team) -> None:
    assert team.say("mara", "lead handoff Acme email:jo@acme.com").ok
    assert team.say("mara", "lead handoff Umbrella").ok
    report = run(team, ROWS.replace("jo@acme.com", "JO@Acme.com"))
    assert [(d.line, d.number, d.matched) for d in report.duplicates] == [(2, 1, "jo@acme.com"), (5, 2, "Umbrella")]
    assert "line 2: L-1 Acme is already open (jo@acme.com)." in text_of_summary(report)
    assert report.imported == [3, 4]


def test_duplicates_within_the_file_are_skipped_naming_the_line_they_repeat(team: Team) -> None:
    report = run(
        team,
        HEADER + "Acme,jo@acme.com,,,,,\n"  # line 2
        "Acme Corp,JO@ACME.COM,,,,,\n"  # same e-mail
        "ACME,,,,,,\n"  # no e-mail: the company of line 2
        "Acme,ann@acme.com,,,,,\n",  # another e-mail at the same company: a new lead, as in chat
    )
    assert [(d.line, d.of_line) for d in report.duplicates] == [(3, 2), (4, 2)]
    assert [lead.email for lead in leads(team)] == ["jo@acme.com", "ann@acme.com"]


def test_importing_a_file_twice_adds_nothing_even_after_its_leads_were_closed(team: Team) -> None:
    run(team, ROWS)
    assert team.say("rita", "lead accept L-1").ok and team.say("rita", "lead won L-1 5000").ok
    assert team.say("sam", "lead reject L-2 no budget").ok
    second = run(team, ROWS)
    assert second.imported == [] and len(second.duplicates) == 4 and not second.refused
    won = next(d for d in second.duplicates if d.number == 1)
    assert won.status == "won" and all(d.same_file for d in second.duplicates)
    shown = text_of_summary(second)
    assert "line 2: L-1 Acme came from an earlier import of this file (jo@acme.com; won)." in shown
    assert "line 3: L-2 Globex came from an earlier import of this file (gus@globex.com; rejected)." in shown
    assert (
        "line 4: L-3 Initech came from an earlier import of this file (bill@initech.com; waiting to be accepted)."
        in shown
    )
    assert len(leads(team)) == 4
    assert len(digests(team, "rita")) == 1  # the second import told nobody


def test_another_file_may_bring_back_a_company_whose_lead_is_closed(team: Team) -> None:
    run(team, ROWS)
    assert team.say("rita", "lead accept L-1").ok and team.say("rita", "lead lost L-1 price").ok
    report = run(team, HEADER + "Acme,jo@acme.com,Jo Smith,event,,met at the booth,\n", name="booth-scans.csv")
    assert report.imported == [5]  # only open leads are duplicates (SPEC §3); the lost one stays lost


def test_a_dry_run_writes_nothing_and_says_what_would_happen(team: Team) -> None:
    assert team.say("mara", "lead handoff Acme email:jo@acme.com").ok
    before = counts(team)
    report = run(team, ROWS + "Hooli,not-an-email,,,,,\n", dry_run=True)
    assert counts(team) == before
    assert report.dry_run and report.imported == [2, 3, 4] and report.owners == {"Sam": 2, "Rita": 1}
    assert [d.line for d in report.duplicates] == [2] and [r.line for r in report.refused] == [6]
    assert run(team, ROWS).imported == [2, 3, 4]  # the real run does what the dry run said


def test_leads_without_a_rep_are_unassigned_and_the_marketing_channel_hears_once(team: Team) -> None:
    for who in ("rita", "sam"):
        _set_role(team.runtime, team, who, "marketer")
    assert team.say("mara", "tandem settings marketing_channel #marketing").ok
    report = run(team, ROWS)
    assert report.unassigned == 4 and report.channel_told and report.owners == {}
    assert {lead.status for lead in leads(team)} == {"unassigned"}
    assert {lead.nag_due_at for lead in leads(team)} == {None}
    assert team.events(1) == ["unassigned"]
    with team.runtime.db.session() as session:
        posts = session.exec(select(Outbox).where(col(Outbox.target_channel).is_not(None))).all()
    [post] = posts
    assert post.kind == "import_unassigned"
    text = text_of(reply_of(post))
    assert text.startswith("⚪ 4 leads from an import of leads.csv have no owner: there is no rep to route them to.")
    assert "[Assign L-1] [Assign L-2] [Assign L-3] [Assign L-4]" in text


def test_with_manual_routing_rows_without_an_owner_stay_unassigned(team: Team) -> None:
    assert team.say("mara", "tandem settings routing manual").ok
    report = run(team, HEADER + "Acme,,,,,,\nGlobex,,,,,,sam@t-acme.test\n")
    assert report.unassigned == 1 and report.owners == {"Sam": 1}
    assert "set `tandem settings marketing_channel`" in text_of_summary(report).lower()


def text_of_summary(report: ImportReport) -> str:
    from bot.imports.views import summary_reply

    return text_of(summary_reply(report))


def test_a_campaign_is_found_by_name_and_an_unknown_one_refuses_the_row(team: Team) -> None:
    with team.runtime.db.session() as session:
        session.add(
            Campaign(workspace_id=workspace_id(team), number=1, name="Q4 Webinar", created_at=team.runtime.clock.now())
        )
    report = run(team, HEADER + "Acme,,,,q4 webinar,,\nGlobex,,,,Spring Fair,,\n")
    assert [lead.company for lead in leads(team)] == ["Acme"] and leads(team)[0].campaign_id is not None
    assert [str(r) for r in report.refused] == [
        "line 3: there is no campaign called `Spring Fair`. Campaigns here: “Q4 Webinar”."
    ]


def test_hostile_text_is_stored_as_text(team: Team) -> None:
    run(team, HEADER + '"Robert\'); DROP TABLE lead;--",,,,,"<!channel> @here <b>hi</b>",\n')
    [lead] = leads(team)
    assert lead.company == "Robert'); DROP TABLE lead;--" and lead.note == "<!channel> @here <b>hi</b>"
    line = reply_of(digests(team, "rita")[0]).blocks[1]
    assert Plain(text=" Robert'); DROP TABLE lead;--") in line.text  # type: ignore[union-attr]


def test_an_unreadable_file_writes_nothing(team: Team) -> None:
    for data in (
        b"",
        b"PK\x03\x04 a workbook",
        b"company\nCaf\xe9\n",
        b"firm,mail\nAcme,jo@acme.com\n",
        HEADER.encode(),
    ):
        with pytest.raises(UnreadableFile):
            run(team, data)
    assert counts(team) == (0, 0, 0, 0)


def test_refused_rows_are_named_and_the_good_rows_import(team: Team) -> None:
    report = run(team, HEADER + f"{'A' * 240},,,,,,\nGood Co,,,,,,\n,jo@acme.com,,,,,\nBad Mail,jo at acme,,,,,\n")
    assert [str(r) for r in report.refused] == [
        "line 2: the company is 240 characters long; the limit is 200.",
        "line 4: the company is empty; every lead needs one.",
        "line 5: the e-mail “jo at acme” is not an e-mail address (like jo@acme.com).",
    ]
    assert [lead.company for lead in leads(team)] == ["Good Co"]


def test_an_interrupted_import_is_finished_by_running_it_again(team: Team) -> None:
    rows = HEADER + "".join(f"Company {n},c{n}@example.com,,,,,\n" for n in range(1, 8))

    def crash_after_first_batch(done: int, total: int) -> None:
        raise KeyboardInterrupt  # the process dies once the first batch is committed

    with pytest.raises(KeyboardInterrupt):
        run(team, rows, batch_size=3, progress=crash_after_first_batch)
    assert [lead.number for lead in leads(team)] == [1, 2, 3]
    assert digests(team, "rita") == [] and digests(team, "sam") == []
    report = run(team, rows, batch_size=3)
    assert report.resumed and report.earlier == 3 and report.imported == [4, 5, 6, 7] and not report.skipped
    assert [lead.number for lead in leads(team)] == [1, 2, 3, 4, 5, 6, 7]
    assert "4 new leads" in text_of(reply_of(digests(team, "rita")[0]))  # L-1, L-3, L-5, L-7: the whole import
    with team.runtime.db.session() as session:
        [record] = session.exec(select(LeadImport)).all()
    assert record.finished_at is not None and record.imported == 7
    assert run(team, rows).imported == []


def test_the_batch_path_gives_what_one_hand_off_per_row_gives(team: Team, clock: FakeClock) -> None:
    """The reference is ``hand_off``, row by row: the same numbers, owners, statuses, events and SLA clock."""
    from bot.core.unit import Changes
    from bot.leads.duplicates import open_duplicate
    from bot.leads.handoffs import hand_off
    from bot.leads.lifecycle import NewLead
    from storage.models import Member

    other = Team(team.runtime, team_id="T-COPY")  # the same people, for the reference
    for who in ("mara", "rita", "sam", "dana"):
        other.say(who, "lead list")
    _set_role(team.runtime, other, "mara", "admin")
    _set_role(team.runtime, other, "dana", "manager")
    for t in (team, other):
        assert t.say("mara", "lead handoff Existing email:old@example.com").ok  # moves the cursor to Rita
    rows = [
        ("Acme", "jo@acme.com", "dana"),
        ("Globex", None, None),
        ("Existing Again", "OLD@example.com", None),
        ("Initech", None, None),
        ("Globex", None, None),
        ("Hooli", "h@hooli.com", None),
        ("Umbrella", None, "sam"),
        ("Stark", "tony@stark.com", None),
    ]
    text = HEADER + "".join(f"{c},{e or ''},,,,,{(o + '@t-acme.test') if o else ''}\n" for c, e, o in rows)
    run(team, text, batch_size=3)
    owner_ids = {who: other.member(who).id for who in ("dana", "sam")}
    other_id = workspace_id(other)
    with team.runtime.db.session() as session:
        workspace = session.get(Workspace, other_id)
        for company, email, owner_key in rows:
            new = NewLead(company=company, email=email.lower() if email else None)
            if open_duplicate(session, other_id, new) is not None:
                continue
            owner = session.get(Member, owner_ids[owner_key]) if owner_key else None
            hand_off(
                session, clock, workspace=workspace, new=new, by=None, owner=owner, changes=Changes(), notify=False
            )

    def picture(t: Team) -> list[tuple[object, ...]]:
        names = {t.member(w).id: w for w in ("mara", "rita", "sam", "dana")}
        found, here = leads(t), workspace_id(t)
        with t.runtime.db.session() as session:
            out: list[tuple[object, ...]] = []
            for lead in found:
                events = session.exec(
                    select(LeadEvent).where(LeadEvent.lead_id == lead.id).order_by(col(LeadEvent.id))
                ).all()
                out.append(
                    (
                        lead.number,
                        lead.company,
                        lead.email,
                        names.get(lead.owner_id or 0),
                        lead.status,
                        lead.source,
                        lead.nag_due_at,
                        lead.handed_off_at,
                        lead.created_at,
                        lead.marketer_id is None,
                        tuple(
                            (e.kind, e.from_status, e.to_status, e.detail, names.get(e.actor_id or 0), e.created_at)
                            for e in events
                        ),
                    )
                )
            workspace_row = session.get(Workspace, here)
            assert workspace_row is not None
            return [*out, (names.get(workspace_row.routing_cursor or 0), workspace_row.lead_seq)]

    assert picture(team) == picture(other)


def test_the_duplicate_check_of_a_batch_probes_the_partial_indexes(team: Team) -> None:
    """One index probe per key, not a read of every open lead (bench/README_imports.md): PostgreSQL's planner
    read a 500-key IN list as a sequential scan, and a table never analysed through the wrong index."""
    from sqlalchemy import event

    rows = "".join(f"Company {n},c{n}@example.com,,,,,\n" for n in range(3000))
    run(team, HEADER + rows)
    db = team.runtime.db
    seen: list[tuple[str, object]] = []

    def record(_conn: object, _cursor: object, statement: str, parameters: object, *_: object) -> None:
        if "lower(lead.email)" in statement or "lower(lead.company)" in statement:
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        run(team, HEADER + rows.replace("Company 1,", "Other 1,") + "Newco,,,,,,\n", name="again.csv")
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    explain = "EXPLAIN QUERY PLAN " if db.is_sqlite else "EXPLAIN "
    plans = []
    with db.engine.connect() as conn:
        for statement, parameters in seen:
            plans.append(" ".join(str(row) for row in conn.exec_driver_sql(explain + statement, parameters)))  # type: ignore[arg-type]
    by_email = [plan for plan in plans if "ix_lead_open_email" in plan]
    by_company = [plan for plan in plans if "ix_lead_open_company" in plan]
    assert by_email and by_company and len(by_email) + len(by_company) == len(plans), plans
    assert not any("Seq Scan" in plan or "SCAN lead" in plan for plan in plans), plans
