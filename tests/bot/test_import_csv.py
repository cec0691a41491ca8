"""Reading the spreadsheet (SPEC §5 `tandem import leads`): what Excel, Google Sheets and Numbers export — UTF-8
with or without a BOM, UTF-16 "Unicode text", `,` `;` or tab — headings matched loosely, every row named by the
line it starts on, and rows that cannot be leads refused with the reason."""

from __future__ import annotations

import pytest

from bot.imports.checks import ImportRow, Refusal, check_row
from bot.imports.leads_csv import CsvFile, UnreadableFile, read_leads_csv


def read(text: str | bytes, name: str = "leads.csv") -> CsvFile:
    return read_leads_csv(text.encode() if isinstance(text, str) else text, name)


def checked(text: str) -> list[ImportRow | Refusal]:
    return [check_row(row) for row in read(text).rows]


def refusals(text: str) -> list[str]:
    return [str(r) for r in checked(text) if isinstance(r, Refusal)]


def test_a_plain_utf8_file_is_read_with_its_line_numbers() -> None:
    parsed = read("company,email,name\nAcme,jo@acme.com,Jo\nGlobex,,Gus\n")
    assert (parsed.encoding, parsed.delimiter_name) == ("UTF-8", "comma")
    assert [(r.line, r.values["company"]) for r in parsed.rows] == [(2, "Acme"), (3, "Globex")]


def test_excel_csv_utf8_with_a_bom_and_crlf_line_ends() -> None:
    parsed = read("company,note\r\nCafé Crème,très bien\r\n".encode("utf-8-sig"))
    assert parsed.encoding == "UTF-8 with BOM"
    assert parsed.columns[0].field == "company"  # the BOM is not part of the first heading
    assert parsed.rows[0].values == {"company": "Café Crème", "note": "très bien"}


@pytest.mark.parametrize(("codec", "label"), [("utf-16-le", "UTF-16 LE"), ("utf-16-be", "UTF-16 BE")])
def test_excel_unicode_text_is_utf16_and_tab_separated(codec: str, label: str) -> None:
    bom = "\ufeff".encode(codec)
    parsed = read(bom + "Company\tE-mail\tNotes\nMüller GmbH\tm@mueller.de\tRückruf, bitte\n".encode(codec))
    assert (parsed.encoding, parsed.delimiter_name) == (label, "tab")
    assert parsed.rows[0].values == {"company": "Müller GmbH", "email": "m@mueller.de", "note": "Rückruf, bitte"}


def test_a_semicolon_file_from_a_european_excel() -> None:
    parsed = read("Company;Email;Note\nAcme;jo@acme.com;prix: 1,5 M€\nGlobex;g@globex.com;a, b, c\n")
    assert parsed.delimiter_name == "semicolon"
    assert parsed.rows[0].values["note"] == "prix: 1,5 M€"


def test_the_delimiter_is_found_even_when_the_sniffer_is_fooled() -> None:
    # commas in every note would make the sniffer vote for commas; the header says semicolons
    parsed = read("company;note\nAcme;a,b,c,d\nGlobex;e,f,g,h\n")
    assert parsed.delimiter_name == "semicolon" and parsed.rows[1].values == {"company": "Globex", "note": "e,f,g,h"}


@pytest.mark.parametrize(
    ("heading", "field"),
    [
        ("Company Name", "company"),
        ("  COMPANY ", "company"),
        ("Organisation", "company"),
        ("E-mail", "email"),
        ("Email Address", "email"),
        ("email_address", "email"),
        ("Contact Name", "name"),
        ("Full name", "name"),
        ("Lead Source", "source"),
        ("Campaign Name", "campaign"),
        ("Notes", "note"),
        ("Owner Email", "owner_email"),
        ("owner-email", "owner_email"),
        ("OWNER_EMAIL", "owner_email"),
    ],
)
def test_headings_are_matched_without_case_spaces_or_underscores(heading: str, field: str) -> None:
    first = "company" if field != "company" else "x"
    parsed = read(f"{first},{heading}\na,b\n")
    assert parsed.columns[1].field == field


def test_unknown_columns_are_named_and_ignored() -> None:
    parsed = read("Company,Phone,Email,Fax,\nAcme,555,jo@acme.com,556,\n")
    assert parsed.unknown == ("Phone", "Fax")
    assert parsed.rows[0].values == {"company": "Acme", "email": "jo@acme.com"}


def test_a_file_without_a_company_column_is_refused_naming_what_it_has() -> None:
    with pytest.raises(UnreadableFile) as refused:
        read("Firma,Mail\nAcme,jo@acme.com\n")
    assert "leads.csv has no `company` column" in str(refused.value) and "“Firma”, “Mail”" in str(refused.value)


