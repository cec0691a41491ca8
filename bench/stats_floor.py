"""The floor for `stats`: the same figures as hand-written SQL statements, run on the raw driver (sqlite3 or
psycopg), with no SQLAlchemy, no service and no Python beyond reading the rows. One statement per figure group:
the leads of both windows (by source, campaign, status and stage, with each lead's `lead add`, score and stage
from the trail), lost and rejected reasons, first decisions, hours to accept and to first touch (median, p90),
SLA breaches now, campaign progress and tool use."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

REASONS = ("price", "competitor", "no-decision", "timing", "product-fit", "budget", "champion-left")
TAGS = ("no-budget", "wrong-persona", "no-need", "bad-timing", "bad-contact", "duplicate", "competitor", "student")


def _sqlite_ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def _tags(column: str, rows: str, words: tuple[str, ...], postgres: bool) -> str:
    """Count the rows naming each tag; each row's text spaced once in a subquery kept apart from the sums."""
    like = "ILIKE" if postgres else "LIKE"
    spaced = f"' ' || replace(replace(replace(coalesce({column}, ''), ',', ' '), '.', ' '), ';', ' ') || ' '"
    parts = [f"sum(CASE WHEN t {like} '% {w} %' THEN 1 ELSE 0 END)" for w in words]
    none = " OR ".join(f"t {like} '% {w} %'" for w in words)
    keep = "OFFSET 0" if postgres else "LIMIT -1"
    return (
        f"SELECT count(*), {', '.join(parts)}, sum(CASE WHEN {none} THEN 0 ELSE 1 END) "
        f"FROM (SELECT {spaced} AS t {rows} {keep}) AS texts"
    )


