"""The command registry: an explicit table of entries, built once and handed to dispatch. ``TOP_WORDS`` is the
one list of command words (SPEC §3): the Slack manifest and slash commands, the Teams package, ``help``, App
Home and the "not built yet" answer all read it from the registry, so a word added here appears everywhere."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from bot.core.context import Context
from bot.core.options import OptionSpec
from bot.core.replies import Reply

Handler = Callable[[Context, list[str]], Reply]
# Work that follows every command in its transaction, reading what it changed (``ctx.changes``). Features
# contribute these through the composition root, so dispatch runs them without knowing any feature.
AfterCommand = Callable[[Context], None]


@dataclass(frozen=True)
class TopWord:
    """A top-level command word: a slash command in Slack, the first word typed everywhere else. ``example`` is
    what typically follows it. ``built`` is never written by hand: the registry sets it when a feature
    registered handlers under the word, so platforms can list every word and dispatch answers honestly for
    the ones this version does not do yet."""

    word: str
    summary: str
    example: str
    built: bool = False


TOP_WORDS: tuple[TopWord, ...] = (
    TopWord("lead", "Hand off, accept and work leads", "handoff Acme email:ann@acme.com to:@rita"),
    TopWord("campaign", "Announce and explain campaigns", "why Q4 Webinar"),
    TopWord("tool", "Find decks, one-pagers and battlecards", "pricing deck"),
    TopWord("intel", "Log and read competitive intel", "Rivalsoft cut prices 20%"),
    TopWord("stats", "How sales and marketing work together", "30d"),
    TopWord("meeting", "The quarterly sales & marketing meeting", "next"),
    TopWord("tandem", "Help, roles and settings", "help"),
)


@dataclass(frozen=True)
class CommandSpec:
    """``path`` is ("lead", "handoff"); ``args`` receives the positional words after the path. ``options`` are
    the ``key:value`` options it takes, each with its type: dispatch parses and checks them before the
    handler runs, which reads the parsed values from ``ctx.opts``."""

    path: tuple[str, ...]
    handler: Handler
    role: str
    usage: str
    summary: str
    options: tuple[OptionSpec[Any], ...] = ()
    free_text: bool = False  # unknown key:value options are kept as text (notes, reasons)

    @property
    def name(self) -> str:
        return " ".join(self.path)

    @property
    def option_keys(self) -> frozenset[str]:
        return frozenset(option.key for option in self.options)


class Registry:
    """Every command spec by path, and every command word with whether this version answers it."""

    def __init__(
        self,
        specs: Iterable[CommandSpec],
        words: tuple[TopWord, ...] = TOP_WORDS,
        after_command: Sequence[AfterCommand] = (),
    ) -> None:
        self.specs = {spec.path: spec for spec in specs}
        self.after_command = tuple(after_command)
        handled = {spec.path[0] for spec in self.specs.values()}
        listed = {word.word for word in words}
        if strays := sorted(handled - listed):
            raise ValueError(
                f"command word(s) {', '.join(strays)} have handlers but are not in TOP_WORDS: "
                "add each with its summary and example"
            )
        self.words = tuple(replace(word, built=word.word in handled) for word in words)

    @property
    def built(self) -> tuple[TopWord, ...]:
        """The words this version answers, in the table's order."""
        return tuple(word for word in self.words if word.built)

    @property
    def top_words(self) -> list[str]:
        return [word.word for word in self.built]

    def word(self, text: str) -> TopWord | None:
        return next((word for word in self.words if word.word == text), None)

    def lookup(self, words: list[str]) -> tuple[CommandSpec | None, int]:
        """The longest registered path matching the start of ``words``, and its length."""
        for length in (2, 1):
            key = tuple(w.lower() for w in words[:length])
            if len(key) == length and key in self.specs:
                return self.specs[key], length
        return None, 0

    def under(self, top: str) -> list[CommandSpec]:
        return [spec for path, spec in self.specs.items() if path[0] == top]
