"""Reading a spreadsheet's export of leads (SPEC §5 `tandem import leads`): bytes → which column is which, and
each row with the line it starts on. It touches no database, so a file is read whole before anything is written,
and a file that cannot be read is refused with one message that says how to fix it."""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from bot.core.errors import UsageError

FIELDS = ("company", "email", "name", "source", "campaign", "note", "owner_email")
# Column headings each field is recognised by, beside its own name. Compared without case, spaces, `_`, `-`, `.`.
ALIASES: dict[str, tuple[str, ...]] = {
    "company": ("company name", "organization", "organisation", "account name"),
    "email": ("e-mail", "email address", "e-mail address"),
    "name": ("contact", "contact name", "full name"),
    "source": ("lead source",),
    "campaign": ("campaign name",),
    "note": ("notes",),
    "owner_email": ("owner e-mail", "lead owner email"),
}
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
_SAMPLE = 64 * 1024
_SEPARATORS = re.compile(r"[\s_\-.]+")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


class UnreadableFile(UsageError):
    """The file as a whole cannot be imported (not text, not CSV, no `company` column): nothing is written."""


@dataclass(frozen=True, slots=True)
class Column:
    """A heading of the file as typed, and the field it fills (None: not a column Tandem knows)."""

    position: int
    heading: str
    field: str | None


@dataclass(frozen=True, slots=True)
class RawRow:
    """One data row: the line of the file it starts on (the header is line 1; a cell with line breaks spans
    several lines) and its cells by field, as found (not yet checked)."""

    line: int
    values: dict[str, str]


@dataclass(frozen=True)
class CsvFile:
    file_name: str
    encoding: str
    delimiter: str
    columns: tuple[Column, ...]
    rows: Iterable[RawRow]  # a tuple from read_leads_csv; read as iterated, once, from open_leads_csv

    @property
    def unknown(self) -> tuple[str, ...]:
        """Headings of columns that are ignored."""
        return tuple(c.heading for c in self.columns if c.field is None and c.heading)

    @property
    def delimiter_name(self) -> str:
        return DELIMITERS[self.delimiter]


def heading_key(heading: str) -> str:
    return _SEPARATORS.sub("", heading.strip().lower())


_FIELD_OF = {heading_key(alias): field for field, names in ALIASES.items() for alias in (field, *names)}


def read_leads_csv(data: bytes, file_name: str) -> CsvFile:
    """The whole file, parsed; UnreadableFile when it cannot be imported at all."""
    opened = open_leads_csv(data, file_name)
    return replace(opened, rows=tuple(opened.rows))


def open_leads_csv(data: bytes, file_name: str) -> CsvFile:
    """The file's encoding, delimiter and columns, with its rows read as they are iterated (once): an import
    checks each row as it comes and keeps only what it needs. Iterating may still raise UnreadableFile (a quote
    left open at the end), so the rows are all read before anything is written."""
    text, encoding = decode(data, file_name)
    delimiter = sniff_delimiter(text)
    records = _records(text, delimiter, file_name)
    _, header = next(records, (0, []))
    if not any(cell.strip() for cell in header):
        raise UnreadableFile(
            f"{file_name} has no rows: its first line should name the columns (`company`, `email`, …)."
        )
    columns = _columns(header, file_name)
    return CsvFile(file_name, encoding, delimiter, columns, _rows(records, columns))


def _rows(records: Iterator[tuple[int, list[str]]], columns: tuple[Column, ...]) -> Iterator[RawRow]:
    by_position = [(c.position, c.field) for c in columns if c.field is not None]
    for line, cells in records:
        values = {field: cells[position] for position, field in by_position if position < len(cells)}
        if any(value.strip() for value in values.values()):
            yield RawRow(line, values)


def decode(data: bytes, file_name: str) -> tuple[str, str]:
    """Text and the encoding it was in: UTF-8 with or without a BOM, UTF-16 with a BOM (Excel's "Unicode text")."""
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise UnreadableFile(f"{file_name} is empty. Export the leads with a header row first (`company,email,…`).")
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableFile(
            f"{file_name} is an Excel workbook, not a CSV file. In Excel choose File → Save As → "
            "“CSV UTF-8 (Comma delimited)”, then import that file."
        )
    for bom, codec, label in (
        (b"\xef\xbb\xbf", "utf-8-sig", "UTF-8 with BOM"),
        (b"\xff\xfe", "utf-16", "UTF-16 LE"),
        (b"\xfe\xff", "utf-16", "UTF-16 BE"),
    ):
        if data.startswith(bom):
            try:
                return _text(data.decode(codec), file_name), label
            except UnicodeDecodeError:
                raise UnreadableFile(
                    f"{file_name} starts like {label} text but is not: it may be damaged. Export it again."
                ) from None
    try:
        return _text(data.decode("utf-8"), file_name), "UTF-8"
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise UnreadableFile(
            f"{file_name} is not UTF-8 text (line {line} has the byte 0x{data[error.start]:02X}, which UTF-8 does "
            "not allow). Save it as UTF-8: in Excel, File → Save As → “CSV UTF-8 (Comma delimited)”; Google Sheets "
            "and Numbers always export UTF-8."
        ) from None


