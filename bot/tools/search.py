"""`tool <query>`: full-text relevance with typos tolerated, the same on SQLite and PostgreSQL.

Each query word is matched against the workspace's vocabulary (rapidfuzz: exact, a prefix, or within one or two
edits by length, as Lucene's AUTO fuzziness), and every tool holding a matched word scores by how close the word
is, how rare it is (BM25's idf) and where it stands (title above tags above description). Tools that match more
of the query rank higher; the closer the whole query resembles a title, the higher that tool. Campaign names are
matched at query time, so a renamed campaign is found by its new name at once.

The index of a workspace is kept in memory, keyed by (highest T-number, count of removed tools) read in one
indexed query per search: a tool added or removed on any replica changes the key, and the next search on every
replica brings its index up to date (the new tools' words added, removed tools hidden; rebuilt whole only on
first use or after many removals). Why in memory, and what it costs, is measured in bench/README_tools.md."""

from __future__ import annotations

import heapq
import math
import threading
import weakref
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from operator import itemgetter
from typing import Any

from rapidfuzz import fuzz, process, utils
from rapidfuzz.distance import OSA
from sqlalchemy import bindparam, func
from sqlalchemy import select as core_select
from sqlmodel import Session

from storage.models import Campaign, Tool

TITLE_WEIGHT, TAG_WEIGHT, CAMPAIGN_WEIGHT, DESCRIPTION_WEIGHT = 3.0, 2.0, 1.5, 1.0
CLOSENESS = {0: 1.0, 1: 0.85, 2: 0.65}  # exact word, one edit, two edits
PREFIX = 0.75  # "calc" → "calculator"
EXPANSIONS = 40  # vocabulary words one query word may stand for
RERANK = 50  # best candidates whose titles are compared with the whole query
KEEP_SHARE = 0.25  # a result must score at least this share of the best one
MAX_TERMS = 8
STOP_WORDS = frozenset((
    "a", "an", "and", "are", "as", "at", "be", "by", "do", "does", "for", "from", "how", "i", "in", "is", "it", "me",
    "my", "of", "on", "or", "our", "the", "this", "to", "we", "what", "where", "which", "who", "with", "you", "your",
))
CACHED_WORKSPACES = 32
REBUILD_SHARE, REBUILD_FLOOR = 0.2, 50  # rebuild once this share (and at least this many) were removed since


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
            for field, found in zip(fields, (title_words, words((tags or "").replace(",", " ")),
                                             words(description or "")), strict=True):
                for word in set(found):
                    field.setdefault(word, []).append(position)
        vocabulary = sorted(set().union(*fields))
        empty: list[int] = []
        postings = {word: (tuple(fields[0].get(word, empty)), tuple(fields[1].get(word, empty)),
                           tuple(fields[2].get(word, empty))) for word in vocabulary}
        holders = {word: len(set(title).union(tags, description))
                   for word, (title, tags, description) in postings.items()}
        return cls(key=key, tools=tuple(tools), postings=postings, holders=holders,
                   vocabulary=tuple(vocabulary),
                   by_campaign={cid: tuple(positions) for cid, positions in by_campaign.items()},
                   titles=tuple(tool.title for tool in tools))

    def extended(self, key: tuple[int, int], rows: Sequence[Sequence[Any]]) -> ToolIndex:
        """This index plus tools added since: only their words are touched, so a new tool costs milliseconds,
        not the rebuild of the whole workspace."""
        fresh = ToolIndex.build(key, rows, first=len(self.tools))
        postings, holders = dict(self.postings), dict(self.holders)
        for word, (title, tags, description) in fresh.postings.items():
            old = postings.get(word)
            postings[word] = (old[0] + title, old[1] + tags, old[2] + description) if old else (title, tags,
                                                                                               description)
            holders[word] = holders.get(word, 0) + fresh.holders[word]
        by_campaign = dict(self.by_campaign)
        for cid, positions in fresh.by_campaign.items():
            by_campaign[cid] = by_campaign.get(cid, ()) + positions
        new_words = len(postings) != len(self.postings)
        return replace(self, key=key, tools=self.tools + fresh.tools, postings=postings, holders=holders,
                       vocabulary=tuple(sorted(postings)) if new_words else self.vocabulary,
                       by_campaign=by_campaign, titles=self.titles + fresh.titles)

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
            for word, distance, _ in process.extract(term, self.vocabulary, scorer=OSA.distance, processor=None,
                                                     score_cutoff=edits, limit=EXPANSIONS):
                found[word] = CLOSENESS[int(distance)]
        elif term in self.postings:
            found[term] = 1.0
        if len(term) >= 3:
            start = bisect_left(self.vocabulary, term)
            for word in self.vocabulary[start:start + EXPANSIONS]:
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
            layers += [(value * TITLE_WEIGHT, in_title), (value * TAG_WEIGHT, in_tags),
                       (value * DESCRIPTION_WEIGHT, in_description)]
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
    reranked = [(position, value * (1.0 + fuzz.WRatio(phrase, index.tools[position].title, processor=None) / 200))
                for position, value in shortlist]
    reranked.sort(key=lambda pair: (-pair[1], len(index.tools[pair[0]].title), -index.tools[pair[0]].number))
    floor = reranked[0][1] * KEEP_SHARE
    return [Hit(index.tools[position].tool_id, index.tools[position].number, value)
            for position, value in reranked[:limit] if value >= floor]


