"""How `tool <query>` ranks: full-text relevance with typos tolerated, the same on SQLite and PostgreSQL.

Each query word is matched against the workspace's vocabulary (rapidfuzz: exact, a prefix, or within one or two
edits by length, as Lucene's AUTO fuzziness), and every tool holding a matched word scores by how close the word
is, how rare it is (BM25's idf) and where it stands (title above tags above description). Tools that match more
of the query rank higher; the closer the whole query resembles a title, the higher that tool. Campaign names are
matched at query time, so a renamed campaign is found by its new name at once."""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from operator import itemgetter
from typing import Any

from rapidfuzz import fuzz, process, utils
from rapidfuzz.distance import OSA

TITLE_WEIGHT, TAG_WEIGHT, CAMPAIGN_WEIGHT, DESCRIPTION_WEIGHT = 3.0, 2.0, 1.5, 1.0
CLOSENESS = {0: 1.0, 1: 0.85, 2: 0.65}  # exact word, one edit, two edits
PREFIX = 0.75  # "calc" → "calculator"
EXPANSIONS = 40  # vocabulary words one query word may stand for
RERANK = 50  # best candidates whose titles are compared with the whole query
KEEP_SHARE = 0.25  # a result must score at least this share of the best one
MAX_TERMS = 8
STOP_WORDS = frozenset(
    (
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "do",
        "does",
        "for",
        "from",
        "how",
        "i",
        "in",
        "is",
        "it",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "the",
        "this",
        "to",
        "we",
        "what",
        "where",
        "which",
        "who",
        "with",
        "you",
        "your",
    )
)


def words(text: str) -> list[str]:
    """Lower-case words, punctuation dropped ("Battlecard: Globex" → battlecard, globex)."""
    processed: str = utils.default_process(text)
    return processed.split()


def query_terms(query: str) -> list[str]:
    """The words that carry meaning: stop words go unless nothing else is left; repeats go."""
    found = words(query)
    meaningful = [w for w in found if w not in STOP_WORDS] or found
    return list(dict.fromkeys(meaningful))[:MAX_TERMS]


def allowed_edits(term: str) -> int:
    """Lucene's AUTO fuzziness: short words must be exact, longer ones may carry one or two typos."""
    return 0 if len(term) <= 3 else 1 if len(term) <= 5 else 2


@dataclass(frozen=True, slots=True)
class IndexedTool:
    tool_id: int
    number: int
    title: str  # processed, for comparing with the whole query
    campaign_id: int | None


Positions = tuple[int, ...]


@dataclass(frozen=True)
class ToolIndex:
    """One workspace's live tools as postings: word → the positions of the tools holding it in their title, tags
    and description. Within one field every holder of a word scores the same, so a query word's scores are laid
    down field by field with dict updates rather than tool by tool."""

    key: tuple[int, int]
    tools: tuple[IndexedTool, ...]
    postings: dict[str, tuple[Positions, Positions, Positions]]  # title, tags, description
    holders: dict[str, int]  # how many tools hold the word anywhere (for idf)
    vocabulary: tuple[str, ...]  # sorted, for prefixes
    by_campaign: dict[int, Positions]
    titles: tuple[str, ...]
    hidden: frozenset[int] = frozenset()  # positions of tools removed since the index was built

    @classmethod
    def build(cls, key: tuple[int, int], rows: Iterable[Sequence[Any]], *, first: int = 0) -> ToolIndex:
        """The index of ``rows`` (id, number, title, description, tags, campaign id), positions from ``first``."""
        tools: list[IndexedTool] = []
        fields: tuple[dict[str, list[int]], ...] = ({}, {}, {})
        by_campaign: dict[int, list[int]] = {}
        for position, (tool_id, number, title, description, tags, campaign_id) in enumerate(rows, start=first):
            title_words = words(title)
            tools.append(IndexedTool(tool_id, number, " ".join(title_words), campaign_id))
            if campaign_id is not None:
                by_campaign.setdefault(campaign_id, []).append(position)
            for field, found in zip(
                fields, (title_words, words((tags or "").replace(",", " ")), words(description or "")), strict=True
            ):
                for word in set(found):
                    field.setdefault(word, []).append(position)
        vocabulary = sorted(set().union(*fields))
        empty: list[int] = []
        postings = {
            word: (
                tuple(fields[0].get(word, empty)),
                tuple(fields[1].get(word, empty)),
                tuple(fields[2].get(word, empty)),
            )
            for word in vocabulary
        }
        holders = {
            word: len(set(title).union(tags, description)) for word, (title, tags, description) in postings.items()
        }
        return cls(
            key=key,
            tools=tuple(tools),
            postings=postings,
            holders=holders,
            vocabulary=tuple(vocabulary),
            by_campaign={cid: tuple(positions) for cid, positions in by_campaign.items()},
            titles=tuple(tool.title for tool in tools),
        )

    def extended(self, key: tuple[int, int], rows: Sequence[Sequence[Any]]) -> ToolIndex:
        """This index plus tools added since: only their words are touched, so a new tool costs milliseconds,
        not the rebuild of the whole workspace."""
        fresh = ToolIndex.build(key, rows, first=len(self.tools))
        postings, holders = dict(self.postings), dict(self.holders)
        for word, (title, tags, description) in fresh.postings.items():
            old = postings.get(word)
            postings[word] = (
                (old[0] + title, old[1] + tags, old[2] + description) if old else (title, tags, description)
            )
            holders[word] = holders.get(word, 0) + fresh.holders[word]
        by_campaign = dict(self.by_campaign)
        for cid, positions in fresh.by_campaign.items():
            by_campaign[cid] = by_campaign.get(cid, ()) + positions
        new_words = len(postings) != len(self.postings)
        return replace(
            self,
            key=key,
            tools=self.tools + fresh.tools,
            postings=postings,
            holders=holders,
            vocabulary=tuple(sorted(postings)) if new_words else self.vocabulary,
            by_campaign=by_campaign,
            titles=self.titles + fresh.titles,
        )

    def hiding(self, key: tuple[int, int], removed: set[int]) -> ToolIndex:
        """This index without the tools whose T-numbers are in ``removed``."""
        hidden = frozenset(position for position, tool in enumerate(self.tools) if tool.number in removed)
        return replace(self, key=key, hidden=self.hidden | hidden)

    @property
    def live(self) -> int:
        return len(self.tools) - len(self.hidden)

    def similar_words(self, term: str) -> dict[str, float]:
        """Vocabulary words ``term`` may stand for, with how close each is (1.0 exact)."""
        found: dict[str, float] = {}
        edits = allowed_edits(term)
        if edits:
            for word, distance, _ in process.extract(
                term, self.vocabulary, scorer=OSA.distance, processor=None, score_cutoff=edits, limit=EXPANSIONS
            ):
                found[word] = CLOSENESS[int(distance)]
        elif term in self.postings:
            found[term] = 1.0
        if len(term) >= 3:
            start = bisect_left(self.vocabulary, term)
            for word in self.vocabulary[start : start + EXPANSIONS]:
                if not word.startswith(term):
                    break
                found[word] = max(found.get(word, 0.0), PREFIX)
        return found


