"""The demo's pulse survey in flight: last quarter closed with its result in marketing's DMs, this quarter asked,
two reps answered on their cards and Jonas's question card still waiting for him in the playground."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.core.quarters import Quarter
from bot.core.runtime import Runtime
from bot.demo import demo_workspace_id, seed_demo
from bot.server import build_runtime
from bot.survey.service import results
from storage.models import Outbox
from tests.adapters.web.conftest import Playground


def test_the_demo_has_last_quarters_result_and_this_quarters_survey_in_flight(
    demo_runtime: Runtime, playground: Playground
) -> None:
    workspace = demo_workspace_id(demo_runtime.db)
    assert workspace is not None
    with demo_runtime.db.session() as session:
        this = results(session, workspace, Quarter(2026, 1))  # the clock: 10 March 2026
        last = results(session, workspace, Quarter(2025, 4))
        answered_cards = session.exec(
            select(Outbox).where(Outbox.kind == "survey_question", Outbox.response_note.is_not(None))  # type: ignore[union-attr]
        ).all()
    assert this is not None and (this.asked, this.responses, this.average) == (3, 2, None)  # not enough yet
    assert last is not None and last.responses == 3 and round(last.average or 0, 1) == 3.3 and len(last.comments) == 3
    assert len(answered_cards) == 2

    jonas = playground.inbox("jonas")
    assert jonas["inbox_waiting"] >= 1
    assert "How much did marketing help you sell this quarter?" in jonas["inbox_html"]
    assert 'data-command="tandem survey answer 4 quarter:2026-Q1"' in jonas["inbox_html"]
    answered = playground.say("jonas", "tandem survey answer 4 quarter:2026-Q1")
    assert answered["ok"] is True and "you answered" in answered["reply_html"]
    assert "3 of 3 reps (100%)" in playground.say("diana", "tandem survey results")["reply_html"]
    assert "Q4 2025 pulse survey has closed" in playground.inbox("maya")["inbox_html"]
    assert "Q4 2025 pulse survey has closed" in playground.inbox("leo")["inbox_html"]


def test_a_demo_started_before_the_quarters_first_working_day_still_has_a_survey_in_flight(
    playground_settings: Settings,
) -> None:
    saturday = FakeClock(datetime(2028, 1, 1, 16, 0, tzinfo=UTC))  # Q1 2028 starts on a Saturday
    runtime = build_runtime(playground_settings, clock=saturday)
    try:
        seed_demo(runtime)
        workspace = demo_workspace_id(runtime.db)
        assert workspace is not None
        with runtime.db.session() as session:
            found = results(session, workspace, Quarter(2028, 1))
        assert found is not None and (found.asked, found.responses) == (3, 2)
    finally:
        runtime.db.dispose()
