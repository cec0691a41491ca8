"""What an import did (or, in a dry run, would do): the numbers the summary shows, each skipped or refused row
named by its line."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.imports.checks import Refusal


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A row skipped because its lead exists: ``number`` is the lead it matched (in the database), or ``of_line``
    the earlier row of the file it repeats. ``same_file``: the lead came from an earlier import of these same
    bytes. ``earlier_run``: this very import created it before it was interrupted."""

    line: int
    matched: str  # the e-mail or company compared
    number: int | None = None
    company: str | None = None
    status: str | None = None
    of_line: int | None = None
    earlier_run: bool = False
    same_file: bool = False


@dataclass
class ImportReport:
    file_name: str
    encoding: str
    delimiter: str  # "comma", "semicolon", "tab"
    columns: list[tuple[str, str]]  # (heading as typed, field) of the columns read
    unknown_columns: list[str]
    rows: int  # data rows that were not blank
    dry_run: bool
    by: str | None = None  # who imported (a member's name), None for an operator
    import_id: int | None = None
    imported: list[int] = field(default_factory=list)  # lead numbers created (in a dry run: that would be)
    duplicates: list[Duplicate] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    owners: dict[str, int] = field(default_factory=dict)  # owner's name → leads they got
    unassigned: int = 0
    digests: int = 0  # owners sent their one message
    channel_told: bool = False
    resumed: bool = False  # this run finished an import of the same file that had been interrupted

    @property
    def earlier(self) -> int:
        """Rows an interrupted run of this import had already created."""
        return sum(1 for d in self.duplicates if d.earlier_run)

    @property
    def skipped(self) -> list[Duplicate]:
        return [d for d in self.duplicates if not d.earlier_run]
