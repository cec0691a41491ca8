"""A workspace with a long, believable history for the stats benchmark: N leads spread over three years, each with
the event trail the lifecycle writes (hand-off or `lead add`, accept or reject, reassignment, touches, stage moves,
won or lost), quality ratings, campaigns and tool clicks. Written with executemany (SQLite) or COPY (PostgreSQL),
not the ORM, so a million leads take a couple of minutes, not hours.

The shape follows what the lifecycle records (bot/leads/lifecycle.py): a hand-off is a `handoff` event at the
lead's creation, `lead add` an `add` event with the lead accepted at once, a stage move's detail is `a→b`, a loss's
detail is its reason, a win's detail starts with the amount."""

from __future__ import annotations

import math
import random
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from storage.db import normalise_url

SPAN_DAYS = 3 * 365
REPS = 40
MARKETERS = 6
TOOLS = 200
SOURCES = (("marketing", 0.45), ("webinar", 0.2), ("event", 0.15), ("content", 0.12), ("partner", 0.08))
LOSS = ("price", "competitor", "no-decision", "timing", "product-fit", "budget", "champion-left")
REJECT = ("wrong-persona", "no-budget", "student", "duplicate", "bad-contact", "no-need")
QUALITY_TAGS = ("great-fit", "no-budget", "wrong-persona", "bad-timing", "no-need")
SCORES = (1, 2, 3, 4, 5)
SCORE_WEIGHTS = (0.08, 0.14, 0.3, 0.3, 0.18)


@dataclass
class Generated:
    workspace_id: int
    now: datetime
    leads: int = 0
    events: int = 0
    ratings: int = 0
    clicks: int = 0
    member_ids: dict[str, list[int]] = field(default_factory=dict)