def statements(postgres: bool) -> dict[str, str]:
    """The floor's statements with named parameters (``:since``, ``:start``, ``:stop`` …)."""
    hours = (
        (lambda a, b: f"extract(epoch FROM {a} - {b}) / 3600.0")
        if postgres
        else (lambda a, b: f"(julianday({a}) - julianday({b})) * 24.0")
    )
    if postgres:
        leads = """
        SELECT l.created_at >= :start AS cur, l.source, l.campaign_id, l.status,
               CASE WHEN l.created_at >= :start THEN coalesce(s.reached, 0) ELSE 0 END AS reached,
               count(*), sum(CASE WHEN a.lead_id IS NULL THEN 0 ELSE 1 END), coalesce(sum(l.amount), 0),
               count(q.score), coalesce(sum(q.score), 0), sum(CASE WHEN q.score <= 2 THEN 1 ELSE 0 END),
               sum(CASE WHEN a.lead_id IS NULL AND l.accepted_at IS NOT NULL AND l.handed_off_at IS NOT NULL
                   THEN 1 ELSE 0 END),
               sum(CASE WHEN a.lead_id IS NULL AND l.first_touch_at IS NOT NULL THEN 1 ELSE 0 END)
        FROM lead l
        LEFT JOIN (SELECT DISTINCT lead_id FROM lead_event WHERE workspace_id = :ws AND kind = 'add'
                   AND created_at >= :since) a ON a.lead_id = l.id
        LEFT JOIN (SELECT lead_id, avg(score) AS score FROM feedback WHERE workspace_id = :ws
                   AND created_at >= :since GROUP BY lead_id) q ON q.lead_id = l.id
        LEFT JOIN (SELECT lead_id, max(nullif(split_part(detail, '→', 2), '')::int) AS reached FROM lead_event
                   WHERE workspace_id = :ws AND kind = 'stage' AND created_at >= :start GROUP BY lead_id) s
               ON s.lead_id = l.id
        WHERE l.workspace_id = :ws AND l.created_at >= :since AND l.created_at < :stop
        GROUP BY 1, 2, 3, 4, 5"""
        timing = f"""
        SELECT l.created_at >= :start,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY {hours("l.accepted_at", "l.handed_off_at")}),
               percentile_cont(0.9) WITHIN GROUP (ORDER BY {hours("l.accepted_at", "l.handed_off_at")}),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY {hours("l.first_touch_at", "l.created_at")}),
               percentile_cont(0.9) WITHIN GROUP (ORDER BY {hours("l.first_touch_at", "l.created_at")})
        FROM lead l
        WHERE l.workspace_id = :ws AND l.created_at >= :since AND l.created_at < :stop
          AND NOT EXISTS (SELECT 1 FROM lead_event e WHERE e.workspace_id = :ws AND e.kind = 'add'
                          AND e.created_at >= :since AND e.lead_id = l.id)
        GROUP BY 1"""
    else:
        leads = """
        SELECT cur, source, campaign_id, status, reached, count(*), sum(own), coalesce(sum(amount), 0),
               count(score), coalesce(sum(score), 0), sum(score <= 2),
               sum(own = 0 AND accepted), sum(own = 0 AND touched)
        FROM (SELECT l.created_at >= :start AS cur, l.source, l.campaign_id, l.status, l.amount,
                     EXISTS (SELECT 1 FROM lead_event e INDEXED BY ix_lead_event_lead_kind
                             WHERE e.lead_id = l.id AND e.kind = 'add') AS own,
                     (SELECT avg(score) FROM feedback f WHERE f.lead_id = l.id) AS score,
                     CASE WHEN l.created_at >= :start AND l.status IN ('accepted', 'won', 'lost') THEN
                          coalesce((SELECT max(CAST(substr(detail, instr(detail, '→') + 1) AS INTEGER))
                                    FROM lead_event s INDEXED BY ix_lead_event_lead_kind
                                    WHERE s.lead_id = l.id AND s.kind = 'stage'), 0) ELSE 0 END AS reached,
                     l.accepted_at IS NOT NULL AND l.handed_off_at IS NOT NULL AS accepted,
                     l.first_touch_at IS NOT NULL AS touched
              FROM lead l INDEXED BY ix_lead_workspace_created
              WHERE l.workspace_id = :ws AND l.created_at >= :since AND l.created_at < :stop LIMIT -1)
        GROUP BY 1, 2, 3, 4, 5"""
        timing = f"""
        WITH v AS (SELECT l.created_at >= :start AS g, {hours("l.accepted_at", "l.handed_off_at")} AS a,
                          {hours("l.first_touch_at", "l.created_at")} AS t
                   FROM lead l INDEXED BY ix_lead_workspace_created
                   WHERE l.workspace_id = :ws AND l.created_at >= :since AND l.created_at < :stop
                     AND (l.accepted_at IS NOT NULL OR l.first_touch_at IS NOT NULL)
                     AND NOT EXISTS (SELECT 1 FROM lead_event e INDEXED BY ix_lead_event_lead_kind
                                     WHERE e.lead_id = l.id AND e.kind = 'add'))
        SELECT g, m, i, x FROM (
          SELECT g, m, x, row_number() OVER (PARTITION BY g, m ORDER BY x) - 1 AS i
          FROM (SELECT g, 0 AS m, a AS x FROM v WHERE a IS NOT NULL
                UNION ALL SELECT g, 1, t FROM v WHERE t IS NOT NULL))
        WHERE (g, m, i) IN (VALUES (1, 0, :a1), (1, 0, :a1 + 1), (1, 0, :a9), (1, 0, :a9 + 1),
                                   (1, 1, :t1), (1, 1, :t1 + 1), (1, 1, :t9), (1, 1, :t9 + 1),
                                   (0, 0, :pa1), (0, 0, :pa1 + 1), (0, 0, :pa9), (0, 0, :pa9 + 1),
                                   (0, 1, :pt1), (0, 1, :pt1 + 1), (0, 1, :pt9), (0, 1, :pt9 + 1))"""
    hint = "" if postgres else " INDEXED BY ix_lead_event_kind_created_lead"
    lead_hint = "" if postgres else " INDEXED BY ix_lead_workspace_status_created"
    sla_hint = "" if postgres else " INDEXED BY ix_lead_open_sla"
    return {
        "leads": leads,
        "timing": timing,
        "losses": _tags(
            "outcome_reason",
            f"FROM lead{lead_hint} WHERE workspace_id = :ws AND status = 'lost' AND created_at >= :start "
            "AND created_at < :stop",
            REASONS,
            postgres,
        ),
        "rejections": _tags(
            "detail",
            f"FROM lead_event{hint} WHERE workspace_id = :ws AND kind = 'reject' AND created_at >= :start "
            "AND created_at < :stop",
            TAGS,
            postgres,
        ),
        "decisions": f"""
        SELECT cur, kind, sum(first) FROM (
          SELECT e.created_at >= :start AS cur, e.kind,
                 CASE WHEN e.id = (SELECT min(d.id) FROM lead_event d
                                   WHERE d.lead_id = e.lead_id AND d.kind IN ('accept', 'reject'))
                      THEN 1 ELSE 0 END AS first
          FROM lead_event e{hint}
          WHERE e.workspace_id = :ws AND e.kind IN ('accept', 'reject') AND e.created_at >= :since
            AND e.created_at < :stop) AS decided
        GROUP BY 1, 2""",
        "breaches": f"""
        SELECT owner_id, count(*) FROM lead{sla_hint}
        WHERE workspace_id = :ws AND status IN ('handed_off', 'accepted', 'unassigned') AND owner_id IS NOT NULL
          AND ((status = 'handed_off' AND coalesce(handed_off_at, created_at) <= :accept_cut)
            OR (status = 'accepted' AND last_touch_at IS NULL AND coalesce(accepted_at, created_at) <= :touch_cut)
            OR (status = 'accepted' AND last_touch_at <= :stale_cut))
        GROUP BY owner_id ORDER BY 2 DESC""",
        "campaigns": """
        SELECT c.id, c.name, c.target,
               (SELECT count(*) FROM lead l WHERE l.workspace_id = c.workspace_id AND l.campaign_id = c.id
                  AND l.created_at < :stop),
               (SELECT count(*) FROM lead l WHERE l.workspace_id = c.workspace_id AND l.campaign_id = c.id
                  AND l.created_at < :stop AND l.status IN ('accepted', 'won', 'lost'))
        FROM campaign c
        WHERE c.workspace_id = :ws AND c.created_at < :stop AND (c.status = 'active' OR c.ends_on >= :first_day)
        ORDER BY c.id DESC LIMIT 12""",
        "tools": """
        SELECT t.id, t.number, t.title, count(k.id) AS opens FROM tool t
        LEFT JOIN tool_click k ON k.tool_id = t.id AND k.at >= :start AND k.at < :stop
             AND (k.member_id IS NULL OR t.owner_id IS NULL OR k.member_id != t.owner_id)
        WHERE t.workspace_id = :ws AND t.removed_at IS NULL
        GROUP BY t.id, t.number, t.title ORDER BY opens DESC, t.number""",
    }


