"""Run and inspect Alembic migrations without an alembic.ini on disk.

Checking whether the schema is current (``/readyz``, ``tandem serve``) reads the revision files and the
``alembic_version`` table directly, so a serving process never imports Alembic and its template engine."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

from storage.db import normalise_url

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
_REVISION = re.compile(r"^revision\s*=\s*['\"]([^'\"]+)['\"]", re.M)
_DOWN_REVISION = re.compile(r"^down_revision\s*=\s*(.+)$", re.M)


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(url), revision)


class MigrationsUnreadable(RuntimeError):
    """The installed package's migration files do not form one chain: a broken or half-replaced install."""


@dataclass(frozen=True)
class SchemaState:
    """Where the database's schema is (``current``, None before the first migration) against this release."""

    current: str | None
    head: str
    known: frozenset[str]

    @property
    def is_current(self) -> bool:
        return self.current == self.head

    @property
    def is_newer(self) -> bool:
        """Migrated by a newer release: upgrading with this one cannot help."""
        return self.current is not None and self.current not in self.known

    def describe(self) -> str:
        if self.is_current:
            return f"at {self.head}"
        if self.is_newer:
            return f"schema newer than this release: at {self.current}, head {self.head}"
        return f"migrations pending: at {self.current or 'none'}, head {self.head}"


@cache
def _revisions() -> tuple[frozenset[str], str]:
    """Every revision of this release and the one no other revision builds on."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        found = _REVISION.search(source)
        if found is None:
            continue
        revisions.add(found.group(1))
        down = _DOWN_REVISION.search(source)
        if down is not None:
            parents.update(re.findall(r"['\"]([^'\"]+)['\"]", down.group(1)))
    heads = revisions - parents
    if len(heads) != 1:
        raise MigrationsUnreadable(f"migrations must have exactly one head, found {sorted(heads)} in {MIGRATIONS}")
    return frozenset(revisions), heads.pop()


def head_revision() -> str:
    """The one revision no other revision builds on."""
    return _revisions()[1]


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def schema_state(engine: Engine) -> SchemaState:
    """Raises MigrationsUnreadable for a broken install, SQLAlchemyError when the database cannot be read."""
    known, head = _revisions()
    return SchemaState(current=current_revision(engine), head=head, known=known)


def is_current(engine: Engine) -> bool:
    return schema_state(engine).is_current
