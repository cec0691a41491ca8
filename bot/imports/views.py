"""What an import says: one message per owner listing their new leads, one post about the leads no rep could
take, and the summary for whoever imported. Pure: built from rows the service read; every piece of the file's
text goes in as a plain span, which each renderer escapes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.replies import Block, Button, Buttons, Mention, Reply, Span, b, code, context, fields, p, section
from bot.imports.report import Duplicate, ImportReport
from bot.leads.lifecycle import describe_status

LISTED = 10  # leads named in a digest; the rest are counted
ASSIGN_BUTTONS = 5  # Slack and Teams both show a row of five comfortably
SUMMARY_ROWS = 20  # refused rows and duplicates named in a chat summary (the command line names every refused one)


@dataclass(frozen=True, slots=True)
class _State:
    status: str
    stage: int | None


@dataclass(frozen=True, slots=True)
class DigestLead:
    number: int
    company: str
    contact_name: str | None
    email: str | None


def _source(by: Mention | None, file_name: str) -> tuple[Span | str, ...]:
    return (by, p(f" imported {file_name}")) if by is not None else (p(f"an import of {file_name}"),)


def owner_digest(
    leads: Sequence[DigestLead], total: int, *, file_name: str, by: Mention | None, accept_hours: int
) -> Reply:
    """An owner's one message for an import: how many leads, the first ten by id, and what to do with them."""
    noun = "lead" if total == 1 else "leads"
    intro: tuple[Span | str, ...] = (
        ("📥 ", by, p(f" handed you {total} new {noun} from the import of {file_name}."))
        if by is not None
        else (p(f"📥 {total} new {noun} for you from an import of {file_name}."),)
    )
    blocks: list[Block] = [section(*intro), *_lines(leads)]
    if total > len(leads):
        blocks.append(context(f"…and {total - len(leads)} more."))
    first = f"L-{leads[0].number}" if leads else "L-1"
    clock = f"within {accept_hours} hour{'s' if accept_hours != 1 else ''}" if accept_hours else "right away"
    blocks.append(
        context(
            f"{'Each one waits' if total > 1 else 'It waits'} for you to accept it {clock}: ",
            code(f"lead accept {first}"),
            p(", or open its card with "),
            code(f"lead show {first}"),
            p(". "),
            code("lead list mine"),
            p(" lists all your open leads."),
        )
    )
    # No buttons: a click in a DM turns the message into its outcome (Slack, Teams), so one Accept would turn
    # the whole list into one lead's card. Each lead's card and its reminders carry its buttons.
    return Reply(blocks=tuple(blocks))


def unassigned_post(
    leads: Sequence[DigestLead], total: int, *, file_name: str, by: Mention | None, manual: bool
) -> Reply:
    """For the marketing channel: the import's leads that have no owner, with an Assign button for the first few."""
    why = "routing is set to manual" if manual else "there is no rep to route them to"
    noun = "lead" if total == 1 else "leads"
    blocks: list[Block] = [
        section(p(f"⚪ {total} {noun} from "), *_source(by, file_name), p(f" have no owner: {why}.")),
        *_lines(leads),
    ]
    if total > len(leads):
        blocks.append(context(f"…and {total - len(leads)} more: `lead list open` shows them."))
    buttons = tuple(
        Button(
            label=f"Assign L-{lead.number}",
            command=f"lead reassign L-{lead.number}",
            prompt="Who should own it? An @name or e-mail address",
        )
        for lead in leads[:ASSIGN_BUTTONS]
    )
    if buttons:
        blocks.append(Buttons(buttons=buttons))
    blocks.append(context("Or type `lead reassign L-<n> to:@rep`. Assigning needs the marketer role."))
    return Reply(blocks=tuple(blocks), visibility="in_channel")


def _lines(leads: Sequence[DigestLead]) -> list[Block]:
    blocks: list[Block] = []
    for lead in leads:
        spans: list[Span] = [b(f"L-{lead.number}"), p(f" {lead.company}")]
        contact = " · ".join(x for x in (lead.contact_name, lead.email) if x)
        if contact:
            spans.append(p(f" — {contact}"))
        blocks.append(section(*spans))
    return blocks