def _positions(count: int) -> tuple[int, int]:
    return (int(0.5 * (count - 1)), int(0.9 * (count - 1))) if count else (-5, -5)


def run_floor(connection: Any, postgres: bool, windows: dict[str, datetime], first_day: Any) -> int:
    """Every floor statement once, on a raw DBAPI connection; returns the rows read (to keep it honest)."""
    sql = statements(postgres)
    now = windows["now"]
    params: dict[str, Any] = {
        "ws": 1,
        "since": windows["since"],
        "start": windows["start"],
        "stop": windows["stop"],
        "accept_cut": now - timedelta(hours=4),
        "touch_cut": now - timedelta(hours=24),
        "stale_cut": now - timedelta(days=7),
        "first_day": first_day,
    }
    if not postgres:
        params = {k: (_sqlite_ts(v) if isinstance(v, datetime) else v) for k, v in params.items()}
        params["first_day"] = first_day.isoformat()
    cursor = connection.cursor()
    rows = 0

    def run(name: str, extra: dict[str, Any] | None = None) -> list[Any]:
        nonlocal rows
        text = sql[name]
        values = {**params, **(extra or {})}
        if postgres:
            text = text.replace("%", "%%")  # psycopg's placeholders are %(name)s: a literal % is doubled
            for key in sorted(values, key=len, reverse=True):
                text = text.replace(f":{key}", f"%({key})s")
        cursor.execute(text, values)
        found = cursor.fetchall()
        rows += len(found)
        return found

    leads = run("leads")
    counts = {(g, m): 0 for g in (0, 1) for m in (0, 1)}
    for row in leads:
        counts[(int(row[0]), 0)] += int(row[11] or 0)
        counts[(int(row[0]), 1)] += int(row[12] or 0)
    extra: dict[str, Any] = {}
    if not postgres:
        for (g, m), n in counts.items():
            prefix = ("" if g else "p") + ("a" if m == 0 else "t")
            extra[f"{prefix}1"], extra[f"{prefix}9"] = _positions(n)
    run("timing", extra)
    for name in ("losses", "rejections", "decisions", "breaches", "campaigns", "tools"):
        run(name)
    cursor.close()
    return rows
