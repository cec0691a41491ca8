"""`tandem link`: a one-time code (shown once, stored hashed, 15 minutes, admins only) joins a Slack
workspace and a Teams tenant; people with the same e-mail become one member and leads are renumbered."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlmodel import select

from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.core.outbox import resolve_target
from bot.core.replies import Reply, plain_text
from bot.core.request import Person, Request
from bot.core.runtime import Runtime
from bot.server import build_runtime
from storage.models import (
    CriteriaVersion,
    Lead,
    LeadEvent,
    LinkCode,
    Member,
    MemberAccount,
    Outbox,
    Workspace,
    WorkspaceAccount,
)


@pytest.fixture
def runtime(database_url: str, clock: FakeClock) -> Iterator[Runtime]:
    settings = Settings(
        DATABASE_URL=database_url,
        TANDEM_SECRET_KEY="test-secret-key-0123456789",  # type: ignore[call-arg]
        TANDEM_SCHEDULER="off",
        TANDEM_ADMINS="UADMIN001,29:teams-admin,UOTHER001",
        _env_file=None,
    )
    rt = build_runtime(settings, clock=clock)
    yield rt
    rt.db.dispose()


SLACK_ADMIN = Person("slack", "UADMIN001", "Sam Admin", "sam@acme.test")
SLACK_MARTA = Person("slack", "UMARTA001", "Marta", "marta@acme.test")
SLACK_RITA = Person("slack", "URITA0001", "Rita (Slack)", "Rita@Acme.test")
TEAMS_ADMIN = Person("teams", "29:teams-admin", "Tom Admin", "tom@acme.test")
TEAMS_RITA = Person("teams", "29:rita", "Rita Rep", "rita@acme.test")
TEAMS_PAT = Person("teams", "29:pat", "Pat Teams", "pat@acme.test")


def _ask(runtime: Runtime, person: Person, text: str) -> Reply:
    team = "T0ACME" if person.platform == "slack" else "tenant-acme"
    return runtime.dispatcher.handle(Request(person=person, team_id=team, text=text))


def _text(reply: Reply) -> str:
    return " ".join(plain_text(block.text) for block in reply.blocks if hasattr(block, "text"))


def _code(reply: Reply) -> str:
    match = re.search(r"\b([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})\b", _text(reply))
    assert match, _text(reply)
    return match.group(1)


def _two_workspaces(runtime: Runtime) -> None:

    for person in (SLACK_MARTA, SLACK_RITA):
        _ask(runtime, person, "lead list")
    _ask(runtime, SLACK_ADMIN, "tandem role <@UMARTA001> marketer")
    assert _ask(runtime, SLACK_MARTA, "lead handoff Acme to:<@URITA0001>").ok
    assert _ask(runtime, SLACK_MARTA, "lead handoff Bolt to:<@URITA0001>").ok
    for person in (TEAMS_RITA, TEAMS_PAT):
        _ask(runtime, person, "lead list")
    assert _ask(runtime, TEAMS_ADMIN, "lead handoff Contoso to:29:pat").ok
    assert _ask(runtime, TEAMS_ADMIN, "lead handoff Fabrikam to:29:rita").ok


def test_link_joins_slack_and_teams_into_one_workspace(runtime: Runtime, clock: FakeClock) -> None:
    _two_workspaces(runtime)
    offer = _ask(runtime, SLACK_ADMIN, "tandem link")
    code = _code(offer)
    with runtime.db.session() as session:
        [stored] = session.exec(select(LinkCode)).all()
        assert code.replace("-", "") not in stored.code_hash and len(stored.code_hash) == 64
        assert stored.expires_at == clock.now() + timedelta(minutes=15)

    joined = _ask(runtime, TEAMS_ADMIN, f"tandem link {code.lower()}")
    assert joined.ok, _text(joined)
    assert "L-1→L-3" in _text(joined) and "L-2→L-4" in _text(joined)
    with runtime.db.session() as session:
        [workspace] = session.exec(select(Workspace)).all()
        assert {a.platform for a in session.exec(select(WorkspaceAccount))} == {"slack", "teams"}
        assert workspace.lead_seq == 4
        rita = session.exec(select(Member).where(Member.email == "Rita@Acme.test")).one()
        accounts = {
            a.platform: a.external_id
            for a in session.exec(select(MemberAccount).where(MemberAccount.member_id == rita.id))
        }
        assert accounts == {"slack": "URITA0001", "teams": "29:rita"}
        assert all(a.workspace_id == workspace.id for a in session.exec(select(MemberAccount)))
        assert len(session.exec(select(Member)).all()) == 5  # Sam, Marta, Rita (one person), Tom, Pat
        leads = {lead.company: lead for lead in session.exec(select(Lead))}
        assert {c: lead.number for c, lead in leads.items()} == {"Acme": 1, "Bolt": 2, "Contoso": 3, "Fabrikam": 4}
        assert leads["Fabrikam"].owner_id == rita.id and leads["Acme"].owner_id == rita.id
        assert all(e.workspace_id == workspace.id for e in session.exec(select(LeadEvent)))
        pending = session.exec(select(Outbox).where(Outbox.target_member_id == rita.id)).all()
        assert any("L-4" in row.payload and "Fabrikam" in row.payload for row in pending)
        assert not any("L-2" in row.payload and "Fabrikam" in row.payload for row in pending)

    assert _ask(runtime, TEAMS_RITA, "lead accept L-1").ok  # Rita accepts the Slack lead from Teams
    again = _ask(runtime, TEAMS_ADMIN, f"tandem link {code}")
    assert not again.ok and "expired" in _text(again)


def test_link_codes_expire_work_once_and_need_an_admin(runtime: Runtime, clock: FakeClock) -> None:
    _two_workspaces(runtime)
    refused = _ask(runtime, TEAMS_RITA, "tandem link")
    assert not refused.ok and "admin" in _text(refused)
    code = _code(_ask(runtime, SLACK_ADMIN, "tandem link"))
    assert not _ask(runtime, SLACK_ADMIN, f"tandem link {code}").ok  # typed on the same side
    clock.advance(timedelta(minutes=16))
    late = _ask(runtime, TEAMS_ADMIN, f"tandem link {code}")
    assert not late.ok and "expired" in _text(late)
    first = _code(_ask(runtime, SLACK_ADMIN, "tandem link"))
    second = _code(_ask(runtime, SLACK_ADMIN, "tandem link"))
    assert not _ask(runtime, TEAMS_ADMIN, f"tandem link {first}").ok  # a newer code replaces it
    assert not _ask(runtime, TEAMS_ADMIN, "tandem link NOPE-NOPE-NOPE").ok
    with runtime.db.session() as session:
        assert len(session.exec(select(Workspace)).all()) == 2  # nothing joined so far
    assert _ask(runtime, TEAMS_ADMIN, f"tandem link {second}").ok


def test_two_workspaces_of_the_same_tool_are_not_joined(runtime: Runtime) -> None:

    code = _code(_ask(runtime, SLACK_ADMIN, "tandem link"))
    other = Person("slack", "UOTHER001", "Other Admin", "o@other.test")
    reply = runtime.dispatcher.handle(Request(person=other, team_id="T0OTHER", text=f"tandem link {code}"))
    assert not reply.ok and "slack team" in _text(reply).lower()


def test_criteria_histories_are_kept_and_marketer_dm_still_resolves(runtime: Runtime) -> None:
    _two_workspaces(runtime)
    assert _ask(runtime, SLACK_ADMIN, "lead criteria set Budget and a named champion").ok
    assert _ask(runtime, TEAMS_ADMIN, "lead criteria set Any company over 50 people").ok
    code = _code(_ask(runtime, TEAMS_ADMIN, "tandem link"))  # this time Teams makes the code
    assert _ask(runtime, SLACK_ADMIN, f"tandem link {code}").ok
    with runtime.db.session() as session:
        versions = session.exec(select(CriteriaVersion).order_by(CriteriaVersion.version)).all()
        assert [v.version for v in versions] == [1, 2]
        marta = session.exec(select(Member).where(Member.email == "marta@acme.test")).one()
        row = Outbox(
            workspace_id=marta.workspace_id,
            kind="t",
            target_member_id=marta.id,
            payload="{}",
            dedupe_key="t",
            next_attempt_at=versions[0].created_at,
            created_at=versions[0].created_at,
        )
        session.add(row)
        session.flush()
        target = resolve_target(session, row)
        assert target is not None and target.platform == "slack" and target.team_id == "T0ACME"
