"""`intel` commands (SPEC §3 "intel"): file a note, show a competitor, list them all. Each handler asks the
service, then the view."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.admin.settings import get_setting
from bot.core.commands import CommandSpec
from bot.core.context import Context
from bot.core.errors import NotFound, UsageError
from bot.core.grammar import Word
from bot.core.outbox import enqueue_channel
from bot.core.people import mentions
from bot.core.replies import Mention, Reply
from bot.intel import names, service, views
from bot.intel.names import Known
from bot.intel.views import SUMMARY, USAGE

SHOWN = 10  # notes on `intel show`
LISTED = 20  # competitors on `intel list`
CLOSEST = 8  # names offered when a competitor is unknown
_NEW = "new:yes"


def _zone(ctx: Context) -> ZoneInfo:
    """The reader's own time zone when known and valid, else the workspace's, else UTC."""
    for name in (ctx.me.timezone, get_setting(ctx.session, ctx.workspace_id, "timezone")):
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def _month_start(now: datetime, zone: ZoneInfo) -> datetime:
    local = now.astimezone(zone)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


def _arg_words(ctx: Context, args: list[str]) -> list[Word]:
    """The words after the command's own, as the grammar read them (quoted or not)."""
    return ctx.command.words[len(ctx.command.words) - len(args) :] if args else []


def _note_text(words: list[Word]) -> str:
    """The note as typed, give or take spacing: quoted passages keep their quotes."""
    return " ".join(f'"{w.text}"' if w.quoted else w.text for w in words).strip()


def overview(ctx: Context, args: list[str]) -> Reply:
    return views.overview()


def file_note(ctx: Context, args: list[str]) -> Reply:
    """`intel <competitor> <note>`; with no note, the competitor's notes (`intel Globex`)."""
    if not args:
        return views.overview()
    words = _arg_words(ctx, args)
    new = any(not w.quoted and w.text.lower() == _NEW for w in words)
    words = [w for w in words if w.quoted or w.text.lower() != _NEW]
    if not words:
        return views.overview()
    known = service.known(ctx.session, ctx.workspace_id)
    taken = 1 if words[0].quoted else names.leading_name([w.text for w in words], known)
    typed = " ".join(w.text for w in words[:taken])
    note = _note_text(words[taken:])
    if not note:
        return _show(ctx, typed, known)
    if note.lower() == "help":
        return views.overview()
    name = names.check(typed, USAGE["file"])
    if len(note) > service.MAX_NOTE:
        raise UsageError(
            f"That note is {len(note):,} characters long; the limit is {service.MAX_NOTE:,}. "
            "Keep the facts: what was said, by whom, and for which deal.",
            usage=USAGE["file"],
        )
    competitor, closest = _filing_under(known, name, new=new)
    if competitor is None:
        competitor = service.ensure_competitor(ctx.session, ctx.clock, ctx.workspace_id, name)
    note_id = service.add_note(
        ctx.session,
        ctx.clock,
        workspace_id=ctx.workspace_id,
        competitor_id=competitor.id,
        member_id=ctx.me.id,
        text=note,
    )
    tally = service.tally(ctx.session, ctx.workspace_id, competitor.id, _month_start(ctx.clock.now(), _zone(ctx)))
    posted = _tell_marketing(ctx, note_id, competitor.name, note, tally)
    return views.filed(views.Filed(competitor.name, name.name if closest else None, tally, posted))


def _filing_under(known: list[Known], name: names.Name, *, new: bool) -> tuple[Known | None, bool]:
    """The existing competitor a note goes under (and whether that took a close spelling), or None for a new
    one. Never a silent guess: only one very close name is taken, and the answer says so."""
    same = names.exact(known, name.key)
    if same is not None or new:
        return same, False
    close = names.close(known, name.key)
    if len(close) == 1:
        return close[0], True
    if close:
        listed = " or ".join(f"“{c.name}”" for c in close[:3])
        raise UsageError(
            f"“{name.name}” is close to {listed}: type the one you mean, or add `new:yes` to start a new "
            "competitor with the name as you typed it.",
            usage=USAGE["file"],
        )
    return None, False


def _tell_marketing(ctx: Context, note_id: int, competitor: str, note: str, tally: service.Tally) -> bool:
    """The marketing channel's post, in this command's transaction; False when no channel is set."""
    channel = get_setting(ctx.session, ctx.workspace_id, "marketing_channel")
    if not channel:
        return False
    author = mentions(ctx.session, ctx.workspace_id, [ctx.me.id]).get(ctx.me.id, Mention(name=ctx.me.display_name))
    enqueue_channel(
        ctx.session,
        ctx.clock,
        workspace_id=ctx.workspace_id,
        channel=channel,
        reply=views.channel_post(competitor, note, author, tally),
        kind="intel",
        key=f"n{note_id}",
        changes=ctx.changes,
    )
    return True


def show(ctx: Context, args: list[str]) -> Reply:
    if not args:
        raise UsageError(
            "Which competitor? For example `intel show Globex`; `intel list` shows them all.", usage=USAGE["show"]
        )
    return _show(ctx, " ".join(args), service.known(ctx.session, ctx.workspace_id))


def _show(ctx: Context, typed: str, known: list[Known]) -> Reply:
    name = names.check(typed, USAGE["show"])
    competitor = names.exact(known, name.key)
    nearly = False
    if competitor is None:
        close = names.close(known, name.key)
        competitor = close[0] if len(close) == 1 else names.unique_prefix(known, name.key)
        nearly = competitor is not None
    if competitor is None:
        closest = [c.name for c in names.closest_first(known, name.key, CLOSEST)]
        raise NotFound(views.unknown(name.name, closest))
    zone = _zone(ctx)
    tally = service.tally(ctx.session, ctx.workspace_id, competitor.id, _month_start(ctx.clock.now(), zone))
    rows = service.latest_notes(ctx.session, ctx.workspace_id, competitor.id, SHOWN)
    authors = mentions(ctx.session, ctx.workspace_id, (row.member_id for row in rows))
    notes = [
        views.ShownNote(row.text, authors.get(row.member_id) if row.member_id is not None else None, row.created_at)
        for row in rows
    ]
    return views.notes_page(competitor.name, notes, tally, zone, typed=name.name if nearly else None)


def list_competitors(ctx: Context, args: list[str]) -> Reply:
    if args:
        raise UsageError(
            "`intel list` shows every competitor and takes nothing after it. To read one: `intel show <competitor>`.",
            usage=USAGE["list"],
        )
    rows = service.board(ctx.session, ctx.workspace_id)
    return views.board(rows, _zone(ctx), ctx.clock.now(), limit=LISTED)


def specs() -> list[CommandSpec]:
    summary = SUMMARY["file"] + "; also `intel show`, `intel list` (`help intel` shows them)"
    return [
        CommandSpec(("intel",), file_note, "rep", USAGE["file"], summary, free_text=True),
        CommandSpec(("intel", "show"), show, "rep", USAGE["show"], SUMMARY["show"], free_text=True),
        CommandSpec(("intel", "list"), list_competitors, "rep", USAGE["list"], SUMMARY["list"]),
        CommandSpec(("intel", "help"), overview, "rep", USAGE["help"], SUMMARY["help"]),
    ]
