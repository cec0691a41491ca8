"""The demo workspace the playground opens on: a real team, leads in every state, trails over weeks."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func
from sqlmodel import select

from bot.admin.settings import all_settings
from bot.core import people
from bot.core.runtime import Runtime
from bot.demo import CAST, DEMO_PLATFORM, DEMO_TEAM, demo_people, find_demo_person, seed_demo
from storage.models import Campaign, CriteriaVersion, Feedback, Lead, LeadEvent, Outbox


def test_demo_has_the_team_with_roles_and_settings(demo_runtime: Runtime) -> None:
    team = demo_people(demo_runtime.db)
    assert sorted((p.role, p.name) for p in team) == sorted((c.role, c.name) for c in CAST)
    assert [p.role for p in team].count("rep") == 3 and [p.role for p in team].count("marketer") == 2
    assert [p.role for p in team].count("admin") == 1  # someone can try `tandem settings` and `tandem role`
    assert all(p.email and p.email.endswith("@acme.example") and p.timezone for p in team)
    with demo_runtime.db.session() as session:
        workspace = people.find_workspace(session, DEMO_PLATFORM, DEMO_TEAM)
        assert workspace is not None and workspace.name == "Acme Demo" and workspace.id is not None
        values = all_settings(session, workspace.id)
        campaigns = session.exec(select(Campaign).where(Campaign.workspace_id == workspace.id)).all()
        versions = session.exec(select(CriteriaVersion).where(CriteriaVersion.workspace_id == workspace.id)).all()
    assert values["marketing_channel"] == "playground:#marketing" and values["sales_channel"] == "playground:#sales"
    assert values["managers_channel"] == "playground:#managers"
    assert {c.name for c in campaigns} == {"Q1 Pipeline Webinar", "RevOps Summit Berlin"}
    assert all(c.owner_id and c.target for c in campaigns)
    assert len(versions) == 2


def test_demo_leads_cover_every_state_with_a_believable_trail(demo_runtime: Runtime) -> None:
    now = demo_runtime.clock.now()
    with demo_runtime.db.session() as session:
        leads = session.exec(select(Lead)).all()
        events = session.exec(select(LeadEvent)).all()
        scores = session.exec(select(func.count()).select_from(Feedback)).one()
        answered = session.exec(select(func.count()).select_from(Outbox).where(Outbox.response_note.is_not(None))).one()  # type: ignore[union-attr]
    assert {lead.status for lead in leads} == {"unassigned", "handed_off", "accepted", "rejected", "won", "lost"}
    assert {lead.stage for lead in leads if lead.status == "accepted"} >= {2, 5}
    assert {lead.source for lead in leads} >= {"webinar", "event", "sales", "content"}
    assert all(event.created_at <= now for event in events)
    assert now - min(event.created_at for event in events) > timedelta(days=14)
    assert {event.kind for event in events} >= {
        "handoff",
        "accept",
        "reject",
        "first_touch",
        "stage",
        "won",
        "lost",
        "reassign",
        "feedback",
        "unassigned",
        "add",
    }
    assert scores >= 6 and answered >= 6  # reps pressed the buttons on their cards


def test_seeding_twice_changes_nothing(demo_runtime: Runtime) -> None:
    with demo_runtime.db.session() as session:
        before = session.exec(select(func.count()).select_from(LeadEvent)).one()
    again = seed_demo(demo_runtime)
    assert again.seeded is False and again.people == 7 and again.leads["won"] == 8  # 2 recent, 6 earlier
    with demo_runtime.db.session() as session:
        assert session.exec(select(func.count()).select_from(LeadEvent)).one() == before


def test_people_are_found_by_key_email_or_name(demo_runtime: Runtime) -> None:
    for query in ("rita", "RITA", "@rita", "rita.alvarez@acme.example", "Rita Alvarez"):
        found = find_demo_person(demo_runtime.db, query)
        assert found is not None and found.key == "rita", query
    assert find_demo_person(demo_runtime.db, "mallory") is None
    assert find_demo_person(demo_runtime.db, "") is None
