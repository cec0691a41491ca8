"""API keys (`tandem apikey`, SPEC §3 "tandem"): a random key shown once, kept only as its SHA-256 with a short
prefix for display; one workspace per key. ``verify`` is what every REST request runs first."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col
from sqlmodel import select as select_entity

from bot.core.clock import Clock
from bot.core.errors import NotFound, UsageError
from storage.models import ApiKey, Member

KEY_PREFIX = "tdm_"
SECRET_BYTES = 32  # 256 bits of randomness, 43 URL-safe characters after the prefix
SHOWN_CHARACTERS = 8  # of the secret part, kept as the key's ``prefix`` ("tdm_AbCd1234")
LABEL_LIMIT = 60
TOUCH_EVERY = timedelta(minutes=1)  # ``last_used_at`` is written at most this often per key
_KEY_LENGTH = len(KEY_PREFIX) + 43
_URLSAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
_NOBODY = hashlib.sha256(b"tandem: no such key").hexdigest()


@dataclass(frozen=True, slots=True)
class CreatedKey:
    """A new key: ``secret`` is the whole key, shown this once and never again."""

    secret: str
    label: str
    prefix: str


@dataclass(frozen=True, slots=True)
class KeyLine:
    """A key as `tandem apikey list` shows it."""

    label: str
    prefix: str
    created_at: datetime
    created_by: str | None
    last_used_at: datetime | None


@dataclass(frozen=True, slots=True)
class VerifiedKey:
    """The key a request carried, checked: which workspace it sees. Every API read and write is scoped by
    ``workspace_id``."""

    key_id: int
    workspace_id: int
    label: str
    prefix: str


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def clean_label(raw: str) -> str:
    label = " ".join(raw.split())
    if not label:
        raise UsageError("Give the key a label saying what uses it, like `tandem apikey create website`.")
    if len(label) > LABEL_LIMIT:
        raise UsageError(f"The label is {len(label)} characters long; the limit is {LABEL_LIMIT}.")
    if not label.isprintable():
        raise UsageError("The label holds characters that cannot be shown; use letters, digits and spaces.")
    return label


def create(
    session: Session, clock: Clock, *, workspace_id: int, label: str, created_by: int | None = None
) -> CreatedKey:
    """A new key for the workspace; a label names one active key, so an active ``label`` is refused."""
    label = clean_label(label)
    secret = KEY_PREFIX + secrets.token_urlsafe(SECRET_BYTES)
    prefix = secret[: len(KEY_PREFIX) + SHOWN_CHARACTERS]
    row = ApiKey(
        workspace_id=workspace_id,
        label=label,
        prefix=prefix,
        key_hash=digest(secret),
        created_by_id=created_by,
        created_at=clock.now(),
    )
    try:
        with session.begin_nested():  # the unique index decides, so two creates at once cannot both win
            session.add(row)
            session.flush()
    except IntegrityError:
        existing = _active(session, workspace_id, label)
        shown = f" ({existing.prefix}…)" if existing is not None else ""
        raise UsageError(
            f"There is already an active key called “{label}”{shown}. Revoke it first with "
            f"`tandem apikey revoke {label}`, or choose another label."
        ) from None
    return CreatedKey(secret=secret, label=label, prefix=prefix)


def revoke(session: Session, clock: Clock, *, workspace_id: int, label: str) -> KeyLine:
    """Stop the active key called ``label``: from now on it gets ``401``."""
    row = _active(session, workspace_id, clean_label(label), for_update=True)
    if row is None:
        names = ", ".join(f"“{line.label}”" for line in list_keys(session, workspace_id)[:10])
        raise NotFound(
            f"There is no active key called “{clean_label(label)}”. "
            + (f"Active keys: {names}." if names else "This workspace has no active keys.")
        )
    row.revoked_at = clock.now()
    session.add(row)
    session.flush()
    return KeyLine(row.label, row.prefix, row.created_at, None, row.last_used_at)


def list_keys(session: Session, workspace_id: int) -> list[KeyLine]:
    """The workspace's active keys, oldest first, with who made them."""
    rows = session.execute(
        select(
            col(ApiKey.label),
            col(ApiKey.prefix),
            col(ApiKey.created_at),
            col(Member.display_name),
            col(ApiKey.last_used_at),
        )
        .outerjoin(Member, col(Member.id) == col(ApiKey.created_by_id))
        .where(col(ApiKey.workspace_id) == workspace_id, col(ApiKey.revoked_at).is_(None))
        .order_by(col(ApiKey.id))
    ).all()
    return [KeyLine(*row) for row in rows]


def revoked_count(session: Session, workspace_id: int) -> int:
    return int(
        session.execute(
            select(func.count())
            .select_from(ApiKey)
            .where(col(ApiKey.workspace_id) == workspace_id, col(ApiKey.revoked_at).is_not(None))
        ).scalar_one()
    )


_ACTIVE_KEY = select(
    col(ApiKey.id),
    col(ApiKey.workspace_id),
    col(ApiKey.label),
    col(ApiKey.prefix),
    col(ApiKey.key_hash),
    col(ApiKey.last_used_at),
).where(col(ApiKey.key_hash) == bindparam("hash"), col(ApiKey.revoked_at).is_(None))
_TOUCH = (
    update(ApiKey)
    .where(
        col(ApiKey.id) == bindparam("key_id"),
        or_(col(ApiKey.last_used_at).is_(None), col(ApiKey.last_used_at) < bindparam("stale")),
    )
    .values(last_used_at=bindparam("now"))
)


def verify(session: Session, clock: Clock, secret: str) -> VerifiedKey | None:
    """The active key ``secret`` is, or None (unknown, revoked or malformed — they are not told apart). The
    lookup goes by the hash's index; the stored hash is then compared in constant time all the same. The key's
    ``last_used_at`` is written at most once a minute, so a busy integration does not make its row a hot spot."""
    wanted = digest(secret) if _well_formed(secret) else _NOBODY
    row = session.execute(_ACTIVE_KEY, {"hash": wanted}).first()
    if row is None:
        hmac.compare_digest(wanted, _NOBODY)  # the same work as a found key, whatever was sent
        return None
    key_id, workspace_id, label, prefix, stored, last_used = row
    if not hmac.compare_digest(stored, wanted):
        return None
    key = VerifiedKey(key_id, workspace_id, label, prefix)
    now = clock.now()
    if last_used is None or now - last_used >= TOUCH_EVERY:
        session.execute(_TOUCH, {"key_id": key.key_id, "stale": now - TOUCH_EVERY, "now": now})
    return key


def _well_formed(secret: str) -> bool:
    return len(secret) == _KEY_LENGTH and secret.startswith(KEY_PREFIX) and _URLSAFE.issuperset(secret[4:])


def _active(session: Session, workspace_id: int, label: str, *, for_update: bool = False) -> ApiKey | None:
    query = select_entity(ApiKey).where(
        col(ApiKey.workspace_id) == workspace_id,
        func.lower(col(ApiKey.label)) == label.lower(),
        col(ApiKey.revoked_at).is_(None),
    )
    if for_update:
        query = query.with_for_update()
    return session.exec(query).first()
