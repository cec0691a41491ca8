"""The meeting in Teams: on a card every time is Adaptive Cards' ``{{DATE()}}``/``{{TIME()}}``, which each reader's
device shows in their own zone; a plain chat message, where those functions do not work, says the words in the
workspace's zone; user text can never forge one; the **Book next quarter** button asks for the date as text."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from microsoft_teams.cards import AdaptiveCard

from adapters.teams.cards import render_card, render_message
from bot.core.replies import Reply, When, context, section
from tests.adapters.teams.conftest import MARKETER, message
from tests.adapters.teams.fake_connector import FakeConnector

MOMENT = When(at=datetime(2026, 3, 20, 14, 0, tzinfo=UTC), text="Fri 20 Mar 2026, 15:00 CET")
LOCAL = "{{DATE(2026-03-20T14:00:00Z, SHORT)}} at {{TIME(2026-03-20T14:00:00Z)}}"


def card_json(reply: Reply) -> str:
    card, _ = render_card(reply)
    data = card.model_dump(by_alias=True, exclude_none=True)
    AdaptiveCard.model_validate(data)
    return json.dumps(data, ensure_ascii=False)


def test_a_moment_on_a_card_is_shown_in_the_readers_zone_and_in_words_elsewhere() -> None:
    reply = Reply(blocks=(section("Starts ", MOMENT), context("Was ", MOMENT)))
    assert card_json(reply).count(LOCAL) == 2
    simple = render_message(Reply(blocks=(section("Starts ", MOMENT),)))
    assert simple.text == "Starts Fri 20 Mar 2026, 15:00 CET" and "DATE(" not in simple.model_dump_json()


def test_user_text_cannot_forge_a_date_function() -> None:
    forged = Reply(blocks=(section("{{DATE(2030-01-01T00:00:00Z, SHORT)}}"), section(MOMENT), context("x")))
    texts = [element["text"] for element in json.loads(card_json(forged))["body"]]
    assert texts[0] == "\\{\\{DATE\\(2030-01-01T00:00:00Z, SHORT\\)\\}\\}"  # escaped: shown as typed
    assert texts[1] == LOCAL


def test_booking_in_teams_answers_with_a_card_in_each_readers_zone(
    teams_client: TestClient, connector: FakeConnector
) -> None:
    booked = message(connector, "meeting schedule 2026-03-20 15:00 Q1 review", user=MARKETER, name="Marta Marketer")
    assert teams_client.post("/api/messages", json=booked).status_code == 200
    answer = connector.texts()[-1]
    assert "Booked" in answer and "{{DATE(2026-03-20T15:00:00Z, SHORT)}} at {{TIME(2026-03-20T15:00:00Z)}}" in answer
    assert "/meetings/" in answer and ".ics" in answer


def test_the_book_button_asks_for_the_day_and_time_inside_the_card(
    teams_client: TestClient, connector: FakeConnector
) -> None:
    teams_client.post("/api/messages", json=message(connector, "meeting next", user=MARKETER, name="Marta Marketer"))
    answer = connector.texts()[-1]
    assert "Book the meeting" in answer and "Action.ShowCard" in answer and "2026-06-11 15:00" in answer
