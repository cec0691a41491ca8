"""Fill a migrated database with one realistic workspace fast: bulk executemany on SQLite, COPY on PostgreSQL.
The ORM would take minutes for a million leads; the benchmark is about dispatch, not about loading."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, text

from storage.db import Database

TEAM_ID = "T-BENCH"
PLATFORM = "playground"
REPS = 50
NEW_REPS = 2  # joined last week: no leads yet, so `lead list mine` finds nothing (the planner's worst case)
VERSION = 2  # bump when the generated data changes, so cached SQLite templates are rebuilt
MARKETERS = 3
CHUNK = 20_000
SOURCES = ("webinar", "website", "event", "referral", "ads", "marketing")
CLOSED = (("won", 0.25), ("lost", 0.45), ("rejected", 0.30))


@dataclass
class People:
    """The bench workspace's people as the chat platform knows them: user id → member id."""

    workspace_id: int
    manager: str
    marketers: list[str]
    reps: list[str]
    ids: dict[str, int]


@dataclass
class Preloaded:
    people: People
    leads: int
    waiting: list[tuple[int, str]] = field(default_factory=list)  # handed-off leads: (number, owner user id)


def _stamp(moment: datetime, postgres: bool) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f") + ("+00" if postgres else "")


def _people_rows() -> list[tuple[str, str, str]]:
    rows = [("mgr-1", "Manager One", "manager")]
    rows += [(f"mkt-{i}", f"Marketer {i}", "marketer") for i in range(1, MARKETERS + 1)]
    rows += [(f"rep-{i}", f"Rep {i}", "rep") for i in range(1, REPS + 1)]
    return rows


def _insert_people(conn: Connection, now: datetime, postgres: bool) -> People:
    stamp = _stamp(now - timedelta(days=3 * 365 + 30), postgres)
    ws = conn.execute(
        text(
            "INSERT INTO workspace (name, lead_seq, campaign_seq, created_at) "
            "VALUES ('Bench Co', 0, 0, :at) RETURNING id"
        ),
        {"at": stamp},
    ).scalar_one()
    conn.execute(
        text("INSERT INTO workspace_account (workspace_id, platform, external_id) VALUES (:w, :p, :t)"),
        {"w": ws, "p": PLATFORM, "t": TEAM_ID},
    )
    ids: dict[str, int] = {}
    for user_id, name, role in _people_rows():
        member = conn.execute(
            text(
                "INSERT INTO member (workspace_id, display_name, email, timezone, role, last_platform, enriched, "
                "created_at) VALUES (:w, :n, :e, NULL, :r, :p, false, :at) RETURNING id"
            ),
            {"w": ws, "n": name, "e": f"{user_id}@bench.test", "r": role, "p": PLATFORM, "at": stamp},
        ).scalar_one()
        conn.execute(
            text("INSERT INTO member_account (workspace_id, member_id, platform, external_id) VALUES (:w, :m, :p, :u)"),
            {"w": ws, "m": member, "p": PLATFORM, "u": user_id},
        )
        ids[user_id] = member
    return People(
        workspace_id=ws,
        manager="mgr-1",
        marketers=[f"mkt-{i}" for i in range(1, MARKETERS + 1)],
        reps=[f"rep-{i}" for i in range(1, REPS + 1)],
        ids=ids,
    )


LEAD_COLUMNS = (
    "workspace_id",
    "number",
    "company",
    "contact_name",
    "email",
    "source",
    "note",
    "owner_id",
    "marketer_id",
    "status",
    "stage",
    "amount",
    "outcome_reason",
    "created_at",
    "handed_off_at",
    "accepted_at",
    "first_touch_at",
    "last_touch_at",
    "closed_at",
    "nag_due_at",
    "nag_count",
)
EVENT_COLUMNS = ("workspace_id", "lead_id", "actor_id", "kind", "from_status", "to_status", "detail", "created_at")
FEEDBACK_COLUMNS = ("workspace_id", "lead_id", "member_id", "score", "tags", "reason", "created_at")


