"""The REST API as a web form, a HubSpot workflow or Zapier uses it (SPEC §5, issue 13): a key of one workspace
posts leads that are handed off exactly like chat's, reads them back as pages, one lead or a CSV export — and
sees nothing of any other workspace. Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import threading
from datetime import timedelta

import pytest
from sqlmodel import select

from bot.core.clock import FakeClock
from bot.core.replies import from_json
from bot.core.unit import Changes
from bot.leads.inbound import Inbound, receive
from schedules.jobs.housekeeping import run_housekeeping
from storage.models import ApiIdempotency, Campaign, Lead
from tests.adapters.api.conftest import Integration, make_admin, new_key
from tests.bot.conftest import Team, buttons_of, text_of


def test_a_posted_lead_is_handed_off_in_turn_and_its_owner_gets_the_card(api: Integration) -> None:
    first = api.post({"company": "Acme Corp", "email": "Ann@Acme.example", "name": "Ann Lee", "source": "Website"})
    assert first.status_code == 201, first.text
    assert first.json() == {
        "id": "L-1",
        "owner": {"name": "Rita", "email": "rita@t-acme.test"},
        "status": "handed_off",
        "duplicate": False,
    }
    assert first.headers["location"] == "/api/v1/leads/L-1"
    second = api.post({"company": "Globex"})
    assert second.status_code == 201 and second.json()["owner"]["name"] == "Sam"  # round-robin, as in chat

    [card] = api.cards_to("rita")
    reply = from_json(card.payload)
    assert "A new lead from the API (key “website”): Acme Corp" in text_of(reply)
    assert set(buttons_of(reply)) >= {"Accept", "Reject"}
    [lead, _] = api.leads()
    assert (lead.email, lead.source, lead.contact_name, lead.marketer_id) == (
        "ann@acme.example",
        "website",
        "Ann Lee",
        None,
    )
    assert lead.nag_due_at is not None  # the SLA clock started, as for any hand-off
    assert api.team.events(1) == ["handoff"]
    assert "Accepted" in api.team.text("rita", "lead accept L-1")  # the card's button works as in chat


def test_owner_email_gives_the_lead_to_that_member_and_names_the_campaign(api: Integration) -> None:
    with api.team.runtime.db.session() as session:
        workspace_id = api.team.member("mara").workspace_id
        session.add(
            Campaign(workspace_id=workspace_id, number=1, name="Q4 Webinar", created_at=api.team.runtime.clock.now())
        )
    answer = api.post({"company": "Initech", "owner_email": "SAM@t-acme.test", "campaign": "q4"})
    assert answer.status_code == 201 and answer.json()["owner"] == {"name": "Sam", "email": "sam@t-acme.test"}
    assert len(api.cards_to("sam")) == 1 and api.cards_to("rita") == []
    shown = api.get("/api/v1/leads/L-1").json()
    assert (shown["campaign"], shown["owner"]["name"]) == ("Q4 Webinar", "Sam")

    unknown = api.post({"company": "Hooli", "campaign": "Spring"})
    assert unknown.status_code == 422
    assert unknown.json()["fields"][0]["field"] == "campaign"
    assert "no campaign called `Spring`" in unknown.json()["fields"][0]["message"]


def test_an_unknown_owner_email_is_a_422_naming_the_field_and_nothing_is_made(api: Integration) -> None:
    answer = api.post({"company": "Hooli", "owner_email": "nobody@t-acme.test"})
    assert answer.status_code == 422
    assert answer.json()["fields"] == [
        {
            "field": "owner_email",
            "message": "No one in this workspace has the e-mail nobody@t-acme.test (Tandem looked among its members).",
        }
    ]
    assert api.leads() == []


def test_with_no_rep_the_lead_is_unassigned_and_the_answer_says_so(api: Integration) -> None:
    for who in ("rita", "sam"):
        make_admin(api.team, who, "marketer")  # nobody left with the rep role
    answer = api.post({"company": "Umbrella"})
    assert answer.status_code == 201
    assert answer.json() == {"id": "L-1", "owner": None, "status": "unassigned", "duplicate": False}


def test_a_duplicate_of_an_open_lead_answers_200_with_that_lead(api: Integration) -> None:
    assert api.post({"company": "Acme", "email": "ann@acme.example"}).status_code == 201
    again = api.post({"company": "Acme Inc", "email": "ANN@acme.example"})
    assert again.status_code == 200
    assert again.json() == {
        "id": "L-1",
        "owner": {"name": "Rita", "email": "rita@t-acme.test"},
        "status": "handed_off",
        "duplicate": True,
    }
    by_company = api.post({"company": "  acme  "})  # no e-mail: the company name decides
    assert by_company.status_code == 200 and by_company.json()["id"] == "L-1"
    assert api.post({"company": "Globex"}).status_code == 201
    assert api.post({"company": "GLOBEX", "email": "new@globex.example"}).status_code == 201  # a new e-mail
    assert [lead.company for lead in api.leads()] == ["Acme", "Globex", "GLOBEX"]


def test_the_same_idempotency_key_gives_the_same_lead_and_another_body_is_refused(api: Integration) -> None:
    body = {"company": "Acme", "email": "ann@acme.example"}
    first = api.post(body, headers={"Idempotency-Key": "form-submission-81"})
    again = api.post({**body, "company": " Acme "}, headers={"Idempotency-Key": "form-submission-81"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    assert len(api.leads()) == 1 and len(api.cards_to("rita")) == 1

    other = api.post({"company": "Globex"}, headers={"Idempotency-Key": "form-submission-81"})
    assert other.status_code == 422
    assert other.json()["fields"][0]["field"] == "Idempotency-Key"
    assert "different body" in other.json()["fields"][0]["message"]
    for bad in ("", "x" * 201, "naïve-key".encode(), "tab\tkey"):
        refused = api.post({"company": "Initech"}, headers={"Idempotency-Key": bad})
        assert refused.status_code == 422 and refused.json()["fields"][0]["field"] == "Idempotency-Key"
    assert len(api.leads()) == 1


async def test_housekeeping_forgets_idempotency_keys_after_a_week(api: Integration) -> None:
    assert api.post({"company": "Acme"}, headers={"Idempotency-Key": "form-7"}).status_code == 201
    clock = api.team.runtime.clock
    assert isinstance(clock, FakeClock)
    clock.advance(timedelta(days=6))
    assert "and 0 API idempotency keys" in await run_housekeeping(api.team.runtime)
    assert api.post({"company": "Globex"}, headers={"Idempotency-Key": "form-7"}).status_code == 422  # still kept
    clock.advance(timedelta(days=2))
    assert "and 1 API idempotency keys" in await run_housekeeping(api.team.runtime)
    assert api.post({"company": "Globex"}, headers={"Idempotency-Key": "form-7"}).status_code == 201  # a new key now
    assert [lead.company for lead in api.leads()] == ["Acme", "Globex"]


def test_a_key_replayed_after_a_duplicate_still_says_duplicate(api: Integration) -> None:
    api.post({"company": "Acme", "email": "ann@acme.example"})
    body, key = {"company": "Acme", "email": "ann@acme.example"}, {"Idempotency-Key": "k-2"}
    assert api.post(body, headers=key).json()["duplicate"] is True
    replay = api.post(body, headers=key)
    assert replay.status_code == 200 and replay.json()["duplicate"] is True


def test_two_requests_with_one_key_at_once_make_one_lead(api: Integration) -> None:
    """Through HTTP, two threads released together. In one process the two queue for the workspace before they
    reach the database; across replicas the database decides, as the next test shows."""
    rounds = 10
    for round_ in range(rounds):
        barrier = threading.Barrier(2, timeout=30)
        statuses: list[int] = []
        ids: set[str] = set()

        def post(
            round_: int = round_,
            barrier: threading.Barrier = barrier,
            statuses: list[int] = statuses,
            ids: set[str] = ids,
        ) -> None:
            barrier.wait()
            answer = api.post({"company": f"Twin {round_}"}, headers={"Idempotency-Key": f"twin-{round_}"})
            statuses.append(answer.status_code)
            ids.add(answer.json()["id"])

        threads = [threading.Thread(target=post) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(statuses) == [200, 201] and len(ids) == 1
    assert len(api.leads()) == rounds


def test_a_twin_request_waits_for_the_first_and_gets_its_lead(api: Integration) -> None:
    """The key's claim is the insert itself: a twin arriving while the first is uncommitted waits on the key's
    index entry, then reads the first's lead — never a second lead, never an error."""
    db, clock = api.team.runtime.db, api.team.runtime.clock
    if not db.is_postgres:
        pytest.skip("SQLite's BEGIN IMMEDIATE admits one writer at a time: a twin cannot overlap the first")
    from bot.leads.inbound import Idempotency
    from tests.bot.test_concurrent_clicks import _until_a_session_waits_for_a_lock

    workspace_id = api.team.member("mara").workspace_id
    twin_key = Idempotency("same", "0" * 64)

    def post(session: object) -> object:
        return receive(
            session,  # type: ignore[arg-type]
            clock,
            workspace_id=workspace_id,
            inbound=Inbound(company="Twin"),
            origin="a test",
            changes=Changes(),
            idempotency=twin_key,
        )

    outcome: list[object] = []

    def twin() -> None:
        try:
            with db.session() as session:
                outcome.append(post(session))
        except BaseException as error:  # reported by the assertion below
            outcome.append(error)

    with db.session() as first:
        made = post(first)
        thread = threading.Thread(target=twin)
        thread.start()
        _until_a_session_waits_for_a_lock(db)
    thread.join(timeout=60)
    [replayed] = outcome
    assert getattr(replayed, "replayed", None) is True, replayed
    assert replayed.lead.number == made.lead.number  # type: ignore[attr-defined]
    with db.session() as session:
        assert len(session.exec(select(Lead)).all()) == 1
        assert len(session.exec(select(ApiIdempotency)).all()) == 1


