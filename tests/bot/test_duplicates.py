"""Duplicates (SPEC §3): a hand-off or `lead add` that matches an open lead of the workspace — by e-mail,
ignoring case, or without an e-mail by company name — is not created twice; `force:yes` goes on anyway."""

from __future__ import annotations

from sqlmodel import col, select

from bot.leads.duplicates import open_duplicate
from bot.leads.lifecycle import NewLead
from storage.models import Lead
from tests.bot.conftest import Team, buttons_of, text_of


def leads(team: Team) -> list[tuple[int, str]]:
    with team.runtime.db.session() as s:
        return [(lead.number, lead.company) for lead in s.exec(select(Lead).order_by(col(Lead.id))).all()]


def test_a_second_hand_off_of_the_same_email_answers_with_the_open_lead(team: Team) -> None:
    assert team.say("mara", "lead handoff Acme email:jo@acme.com to:@rita").ok
    cards_before = len(team.inbox("sam"))
    again = team.say("mara", 'lead handoff "Acme Inc" email:JO@Acme.COM to:@sam')
    assert not again.ok
    answer = text_of(again)
    assert (
        "There is already an open lead for jo@acme.com: L-1 Acme, owned by @Rita (waiting to be accepted)" in answer
        and "nothing was created" in answer
        and "force:yes" in answer
    )
    assert leads(team) == [(1, "Acme")] and len(team.inbox("sam")) == cards_before

    anyway = buttons_of(again)
    assert anyway["Show L-1"] == "lead show L-1"
    assert anyway["Hand off anyway"] == 'lead handoff force:yes "Acme Inc" email:JO@Acme.COM to:@sam'
    forced = team.say("mara", anyway["Hand off anyway"])
    assert forced.ok and "L-2" in text_of(forced)  # the refused attempt used up no number
    assert leads(team) == [(1, "Acme"), (2, "Acme Inc")] and team.inbox("sam")[-1].kind == "handoff"


def test_without_an_email_the_company_name_decides_ignoring_case_and_spaces(team: Team) -> None:
    assert team.say("mara", "lead handoff Acme to:@rita").ok
    team.say("rita", "lead accept L-1")
    team.say("rita", "lead stage L-1 2")
    again = team.say("mara", 'lead handoff "  ACME  "')
    assert not again.ok and "for ACME: L-1 Acme, owned by @Rita (at stage 2: Qualification)" in text_of(again)
    assert leads(team) == [(1, "Acme")]
    # an e-mail of its own makes it another lead at the same company
    assert team.say("mara", "lead handoff Acme email:cfo@acme.com to:@sam").ok
    assert leads(team) == [(1, "Acme"), (2, "Acme")]


def test_a_rep_logging_a_lead_marketing_already_handed_off_is_told_whose_it_is(team: Team) -> None:
    assert team.say("mara", "lead handoff Globex email:hank@globex.test to:@sam").ok
    again = team.say("rita", "lead add Globex email:hank@globex.test")
    assert not again.ok and "L-1 Globex, owned by @Sam (waiting to be accepted)" in text_of(again)
    assert buttons_of(again)["Log it anyway"] == "lead add force:yes Globex email:hank@globex.test"
    assert leads(team) == [(1, "Globex")]


def test_an_unassigned_lead_is_a_duplicate_too(team: Team) -> None:
    team.say("mara", "tandem settings routing manual")
    assert "unassigned" in team.text("mara", "lead handoff Lonely Inc")
    again = team.say("mara", "lead handoff lonely inc")
    assert not again.ok and "L-1 Lonely Inc (unassigned)" in text_of(again)


def test_going_on_anyway_survives_a_quote_left_open(team: Team) -> None:
    team.say("mara", "lead handoff Acme to:@rita")
    again = team.say("mara", '/lead handoff Acme to:@sam note:"second team, call Jo')
    assert team.say("mara", buttons_of(again)["Hand off anyway"]).ok
    assert team.lead(2).note == "second team, call Jo" and team.lead(2).owner_id == team.member("sam").id


def test_closed_and_rejected_leads_do_not_count(team: Team) -> None:
    team.say("mara", "lead handoff Initech email:bill@initech.test to:@sam")
    team.say("sam", "lead reject L-1 wrong territory")
    team.say("rita", "lead add Umbrella")
    team.say("rita", "lead lost L-2 budget")
    assert team.say("mara", "lead handoff Initech email:bill@initech.test to:@rita").ok
    assert team.say("rita", "lead add Umbrella").ok
    assert [number for number, _ in leads(team)] == [1, 2, 3, 4]


def test_another_workspaces_lead_is_not_a_duplicate(team: Team) -> None:
    assert team.say("mara", "lead handoff Acme email:jo@acme.com to:@rita").ok
    other = Team(team.runtime, team_id="T-OTHER")
    assert other.say("ola", "lead add Acme email:jo@acme.com").ok
    assert other.lead(1).company == "Acme"


def test_force_takes_yes_or_no(team: Team) -> None:
    team.say("mara", "lead handoff Acme to:@rita")
    refused = team.say("mara", "lead handoff Acme force:maybe")
    assert not refused.ok and "`force:` takes yes or no" in text_of(refused)
    assert "`maybe` is neither" in text_of(refused)
    assert leads(team) == [(1, "Acme")]


def test_the_lead_service_finds_the_open_duplicate_for_every_way_in(team: Team) -> None:
    """The API and the CSV import ask the same question of the same function."""
    team.say("mara", "lead handoff Acme email:jo@acme.com to:@rita")
    team.say("mara", "lead handoff Globex to:@rita")
    workspace_id = team.member("mara").workspace_id
    with team.runtime.db.session() as s:
        by_email = open_duplicate(s, workspace_id, NewLead(company="Other", email="Jo@Acme.com"))
        by_company = open_duplicate(s, workspace_id, NewLead(company="GLOBEX"))
        assert by_email is not None and by_email.number == 1
        assert by_company is not None and by_company.number == 2
        assert open_duplicate(s, workspace_id, NewLead(company="Acme", email="someone@else.test")) is None
        assert open_duplicate(s, workspace_id + 1000, NewLead(company="Globex")) is None
