"""Sales tools: publishing, removing, browsing and the clicks that show marketing what sales uses.
Reads and writes only; the replies are built in views.py.

Usage means opens by anyone but the tool's own owner (a marketer checking their link is not sales using it);
anonymous opens count, since nobody can tell whose they were."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Row, Select, and_, bindparam, func, or_
from sqlalchemy import select as core_select
from sqlalchemy.sql.elements import ColumnElement, Label
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from bot.core import numbering
from bot.core.clock import Clock
from bot.core.errors import NotAllowed, NotFound, UsageError
from bot.core.people import MemberFacts, has_role
from bot.tools.checks import NewTool
from bot.tools.links import Claims
from storage.models import Campaign, Member, Tool, ToolClick

_TOOLS = Tool.__table__  # type: ignore[attr-defined]
_CLICKS = ToolClick.__table__  # type: ignore[attr-defined]


def next_number(session: Session, workspace_id: int) -> int:
    """Per-workspace ``T-<n>``."""
    return numbering.next_number(session, workspace_id, "tool_seq")


def parse_id(raw: str) -> int:
    text = raw.strip().upper()
    text = text[2:] if text.startswith("T-") else text[1:] if text.startswith("T") else text
    if not (text.isascii() and text.isdigit()) or len(text) > 12:
        raise UsageError(f"`{raw[:40]}` is not a tool id; tool ids look like `T-4` (`tool list` shows them).")
    return int(text)


def same_url(session: Session, workspace_id: int, url: str) -> Tool | None:
    return session.exec(_live(workspace_id).where(Tool.url == url)).first()


def publish(session: Session, clock: Clock, *, workspace_id: int, owner: Member, new: NewTool) -> Tool:
    existing = same_url(session, workspace_id, new.url)
    if existing is not None:
        raise UsageError(
            f"That link is already published as T-{existing.number} “{existing.title}”. "
            f"Remove it first (`tool remove T-{existing.number}`) to publish it again."
        )
    tool = Tool(
        workspace_id=workspace_id,
        number=next_number(session, workspace_id),
        title=new.title,
        url=new.url,
        description=new.description,
        tags=",".join(new.tags),
        campaign_id=new.campaign.id if new.campaign else None,
        owner_id=owner.id,
        created_at=clock.now(),
    )
    session.add(tool)
    session.flush()
    return tool


def _live(workspace_id: int) -> SelectOfScalar[Tool]:
    return select(Tool).where(Tool.workspace_id == workspace_id, col(Tool.removed_at).is_(None))


def get(session: Session, workspace_id: int, raw_id: str, *, for_update: bool = False) -> Tool:
    """A tool of this workspace by ``T-<n>``; a removed one is gone for every command."""
    number = parse_id(raw_id)
    query = select(Tool).where(Tool.workspace_id == workspace_id, Tool.number == number)
    tool = session.exec(query.with_for_update() if for_update else query).first()
    if tool is None:
        raise NotFound(f"There is no tool T-{number} here. `tool list` shows the tools, `tool <words>` finds one.")
    if tool.removed_at is not None:
        raise NotFound(f"T-{number} “{tool.title}” was removed on {tool.removed_at:%d %b %Y}.")
    return tool


def remove(session: Session, clock: Clock, tool: Tool, actor: MemberFacts, actor_id: int) -> None:
    """The owner removes their own tool; a manager or admin any."""
    if tool.owner_id != actor_id and not has_role(actor, "manager"):
        owner = session.get(Member, tool.owner_id) if tool.owner_id else None
        whose = f"{owner.display_name}'s" if owner else "someone else's"
        raise NotAllowed(f"T-{tool.number} is {whose}; you can remove your own tools, and a manager can remove any.")
    tool.removed_at = clock.now()
    session.add(tool)
    session.flush()


def _used() -> ColumnElement[bool]:
    """The join condition of a click in ``[:since, :until)`` that counts as use of its tool (see the module
    docstring)."""
    return and_(
        _CLICKS.c.tool_id == _TOOLS.c.id,
        _CLICKS.c.at >= bindparam("since"),  # (tool_id, at) index
        _CLICKS.c.at < bindparam("until"),
        or_(_CLICKS.c.member_id.is_(None), _TOOLS.c.owner_id.is_(None), _CLICKS.c.member_id != _TOOLS.c.owner_id),
    )


EVER = datetime(1970, 1, 1, tzinfo=UTC)
NEVER = datetime(9999, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class ToolRow:
    """A tool as lists and cards show it, with its use."""

    tool_id: int
    number: int
    title: str
    description: str
    tags: tuple[str, ...]
    campaign: str | None
    owner_id: int | None
    created_at: datetime
    opens: int = 0
    last_opened: datetime | None = None

    @property
    def label(self) -> str:
        return f"T-{self.number}"


_CAMPAIGNS = Campaign.__table__  # type: ignore[attr-defined]
_ROW_COLUMNS = (
    _TOOLS.c.id,
    _TOOLS.c.number,
    _TOOLS.c.title,
    _TOOLS.c.description,
    _TOOLS.c.tags,
    _CAMPAIGNS.c.name,
    _TOOLS.c.owner_id,
    _TOOLS.c.created_at,
)


def _usage_query() -> tuple[Select[Any], Label[int]]:
    """Live tools of ``:workspace`` with their campaign's name, their opens since ``:since`` and the latest. Built
    once: building a statement costs more than running it here."""
    opens = func.count(_CLICKS.c.id).label("opens")
    return (
        core_select(*_ROW_COLUMNS, opens, func.max(_CLICKS.c.at).label("last_opened"))
        .select_from(
            _TOOLS.outerjoin(
                _CAMPAIGNS,
                and_(_CAMPAIGNS.c.id == _TOOLS.c.campaign_id, _CAMPAIGNS.c.workspace_id == _TOOLS.c.workspace_id),
            ).outerjoin(_CLICKS, _used())
        )
        .where(_TOOLS.c.workspace_id == bindparam("workspace"), _TOOLS.c.removed_at.is_(None))
        .group_by(*_ROW_COLUMNS)
    ), opens


_USAGE, _OPENS = _usage_query()
# by (workspace, number): the unique key, which every planner takes (by id, SQLite scanned the workspace's tools)
_BY_NUMBERS = _USAGE.where(_TOOLS.c.number.in_(bindparam("numbers", expanding=True)))
_BROWSE = _USAGE.order_by(_OPENS.desc(), _TOOLS.c.title, _TOOLS.c.number).limit(bindparam("limit"))
_COUNT = (
    core_select(func.count())
    .select_from(_TOOLS)
    .where(_TOOLS.c.workspace_id == bindparam("workspace"), _TOOLS.c.removed_at.is_(None))
)


def _params(
    workspace_id: int, since: datetime | None = None, until: datetime | None = None, **more: Any
) -> dict[str, Any]:
    return {"workspace": workspace_id, "since": since or EVER, "until": until or NEVER, **more}


def _rows(result: Iterable[Row[Any]]) -> list[ToolRow]:
    out = []
    for row in result:
        tool_id, number, title, description, tags, campaign, owner_id, created_at, opens, last = tuple(row)
        out.append(
            ToolRow(
                tool_id,
                number,
                title,
                description or "",
                tuple(t for t in tags.split(",") if t),
                campaign,
                owner_id,
                created_at,
                int(opens or 0),
                last,
            )
        )
    return out


def rows_by_number(
    session: Session, workspace_id: int, numbers: list[int], since: datetime | None = None
) -> list[ToolRow]:
    """The live tools ``T-<numbers>`` of this workspace, in the order given, with their use since ``since``."""
    if not numbers:
        return []
    rows = _rows(session.execute(_BY_NUMBERS, _params(workspace_id, since, numbers=numbers)))
    found = {row.number: row for row in rows}
    return [found[n] for n in numbers if n in found]


def browse(session: Session, workspace_id: int, *, tag: str | None, limit: int) -> tuple[int, list[ToolRow]]:
    """Live tools, most opened first, optionally with one tag; and how many there are in all."""
    query, count = _BROWSE, _COUNT
    if tag:
        query, count = query.where(_has_tag(tag)), count.where(_has_tag(tag))
    total = int(session.execute(count, {"workspace": workspace_id}).scalar_one())
    return total, _rows(session.execute(query, _params(workspace_id, limit=limit)))


def _has_tag(tag: str) -> ColumnElement[bool]:
    """Tags are stored normalised (``a,b``: letters, digits and dashes), so a tag is found between commas."""
    holds: ColumnElement[bool] = ("," + _TOOLS.c.tags + ",").contains(f",{tag},", autoescape=True)
    return holds


@dataclass(frozen=True, slots=True)
class ToolUsage:
    """A tool's opens in a period, for stats (``{"id": "T-1", "title": "…", "clicks": 3}``)."""

    tool_id: int
    number: int
    title: str
    clicks: int

    @property
    def id(self) -> str:
        return f"T-{self.number}"