def test_an_api_hand_off_moves_no_lead_so_no_after_command_work_is_due(api: Integration) -> None:
    """Dispatch runs its after-command hooks (card refresh) on what a command *moved*; an API lead is created,
    not moved. Should hand_off ever move a lead, this fails and the API must run those hooks too."""
    changes = Changes()
    with api.team.runtime.db.session() as session:
        received = receive(
            session,
            api.team.runtime.clock,
            workspace_id=api.team.member("mara").workspace_id,
            inbound=Inbound(company="Acme"),
            origin="a test",
            changes=changes,
        )
    assert received.created and changes.moved_leads == {}
    assert len(changes.enqueued_outbox_ids) == 1  # the owner's card, written in the same transaction


@pytest.mark.parametrize(
    ("headers", "challenge"),
    [
        ({}, 'Bearer realm="tandem"'),
        ({"Authorization": "Basic bWFyYTpzZWNyZXQ="}, 'Bearer realm="tandem"'),
        ({"Authorization": "Bearer "}, 'Bearer realm="tandem"'),
        ({"Authorization": "Bearer tdm_unknown"}, 'Bearer realm="tandem", error="invalid_token"'),
        ({"Authorization": "Bearer " + "tdm_" + "A" * 43}, 'Bearer realm="tandem", error="invalid_token"'),
    ],
)
def test_no_key_or_an_unknown_one_is_a_401_with_a_challenge(
    api: Integration, headers: dict[str, str], challenge: str
) -> None:
    for method, path in (
        ("POST", "/api/v1/leads"),
        ("GET", "/api/v1/leads"),
        ("GET", "/api/v1/leads/L-1"),
        ("GET", "/api/v1/leads.csv"),
    ):
        answer = api.http.request(method, path, json={"company": "Acme"}, headers=headers)
        assert answer.status_code == 401, (path, answer.text)
        assert answer.headers["www-authenticate"] == challenge
        assert answer.json()["error"] == "unauthorized" and "message" in answer.json()
    assert api.leads() == []


