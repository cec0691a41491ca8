"""One list of command words (SPEC §3): the registry's table is the only place a word, its one-line help and its
example live, and the Slack manifest, the Teams package, `help`, App Home and the "not built yet" answer all
read it — so a word added there appears everywhere."""

from __future__ import annotations

import pytest
import yaml

from adapters.slack.manifest import render_manifest
from adapters.teams.package import MAX_COMMANDS, bot_commands
from bot.core.commands import TOP_WORDS, CommandSpec, Registry
from bot.core.dispatch import Dispatcher
from bot.core.runtime import Runtime
from bot.features import build_registry
from bot.home import home_reply
from tests.bot.conftest import Team, text_of
from tests.bot.extra_words import forecast, registry_with_extra_words

SPEC_WORDS = ["lead", "campaign", "tool", "intel", "stats", "meeting", "tandem"]


@pytest.fixture
def extra(team: Team) -> Team:
    """The same workspace, served by a registry with `forecast` (built) and `playbook` (listed only)."""
    rt = team.runtime
    rt.dispatcher = Dispatcher(rt.db, rt.settings, registry_with_extra_words(), rt.clock)
    return team


def _home_text(team: Team, who: str) -> str:
    with team.runtime.db.session() as session:
        return text_of(home_reply(session, team.runtime.clock, team.member(who), team.runtime.dispatcher.registry))


def test_the_table_holds_the_spec_words_and_knows_which_this_version_answers() -> None:
    registry = build_registry()
    assert [word.word for word in TOP_WORDS] == SPEC_WORDS
    assert [word.word for word in registry.words] == SPEC_WORDS
    assert registry.top_words == [
        "lead",
        "tool",
        "stats",
        "tandem",
    ]  # derived from the handlers, not a flag kept by hand
    assert all(word.summary and word.example and not word.built for word in TOP_WORDS)


def test_a_word_added_to_the_table_appears_in_the_manifest_the_teams_package_help_and_home(
    extra: Team, runtime: Runtime
) -> None:
    registry = extra.runtime.dispatcher.registry
    slash = {
        c["command"]: c
        for c in yaml.safe_load(render_manifest(runtime.settings, registry))["features"]["slash_commands"]
    }
    assert slash["/forecast"]["description"] == "Forecast the quarter's pipeline"
    assert slash["/forecast"]["usage_hint"] == "next quarter"

    teams = bot_commands(registry)
    assert {"title": "forecast", "description": "Forecast the quarter's pipeline"} in teams
    assert len(teams) == MAX_COMMANDS and [c["title"] for c in teams][:6] == [
        "help",
        "lead",
        "tool",
        "stats",
        "tandem",
        "forecast",
    ]

    overview = extra.text("rita", "help")
    assert "forecast — Forecast the quarter's pipeline: forecast. Try forecast next quarter" in overview
    assert extra.text("rita", "help forecast") == "forecast [period] — the pipeline forecast"
    assert extra.text("rita", "forecast Q3") == "📈 Forecast for Q3: on track."

    assert "`/forecast` forecast the quarter's pipeline" in _home_text(extra, "rita")


def test_a_word_in_the_table_without_handlers_is_offered_by_slack_and_answered_honestly(
    extra: Team, runtime: Runtime
) -> None:
    registry = extra.runtime.dispatcher.registry
    slash = [
        c["command"] for c in yaml.safe_load(render_manifest(runtime.settings, registry))["features"]["slash_commands"]
    ]
    assert slash == [f"/{word}" for word in (*SPEC_WORDS, "forecast", "playbook")]
    assert "playbook" not in [c["title"] for c in bot_commands(registry)]
    assert "playbook" not in extra.text("rita", "help") and "playbook" not in _home_text(extra, "rita")
    for asked in ("playbook", "playbook qualification", "help playbook"):
        assert "`playbook` is not part of this version of Tandem yet" in extra.text("rita", asked), asked


def test_a_handler_under_a_word_missing_from_the_table_is_refused_when_the_registry_is_built() -> None:
    stray = CommandSpec(("forecast",), forecast, "rep", "forecast", "the pipeline forecast")
    with pytest.raises(ValueError, match="forecast .*not in TOP_WORDS"):
        Registry([*build_registry().specs.values(), stray])


def test_teams_suggests_every_word_and_everyones_commands_before_the_admins() -> None:
    titles = [c["title"] for c in bot_commands(build_registry())]
    assert titles[:5] == ["help", "lead", "tool", "stats", "tandem"] and len(titles) == MAX_COMMANDS
    assert "lead handoff" in titles and not any(t.startswith("tandem ") for t in titles)