_MOST_USED = _USAGE.having(_OPENS > 0).order_by(_OPENS.desc(), _TOOLS.c.number).limit(bindparam("limit"))
_LEAST_USED = (
    _USAGE.where(_TOOLS.c.created_at < bindparam("until"))
    .order_by(_OPENS, _TOOLS.c.created_at, _TOOLS.c.number)
    .limit(bindparam("limit"))
)


def _usage(
    session: Session, workspace_id: int, since: datetime, until: datetime | None, limit: int, *, most: bool
) -> list[ToolUsage]:
    query = _MOST_USED if most else _LEAST_USED
    return [
        ToolUsage(row.tool_id, row.number, row.title, row.opens)
        for row in _rows(session.execute(query, _params(workspace_id, since, until, limit=limit)))
    ]


def most_used(
    session: Session, workspace_id: int, since: datetime, limit: int = 5, *, until: datetime | None = None
) -> list[ToolUsage]:
    """Live tools opened in ``[since, until)``, most opens first (tools nobody opened are left out)."""
    return _usage(session, workspace_id, since, until, limit, most=True)


def least_used(
    session: Session, workspace_id: int, since: datetime, limit: int = 5, *, until: datetime | None = None
) -> list[ToolUsage]:
    """Live tools with the fewest opens in ``[since, until)`` (none counts), the longest-published first. A
    tool published after ``until`` is not among them: it could not be opened then."""
    return _usage(session, workspace_id, since, until, limit, most=False)


