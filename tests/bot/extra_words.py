"""Command words no feature of this version has, added to a registry the way a new feature adds its own:
``forecast`` with a handler (built), ``playbook`` listed in the table only (not built yet)."""

from __future__ import annotations

from bot.core.commands import TOP_WORDS, CommandSpec, Registry, TopWord
from bot.core.context import Context
from bot.core.replies import Reply, p, say
from bot.features import build_registry

FORECAST = TopWord("forecast", "Forecast the quarter's pipeline", "next quarter")
PLAYBOOK = TopWord("playbook", "Plays for each selling step", "qualification")


def forecast(ctx: Context, args: list[str]) -> Reply:
    return say("📈 Forecast for ", p(" ".join(args) or "this quarter"), p(": on track."))


def registry_with_extra_words() -> Registry:
    specs = [
        *build_registry().specs.values(),
        CommandSpec(("forecast",), forecast, "rep", "forecast [period]", "the pipeline forecast"),
    ]
    return Registry(specs, words=(*TOP_WORDS, FORECAST, PLAYBOOK))