def test_a_revoked_key_is_refused_at_once(api: Integration) -> None:
    assert api.post({"company": "Acme"}).status_code == 201
    assert "is revoked" in api.team.text("mara", "tandem apikey revoke website")
    refused = api.post({"company": "Globex"})
    assert refused.status_code == 401 and 'error="invalid_token"' in refused.headers["www-authenticate"]
    assert api.get("/api/v1/leads").status_code == 401
    assert len(api.leads()) == 1


@pytest.mark.parametrize(
    ("body", "content_type", "status", "error"),
    [
        (b'{"company": "Acme"', "application/json", 400, "malformed_body"),
        (b"", "application/json", 400, "malformed_body"),
        (b'{"company": NaN}', "application/json", 400, "malformed_body"),
        (b'{"company": "Acme", "score": Infinity}', "application/json", 400, "malformed_body"),
        (b"\xff\xfe{}", "application/json", 400, "malformed_body"),
        (b"company=Acme", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        (b'{"company": "' + b"x" * 70_000 + b'"}', "application/json", 413, "too_large"),
    ],
)
def test_bodies_that_are_not_a_json_lead_get_a_4xx_with_a_reason(
    api: Integration, body: bytes, content_type: str, status: int, error: str
) -> None:
    answer = api.http.post("/api/v1/leads", content=body, headers={**api.headers, "Content-Type": content_type})
    assert answer.status_code == status, answer.text
    assert answer.json()["error"] == error and answer.json()["message"]
    assert api.leads() == []


def test_wrong_values_get_a_422_with_one_message_per_field(api: Integration) -> None:
    answer = api.post(
        {
            "company": "x" * 201,
            "email": "not-an-email",
            "name": 42,
            "note": "call\x07me",
            "emial": "typo@acme.example",
        }
    )
    assert answer.status_code == 422
    problems = {f["field"]: f["message"] for f in answer.json()["fields"]}
    assert problems == {
        "company": "company is 201 characters long; the limit is 200.",
        "email": "email is not an e-mail address (expected name@company.com).",
        "name": "name must be a string.",
        "note": "note holds a control character (U+0007); only new lines and tabs are kept.",
        "emial": "emial is not a field of a lead (fields: company, email, name, source, campaign, note, owner_email).",
    }
    assert answer.json()["error"] == "invalid_fields"
    assert api.post({}).json()["fields"] == [{"field": "company", "message": "company is required."}]
    assert api.post(["Acme"]).json()["fields"][0]["field"] == "body"
    assert api.leads() == []


def test_a_note_keeps_its_lines_and_blank_optional_fields_are_left_out(api: Integration) -> None:
    assert api.post({"company": "Acme", "note": "line one\n\tline two", "email": "", "name": "  "}).status_code == 201
    [lead] = api.leads()
    assert (lead.note, lead.email, lead.contact_name) == ("line one\n\tline two", None, None)


def test_a_key_sees_only_its_own_workspace(api: Integration) -> None:
    other = Team(api.team.runtime, team_id="T-GLOBEX")
    for who in ("gina", "otto"):
        other.say(who, "lead list")
    make_admin(other, "gina")
    theirs = Integration(api.http, other, new_key(other, "crm", who="gina"))
    assert theirs.post({"company": "Their secret deal", "email": "boss@secret.example"}).status_code == 201
    assert api.post({"company": "Ours"}).status_code == 201

    assert [lead["company"] for lead in api.get("/api/v1/leads").json()["leads"]] == ["Ours"]
    assert api.get("/api/v1/leads/L-1").json()["company"] == "Ours"  # their L-1 is not ours
    assert "Their secret deal" not in api.get("/api/v1/leads.csv").text
    # their member as owner, their campaign, their e-mail as a duplicate: all unknown here, said the same way
    as_owner = api.post({"company": "Hooli", "owner_email": "otto@t-globex.test"})
    nobody = api.post({"company": "Hooli", "owner_email": "nobody@t-globex.test"})
    assert as_owner.status_code == nobody.status_code == 422
    assert as_owner.json()["fields"][0]["message"].replace("otto", "nobody") == nobody.json()["fields"][0]["message"]
    assert api.post({"company": "Secret", "email": "boss@secret.example"}).json()["duplicate"] is False
    assert api.get("/api/v1/leads", owner_email="otto@t-globex.test").status_code == 422
    assert api.get("/api/v1/leads/L-3").status_code == 404
    with api.team.runtime.db.session() as session:
        assert session.exec(select(Lead).where(Lead.company == "Hooli")).first() is None


def _seed(api: Integration) -> None:
    """L-1 … L-6 in every state that matters to the filters."""
    clock = api.team.runtime.clock
    for company in ("Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark"):
        assert api.post({"company": company}).status_code == 201
        clock.advance(timedelta(hours=1))
    team = api.team
    assert team.say("rita", "lead accept L-1").ok  # rita: L-1, L-3, L-5; sam: L-2, L-4, L-6
    assert team.say("rita", "lead stage L-1 need").ok
    assert team.say("sam", "lead reject L-2 wrong persona").ok
    assert team.say("rita", "lead accept L-3").ok and team.say("rita", "lead won L-3 25000").ok


def test_the_list_filters_by_status_owner_and_date(api: Integration) -> None:
    _seed(api)
    ids = lambda **params: [lead["id"] for lead in api.get("/api/v1/leads", **params).json()["leads"]]  # noqa: E731
    assert ids() == ["L-6", "L-5", "L-4", "L-3", "L-2", "L-1"]
    assert ids(status="accepted") == ["L-1"]
    assert ids(status="open") == ["L-6", "L-5", "L-4", "L-1"]
    assert ids(status="won") == ["L-3"]
    assert ids(owner_email="RITA@t-acme.test") == ["L-5", "L-3", "L-1"]
    assert ids(owner_email="sam@t-acme.test", status="rejected") == ["L-2"]
    assert ids(since="2026-03-10T13:00:00Z") == ["L-6", "L-5", "L-4"]
    assert ids(since="2026-03-10T15:00:00+02:00") == ["L-6", "L-5", "L-4"]
    assert ids(since="2026-03-11") == []
    won = api.get("/api/v1/leads", status="won").json()["leads"][0]
    assert (won["amount"], won["closed_at"], won["stage"]) == (25000.0, "2026-03-10T16:00:00Z", None)
    accepted = api.get("/api/v1/leads", status="accepted").json()["leads"][0]
    assert accepted["stage"] == "need"

    for params, field in (
        ({"status": "sleeping"}, "status"),
        ({"since": "yesterday"}, "since"),
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"owner_email": "nobody@t-acme.test"}, "owner_email"),
        ({"campaign": "Nope"}, "campaign"),
    ):
        answer = api.get("/api/v1/leads", **params)
        assert answer.status_code == 422, params
        assert answer.json()["fields"][0]["field"] == field


