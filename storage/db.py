"""Engine and sessions. SQLite: WAL, synchronous=NORMAL, a busy timeout and ONE connection, because
concurrent SQLite writers only queue in the busy handler (BASELINES.md). PostgreSQL: a normal pool."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.pool import StaticPool
from sqlmodel import Session

T = TypeVar("T")


def normalise_url(url: str) -> str:
    """Accept the ``postgresql://`` / ``postgres://`` URLs people paste and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names (relative to the working directory, as SQLite opens it); None for other
    databases, in-memory SQLite and ``file:`` URIs."""
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    if parsed.database.startswith("file:"):
        return None
    return Path(parsed.database)


def make_engine(url: str, *, pool_size: int = 5) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    return create_engine(url, pool_size=pool_size, max_overflow=5, pool_pre_ping=True)


def _sqlite_engine(url: str) -> Engine:
    memory = url in ("sqlite://", "sqlite:///:memory:")
    kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": 30}}
    if memory:
        kwargs["poolclass"] = StaticPool
    else:
        kwargs.update(pool_size=1, max_overflow=0, pool_timeout=60)
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's BEGIN below take the lock early, not Python's sqlite3 module.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
        # SQLite's own lower() folds ASCII only; Python's folds every script, as PostgreSQL's does, so `@émile`
        # finds Émile on both.
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # IMMEDIATE: a transaction that will write holds the write lock from its start, so two processes
        # never deadlock upgrading read locks (SQLITE_BUSY mid-transaction).
        conn.connection.driver_connection.execute("BEGIN IMMEDIATE")

    return engine


def _lower(value: str | None) -> str | None:
    return value.lower() if isinstance(value, str) else value


_UNIT_CACHE = "tandem.unit_cache"


def unit_cache(session: OrmSession, name: str) -> dict[Any, Any]:
    """A dict that lives as long as the session's current transaction: rows one command reads many times
    (a member's accounts, the workspace's settings) are fetched once. Cleared on commit and rollback."""
    caches: dict[str, dict[Any, Any]] = session.info.setdefault(_UNIT_CACHE, {})
    return caches.setdefault(name, {})


def _forget_unit_cache(session: OrmSession, *_args: Any) -> None:
    session.info.pop(_UNIT_CACHE, None)


for _moment in ("after_commit", "after_rollback", "after_soft_rollback"):
    event.listen(OrmSession, _moment, _forget_unit_cache)


class Database:
    """The engine plus a session factory; one instance per process, created by the composition root."""

    def __init__(self, url: str, *, pool_size: int = 5) -> None:
        self.url = normalise_url(url)
        self.engine = make_engine(self.url, pool_size=pool_size)
        self._pool_size = pool_size
        self._lane: ThreadPoolExecutor | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends normally, rolled back on error."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    async def run(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Blocking database work from async code, on the database lane: as many threads as connections
        (one on SQLite), so work queues first-come first-served in the lane instead of threads racing for
        the connection, and the hop costs less than a general-purpose thread pool's."""
        if self._lane is None:
            width = 1 if self.is_sqlite else self._pool_size
            self._lane = ThreadPoolExecutor(max_workers=width, thread_name_prefix="tandem-db")
        return await asyncio.get_running_loop().run_in_executor(self._lane, functools.partial(work, *args, **kwargs))

    def dispose(self) -> None:
        if self._lane is not None:
            self._lane.shutdown(wait=True)
            self._lane = None
        self.engine.dispose()