def closest_titles(index: ToolIndex, query: str, limit: int = 3) -> list[int]:
    """T-numbers of the tools whose titles look most like the query, however little: offered when nothing matched."""
    phrase = " ".join(words(query))
    found = process.extract(phrase, index.titles, scorer=fuzz.ratio, processor=None,  # WRatio: 30x slower
                            limit=limit + len(index.hidden))
    return [index.tools[position].number for _, _, position in found if position not in index.hidden][:limit]


_TOOLS = Tool.__table__  # type: ignore[attr-defined]
_CAMPAIGNS = Campaign.__table__  # type: ignore[attr-defined]
_REMOVED = (core_select(func.count()).select_from(_TOOLS)
            .where(_TOOLS.c.workspace_id == bindparam("workspace"), _TOOLS.c.removed_at.is_not(None))
            .scalar_subquery())
_KEY = core_select(func.coalesce(func.max(_TOOLS.c.number), 0), _REMOVED).where(
    _TOOLS.c.workspace_id == bindparam("workspace"))
_LIVE = core_select(_TOOLS.c.id, _TOOLS.c.number, _TOOLS.c.title, _TOOLS.c.description, _TOOLS.c.tags,
                    _TOOLS.c.campaign_id).where(_TOOLS.c.workspace_id == bindparam("workspace"),
                                                _TOOLS.c.removed_at.is_(None)).order_by(_TOOLS.c.number)
_LIVE_AFTER = _LIVE.where(_TOOLS.c.number > bindparam("after"))
_REMOVED_NUMBERS = core_select(_TOOLS.c.number).where(_TOOLS.c.workspace_id == bindparam("workspace"),
                                                     _TOOLS.c.removed_at.is_not(None))  # the partial index
_CAMPAIGN_NAMES = core_select(_CAMPAIGNS.c.id, _CAMPAIGNS.c.name).where(
    _CAMPAIGNS.c.workspace_id == bindparam("workspace"))


class IndexCache:
    """The latest index of the most recently searched workspaces of one database."""

    def __init__(self, size: int = CACHED_WORKSPACES) -> None:
        self.size = size
        self._indexes: OrderedDict[int, ToolIndex] = OrderedDict()
        self._lock = threading.Lock()
        self.builds = 0  # whole rebuilds
        self.updates = 0  # tools added or removed since, applied to the cached index

    def index(self, session: Session, workspace_id: int) -> ToolIndex:
        newest, removed = session.execute(_KEY, {"workspace": workspace_id}).one()
        key = (int(newest), int(removed))
        with self._lock:
            cached = self._indexes.get(workspace_id)
            if cached is not None and cached.key == key:
                self._indexes.move_to_end(workspace_id)
                return cached
        removals = len(cached.hidden) + key[1] - cached.key[1] if cached is not None else 0
        if cached is not None and key[0] >= cached.key[0] and key[1] >= cached.key[1] \
                and removals <= max(REBUILD_FLOOR, len(cached.tools) * REBUILD_SHARE):
            index = cached
            if key[0] > cached.key[0]:
                index = index.extended(key, session.execute(_LIVE_AFTER, {"workspace": workspace_id,
                                                                          "after": cached.key[0]}).all())
            if key[1] > cached.key[1]:
                removed_numbers = {int(n) for (n,) in session.execute(_REMOVED_NUMBERS, {"workspace": workspace_id})}
                index = index.hiding(key, removed_numbers)
            self._keep(workspace_id, replace(index, key=key), rebuilt=False)
            return self._indexes[workspace_id]
        built = ToolIndex.build(key, session.execute(_LIVE, {"workspace": workspace_id}).all())
        self._keep(workspace_id, built, rebuilt=True)
        return built

    def _keep(self, workspace_id: int, index: ToolIndex, *, rebuilt: bool) -> None:
        with self._lock:
            if rebuilt:
                self.builds += 1
            else:
                self.updates += 1
            self._indexes[workspace_id] = index
            self._indexes.move_to_end(workspace_id)
            while len(self._indexes) > self.size:
                self._indexes.popitem(last=False)


_CACHES: weakref.WeakKeyDictionary[Any, IndexCache] = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def cache_for(session: Session) -> IndexCache:
    """One cache per engine, so two databases in one process (tests, benches) never share an index."""
    engine = session.get_bind()
    engine = getattr(engine, "engine", engine)
    with _CACHES_LOCK:
        cache = _CACHES.get(engine)
        if cache is None:
            cache = _CACHES[engine] = IndexCache()
        return cache


@dataclass(frozen=True)
class Found:
    """T-numbers best first; ``closest`` (titles that look alike) only when nothing matched."""

    hits: list[int]
    closest: list[int]
    live: int


def search(session: Session, workspace_id: int, query: str, limit: int = 5) -> Found:
    index = cache_for(session).index(session, workspace_id)
    campaigns = {cid: name for cid, name in session.execute(_CAMPAIGN_NAMES, {"workspace": workspace_id})} \
        if index.by_campaign else {}
    hits = rank(index, query, campaigns, limit)
    if hits:
        return Found([hit.number for hit in hits], [], index.live)
    return Found([], closest_titles(index, query) if index.live else [], index.live)
