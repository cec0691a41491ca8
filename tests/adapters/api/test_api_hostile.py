"""Bad input at the API (issue 13, SPEC §7): whatever arrives — random JSON, 10 MB, 10,000 levels of nesting,
NaN, control characters, lone surrogates, SQL — the answer is a 4xx with a reason or the text is stored as
text; never a 500, never a stack trace, never another workspace's data."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from storage.models import Lead
from tests.adapters.api.conftest import Integration

FIELDS = ("company", "email", "name", "source", "campaign", "note", "owner_email")
HYPOTHESIS = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
# Bodies shaped like a lead: its own keys (and a stranger now and then), each with any JSON value or any text.
lead_like = st.dictionaries(
    st.sampled_from(FIELDS) | st.text(max_size=12),
    json_values | st.text(max_size=300) | st.text(alphabet=st.characters(codec="utf-8"), max_size=30),
    max_size=8,
)


def _no_crash(answer: Any) -> None:
    assert answer.status_code < 500, answer.text
    assert "Traceback" not in answer.text and "sqlalchemy" not in answer.text.lower()
    if answer.status_code >= 400:
        body = answer.json()
        assert isinstance(body["error"], str) and isinstance(body["message"], str)


@HYPOTHESIS
@given(body=json_values)
def test_any_json_body_gets_an_answer_never_a_500(api: Integration, body: Any) -> None:
    _no_crash(api.post(body))


@HYPOTHESIS
@given(body=lead_like)
def test_any_lead_shaped_body_is_created_or_refused_with_its_fields(api: Integration, body: dict[str, Any]) -> None:
    answer = api.post(body)
    _no_crash(answer)
    if answer.status_code == 422:
        assert answer.json()["fields"], answer.text
    if answer.status_code in (200, 201):
        assert answer.json()["id"].startswith("L-")


@HYPOTHESIS
@given(raw=st.binary(max_size=200))
def test_any_bytes_get_an_answer_never_a_500(api: Integration, raw: bytes) -> None:
    answer = api.http.post("/api/v1/leads", content=raw, headers={**api.headers, "Content-Type": "application/json"})
    _no_crash(answer)


@HYPOTHESIS
@given(
    params=st.dictionaries(
        st.sampled_from(("status", "owner_email", "campaign", "since", "cursor", "limit")), st.text(max_size=40)
    )
)
def test_any_list_filters_get_an_answer_never_a_500(api: Integration, params: dict[str, str]) -> None:
    _no_crash(api.get("/api/v1/leads", **params))


def test_ten_megabytes_are_refused_before_they_are_read(api: Integration) -> None:
    body = json.dumps({"company": "Acme", "note": "x" * 10_000_000}).encode()
    answer = api.http.post("/api/v1/leads", content=body, headers={**api.headers, "Content-Type": "application/json"})
    assert answer.status_code == 413
    assert answer.json() == {
        "error": "too_large",
        "message": f"The body is {len(body):,} bytes; the limit is 65,536 bytes for one lead.",
    }

    def chunks() -> Any:  # no Content-Length: counted as it arrives
        yield b'{"company": "Acme", "note": "'
        for _ in range(100):
            yield b"x" * 100_000
        yield b'"}'

    streamed = api.http.post(
        "/api/v1/leads", content=chunks(), headers={**api.headers, "Content-Type": "application/json"}
    )
    assert streamed.status_code == 413 and streamed.json()["error"] == "too_large"
    assert api.leads() == []


@pytest.mark.parametrize(("opening", "closing"), [("[", "]"), ('{"a":', "}"), ('[{"a":', "}]")])
def test_ten_thousand_levels_of_nesting_are_a_400(api: Integration, opening: str, closing: str) -> None:
    if len(opening + closing) * 10_000 > 65_536:  # under the size limit, so it is the parser's to refuse
        opening, closing = opening[1:], closing[:-1]
    body = (opening * 10_000 + "1" + closing * 10_000).encode()
    answer = api.http.post("/api/v1/leads", content=body, headers={**api.headers, "Content-Type": "application/json"})
    assert answer.status_code == 400 and answer.json()["error"] == "malformed_body"


@pytest.mark.parametrize(
    "raw",
    [
        '{"company": NaN}',
        '{"company": "Acme", "note": -Infinity}',
        '{"company": 1' + "0" * 5000 + "}",
        '{"company": 1e400}',
    ],
)
def test_numbers_json_does_not_have_or_a_lead_cannot_hold_are_refused(api: Integration, raw: str) -> None:
    answer = api.http.post(
        "/api/v1/leads", content=raw.encode(), headers={**api.headers, "Content-Type": "application/json"}
    )
    assert answer.status_code in (400, 422), answer.text
    assert api.leads() == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("company", "Acme\x00Corp"),
        ("company", "Acme\x1b[31m"),
        ("name", "Ann\rLee"),
        ("note", "fine\nfine\x7f"),
        ("email", "ann\x00@acme.example"),
        ("source", "we\u0085b"),
    ],
)
def test_control_characters_are_refused_naming_the_field(api: Integration, field: str, value: str) -> None:
    answer = api.post({"company": "Acme", field: value})
    assert answer.status_code == 422
    [problem] = answer.json()["fields"]
    assert problem["field"] == field and "control character" in problem["message"]


@pytest.mark.parametrize("path", ["/api/v1/leads", "/api/v1/stats"])
@pytest.mark.parametrize(
    ("field", "value"), [("owner_email", "\x00"), ("campaign", "Spring\x00"), ("campaign", "a\x1b")]
)
def test_control_characters_in_a_filter_are_a_422_naming_it(
    api: Integration, path: str, field: str, value: str
) -> None:
    """PostgreSQL cannot even compare a text holding a NUL: the filter is refused before it reaches a query."""
    answer = api.get(path, **{field: value})
    assert answer.status_code == 422, answer.text
    [problem] = answer.json()["fields"]
    assert problem["field"] == field and "control character" in problem["message"]


def test_lone_surrogates_are_refused_even_as_field_names(api: Integration) -> None:
    for raw in ('{"company": "Acme\\ud800"}', '{"company": "Acme", "\\udfff": 1}'):
        answer = api.http.post(
            "/api/v1/leads", content=raw.encode(), headers={**api.headers, "Content-Type": "application/json"}
        )
        assert answer.status_code == 422, answer.text
    assert api.leads() == []


@pytest.mark.parametrize(
    "text",
    [
        "Robert'); DROP TABLE lead;--",
        "' OR '1'='1",
        "1; UPDATE member SET role='admin' WHERE 1=1 --",
        "%_\\ LIKE '%'",
        "<script>alert(1)</script> <!channel> @here",
        "Émile Zoë — 北京 🚀 \u202eRTL",
    ],
)
def test_sql_looking_and_markup_text_is_stored_as_text(api: Integration, text: str) -> None:
    answer = api.post({"company": text, "name": text, "note": text, "source": "x"})
    assert answer.status_code == 201, answer.text
    shown = api.get(f"/api/v1/leads/{answer.json()['id']}").json()
    assert (shown["company"], shown["name"], shown["note"]) == (text.strip(), text.strip(), text.strip())
    with api.team.runtime.db.session() as session:
        assert len(session.exec(select(Lead)).all()) == 1
    listed = api.get("/api/v1/leads", campaign=text[:100])
    assert listed.status_code == 422  # no such campaign, said as such
    assert api.get("/api/v1/leads", owner_email=text[:100]).status_code == 422


def test_a_foreign_key_cannot_be_guessed_from_the_answers(api: Integration) -> None:
    """Every wrong key is the same 401, whatever its shape: nothing tells a near miss from nonsense."""
    real = api.key
    answers = set()
    for wrong in (real[:-1] + ("A" if real[-1] != "A" else "B"), real.upper(), real + "x", "tdm_", "x" * 500, real[4:]):
        answer = api.http.get("/api/v1/leads", headers={"Authorization": f"Bearer {wrong}"})
        answers.add((answer.status_code, answer.text, answer.headers["www-authenticate"]))
    assert len(answers) == 1 and next(iter(answers))[0] == 401