def _text(text: str, file_name: str) -> str:
    if "\x00" in text:
        raise UnreadableFile(f"{file_name} is not a text file (it holds NUL bytes). Export the leads as CSV.")
    return text


def sniff_delimiter(text: str) -> str:
    """`,`, `;` or tab: csv.Sniffer's guess on a sample when the header it yields names a `company` column,
    else the delimiter whose header names the most known columns (then the one the first line holds most of)."""
    sample = text[:_SAMPLE]
    if len(text) > _SAMPLE and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    first = _first_record(sample)
    try:
        guess = csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        guess = None
    if guess in DELIMITERS and "company" in _known(first, guess):
        return guess
    return max(DELIMITERS, key=lambda d: (len(_known(first, d)), first.count(d), d == ","))


def _first_record(sample: str) -> str:
    for line in sample.splitlines():
        if line.strip():
            return line
    return ""


def _known(line: str, delimiter: str) -> set[str]:
    cells = next(csv.reader([line], delimiter=delimiter), [])
    return {field for cell in cells if (field := _FIELD_OF.get(heading_key(cell)))}


def _columns(header: list[str], file_name: str) -> tuple[Column, ...]:
    columns = tuple(
        Column(position, heading.strip(), _FIELD_OF.get(heading_key(heading)))
        for position, heading in enumerate(header)
    )
    seen: dict[str, Column] = {}
    for column in columns:
        if column.field is None:
            continue
        if column.field in seen:
            first = seen[column.field]
            raise UnreadableFile(
                f"{file_name} has two columns for the {column.field}: “{first.heading}” (column {first.position + 1}) "
                f"and “{column.heading}” (column {column.position + 1}). Keep one and import it again."
            )
        seen[column.field] = column
    if "company" not in seen:
        named = ", ".join(f"“{c.heading[:40]}”" for c in columns if c.heading) or "no names"
        raise UnreadableFile(
            f"{file_name} has no `company` column, which every lead needs. Its header row (line 1) has {named}. "
            "Name the column of company names `company` (or “Company Name”) and import it again."
        )
    return columns


def _records(text: str, delimiter: str, file_name: str) -> Iterator[tuple[int, list[str]]]:
    """Each non-blank record with the line it starts on. A quote left open runs to the end of the file, which
    would swallow every row after it: that is refused, naming its line."""
    reader = csv.reader(_lines(text), delimiter=delimiter)
    previous = 0
    last_start = 0
    try:
        for cells in reader:
            start, previous = previous + 1, reader.line_num
            if cells:
                last_start = start if previous > start else 0
                yield start, cells
    except csv.Error as error:
        raise UnreadableFile(
            f'{file_name}: line {reader.line_num + 1} cannot be read as CSV ({error}); a quote (") opened and never '
            "closed is the usual cause."
        ) from None
    if last_start and _quote_left_open(text, last_start, delimiter):
        raise UnreadableFile(
            f'{file_name}: line {last_start} opens a quote (") that is never closed, so the rest of the file would '
            "read as one cell. Close the quote and import it again."
        )


def _lines(text: str) -> Iterator[str]:
    """The text's lines with their endings (`\r\n`, `\n` or `\r`), as csv wants them, one at a time: an
    ``io.StringIO`` of the text would hold a second copy of it at four bytes a character."""
    for found in _LINE.finditer(text):
        yield found.group()


def _quote_left_open(text: str, start: int, delimiter: str) -> bool:
    """Whether the last record, starting on line ``start`` and spanning several lines, ends inside a quote: read
    again strictly, it then meets the end of the data. Only the last record is checked, so this is paid once."""
    tail = "".join(itertools.islice(_lines(text), start - 1, None))
    try:
        next(csv.reader(_lines(tail), delimiter=delimiter, strict=True), None)
    except csv.Error:
        return True
    return False
