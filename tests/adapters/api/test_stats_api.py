"""`GET /api/v1/stats` (SPEC §5): the known November of tests/bot/stats_history.py, read with an API key, is SPEC
§5's example figure for figure — the same query layer as chat — and a key sees its own workspace only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from bot.core.clock import FakeClock
from bot.core.runtime import Runtime
from bot.server import create_app
from tests.adapters.api.conftest import key_of
from tests.bot.conftest import text_of
from tests.bot.stats_history import ASKED_AT, NOVEMBER, Office, build_november
from tests.bot.test_stats_figures import SPEC_EXAMPLE


@pytest.fixture
def november(runtime: Runtime, clock: FakeClock) -> Office:
    return build_november(Office(runtime, clock))


@pytest.fixture
def http(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime.settings, runtime=runtime)) as client:
        yield client


def _key(office: Office, label: str = "board-deck") -> dict[str, str]:
    return {"Authorization": f"Bearer {key_of(text_of(office.do('ivy', f'tandem apikey create {label}')))}"}


def test_the_json_is_spec_example_figure_for_figure(november: Office, http: TestClient) -> None:
    headers = _key(november)
    november.at(ASKED_AT)
    answer = http.get("/api/v1/stats", params={"period": NOVEMBER}, headers=headers)
    assert answer.status_code == 200, answer.text
    shown = answer.json()
    assert list(shown) == list(SPEC_EXAMPLE)
    for key, expected in SPEC_EXAMPLE.items():
        if key == "survey":
            assert shown[key] is None  # no pulse survey has run in this workspace: no score, not a zero
        else:
            assert shown[key] == expected, key


def test_filters_narrow_the_figures_and_unknown_values_are_named(november: Office, http: TestClient) -> None:
    headers = _key(november)
    november.at(ASKED_AT)
    sams = http.get(
        "/api/v1/stats", params={"period": NOVEMBER, "owner_email": "sam@t-nov.test"}, headers=headers
    ).json()
    assert sams["leads"]["total"] == 1 and sams["handoffs"] == 0  # L-5, his own `lead add`
    alpha = http.get("/api/v1/stats", params={"period": NOVEMBER, "campaign": "alp"}, headers=headers).json()
    assert alpha["leads"]["total"] == 3 and alpha["leads"]["by_source"] == {"marketing": 3}
    unknown = http.get("/api/v1/stats", params={"campaign": "Nope"}, headers=headers)
    assert unknown.status_code == 422 and unknown.json()["fields"][0]["field"] == "campaign"
    nobody = http.get("/api/v1/stats", params={"owner_email": "ghost@t-nov.test"}, headers=headers)
    assert nobody.status_code == 422 and nobody.json()["fields"][0]["field"] == "owner_email"


def test_a_bad_period_is_a_400_naming_the_forms(november: Office, http: TestClient) -> None:
    answer = http.get("/api/v1/stats", params={"period": "last-fortnight"}, headers=_key(november))
    assert answer.status_code == 400
    body = answer.json()
    assert body["error"] == "bad_period" and "30d" in body["message"] and "quarter" in body["message"]


def test_a_key_sees_its_own_workspace_and_no_key_sees_nothing(
    november: Office, runtime: Runtime, clock: FakeClock, http: TestClient
) -> None:
    other = Office(runtime, clock, team_id="T-OTHER")
    other.do("ivy", "lead list")
    other.promote("ivy", "admin")
    answer = http.get("/api/v1/stats", params={"period": NOVEMBER}, headers=_key(other, "theirs"))
    assert answer.status_code == 200 and answer.json()["leads"]["total"] == 0
    assert answer.json()["sla_breaches"] == [] and answer.json()["campaigns"] == []
    refused = http.get("/api/v1/stats", params={"period": NOVEMBER})
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"].startswith("Bearer")