def for_campaign(session: Session, workspace_id: int, campaign_id: int) -> list[ToolRow]:
    """The live tools linked to a campaign, most opened first (for `campaign why`)."""
    query = _USAGE.where(_TOOLS.c.campaign_id == bindparam("campaign")).order_by(_OPENS.desc(), _TOOLS.c.number)
    return _rows(session.execute(query, _params(workspace_id, campaign=campaign_id)))


def favourites(session: Session, workspace_id: int, member_id: int, limit: int = 5) -> list[ToolRow]:
    """The live tools this member opens most (their own clicks), for their home page."""
    mine = (
        core_select(_TOOLS.c.number)
        .select_from(_CLICKS.join(_TOOLS, _TOOLS.c.id == _CLICKS.c.tool_id))
        .where(
            _CLICKS.c.workspace_id == workspace_id,
            _CLICKS.c.member_id == member_id,
            _TOOLS.c.workspace_id == workspace_id,
            _TOOLS.c.removed_at.is_(None),
        )
        .group_by(_TOOLS.c.number)
        .order_by(func.count().desc(), func.max(_CLICKS.c.at).desc())
        .limit(limit)
    )
    return rows_by_number(session, workspace_id, [int(number) for (number,) in session.execute(mine)])


def open_link(
    session: Session, clock: Clock, tool_id: int, claims: Claims | None, *, counted: bool = True
) -> str | None:
    """Count a click on ``GET /t/<id>`` and return where it goes; None for an unknown or removed tool. A token
    counts for its person only when it names this tool's workspace and a member of it; otherwise anonymous.
    ``counted`` False: a link preview, which is answered but not counted."""
    found = session.execute(
        core_select(_TOOLS.c.workspace_id, _TOOLS.c.url).where(_TOOLS.c.id == tool_id, _TOOLS.c.removed_at.is_(None))
    ).first()
    if found is None:
        return None
    workspace_id, url = found
    member_id = None
    if claims is not None and claims.workspace_id == workspace_id:
        member = session.get(Member, claims.member_id)
        member_id = member.id if member is not None and member.workspace_id == workspace_id else None
    if counted:
        session.add(ToolClick(workspace_id=workspace_id, tool_id=tool_id, member_id=member_id, at=clock.now()))
    return str(url)


def stale(
    session: Session, workspace_id: int, now: datetime, days: int, *, owner_id: int | None = None
) -> list[ToolRow]:
    """Live tools published at least ``days`` ago that nobody has opened for ``days`` (or ever), oldest first."""
    cutoff = now - timedelta(days=days)
    query = _USAGE.where(_TOOLS.c.created_at <= cutoff).having(
        or_(func.max(_CLICKS.c.at).is_(None), func.max(_CLICKS.c.at) < cutoff)
    )
    if owner_id is not None:
        query = query.where(_TOOLS.c.owner_id == owner_id)
    query = query.order_by(_TOOLS.c.owner_id, _TOOLS.c.created_at, _TOOLS.c.number)
    return _rows(session.execute(query, _params(workspace_id)))


def workspaces_with_old_tools(session: Session, now: datetime, days: int) -> list[int]:
    """Where the staleness job has anything to look at (the job's one query across workspaces)."""
    cutoff = now - timedelta(days=days)
    query = (
        core_select(_TOOLS.c.workspace_id)
        .where(_TOOLS.c.removed_at.is_(None), _TOOLS.c.created_at <= cutoff)
        .group_by(_TOOLS.c.workspace_id)
        .order_by(_TOOLS.c.workspace_id)
    )
    return [int(workspace_id) for (workspace_id,) in session.execute(query)]