def _leads(
    count: int, people: People, now: datetime, postgres: bool, rng: random.Random, waiting: list[tuple[int, str]]
) -> Iterator[tuple[tuple, tuple, tuple | None]]:
    """(lead, its hand-off event, maybe a rating) per lead; lead id == number (fresh table)."""
    span = 3 * 365 * 86400
    recent = int(count * 0.95)  # the newest 5% are mostly still open; older ones are mostly closed
    for number in range(1, count + 1):
        created = now - timedelta(seconds=span * (count - number) / count + rng.random() * 60)
        rep = rng.choice(people.reps[:-NEW_REPS])
        marketer = rng.choice(people.marketers)
        owner, mkt = people.ids[rep], people.ids[marketer]
        is_open = rng.random() < (0.8 if number > recent else 0.01)
        handed = created
        accepted = first = last = closed = due = None
        stage = amount = reason = None
        if is_open and rng.random() < 0.4:
            status = "handed_off"
            due = handed + timedelta(hours=4)
            waiting.append((number, rep))
        else:
            accepted = created + timedelta(minutes=rng.randint(5, 600))
            if rng.random() < 0.8:
                first = last = accepted + timedelta(hours=rng.randint(1, 30))
            if is_open:
                status = "accepted"
                stage = rng.randint(1, 5) if first else None
                due = (last + timedelta(days=7)) if last else accepted + timedelta(hours=24)
            else:
                status = rng.choices([c for c, _ in CLOSED], [w for _, w in CLOSED])[0]
                closed = (last or accepted) + timedelta(days=rng.randint(1, 40))
                reason = {"won": None, "lost": "price", "rejected": "wrong-persona"}[status]
                amount = float(rng.randint(5, 200) * 1000) if status == "won" else None
                if status == "rejected":
                    accepted = first = last = None
        s = lambda m: _stamp(m, postgres) if m else None  # noqa: E731
        lead = (
            people.workspace_id,
            number,
            f"Company {number}",
            f"Contact {number}",
            f"c{number}@corp{number}.test",
            rng.choice(SOURCES),
            None,
            owner,
            mkt,
            status,
            stage,
            amount,
            reason,
            s(created),
            s(handed),
            s(accepted),
            s(first),
            s(last),
            s(closed),
            s(due),
            0,
        )
        event = (people.workspace_id, number, mkt, "handoff", None, "handed_off", f"Rep {rep[4:]}", s(created))
        rating = None
        if status != "handed_off" and rng.random() < 0.2:
            rating = (people.workspace_id, number, owner, rng.randint(1, 5), "", None, s(closed or accepted))
        yield lead, event, rating


def preload(db: Database, count: int, *, seed: int = 7) -> Preloaded:
    """One workspace (a manager, 3 marketers, 50 reps of whom 2 are new) and ``count`` leads over three years."""
    postgres = db.is_postgres
    rng = random.Random(seed)
    now = datetime.now(UTC)
    waiting: list[tuple[int, str]] = []
    with db.engine.begin() as conn:
        people = _insert_people(conn, now, postgres)
        batches: dict[str, list[tuple]] = {"lead": [], "lead_event": [], "feedback": []}

        def flush() -> None:
            for table, columns in (
                ("lead", LEAD_COLUMNS),
                ("lead_event", EVENT_COLUMNS),
                ("feedback", FEEDBACK_COLUMNS),
            ):
                if batches[table]:
                    _bulk(conn, table, columns, batches[table], postgres)
                    batches[table] = []

        for lead, event, rating in _leads(count, people, now, postgres, rng, waiting):
            batches["lead"].append(lead)
            batches["lead_event"].append(event)
            if rating:
                batches["feedback"].append(rating)
            if len(batches["lead"]) >= CHUNK:
                flush()
        flush()
        conn.execute(text("UPDATE workspace SET lead_seq = :n WHERE id = :w"), {"n": count, "w": people.workspace_id})
        if postgres:
            for table in ("lead", "lead_event", "feedback"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                    )
                )
    if postgres:  # autovacuum would have analysed a table this size; SQLite never does on its own
        with db.engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()
    return Preloaded(people=people, leads=count, waiting=waiting)


def _bulk(conn: Connection, table: str, columns: tuple[str, ...], rows: list[tuple], postgres: bool) -> None:
    if postgres:
        raw = conn.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in columns)
    conn.exec_driver_sql(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
