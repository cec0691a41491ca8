"""`tool <query>`: the workspace's index (bot/tools/ranking.py), kept in memory and kept current.

The index of a workspace is keyed by (highest T-number, count of removed tools) read in one indexed query per
search: a tool added or removed on any replica changes the key, and the next search on every replica brings its
index up to date (the new tools' words added, removed tools hidden; rebuilt whole only on first use or after many
removals). Why in memory, and what it costs, is measured in bench/README_tools.md."""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import bindparam, func
from sqlalchemy import select as core_select
from sqlmodel import Session

from bot.tools.ranking import ToolIndex, closest_titles, rank
from storage.models import Campaign, Tool

CACHED_WORKSPACES = 32
REBUILD_SHARE, REBUILD_FLOOR = 0.2, 50  # rebuild once this share (and at least this many) were removed since


_TOOLS = Tool.__table__  # type: ignore[attr-defined]
_CAMPAIGNS = Campaign.__table__  # type: ignore[attr-defined]
_REMOVED = (
    core_select(func.count())
    .select_from(_TOOLS)
    .where(_TOOLS.c.workspace_id == bindparam("workspace"), _TOOLS.c.removed_at.is_not(None))
    .scalar_subquery()
)
_KEY = core_select(func.coalesce(func.max(_TOOLS.c.number), 0), _REMOVED).where(
    _TOOLS.c.workspace_id == bindparam("workspace")
)
_LIVE = (
    core_select(_TOOLS.c.id, _TOOLS.c.number, _TOOLS.c.title, _TOOLS.c.description, _TOOLS.c.tags, _TOOLS.c.campaign_id)
    .where(_TOOLS.c.workspace_id == bindparam("workspace"), _TOOLS.c.removed_at.is_(None))
    .order_by(_TOOLS.c.number)
)
_LIVE_AFTER = _LIVE.where(_TOOLS.c.number > bindparam("after"))
_REMOVED_NUMBERS = core_select(_TOOLS.c.number).where(
    _TOOLS.c.workspace_id == bindparam("workspace"), _TOOLS.c.removed_at.is_not(None)
)  # the partial index
_CAMPAIGN_NAMES = core_select(_CAMPAIGNS.c.id, _CAMPAIGNS.c.name).where(
    _CAMPAIGNS.c.workspace_id == bindparam("workspace")
)


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
        if (
            cached is not None
            and key[0] >= cached.key[0]
            and key[1] >= cached.key[1]
            and removals <= max(REBUILD_FLOOR, len(cached.tools) * REBUILD_SHARE)
        ):
            index = cached
            if key[0] > cached.key[0]:
                index = index.extended(
                    key, session.execute(_LIVE_AFTER, {"workspace": workspace_id, "after": cached.key[0]}).all()
                )
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
    campaigns = (
        {cid: name for cid, name in session.execute(_CAMPAIGN_NAMES, {"workspace": workspace_id})}
        if index.by_campaign
        else {}
    )
    hits = rank(index, query, campaigns, limit)
    if hits:
        return Found([hit.number for hit in hits], [], index.live)
    return Found([], closest_titles(index, query) if index.live else [], index.live)
