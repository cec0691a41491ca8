"""Competitor names: what makes "Globex", "globex" and "Globex," one competitor, which existing name a typo
("globx") is filed under, and how a name is written back into a command (a button's text)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.core.errors import UsageError

MAX_NAME = 80
CLOSE = 90  # rapidfuzz ratio of two normalised names from which a typed name is taken for an existing one
# Stripped from both ends of a name: spaces, quotes, brackets, sentence punctuation and chat markup characters.
_EDGES = " \t\n\"'“”‘’„«»()[]{}<>*_~`|.,;:!?@#"
_QUOTE_PAIRS = (('"', '"'), ("“", "”"), ("'", "'"))
_QUOTES = frozenset("\"'“”‘’„")


@dataclass(frozen=True, slots=True)
class Name:
    """A competitor name as typed, tidied (``name``), and the key it is known by (``key``)."""

    name: str
    key: str


@dataclass(frozen=True, slots=True)
class Known:
    """A competitor of the workspace: its id, its name as first written and its key."""

    id: int
    name: str
    key: str


def tidy(raw: str) -> str:
    """Unicode compatibility forms folded, spaces collapsed, surrounding punctuation and markup dropped."""
    text = " ".join(unicodedata.normalize("NFKC", raw).split())
    return " ".join(text.strip(_EDGES).split())


def key_of(text: str) -> str:
    return tidy(text).casefold()


def check(raw: str, usage: str) -> Name:
    """The competitor a command names, or a UsageError saying what is wrong with it."""
    name = tidy(raw)
    if not name:
        raise UsageError(
            "Name the competitor first, then what you heard: `intel Globex cut prices by 20%`.", usage=usage
        )
    if len(name) > MAX_NAME:
        raise UsageError(
            f"A competitor's name can be at most {MAX_NAME} characters; that one is {len(name):,}. "
            'Quote a name of several words: `intel "Acme Corp" …`.',
            usage=usage,
        )
    return Name(name, name.casefold())


def exact(known: Sequence[Known], key: str) -> Known | None:
    """The competitor known by ``key``; a possessive of a known name ("Initech's") is that competitor too."""
    for wanted in (key, _without_possessive(key)):
        found = next((competitor for competitor in known if competitor.key == wanted), None)
        if found is not None:
            return found
    return None


def _without_possessive(key: str) -> str:
    for ending in ("'s", "’s", "'", "’"):
        if key.endswith(ending) and len(key) > len(ending):
            return tidy(key[: -len(ending)])
    return key


def close(known: Sequence[Known], key: str) -> list[Known]:
    """The existing competitors whose names are very close to ``key`` (but not equal), closest first."""
    found = process.extract(
        key, {c.id: c.key for c in known if c.key != key}, scorer=fuzz.ratio, score_cutoff=CLOSE, limit=None
    )
    by_id = {c.id: c for c in known}
    return [by_id[competitor_id] for _key, _score, competitor_id in found]


def closest_first(known: Sequence[Known], key: str, limit: int) -> list[Known]:
    """Every competitor, the names most like ``key`` first (for "did you mean")."""
    if not known:
        return []
    found = process.extract(key, {c.id: c.key for c in known}, scorer=fuzz.WRatio, limit=limit)
    by_id = {c.id: c for c in known}
    return [by_id[competitor_id] for _key, _score, competitor_id in found]


def unique_prefix(known: Sequence[Known], key: str) -> Known | None:
    """The one competitor whose name starts with ``key`` (three characters or more), when there is one."""
    if len(key) < 3:
        return None
    starting = [c for c in known if c.key.startswith(key)]
    return starting[0] if len(starting) == 1 else None


def leading_name(words: Sequence[str], known: Sequence[Known]) -> int:
    """How many of the leading ``words`` name the competitor: the longest run (up to six words) that is an
    existing competitor's name, so `intel Acme Corp cut prices` finds "Acme Corp" without quotes; else one."""
    for count in range(min(len(words), 6), 1, -1):
        if exact(known, key_of(" ".join(words[:count]))) is not None:
            return count
    return 1


def naming(known: Sequence[Known], text: str) -> list[Known]:
    """The competitors whose names occur in ``text`` as whole words, case-insensitively."""
    folded = " ".join(unicodedata.normalize("NFKC", text).split()).casefold()
    return [c for c in known if c.key and re.search(rf"(?<!\w){re.escape(c.key)}(?!\w)", folded)]


def in_command(name: str) -> str:
    """``name`` as a command's argument: bare when it is one plain word, else in quotes it does not contain."""
    if not any(ch.isspace() or ch in _QUOTES for ch in name):
        return name
    for opening, closing in _QUOTE_PAIRS:
        if opening not in name and closing not in name:
            return f"{opening}{name}{closing}"
    return '"' + name.replace('"', "'") + '"'


def ordinal(number: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st…"""
    if 10 <= number % 100 <= 20:
        return f"{number}th"
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"
