"""The whole lead story through the playground over HTTP: hand-off → the owner's inbox shows the card →
Accept button → touch → stage → feedback (the marketer's inbox is told) → won."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.adapters.web.conftest import Playground, lead_id


def article(html: str, outbox_id: int) -> str:
    match = re.search(rf'<article class="msg[^"]*"\s+data-outbox-id="{outbox_id}".*?</article>', html, re.S)
    assert match, f"card {outbox_id} not in the inbox"
    return match.group(0)


def test_lead_story_from_handoff_to_won(playground: Playground) -> None:
    waiting_before = playground.inbox("rita")["inbox_waiting"]
    handed = playground.say(
        "maya",
        'lead handoff "Acme Rockets" email:wile@acme-rockets.example '
        'name:"Wile E. Coyote" to:@rita note:"Needs faster rockets"',
    )
    assert handed["ok"] is True
    lead = lead_id(handed["reply_html"])
    assert "@Rita Alvarez" in handed["reply_html"]

    card = playground.card_with("rita", f"lead accept {lead}")
    inbox = playground.inbox("rita")
    handoff = article(inbox["inbox_html"], card)
    assert "Acme Rockets" in handoff and "New lead for you" in handoff
    assert 'data-command="lead reject ' + lead + '"' in handoff and "data-prompt=" in handoff
    assert "is-sending" not in handoff  # the playground ran a delivery pass: the row was really sent
    assert inbox["inbox_waiting"] == waiting_before + 1

    accepted = playground.say("rita", f"lead accept {lead}", source_message=card)
    assert accepted["ok"] is True
    assert 'data-status="accepted"' in accepted["reply_html"]
    answered = article(accepted["inbox_html"], card)
    assert "is-answered" in answered and "Accepted by @Rita Alvarez" in answered
    assert accepted["inbox_waiting"] == waiting_before
    assert f"accepted {lead} Acme Rockets" in playground.inbox("maya")["inbox_html"]

    touched = playground.say("rita", f'lead touch {lead} "Demo booked for Friday"')
    assert touched["ok"] is True and "first touch" in touched["reply_html"]
    staged = playground.say("rita", f"lead stage {lead} 2")
    assert staged["ok"] is True and "Qualification" in staged["reply_html"]

    rated = playground.say("rita", f"lead feedback {lead} 4 great-fit")
    assert rated["ok"] is True
    marketer = playground.inbox("maya")["inbox_html"]
    assert "Lead feedback" in marketer and re.search(
        rf"rated {lead} Acme Rockets\s*</span><strong>4/5</strong>", marketer
    )

    won = playground.say("rita", f'lead won {lead} 30k "Signed a one-year deal"')
    assert won["ok"] is True
    assert "Deal won" in playground.inbox("maya")["inbox_html"]

    shown = playground.say("maya", f"lead show {lead}")
    assert 'data-status="won"' in shown["reply_html"]
    for step in ("handed off", "accepted", "first touch", "stage", "rated", "won"):
        assert step in shown["reply_html"], step


def test_reject_with_a_reason_returns_the_lead_and_tells_the_marketer(playground: Playground) -> None:
    lead = lead_id(playground.say("leo", 'lead handoff "Dunder Mifflin" to:@sam source:event')["reply_html"])
    card = playground.card_with("sam", f"lead reject {lead}")
    rejected = playground.say("sam", f"lead reject {lead} Paper company, not our market", source_message=card)
    assert rejected["ok"] is True
    assert "Rejected by @Sam Patel" in article(rejected["inbox_html"], card)
    told = playground.inbox("leo")["inbox_html"]
    assert "Lead returned" in told and "Paper company, not our market" in told


def test_a_button_on_someone_elses_card_changes_nothing(playground: Playground) -> None:
    lead = lead_id(playground.say("maya", 'lead handoff "Vehement Capital" to:@rita')["reply_html"])
    card = playground.card_with("rita", f"lead accept {lead}")
    refused = playground.say("sam", f"lead accept {lead}", source_message=card)
    assert refused["ok"] is False and "Only the owner" in refused["reply_html"]
    assert "is-answered" not in article(playground.inbox("rita")["inbox_html"], card)
    assert playground.card_with("rita", f"lead accept {lead}") == card


def test_channel_posts_show_the_unassigned_lead(playground: Playground) -> None:
    state = playground.inbox("diana")
    assert state["channel_count"] >= 1
    assert "#marketing" in state["channels_html"] and "Northwind Traders" in state["channels_html"]
    assert "Unassigned lead" in state["channels_html"]


def test_page_lists_the_demo_team_and_is_locked_down(client: TestClient) -> None:
    page = client.get("/", params={"as": "rita"})
    assert page.status_code == 200
    for name in ("Maya Chen", "Leo Fischer", "Rita Alvarez", "Sam Patel", "Jonas Berg", "Diana Okafor", "Priya Raman"):
        assert name in page.text
    assert 'data-person="rita"' in page.text and 'aria-current="true"' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.text.count("<script") == 1  # only the vendored front-end
    for asset in ("playground.css", "playground.js", "favicon.svg"):
        response = client.get(f"/static/playground/{asset}")
        assert response.status_code == 200 and len(response.content) > 100
    people = client.get("/playground/people").json()
    assert [p["role"] for p in people] == ["marketer", "marketer", "rep", "rep", "rep", "manager", "admin"]


def test_an_unknown_person_gets_a_friendly_404(client: TestClient) -> None:
    response = client.post("/playground/command", json={"person": "mallory", "text": "lead list all"})
    assert response.status_code == 404 and "Pick someone" in response.json()["error"]
    assert client.get("/playground/inbox", params={"person": "<script>"}).status_code == 404
    page = client.get("/", params={"as": "nobody"})
    assert page.status_code == 200 and 'aria-current="true"' in page.text  # falls back to the first person


def test_bad_payloads_are_refused_without_a_500(client: TestClient) -> None:
    assert client.post("/playground/command", json={"person": "rita"}).status_code == 422
    assert (
        client.post(
            "/playground/command", content=b"not json", headers={"content-type": "application/json"}
        ).status_code
        == 422
    )
    assert client.post("/playground/command", json={"person": "rita", "text": "x" * 50_000}).status_code == 422
    assert (
        client.post(
            "/playground/command", json={"person": "rita", "text": "lead show L-1", "source_message": 10**12}
        ).status_code
        == 200
    )


def test_a_card_whose_lead_moved_on_stops_offering_its_buttons(playground: Playground) -> None:
    before = playground.inbox("rita")["inbox_waiting"]
    lead = lead_id(playground.say("maya", 'lead handoff "Typed Accept Ltd" to:@rita')["reply_html"])
    card = playground.card_with("rita", f"lead accept {lead}")
    assert playground.inbox("rita")["inbox_waiting"] == before + 1

    typed = playground.say("rita", f"lead accept {lead}")  # typed in the chat, not pressed on the card
    assert typed["ok"] is True
    settled = article(typed["inbox_html"], card)
    assert "is-settled" in settled and "This lead has moved on — now" in settled
    assert 'data-status="accepted"' in settled.split("msg-settled", 1)[1]
    assert typed["inbox_waiting"] == before

    other = lead_id(playground.say("leo", 'lead handoff "Moved Away GmbH" to:@sam')["reply_html"])
    sams_card = playground.card_with("sam", f"lead accept {other}")
    playground.say("sam", f"lead reject {other} Wrong territory", source_message=sams_card)
    playground.say("leo", f"lead reassign {other} to:@jonas")
    jonas_card = playground.card_with("jonas", f"lead accept {other}")
    assert "is-settled" not in article(playground.inbox("jonas")["inbox_html"], jonas_card)
    assert "is-answered" in article(playground.inbox("sam")["inbox_html"], sams_card)
