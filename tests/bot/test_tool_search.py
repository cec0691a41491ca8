"""The search behind `tool <query>`: typo tolerance by word length, ranking, and an in-memory index that every
replica rebuilds as soon as a tool is added or removed anywhere."""

from __future__ import annotations

from bot.core.runtime import Runtime
from bot.server import build_runtime
from bot.tools.ranking import ToolIndex, allowed_edits, query_terms, rank
from bot.tools.search import cache_for
from tests.bot.conftest import Team

ROWS = [
    (1, 1, "Pricing deck", "List prices and discounts", "pricing", None),
    (2, 2, "Harbour ROI calculator", "Payback in months", "roi,finance", None),
    (3, 3, "Battlecard: Globex", "Objections and traps", "competitor", 7),
    (4, 4, "Enterprise pricing FAQ", "What procurement asks", "pricing", None),
]


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
        builds, updates = cache.builds, cache.updates
        assert "Pricing deck" in replica.text("rita", "tool pricing")
        assert (cache.builds, cache.updates) == (builds, updates)  # nothing changed: the index is reused
        assert team.say("mara", "tool add Harbour ROI calculator url:https://example.com/r").ok
        assert "Harbour ROI calculator" in replica.text("rita", "tool harbor")
        assert team.say("mara", "tool add Pricing FAQ url:https://example.com/f").ok
        assert team.say("mara", "tool remove T-1").ok
        assert replica.text("rita", "tool pricing deck").count("Pricing") == 1  # only the FAQ, T-1 is gone
        assert (cache.builds, cache.updates) == (builds, updates + 2)  # brought up to date, never rebuilt
    finally:
        other.db.dispose()


def test_an_index_brought_up_to_date_ranks_as_one_built_afresh() -> None:
    more = [
        (5, 5, "Pricing calculator", "Seats times price", "pricing,roi", None),
        (6, 6, "Globex pricing intel", "What Globex charges", "competitor,pricing", 7),
    ]
    fresh = ToolIndex.build((6, 1), [row for row in ROWS + more if row[1] != 1])
    updated = ToolIndex.build((4, 0), ROWS).extended((6, 0), more).hiding((6, 1), {1})
    for query in ("pricing", "globex", "pricng calc", "roi", "summit", "zzz"):
        got = [h.number for h in rank(updated, query, {7: "RevOps Summit"}, 5)]
        want = [h.number for h in rank(fresh, query, {7: "RevOps Summit"}, 5)]
        # the same best tool and nothing the fresh index would not find (word rarity still counts the removed)
        assert got[:1] == want[:1] and set(got) <= set(want) and 1 not in got, (query, got, want)
    assert updated.live == fresh.live == 5
