"""What reaches /slack/events: only signed, fresh requests; url_verification; garbage never a 500."""

from __future__ import annotations

import json
import time

from tests.adapters.slack.conftest import SlackWire, sign


def test_unsigned_wrong_and_stale_signatures_get_401(wire: SlackWire) -> None:
    body = "command=%2Flead&text=list&team_id=T1&user_id=URITA"
    form = "application/x-www-form-urlencoded"
    now = int(time.time())
    assert wire.http.post("/slack/events", content=body, headers={"Content-Type": form}).status_code == 401
    assert wire.post(body, form, signature="v0=" + "0" * 64).status_code == 401
    assert wire.post(body, form, signature=sign(body, now, secret="someone-else")).status_code == 401
    stale = now - 6 * 60
    assert wire.post(body, form, timestamp=stale, signature=sign(body, stale)).status_code == 401
    assert wire.post(body, form, signature="garbage", headers={"X-Slack-Request-Timestamp": "soon"}).status_code == 401
    assert wire.fake.calls_to("auth.test") == []  # nothing ran


def test_url_verification_is_answered(wire: SlackWire) -> None:
    body = json.dumps(
        {"token": "t", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", "type": "url_verification"}
    )
    response = wire.post(body, "application/json")
    assert response.status_code == 200
    assert "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in response.text


def test_signed_garbage_gets_400_with_a_reason_never_500(wire: SlackWire) -> None:
    form = "application/x-www-form-urlencoded"
    cases = [
        ("payload=%7Bnot-json", form),
        ("payload=%5B1%2C2%5D", form),
        ("hello=world", form),
        ("command=%2Flead&text=list", form),
        ("team_id=T1&user_id=URITA&text=command%3D%2Flead", form),
        ("xcommand=%2Flead&team_id=T1&user_id=URITA", form),
        ("command=%2Flead&team_id=&user_id=URITA", form),
        ("\xff\xfe", form),
        ("{not json", "application/json"),
        ("[]", "application/json"),
        ('{"no": "type"}', "application/json"),
        ("", "application/json"),
    ]
    for body, content_type in cases:
        response = wire.post(body, content_type)
        assert response.status_code == 400, (body, response.status_code, response.text)
        assert "Traceback" not in response.text and response.json()["error"]


def test_an_unknown_interaction_type_is_a_4xx(wire: SlackWire) -> None:
    response = wire.interact({"type": "something_new", "team": {"id": "T1"}, "user": {"id": "URITA"}})
    assert 400 <= response.status_code < 500


def test_start_up_leaves_the_heap_frozen_for_short_tails(wire: SlackWire) -> None:
    import gc

    assert gc.get_freeze_count() > 10_000