def idf(total: int, holding: int) -> float:
    """BM25's inverse document frequency: a word every tool holds says little."""
    return math.log(1.0 + (total - holding + 0.5) / (holding + 0.5))


def closeness(term: str, word: str) -> float:
    edits = allowed_edits(term)
    if edits:
        distance = OSA.distance(term, word, score_cutoff=edits)
        if distance <= edits:
            return CLOSENESS[distance]
    elif term == word:
        return 1.0
    return PREFIX if len(term) >= 3 and word.startswith(term) else 0.0


@dataclass(frozen=True, slots=True)
class Hit:
    tool_id: int
    number: int
    score: float


def rank(index: ToolIndex, query: str, campaigns: dict[int, str], limit: int) -> list[Hit]:
    """The ``limit`` best tools for ``query``, best first; empty when no word of the query matches."""
    terms = query_terms(query)
    total = index.live
    if not terms or not total:
        return []
    campaign_words = {cid: words(name) for cid, name in campaigns.items() if cid in index.by_campaign}
    scores: dict[int, float] = {}
    for term in terms:
        layers: list[tuple[float, Positions]] = []
        for word, close in index.similar_words(term).items():
            value = close * idf(total, index.holders[word])
            in_title, in_tags, in_description = index.postings[word]
            layers += [
                (value * TITLE_WEIGHT, in_title),
                (value * TAG_WEIGHT, in_tags),
                (value * DESCRIPTION_WEIGHT, in_description),
            ]
        for cid, names in campaign_words.items():
            close, word = max(((closeness(term, word), word) for word in names), default=(0.0, ""))
            if close:  # the campaign's tools count as holders too, so its name never outweighs a title
                positions = index.by_campaign[cid]
                holding = min(total, len(positions) + index.holders.get(word, 0))
                layers.append((close * idf(total, holding) * CAMPAIGN_WEIGHT, positions))
        layers.sort(key=itemgetter(0))
        best: dict[int, float] = {}
        for value, positions in layers:  # ascending: each tool keeps its best match for this word
            best.update(dict.fromkeys(positions, value))
        if not scores:
            scores = best
            continue
        for position, value in best.items():
            scores[position] = scores.get(position, 0.0) + value
    for position in index.hidden:
        scores.pop(position, None)
    if not scores:
        return []
    phrase = " ".join(words(query))
    shortlist = heapq.nlargest(RERANK, scores.items(), key=itemgetter(1))
    reranked = [
        (position, value * (1.0 + fuzz.WRatio(phrase, index.tools[position].title, processor=None) / 200))
        for position, value in shortlist
    ]
    reranked.sort(key=lambda pair: (-pair[1], len(index.tools[pair[0]].title), -index.tools[pair[0]].number))
    floor = reranked[0][1] * KEEP_SHARE
    return [
        Hit(index.tools[position].tool_id, index.tools[position].number, value)
        for position, value in reranked[:limit]
        if value >= floor
    ]


def closest_titles(index: ToolIndex, query: str, limit: int = 3) -> list[int]:
    """T-numbers of the tools whose titles look most like the query, however little: offered when nothing matched."""
    phrase = " ".join(words(query))
    found = process.extract(
        phrase,
        index.titles,
        scorer=fuzz.ratio,
        processor=None,  # WRatio: 30x slower
        limit=limit + len(index.hidden),
    )
    return [index.tools[position].number for _, _, position in found if position not in index.hidden][:limit]
