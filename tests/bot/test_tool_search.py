"""The search behind `tool <query>`: typo tolerance by word length, ranking, and an in-memory index that every
replica rebuilds as soon as a tool is added or removed anywhere."""

from __future__ import annotations

from bot.core.runtime import Runtime
from bot.server import build_runtime
from bot.tools.search import ToolIndex, allowed_edits, cache_for, query_terms, rank
from tests.bot.conftest import Team

ROWS = [(1, 1, "Pricing deck", "List prices and discounts", "pricing", None),
        (2, 2, "Harbour ROI calculator", "Payback in months", "roi,finance", None),
        (3, 3, "Battlecard: Globex", "Objections and traps", "competitor", 7),
        (4, 4, "Enterprise pricing FAQ", "What procurement asks", "pricing", None)]


def numbers(query: str, campaigns: dict[int, str] | None = None) -> list[int]:
    return [hit.number for hit in rank(ToolIndex.build((4, 0), ROWS), query, campaigns or {}, 5)]


def test_short_words_must_match_exactly_and_longer_ones_may_carry_typos() -> None:
    assert [allowed_edits(w) for w in ("roi", "deck", "price", "pricng", "battlecard")] == [0, 1, 1, 2, 2]
    assert numbers("roo") == []  # three letters: no typo allowed
    assert numbers("dekc") == [1]  # a swap is one edit
    assert numbers("batlecrd") == [3]
    assert numbers("calc") == [2]  # a prefix


def test_stop_words_are_ignored_unless_they_are_all_there_is() -> None:
    assert query_terms("how do we win against the globex") == ["win", "against", "globex"]
    assert query_terms("the") == ["the"]


def test_titles_outrank_descriptions_and_campaign_names_are_searched() -> None:
    assert numbers("pricing") == [1, 4]
    assert numbers("procurement") == [4]
    assert numbers("summit", {7: "RevOps Summit"}) == [3]


def test_a_second_replica_sees_a_new_and_a_removed_tool_at_once(team: Team, runtime: Runtime) -> None:
    other = build_runtime(runtime.settings, clock=runtime.clock)  # its own engine: its own cache, same database
    try:
        replica = Team(other)
        assert team.say("mara", "tool add Pricing deck url:https://example.com/p").ok
        assert "Pricing deck" in replica.text("rita", "tool pricing")
        with other.db.session() as session:
            cache = cache_for(session)
        builds = cache.builds
        assert "Pricing deck" in replica.text("rita", "tool pricing")
        assert cache.builds == builds  # nothing changed: the index is reused
        assert team.say("mara", "tool add Harbour ROI calculator url:https://example.com/r").ok
        assert "Harbour ROI calculator" in replica.text("rita", "tool harbor")
        assert team.say("mara", "tool remove T-1").ok
        assert "Pricing deck" not in replica.text("rita", "tool pricing deck")
        assert cache.builds == builds + 2
    finally:
        other.db.dispose()
