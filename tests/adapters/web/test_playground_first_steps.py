"""What a new user meets first in the playground: someone to try the admin commands with, example commands that
work, `@tandem` as the README teaches it, cards that stop saying "waiting" once answered, and channels that say
what they are for before anything was posted."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlmodel import select

from bot.core.runtime import Runtime
from storage.models import Lead
from tests.adapters.web.conftest import Playground, lead_id
from tests.adapters.web.test_playground_story import article


def examples_of(client: TestClient, person: str) -> list[str]:
    return Playground(client).inbox(person)["examples"]


def test_the_demo_team_has_an_admin_who_can_try_settings_and_roles(client: TestClient, playground: Playground) -> None:
    page = client.get("/", params={"as": "priya"})
    assert "Priya Raman" in page.text and "Head of revenue operations" in page.text
    assert re.search(r'data-person="priya".*?role-admin', page.text, re.S)
    assert "tandem settings" in playground.inbox("priya")["examples"]
    shown = playground.say("priya", "tandem settings")
    assert shown["ok"] is True and "accept_sla_hours" in shown["reply_html"]
    changed = playground.say("priya", "tandem settings accept_sla_hours 2")
    assert changed["ok"] is True and "<strong>2</strong>" in changed["reply_html"]
    promoted = playground.say("priya", "tandem role @leo manager")
    assert promoted["ok"] is True and "is now a manager" in promoted["reply_html"]
    assert playground.say("diana", "tandem settings")["ok"] is False  # a manager is not an admin


def test_every_example_command_works_for_everyone(client: TestClient, playground: Playground) -> None:
    for person in [p["key"] for p in client.get("/playground/people").json()]:
        for example in examples_of(client, person):
            answer = playground.say(person, example)
            assert answer["ok"] is True, (person, example, answer["summary"])


def test_example_handoffs_and_adds_are_new_prospects(
    demo_runtime: Runtime, client: TestClient, playground: Playground
) -> None:
    with demo_runtime.db.session() as session:
        leads = session.exec(select(Lead.email, Lead.company)).all()
    emails = {(email or "").lower() for email, _ in leads}
    companies = {company.lower() for _, company in leads}
    creating = [
        e
        for who in ("maya", "leo", "rita", "sam")
        for e in examples_of(client, who)
        if e.startswith(("lead handoff", "lead add"))
    ]
    assert len(creating) >= 4
    for example in creating:
        email = re.search(r"email:(\S+)", example)
        company = re.search(r'^lead \w+ "([^"]+)"', example)
        assert email and company, example
        assert email.group(1).lower() not in emails and company.group(1).lower() not in companies, example

    first = examples_of(client, "maya")[0]
    assert playground.say("maya", first)["ok"] is True
    assert first not in examples_of(client, "maya")  # once tried, the next new prospect is offered
    assert examples_of(client, "maya")[0].startswith("lead handoff")


def test_at_tandem_before_a_command_addresses_the_bot(playground: Playground) -> None:
    for typed in ("@tandem lead show L-1", "@Tandem lead show L-1"):
        answer = playground.say("rita", typed)
        assert answer["ok"] is True, answer["summary"]
        assert "Northwind Traders" in answer["reply_html"] and "know" not in answer["reply_html"]


def test_an_answered_card_no_longer_says_it_is_waiting(playground: Playground) -> None:
    lead = lead_id(
        playground.say("maya", 'lead handoff "Chip Check Inc" email:cc@chipcheck.example to:@rita')["reply_html"]
    )
    card = playground.card_with("rita", f"lead accept {lead}")
    waiting = article(playground.inbox("rita")["inbox_html"], card)
    assert "Waiting to be accepted" in waiting
    accepted = playground.say("rita", f"lead accept {lead}", source_message=card)
    answered = article(accepted["inbox_html"], card)
    assert "Accepted by @Rita Alvarez" in answered
    assert "Waiting to be accepted" not in answered and 'data-status="handed_off"' not in answered
    for person in ("rita", "sam", "jonas"):  # the demo's own answered and moved-on cards too
        html = playground.inbox(person)["inbox_html"]
        for match in re.finditer(r'<article class="msg (?:is-answered|is-settled).*?</article>', html, re.S):
            assert "Waiting to be accepted" not in match.group(0), person


def test_an_empty_channel_says_what_it_is_for_and_what_to_try(playground: Playground) -> None:
    channels = playground.inbox("diana")["channels_html"]
    for name in ("#sales", "#managers", "#marketing"):  # every channel can be picked, posts or not
        assert f'class="pill" data-channel="{name}"' in channels, name
    for name, words in (("#managers", "escalated here"),):
        empty = re.search(
            rf'<div class="empty channel-empty" data-channel-empty="{name}" hidden>(.*?)'
            r'data-example="([^"]+)"',
            channels,
            re.S,
        )
        assert empty, name
        assert words in empty.group(1) and empty.group(2).startswith("lead list"), name
    assert 'data-channel-empty="#marketing"' not in channels  # it has a post, so it is not empty
    assert 'data-channel-empty="#sales"' not in channels and "The quarterly sales &amp; marketing meeting" in channels
    assert "Globex Switch Offer" in channels and 'data-command="campaign why C-3"' in channels