def test_pages_are_stable_while_leads_arrive(api: Integration) -> None:
    for number in range(1, 8):
        api.post({"company": f"Company {number}"})
    seen: list[str] = []
    page = api.get("/api/v1/leads", limit=3).json()
    seen += [lead["id"] for lead in page["leads"]]
    arriving = 8
    while page["next_cursor"]:
        api.post({"company": f"Company {arriving}"})  # a new lead between two pages
        arriving += 1
        page = api.get("/api/v1/leads", limit=3, cursor=page["next_cursor"]).json()
        seen += [lead["id"] for lead in page["leads"]]
    assert seen == [f"L-{n}" for n in range(7, 0, -1)]  # nothing skipped, nothing twice
    assert api.get("/api/v1/leads", limit=3).json()["leads"][0]["id"] == f"L-{arriving - 1}"  # new ones come first


def test_one_lead_shows_the_card_data_and_its_history(api: Integration) -> None:
    _seed(api)
    assert api.team.say("mara", "lead feedback L-1 4 great-fit").ok
    for path in ("/api/v1/leads/L-1", "/api/v1/leads/l-1", "/api/v1/leads/1"):
        shown = api.get(path)
        assert shown.status_code == 200, path
    lead = shown.json()
    assert (lead["id"], lead["company"], lead["status"], lead["stage"]) == ("L-1", "Acme", "accepted", "need")
    assert lead["quality"] == {"average": 4.0, "ratings": 1}
    assert [(e["kind"], e["by"]) for e in lead["history"]] == [
        ("handoff", None),
        ("accept", "Rita"),
        ("stage", "Rita"),
        ("feedback", "Mara"),
    ]
    assert lead["history"][0]["detail"] == "Rita"
    for missing in ("L-99", "L-abc", "0x1"):
        answer = api.get(f"/api/v1/leads/{missing}")
        assert answer.status_code == 404 and answer.json()["error"] == "not_found"