def _ts(moment: datetime) -> str:
    """SQLAlchemy's SQLite DATETIME storage format (naive UTC), so generated rows compare like the product's."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _hours(rng: random.Random, median: float, spread: float) -> timedelta:
    """A log-normal delay: most are near ``median`` hours, a long tail up to ``median * e^(3 spread)``."""
    return timedelta(hours=median * math.exp(rng.gauss(0, spread)))


class _Rows:
    """The rows of one table, flushed to the database in chunks."""

    def __init__(self, writer: _Writer, table: str, columns: tuple[str, ...]) -> None:
        self.writer, self.table, self.columns = writer, table, columns
        self.rows: list[tuple[Any, ...]] = []
        self.count = 0

    def add(self, *row: Any) -> None:
        self.rows.append(row)

    def flush(self) -> None:
        if self.rows:
            self.writer.write(self.table, self.columns, self.rows)
            self.count += len(self.rows)
            self.rows = []


class _Writer:
    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        self.postgres = self.url.startswith("postgresql")
        if self.postgres:
            import psycopg

            self.pg = psycopg.connect(self.url.replace("postgresql+psycopg://", "postgresql://"))
        else:
            self.sq = sqlite3.connect(self.url.removeprefix("sqlite:///"))
            self.sq.execute("PRAGMA synchronous=OFF")

    def ts(self, moment: datetime | None) -> Any:
        if moment is None:
            return None
        return moment if self.postgres else _ts(moment)

    def write(self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        names = ", ".join(columns)
        if self.postgres:
            with self.pg.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in columns)
            self.sq.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        if self.postgres:
            return self.pg.execute(sql.replace("?", "%s"), params)
        return self.sq.execute(sql, params)

    def commit(self) -> None:
        (self.pg if self.postgres else self.sq).commit()

    def close(self) -> None:
        (self.pg if self.postgres else self.sq).close()


def generate(url: str, leads: int, *, now: datetime, seed: int = 14, span_days: int = SPAN_DAYS) -> Generated:
    """Fill the (migrated, empty) database at ``url`` with one workspace of ``leads`` leads created over the
    ``span_days`` before ``now``, ids in creation order."""
    rng = random.Random(seed)
    out = _Writer(url)
    start = now - timedelta(days=span_days)
    out.execute(
        "INSERT INTO workspace (id, name, lead_seq, campaign_seq, tool_seq, created_at) "
        "VALUES (1, 'Bench', ?, 0, ?, ?)",
        (leads, TOOLS, out.ts(start)),
    )
    people = _people(out, start)
    campaigns = _campaigns(out, rng, start, now, people["marketer"])
    lead_rows = _Rows(out, "lead", LEAD_COLUMNS)
    event_rows = _Rows(out, "lead_event", EVENT_COLUMNS)
    rating_rows = _Rows(out, "feedback", RATING_COLUMNS)
    step = span_days * 86400 / max(leads, 1)
    event_id = rating_id = 0
    for number in range(1, leads + 1):
        created = start + timedelta(seconds=step * (number - 1) + rng.random() * step)
        lead, events, ratings = _one_lead(rng, number, created, now, people, campaigns)
        lead_rows.add(*(out.ts(v) if isinstance(v, datetime) else v for v in lead))
        for event in events:
            event_id += 1
            event_rows.add(event_id, *(out.ts(v) if isinstance(v, datetime) else v for v in event))
        for rating in ratings:
            rating_id += 1
            rating_rows.add(rating_id, *(out.ts(v) if isinstance(v, datetime) else v for v in rating))
        if len(lead_rows.rows) >= 20_000:  # leads before the rows that refer to them
            for rows in (lead_rows, event_rows, rating_rows):
                rows.flush()
    for rows in (lead_rows, event_rows, rating_rows):
        rows.flush()
    clicks = _tools(out, rng, start, now, people, max(1000, leads // 5))
    out.commit()
    if out.postgres:
        for table in ("lead", "lead_event", "feedback", "tool", "tool_click", "member", "campaign", "workspace"):
            out.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        out.commit()
        out.pg.autocommit = True
        out.execute("VACUUM ANALYZE")
    else:
        out.execute("ANALYZE")
        out.commit()
    out.close()
    return Generated(1, now, lead_rows.count, event_rows.count, rating_rows.count, clicks, people)


def _people(out: _Writer, start: datetime) -> dict[str, list[int]]:
    people: dict[str, list[int]] = {"manager": [1], "marketer": [], "rep": []}
    rows = [(1, "Dana Manager", "manager")]
    for n in range(MARKETERS):
        people["marketer"].append(len(rows) + 1)
        rows.append((len(rows) + 1, f"Marketer {n + 1}", "marketer"))
    for n in range(REPS):
        people["rep"].append(len(rows) + 1)
        rows.append((len(rows) + 1, f"Rep {n + 1}", "rep"))
    out.write(
        "member",
        ("id", "workspace_id", "display_name", "role", "enriched", "created_at"),
        [(i, 1, name, role, False, out.ts(start)) for i, name, role in rows],
    )
    return people


def _campaigns(
    out: _Writer, rng: random.Random, start: datetime, now: datetime, marketers: list[int]
) -> list[tuple[int, datetime, datetime]]:
    """A new campaign every two weeks, each running six weeks: (id, starts, ends)."""
    found: list[tuple[int, datetime, datetime]] = []
    rows = []
    moment = start
    while moment < now:
        number = len(found) + 1
        ends = moment + timedelta(days=42)
        found.append((number, moment, ends))
        status = "active" if ends > now else "closed"
        rows.append(
            (
                number,
                1,
                number,
                f"Campaign {number}",
                "",
                "",
                "",
                rng.choice((200, 400, 800)),
                rng.choice(marketers),
                status,
                out.ts(moment),
                ends.date() if out.postgres else ends.date().isoformat(),
            )
        )
        moment += timedelta(days=14)
    out.write(
        "campaign",
        (
            "id",
            "workspace_id",
            "number",
            "name",
            "goal",
            "audience",
            "talking_points",
            "target",
            "owner_id",
            "status",
            "created_at",
            "ends_on",
        ),
        rows,
    )
    out.execute("UPDATE workspace SET campaign_seq = ? WHERE id = 1", (len(found),))
    return found


LEAD_COLUMNS = (
    "id", "workspace_id", "number", "company", "email", "source", "campaign_id", "owner_id", "marketer_id", "status",
    "stage", "amount", "outcome_reason", "created_at", "handed_off_at", "accepted_at", "first_touch_at",
    "last_touch_at", "closed_at", "nag_due_at", "nag_count",
)  # fmt: skip
EVENT_COLUMNS = (
    "id", "workspace_id", "lead_id", "actor_id", "kind", "from_status", "to_status", "detail", "created_at",
)  # fmt: skip
RATING_COLUMNS = ("id", "workspace_id", "lead_id", "member_id", "score", "tags", "reason", "created_at")


def _pick_source(rng: random.Random) -> str:
    roll = rng.random()
    for name, share in SOURCES:
        roll -= share
        if roll < 0:
            return name
    return SOURCES[0][0]


def _one_lead(
    rng: random.Random,
    number: int,
    created: datetime,
    now: datetime,
    people: dict[str, list[int]],
    campaigns: list[tuple[int, datetime, datetime]],
) -> tuple[tuple[Any, ...], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """One lead's row, its trail and its ratings, as the lifecycle would have left them by ``now``."""
    events: list[tuple[Any, ...]] = []
    own = rng.random() < 0.15  # a rep's own `lead add`
    owner = rng.choice(people["rep"])
    marketer = None if own else rng.choice(people["marketer"])
    running = [c for c, starts, ends in campaigns[-200:] if starts <= created < ends] if not own else []
    campaign = rng.choice(running) if running and rng.random() < 0.65 else None
    source = "sales" if own else _pick_source(rng)
    handed = accepted = first_touch = last_touch = closed = None
    stage = amount = reason = None

    def event(at: datetime, actor: int | None, kind: str, before: str | None, after: str, detail: str | None) -> None:
        events.append((1, number, actor, kind, before, after, detail, at))

    if own:
        status, accepted = "accepted", created
        event(created, owner, "add", None, "accepted", None)
    else:
        status, handed = "handed_off", created
        event(created, marketer, "handoff", None, "handed_off", f"Rep {owner}")
        decided = created + _hours(rng, 2.0, 1.1)
        if decided < now:
            if rng.random() < 0.1:
                why = rng.choice(REJECT)
                event(decided, owner, "reject", "handed_off", "rejected", why)
                status, reason = "rejected", why
                again = decided + _hours(rng, 3.0, 0.8)
                if rng.random() < 0.5 and again < now:
                    owner = rng.choice(people["rep"])
                    event(again, marketer, "reassign", "rejected", "handed_off", f"Rep {owner}")
                    status, handed, reason = "handed_off", again, None
                    decided = again + _hours(rng, 2.0, 1.0)
                    if decided < now:
                        event(decided, owner, "accept", "handed_off", "accepted", None)
                        status, accepted = "accepted", decided
            else:
                event(decided, owner, "accept", "handed_off", "accepted", None)
                status, accepted = "accepted", decided
    if status == "accepted" and accepted is not None:
        moment = accepted + _hours(rng, 18.0, 1.0)
        if moment < now and rng.random() < 0.93:
            first_touch = last_touch = moment
            event(moment, owner, "first_touch", "accepted", "accepted", "intro call")
            for _ in range(rng.randint(0, 2)):
                moment += _hours(rng, 72.0, 0.7)
                if moment >= now:
                    break
                last_touch = moment
                event(moment, owner, "touch", "accepted", "accepted", "follow-up")
        reached = rng.choice((0, 0, 1, 1, 2, 2, 3, 4, 5, 6, 7))
        for to in range(1, reached + 1):
            moment += _hours(rng, 60.0, 0.6)
            if moment >= now:
                break
            event(moment, owner, "stage", "accepted", "accepted", f"{stage or '-'}→{to}")
            stage = to
        age_days = (now - created).days
        if rng.random() < min(0.92, age_days / 75):
            moment += _hours(rng, 120.0, 0.7)
            if moment < now:
                won = rng.random() < 0.12 + 0.04 * (stage or 0)
                closed = moment
                if won:
                    amount = float(rng.choice((5, 12, 25, 40, 80, 150))) * 1000
                    status = "won"
                    event(moment, owner, "won", "accepted", "won", f"{amount:,.0f}")
                else:
                    status = "lost"
                    reason = rng.choice(LOSS) + (" and they went quiet" if rng.random() < 0.2 else "")
                    event(moment, owner, "lost", "accepted", "lost", reason)
    nag_due = None
    if status == "handed_off" and handed is not None:
        nag_due = handed + timedelta(hours=4)
    elif status == "accepted":
        nag_due = (last_touch + timedelta(days=7)) if last_touch else ((accepted or created) + timedelta(hours=24))
    ratings: list[tuple[Any, ...]] = []
    if rng.random() < 0.5:
        raters = rng.sample(people["rep"], 2 if rng.random() < 0.2 else 1)
        for rater in raters:
            at = created + _hours(rng, 30.0, 1.0)
            if at < now:
                score = rng.choices(SCORES, SCORE_WEIGHTS)[0]
                tag = rng.choice(QUALITY_TAGS[:1] if score >= 4 else QUALITY_TAGS[1:])
                ratings.append((1, number, rater, score, tag, None, at))
    lead = (
        number, 1, number, f"Company {number}", f"buyer{number}@company{number % 9973}.example", source, campaign,
        owner, marketer, status, stage, amount, reason, created, handed, accepted, first_touch, last_touch, closed,
        nag_due, 0,
    )  # fmt: skip
    return lead, events, ratings


def _tools(
    out: _Writer, rng: random.Random, start: datetime, now: datetime, people: dict[str, list[int]], count: int
) -> int:
    """200 tools and a click for every five leads: opens by reps, a long tail of tools hardly anyone opens."""
    tools = []
    for number in range(1, TOOLS + 1):
        added = start + timedelta(days=rng.random() * (now - start).days * 0.8)
        tools.append((number, 1, number, f"Tool {number}", f"https://example.com/t/{number}", "", "", None,
                      rng.choice(people["marketer"]), None, out.ts(added)))  # fmt: skip
    out.write(
        "tool",
        ("id", "workspace_id", "number", "title", "url", "description", "tags", "campaign_id", "owner_id",
         "removed_at", "created_at"),
        tools,
    )  # fmt: skip
    clicks = _Rows(out, "tool_click", ("workspace_id", "tool_id", "member_id", "at"))
    span = (now - start).total_seconds()
    for n in range(count):
        tool = min(TOOLS, int(rng.paretovariate(1.2)))
        clicks.add(1, tool, rng.choice(people["rep"]), out.ts(start + timedelta(seconds=rng.random() * span)))
        if n % 50_000 == 0:
            clicks.flush()
    clicks.flush()
    return clicks.count
