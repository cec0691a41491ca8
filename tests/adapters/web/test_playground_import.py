"""The playground's CSV upload (issue 13): a marketer drops a spreadsheet of leads on the chat; the answer is the
import's summary, and each owner finds one message in their inbox — the same import as `tandem import leads`."""

from __future__ import annotations

import html
from typing import Any

from fastapi.testclient import TestClient

from adapters.web.playground.upload import UPLOAD_LIMIT
from tests.adapters.web.conftest import Playground

CSV = (
    "Company Name;E-mail;Name;Notes\n"
    "Northwind Traders;anna@northwind.example;Anna Berg;met at the booth\n"
    "Contoso;li@contoso.example;Li Wei;\n"
    'Fabrikam;;;"<script>alert(1)</script>"\n'
    "Bad Row;not-an-email;;\n"
)


def upload(client: TestClient, person: str, data: bytes, name: str = "booth-scans.csv") -> dict[str, Any]:
    response = client.post("/playground/import", params={"person": person}, files={"file": (name, data, "text/csv")})
    assert response.status_code == 200, response.text
    assert response.headers["content-security-policy"].startswith("default-src 'self'")
    return response.json()


def test_a_marketer_uploads_leads_and_the_owners_find_one_message_each(
    client: TestClient, playground: Playground
) -> None:
    answer = upload(client, "maya", CSV.encode())
    shown = html.unescape(answer["reply_html"])
    assert answer["ok"] is False  # a row was refused: the answer says so
    assert "Imported" in shown and "3 leads" in shown and "from booth-scans.csv" in shown
    assert "line 5: the e-mail “not-an-email” is not an e-mail address" in shown
    assert "Read as UTF-8, semicolon-separated." in shown
    assert "<script>" not in answer["reply_html"]
    inboxes = [playground.inbox(rep)["inbox_html"] for rep in ("rita", "sam", "jonas")]
    told = [inbox for inbox in inboxes if "New leads for you" in inbox]
    assert len(told) == 3 and all(inbox.count("New leads for you") == 1 for inbox in told)
    assert sum("Northwind Traders" in inbox for inbox in inboxes) == 1
    assert "Maya Chen" in next(inbox for inbox in inboxes if "Northwind Traders" in inbox)
    again = upload(client, "maya", CSV.encode())
    assert "Nothing new in" in html.unescape(again["reply_html"])  # the same file twice adds nothing


def test_a_rep_is_refused_with_the_role_needed(client: TestClient) -> None:
    answer = upload(client, "rita", CSV.encode())
    assert answer["ok"] is False
    assert "Importing leads needs the marketer role; you are a rep." in html.unescape(answer["reply_html"])


def test_the_page_offers_the_upload_to_marketers_only(client: TestClient) -> None:
    assert 'id="import-file"' in client.get("/", params={"as": "maya"}).text
    assert 'id="import-file"' not in client.get("/", params={"as": "rita"}).text


def test_a_file_over_5_mb_is_refused_politely(client: TestClient) -> None:
    big = b"company\n" + b"Acme Corporation International\n" * (UPLOAD_LIMIT // 30 + 1)
    answer = upload(client, "maya", big)
    assert answer["ok"] is False and "over 5 MB" in html.unescape(answer["reply_html"])


def test_an_unreadable_file_is_answered_and_nothing_is_imported(client: TestClient, playground: Playground) -> None:
    before = playground.say("maya", "lead list all")["reply_html"]
    answer = upload(client, "maya", b"PK\x03\x04 not a csv", name="leads.xlsx")
    assert answer["ok"] is False and "leads.xlsx is an Excel workbook" in html.unescape(answer["reply_html"])
    assert playground.say("maya", "lead list all")["reply_html"] == before


def test_an_unknown_person_cannot_upload(client: TestClient) -> None:
    response = client.post(
        "/playground/import", params={"person": "mallory"}, files={"file": ("a.csv", b"company\nA\n")}
    )
    assert response.status_code == 404