def test_the_csv_export_has_a_header_then_one_row_per_lead(api: Integration) -> None:
    _seed(api)
    assert (
        api.post({"company": '=HYPERLINK("http://evil.example")', "name": "+1 555", "note": "@here\n-2"}).status_code
        == 201
    )
    answer = api.get("/api/v1/leads.csv")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.headers["content-disposition"] == 'attachment; filename="tandem-leads-2026-03-10.csv"'
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows[0][:8] == ["id", "company", "email", "name", "source", "campaign", "note", "owner_email"]
    assert [row[0] for row in rows[1:]] == [f"L-{n}" for n in range(1, 8)]
    header = rows[0]
    won = dict(zip(header, rows[3], strict=True))
    assert (won["status"], won["amount"], won["owner_email"], won["owner"]) == (
        "won",
        "25000.00",
        "rita@t-acme.test",
        "Rita",
    )
    hostile = dict(zip(header, rows[7], strict=True))
    assert (hostile["company"], hostile["name"], hostile["note"]) == (
        '\'=HYPERLINK("http://evil.example")',
        "'+1 555",
        "'@here\n-2",
    )


def test_the_export_streams_a_batch_at_a_time(api: Integration) -> None:
    """The header is sent before the first query; then one keyset batch per chunk, oldest first."""
    import asyncio

    from adapters.api.export import lead_rows

    for number in range(1, 6):
        api.post({"company": f"Company {number}"})
    workspace_id = api.team.member("mara").workspace_id

    async def chunks() -> list[str]:
        return [chunk async for chunk in lead_rows(api.team.runtime, workspace_id, batch=2)]

    got = asyncio.run(chunks())
    assert got[0].startswith("id,company,") and got[0].count("\r\n") == 1
    assert [chunk.count("\r\n") for chunk in got[1:]] == [2, 2, 1]
    assert [line.split(",")[0] for chunk in got[1:] for line in chunk.splitlines()] == [f"L-{n}" for n in range(1, 6)]
    with api.http.stream("GET", "/api/v1/leads.csv", headers=api.headers) as response:
        first = next(response.iter_lines())
    assert first.startswith("id,company,email,name,source,campaign,note,owner_email")


