"""Sales tools in the playground: the demo team's tools are found by typing, each result a real link through
/t/<id> that opens the tool and counts for the person playing; a hostile title stays text."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient

from tests.adapters.web.conftest import Playground


def test_a_rep_finds_a_demo_tool_and_opens_it(playground: Playground, client: TestClient) -> None:
    found = playground.say("rita", "tool pricng deck")
    assert found["ok"] is True
    [href] = re.findall(
        r'<a href="(http://127\.0\.0\.1:8000/t/\d+\?m=[^"]+)"[^>]*>Pricing deck 2026</a>', found["reply_html"]
    )
    listed = playground.say("maya", "tool list")["reply_html"]
    assert "6 opens" in listed  # the demo's reps have been opening it
    opened = client.get(html.unescape(href).replace("http://127.0.0.1:8000", ""), follow_redirects=False)
    assert opened.status_code == 302 and opened.headers["location"] == "https://drive.acme.example/decks/pricing-2026"
    assert "7 opens" in playground.say("maya", "tool list")["reply_html"]


def test_a_hostile_tool_title_is_shown_as_text(playground: Playground) -> None:
    added = playground.say("maya", 'tool add "<img src=x onerror=alert(1)> deck" url:https://example.com/x')
    assert added["ok"] is True
    shown = playground.say("rita", "tool img deck")["reply_html"]
    assert "<img" not in shown and "&lt;img src=x onerror=alert(1)&gt; deck</a>" in shown