def test_two_columns_for_one_field_are_refused() -> None:
    with pytest.raises(UnreadableFile, match="two columns for the email: “Email” .column 2. and “E-mail Address”"):
        read("company,Email,E-mail Address\n")


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "leads.csv is empty"),
        (b"\r\n\r\n", "leads.csv is empty"),
        (b"PK\x03\x04\x14\x00\x06\x00", "is an Excel workbook, not a CSV file"),
        (b"company\nCaf\xe9\n", "is not UTF-8 text (line 2 has the byte 0xE9"),
        (b"company\nA\x00B\n", "is not a text file"),
        (b"\xff\xfec\x00o\x00\x00\xd8", "starts like UTF-16 LE text but is not"),
        (b'company,note\nAcme,"never closed\nGlobex,x\n', "line 2 opens a quote"),
    ],
)
def test_an_unreadable_file_gets_one_clear_answer(data: bytes, says: str) -> None:
    with pytest.raises(UnreadableFile, match=says.replace("(", r"\(")):
        read(data)


def test_rows_are_named_by_the_line_they_start_on_even_after_multi_line_cells() -> None:
    parsed = read('company,note\nAcme,"first line\nsecond line\nthird"\n\nGlobex,x\r\n"Ini\r\ntech",y\nHooli,z\n')
    assert [(r.line, r.values["company"]) for r in parsed.rows] == [
        (2, "Acme"),
        (6, "Globex"),
        (7, "Ini\r\ntech"),
        (9, "Hooli"),
    ]
    assert refusals('company,note\nAcme,"a\nb"\n"Ini\ntech",y\n') == [
        "line 4: the company runs over several lines; put it on one line."
    ]


def test_a_note_keeps_its_line_breaks() -> None:
    [row] = checked('company,note\nAcme,"call Jo\r\nthen Ann\tfirst"\n')
    assert isinstance(row, ImportRow) and row.new.note == "call Jo\nthen Ann\tfirst"


def test_blank_rows_are_skipped_and_short_rows_are_padded() -> None:
    parsed = read("company,email,name\n,,\nAcme\n\n")
    assert [(r.line, r.values) for r in parsed.rows] == [(3, {"company": "Acme"})]


def test_long_fields_are_refused_with_the_limit() -> None:
    text = (
        f"company,name,note,email,source,campaign\n{'A' * 240},,,,,\nOk,{'n' * 201},,,,\nOk,,{'x' * 2001},,,\n"
        f"Ok,,,,{'s' * 61},\nOk,,,,,{'c' * 201}\n"
    )
    assert refusals(text) == [
        "line 2: the company is 240 characters long; the limit is 200.",
        "line 3: the name is 201 characters long; the limit is 200.",
        "line 4: the note is 2,001 characters long; the limit is 2,000.",
        "line 5: the source is 61 characters long; the limit is 60.",
        "line 6: the campaign is 201 characters long; the limit is 200.",
    ]


def test_control_and_direction_characters_are_refused() -> None:
    assert refusals("company,name,note\nAc\x07me,,\nOk,Jo\x1b[31m,\nOk,,bell\x07\nEvil\u202eoc,,\n") == [
        "line 2: the company holds a control character (U+0007), which cannot be shown; remove it (it often "
        "comes from copying out of another program).",
        "line 3: the name holds a control character (U+001B), which cannot be shown; remove it (it often comes "
        "from copying out of another program).",
        "line 4: the note holds a control character (U+0007), which cannot be shown; remove it (it often comes "
        "from copying out of another program).",
        "line 5: the company holds a control character (U+202E), which cannot be shown; remove it (it often comes "
        "from copying out of another program).",
    ]


def test_e_mails_are_checked_and_lower_cased() -> None:
    rows = checked("company,email,owner_email\nA,Jo@Acme.COM,Rita@T-Acme.test\nB,jo at acme,\nC,,rita\n")
    first = rows[0]
    assert isinstance(first, ImportRow) and (first.new.email, first.owner_email) == ("jo@acme.com", "rita@t-acme.test")
    assert [str(r) for r in rows[1:]] == [
        "line 3: the e-mail “jo at acme” is not an e-mail address (like jo@acme.com).",
        "line 4: the owner_email “rita” is not an e-mail address; put the owner's e-mail there.",
    ]


def test_sql_and_markup_are_just_text() -> None:
    [row] = checked('company,note\n"Robert\'); DROP TABLE lead;--",<script>alert(1)</script> <!channel>\n')
    assert isinstance(row, ImportRow)
    assert row.new.company == "Robert'); DROP TABLE lead;--"
    assert row.new.note == "<script>alert(1)</script> <!channel>"


def test_an_empty_company_is_refused_and_a_source_is_lower_cased() -> None:
    rows = checked("company,email,source\n  ,jo@acme.com,\nAcme,,Trade Show\n")
    assert str(rows[0]) == "line 2: the company is empty; every lead needs one."
    assert isinstance(rows[1], ImportRow) and rows[1].new.source == "trade show"