def test_unknown_endpoints_and_methods_answer_in_the_same_shape(api: Integration) -> None:
    missing = api.get("/api/v1/contacts")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    wrong = api.http.delete("/api/v1/leads", headers=api.headers)
    assert wrong.status_code == 405 and wrong.json()["error"] == "method_not_allowed"
    assert "POST" in wrong.headers["allow"]
    assert api.http.get("/t/not-a-tool").status_code == 404  # other paths keep their own answers
    assert "error" not in api.http.get("/healthz").json()


def test_api_requests_are_counted_per_route_in_metrics(api: Integration) -> None:
    api.post({"company": "Acme"})
    api.get("/api/v1/leads/L-1")
    api.get("/api/v1/leads/L-2")
    metrics = api.http.get("/metrics").text
    assert 'tandem_api_requests_total{method="POST",route="/api/v1/leads",status="201"} 1.0' in metrics
    assert 'tandem_api_requests_total{method="GET",route="/api/v1/leads/{lead_id}",status="200"} 1.0' in metrics
    assert 'tandem_api_requests_total{method="GET",route="/api/v1/leads/{lead_id}",status="404"} 1.0' in metrics


def test_the_docs_describe_every_endpoint_with_examples(api: Integration) -> None:
    schema = api.http.get("/openapi.json").json()
    assert {"/api/v1/leads", "/api/v1/leads/{lead_id}", "/api/v1/leads.csv"} <= set(schema["paths"])
    post = schema["paths"]["/api/v1/leads"]["post"]
    body = post["requestBody"]["content"]["application/json"]["schema"]
    assert body["examples"][0]["company"] == "Acme Corp" and body["additionalProperties"] is False
    assert {"201", "200", "400", "401", "413", "422"} <= set(post["responses"])
    assert schema["components"]["securitySchemes"]["ApiKey"]["scheme"] == "bearer"
    assert api.http.get("/docs").status_code == 200
