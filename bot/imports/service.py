"""CSV import of leads (SPEC §5 `tandem import leads`, and the playground's upload): the whole file is read,
checked and matched against the workspace before anything is written; then its new leads are created as hand-offs
a batch per transaction; then each owner is told once.

A run that dies half-way leaves whole batches behind. Running the same file again finds that unfinished import
(by the file's SHA-256), skips the rows it created and finishes it, digests included."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePath

from sqlalchemy import select, update
from sqlmodel import Session, col

from bot.core.clock import Clock
from bot.core.errors import NotAllowed, NotFound
from bot.core.people import has_role, members_with_role
from bot.imports.batch import count_batch, lock_and_route, write_batch
from bot.imports.checks import ImportRow, Refusal, check_row
from bot.imports.leads_csv import CsvFile, open_leads_csv
from bot.imports.leads_csv import UnreadableFile as UnreadableFile
from bot.imports.matching import Candidate, FileKeys, Key, Match, leads_of_imports, open_matches, refresh_statistics
from bot.imports.notify import tell_owners
from bot.imports.report import Duplicate, ImportReport
from bot.imports.resolve import Resolved, resolve
from storage.db import Database
from storage.models import LeadImport, Member, Workspace

BATCH = 500
Progress = Callable[[int, int], None]  # rows handled so far, rows to handle


@dataclass(frozen=True)
class ImportFile:
    file_name: str
    data: bytes


def shown_file_name(raw: str) -> str:
    """The name messages use: the last part of the path only (an operator's directories stay on their
    machine), without control characters, at most 200 characters."""
    name = PurePath(raw.replace("\\", "/")).name or "the file"
    return "".join(ch for ch in name if unicodedata.category(ch) != "Cc")[:200] or "the file"


def import_leads(
    db: Database,
    clock: Clock,
    file: ImportFile,
    *,
    workspace_id: int,
    by_id: int | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    batch_size: int = BATCH,
) -> ImportReport:
    """Import ``file`` into the workspace as hand-offs by ``by_id`` (a marketer or above; None: an operator on the
    command line). Raises UnreadableFile (nothing written) when the file as a whole cannot be imported."""
    name = shown_file_name(file.file_name)
    parsed = open_leads_csv(file.data, name)
    rows, refused, count = _checked(parsed)
    if not count:
        raise UnreadableFile(f"{name} has a header row but no leads under it.")
    content_hash = hashlib.sha256(file.data).hexdigest()
    with db.session() as session:
        by = _importer(session, workspace_id, by_id)
        resolved = resolve(session, workspace_id, rows)
        same_file = _imports_of(session, workspace_id, content_hash)
        earlier = leads_of_imports(session, workspace_id, [import_id for import_id, _ in same_file])
    same_file_ids = frozenset(import_id for import_id, _ in same_file)
    del rows  # the candidates hold what is left to write
    report = ImportReport(
        file_name=name,
        encoding=parsed.encoding,
        delimiter=parsed.delimiter_name,
        columns=[(c.heading, c.field) for c in parsed.columns if c.field is not None],
        unknown_columns=list(parsed.unknown),
        rows=count,
        dry_run=dry_run,
        by=by.display_name if by is not None else None,
    )
    report.refused = sorted(refused + resolved.refused, key=lambda r: r.line)
    if dry_run:
        _rehearse(db, workspace_id, resolved, (earlier, same_file_ids), report, batch_size, progress)
        return report
    resumed = next((import_id for import_id, finished in same_file if not finished), None)
    import_id = resumed if resumed is not None else _start(db, clock, workspace_id, name, content_hash, by_id, report)
    report.import_id, report.resumed = import_id, resumed is not None
    seen = FileKeys()
    todo = resolved.candidates
    for start in range(0, len(todo), batch_size):
        chunk = todo[start : start + batch_size]
        with db.session() as session:
            refresh_statistics(session)
            router = lock_and_route(session, workspace_id)
            matches = open_matches(session, workspace_id, chunk)
            fresh, duplicates = _sort(chunk, matches, earlier, seen, import_id, same_file_ids)
            written = write_batch(
                session,
                clock.now(),
                workspace_id=workspace_id,
                rows=fresh,
                router=router,
                owner_names=resolved.owner_names,
                by_id=by_id,
                import_id=import_id,
            )
            count_batch(session, workspace_id, import_id, imported=len(written), duplicates=len(duplicates))
        names = {**router.names, **resolved.owner_names}
        _tally(report, [(w.number, names.get(w.owner_id) if w.owner_id else None) for w in written], duplicates)
        if progress is not None:
            progress(start + len(chunk), len(todo))
    with db.session() as session:
        importer = session.get(Member, by_id) if by_id is not None else None
        told = tell_owners(session, clock, workspace_id=workspace_id, import_id=import_id, file_name=name, by=importer)
        session.execute(
            update(LeadImport)
            .where(col(LeadImport.id) == import_id, col(LeadImport.workspace_id) == workspace_id)
            .values(finished_at=clock.now(), rows=report.rows, refused=len(report.refused))
        )
    report.digests, report.channel_told = told.digests, told.channel_told
    return report


def _checked(parsed: CsvFile) -> tuple[list[ImportRow], list[Refusal], int]:
    """Every row checked as it is read, keeping only the checked rows: the raw cells are not held."""
    rows: list[ImportRow] = []
    refused: list[Refusal] = []
    count = 0
    for raw in parsed.rows:
        count += 1
        checked = check_row(raw)
        if isinstance(checked, Refusal):
            refused.append(checked)
        else:
            rows.append(checked)
    return rows, refused, count


def _importer(session: Session, workspace_id: int, by_id: int | None) -> Member | None:
    """The member importing, who needs the role `lead handoff` needs."""
    if by_id is None:
        return None
    member = session.get(Member, by_id)
    if member is None or member.workspace_id != workspace_id:
        raise NotFound("That person is not a member of this workspace.")
    if not has_role(member, "marketer"):
        admins = members_with_role(session, workspace_id, "admin")
        names = ", ".join("@" + a.display_name for a in admins[:3]) or "an admin (listed in TANDEM_ADMINS)"
        raise NotAllowed(
            f"Importing leads needs the marketer role; you are a {member.role}. "
            f"{names} can grant it with `tandem role @you marketer`."
        )
    return member


def _imports_of(session: Session, workspace_id: int, content_hash: str) -> list[tuple[int, bool]]:
    """Earlier imports of the same bytes into this workspace: (id, finished), oldest first."""
    rows = session.execute(
        select(LeadImport.id, LeadImport.finished_at)  # type: ignore[call-overload]
        .where(col(LeadImport.workspace_id) == workspace_id, col(LeadImport.content_hash) == content_hash)
        .order_by(col(LeadImport.id))
    ).all()
    return [(import_id, finished is not None) for import_id, finished in rows]


def _start(
    db: Database,
    clock: Clock,
    workspace_id: int,
    name: str,
    content_hash: str,
    by_id: int | None,
    report: ImportReport,
) -> int:
    """The import's own record, committed before its first batch so a crash leaves it to be resumed."""
    with db.session() as session:
        row = LeadImport(
            workspace_id=workspace_id,
            file_name=name,
            content_hash=content_hash,
            by_id=by_id,
            rows=report.rows,
            refused=len(report.refused),
            started_at=clock.now(),
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        return row.id


def _sort(
    chunk: Sequence[Candidate],
    matches: dict[Key, Match],
    earlier: dict[Key, Match],
    seen: FileKeys,
    import_id: int | None,
    same_file_ids: frozenset[int],
) -> tuple[list[Candidate], list[Duplicate]]:
    """The rows of ``chunk`` to create, and those skipped (SPEC §3 Duplicates): a row repeating an earlier row of
    the file, matching an open lead, or matching a lead an earlier import of this same file created. ``seen``
    carries the file's keys from batch to batch."""
    fresh: list[Candidate] = []
    duplicates: list[Duplicate] = []
    for row in chunk:
        key = row.key
        matched = row.new.email or row.new.company
        if (of_line := seen.line_of(key)) is not None:
            duplicates.append(Duplicate(row.line, matched, of_line=of_line))
            continue
        hit = matches.get(key) or earlier.get(key)
        if hit is not None:
            again = import_id is not None and hit.import_id == import_id
            same = hit.import_id in same_file_ids
            duplicates.append(
                Duplicate(row.line, matched, hit.number, hit.company, hit.status, earlier_run=again, same_file=same)
            )
            continue
        fresh.append(row)
        seen.add(row)
    return fresh, duplicates


def _tally(report: ImportReport, created: list[tuple[int, str | None]], duplicates: list[Duplicate]) -> None:
    for number, owner in created:
        report.imported.append(number)
        if owner is None:
            report.unassigned += 1
        else:
            report.owners[owner] = report.owners.get(owner, 0) + 1
    report.duplicates.extend(duplicates)


def _rehearse(
    db: Database,
    workspace_id: int,
    resolved: Resolved,
    same_file: tuple[dict[Key, Match], frozenset[int]],
    report: ImportReport,
    batch_size: int,
    progress: Progress | None,
) -> None:
    """A dry run: the same checks, matches and round-robin as the import, in memory, writing nothing."""
    earlier, same_file_ids = same_file
    seen = FileKeys()
    todo = resolved.candidates
    with db.session() as session:
        refresh_statistics(session)
        router = lock_and_route(session, workspace_id, lock=False)
        next_number = session.execute(
            select(Workspace.lead_seq).where(col(Workspace.id) == workspace_id)  # type: ignore[call-overload]
        ).scalar_one()
        for start in range(0, len(todo), batch_size):
            chunk = todo[start : start + batch_size]
            matches = open_matches(session, workspace_id, chunk)
            fresh, duplicates = _sort(chunk, matches, earlier, seen, None, same_file_ids)
            created = []
            for row in fresh:
                next_number += 1
                owner_id = row.owner_id if row.owner_id is not None else router.next()
                names = {**router.names, **resolved.owner_names}
                created.append((next_number, names.get(owner_id) if owner_id is not None else None))
            _tally(report, created, duplicates)
            if progress is not None:
                progress(start + len(chunk), len(todo))
        session.rollback()
