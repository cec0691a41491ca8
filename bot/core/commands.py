"""The command registry: an explicit table of entries, built once and handed to dispatch."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.core.context import Context
from bot.core.replies import Reply

Handler = Callable[[Context, list[str]], Reply]
# Work that follows every command in its transaction, reading what it changed (``ctx.changes``). Features
# contribute these through the composition root, so dispatch runs them without knowing any feature.
AfterCommand = Callable[[Context], None]


@dataclass(frozen=True)
class CommandSpec:
    """``path`` is ("lead", "handoff"); ``args`` receives the positional words after the path."""

    path: tuple[str, ...]
    handler: Handler
    role: str
    usage: str
    summary: str
    options: frozenset[str] = frozenset()
    free_text: bool = False  # unknown key:value options are kept as text (notes, reasons)

    @property
    def name(self) -> str:
        return " ".join(self.path)


class Registry:
    def __init__(self, specs: list[CommandSpec], after_command: Sequence[AfterCommand] = ()) -> None:
        self.specs = {spec.path: spec for spec in specs}
        self.top_words = sorted({spec.path[0] for spec in specs})
        self.after_command = tuple(after_command)

    def lookup(self, words: list[str]) -> tuple[CommandSpec | None, int]:
        """The longest registered path matching the start of ``words``, and its length."""
        for length in (2, 1):
            key = tuple(w.lower() for w in words[:length])
            if len(key) == length and key in self.specs:
                return self.specs[key], length
        return None, 0

    def under(self, top: str) -> list[CommandSpec]:
        return [spec for path, spec in self.specs.items() if path[0] == top]
