"""Hostile text typed into the playground is shown as text: no markup, no pings, no scripts."""

from __future__ import annotations

from fastapi.testclient import TestClient

from bot.demo import seed_demo
from bot.server import build_runtime, create_app
from tests.adapters.web.conftest import Playground, lead_id

HOSTILE_COMPANY = "<script>alert('owned')</script> Corp"
HOSTILE_NOTE = "<!channel> @here <img src=x onerror=alert(1)> </div></article>"


def assert_inert(html: str) -> None:
    assert "<script" not in html and "<img" not in html and "</div></article>" not in html
    assert 'class="mention">@here' not in html and "<!channel>" not in html


def test_hostile_text_is_escaped_everywhere_it_appears(playground: Playground, client: TestClient) -> None:
    handed = playground.say("maya", f'lead handoff "{HOSTILE_COMPANY}" to:@rita note:"{HOSTILE_NOTE}"')
    assert handed["ok"] is True
    assert_inert(handed["reply_html"])
    assert "&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt; Corp" in handed["reply_html"]

    inbox = playground.inbox("rita")["inbox_html"]
    assert_inert(inbox)
    assert "&lt;!channel&gt; @here &lt;img src=x onerror=alert(1)&gt;" in inbox

    page = client.get("/", params={"as": "rita"}).text
    assert page.count("<script") == 1 and "<img" not in page
    lead = lead_id(handed["reply_html"])
    shown = playground.say("rita", f"lead show {lead}")
    assert_inert(shown["reply_html"])


def test_hostile_commands_get_friendly_answers(playground: Playground) -> None:
    for text in (
        'lead handoff "unbalanced',
        "lead \x00\x1b[2J show L-1",
        "💥" * 300,
        "<b>help</b>",
        f'lead handoff Big note:"{"x" * 10_000}" to:@rita',
    ):
        answer = playground.say("maya", text)
        assert_inert(answer["reply_html"])
        assert "Sorry — something went wrong" not in answer["reply_html"]
    too_long = playground.say("maya", f'lead handoff Big note:"{"x" * 10_000}" to:@rita')
    assert too_long["ok"] is False and "2,000" in too_long["reply_html"]


def test_an_empty_database_shows_how_to_start_the_demo(playground_settings, clock) -> None:  # type: ignore[no-untyped-def]
    runtime = build_runtime(playground_settings, clock=clock)
    try:
        with TestClient(create_app(playground_settings, runtime=runtime)) as client:
            page = client.get("/")
            assert page.status_code == 200 and "tandem demo" in page.text
            assert client.post("/playground/command", json={"person": "rita", "text": "help"}).status_code == 404
            seed_demo(runtime)
            assert "Rita Alvarez" in client.get("/").text
    finally:
        runtime.db.dispose()


def test_the_playground_is_absent_unless_switched_on(settings, clock) -> None:  # type: ignore[no-untyped-def]
    runtime = build_runtime(settings, clock=clock)
    try:
        with TestClient(create_app(settings, runtime=runtime)) as client:
            assert client.get("/").status_code == 404
            assert client.post("/playground/command", json={"person": "rita", "text": "help"}).status_code == 404
    finally:
        runtime.db.dispose()