def summary_reply(report: ImportReport, *, every_refusal: bool = False) -> Reply:
    """The answer to whoever imported: what was created, skipped and refused, and how the file was read."""
    created = len(report.imported)
    noun = "lead" if created == 1 else "leads"
    span = _numbers(report.imported)
    if report.dry_run:
        head = section(
            "🔎 Dry run of ",
            b(report.file_name),
            p(f": {created:,} {noun} would be created{span}. Nothing was written."),
        )
    elif created:
        head = section("✅ Imported ", b(f"{created:,} {noun}"), p(f" from {report.file_name}{span}."))
    else:
        head = section("ℹ️ Nothing new in ", b(report.file_name), p(": no lead was created."))
    blocks: list[Block] = [head]
    counted: list[tuple[str, str]] = [
        ("Rows read", f"{report.rows:,}"),
        ("Would be imported" if report.dry_run else "Imported", f"{created:,}"),
        ("Duplicates skipped", f"{len(report.skipped):,}"),
        ("Refused", f"{len(report.refused):,}"),
    ]
    if report.earlier:
        counted.append(("Imported by the interrupted run", f"{report.earlier:,}"))
    blocks.append(fields(*counted))
    if owners := _owners(report):
        blocks.append(section(*owners))
    if report.refused:
        shown = report.refused if every_refusal else report.refused[:SUMMARY_ROWS]
        blocks.append(section(b("Refused rows"), p(" — fix them in the file and import it again:")))
        blocks.extend(_chunks([str(r) for r in shown]))
        if len(shown) < len(report.refused):
            blocks.append(context(f"…and {len(report.refused) - len(shown):,} more refused rows."))
    if report.skipped:
        shown_dups = report.skipped[:SUMMARY_ROWS]
        blocks.append(section(b("Duplicates"), p(" — skipped, nothing changed for them:")))
        blocks.extend(_chunks([_duplicate(d) for d in shown_dups]))
        if len(shown_dups) < len(report.skipped):
            blocks.append(context(f"…and {len(report.skipped) - len(shown_dups):,} more duplicates."))
    blocks.append(context(_how_read(report)))
    return Reply(blocks=tuple(blocks), ok=not report.refused)


def _numbers(numbers: Sequence[int]) -> str:
    if not numbers:
        return ""
    if len(numbers) == 1:
        return f" (L-{numbers[0]})"
    return f" (L-{min(numbers)} to L-{max(numbers)})"


def _owners(report: ImportReport) -> list[Span | str]:
    spans: list[Span | str] = []
    if report.owners:
        shares = ", ".join(f"{name} {count:,}" for name, count in sorted(report.owners.items(), key=lambda x: -x[1]))
        verb = "Would go to" if report.dry_run else "Owners"
        spans.append(p(f"{verb}: {shares}."))
        if not report.dry_run:
            spans.append(p(f" Each owner gets one message listing their new leads ({report.digests} sent)."))
    if report.unassigned:
        where = ""
        if not report.dry_run:
            where = (
                " The marketing channel has been told."
                if report.channel_told
                else " Set `tandem settings marketing_channel` so the team hears about these."
            )
        spans.append(p(f" {report.unassigned:,} without an owner (no rep to route them to).{where}"))
    return spans


def _duplicate(d: Duplicate) -> str:
    if d.of_line is not None:
        return f"line {d.line}: repeats line {d.of_line} ({d.matched})."
    if d.same_file:
        state = describe_status(_State(d.status or "", None))
        return (
            f"line {d.line}: L-{d.number} {d.company} came from an earlier import of this file ({d.matched}; {state})."
        )
    return f"line {d.line}: L-{d.number} {d.company} is already open ({d.matched})."


def _chunks(lines: list[str], size: int = 10) -> list[Block]:
    """Lines in sections of ``size``: a Slack section holds 3,000 characters."""
    return [section(p("\n".join(lines[i : i + size]))) for i in range(0, len(lines), size)]


def _how_read(report: ImportReport) -> str:
    read = ", ".join(f"{field} ← “{heading}”" for heading, field in report.columns)
    text = f"Read as {report.encoding}, {report.delimiter}-separated. Columns: {read}."
    if report.unknown_columns:
        text += " Ignored (not a lead column): " + ", ".join(f"“{c}”" for c in report.unknown_columns) + "."
    return text
