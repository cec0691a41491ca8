"""Outbox → Slack: hostile notes arrive as harmless text; an outage (5xx, then 429 with Retry-After) delays
DMs but none is lost or doubled; errors retrying cannot fix are permanent."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest
from sqlmodel import select

from adapters.slack.clients import TokenBook
from adapters.slack.sender import SlackSender
from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.core.delivery import DeliveryFailed, Target
from bot.core.replies import say
from storage.models import Outbox
from tests.adapters.slack.conftest import SlackWire
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.test_lead_story import deliver, dms_to


def test_a_hostile_note_reaches_slack_as_harmless_text(wire: SlackWire) -> None:
    wire.command("rita", "/lead", "list")
    # Typed literally, Slack escapes the brackets; typed as a real @channel, Slack sends <!channel>.
    note = "&lt;!channel&gt; @here &lt;https://evil|click&gt; <!channel> R&amp;D"
    answer = wire.command("mara", "/lead", f'handoff Acme to:<@URITA> note:"{note}"')
    assert answer.status_code == 200
    deliver(wire)
    [dm] = dms_to(wire, "URITA")
    sent = json.dumps(dm["blocks"], ensure_ascii=False) + dm["text"]
    for forbidden in ("<!channel>", "<!here>", "<https://evil", "<!everyone>"):
        assert forbidden not in sent
    assert "&lt;!channel&gt; @here &lt;https://evil|click&gt; @channel R&amp;D" in sent


def _outbox(wire: SlackWire) -> list[Outbox]:
    with wire.runtime.db.session() as session:
        return list(session.exec(select(Outbox).order_by(Outbox.id)).all())  # type: ignore[arg-type]


def test_an_outage_delays_dms_but_none_is_lost_or_doubled(wire: SlackWire, clock: FakeClock) -> None:
    wire.command("rita", "/lead", "list")
    wire.command("mara", "/lead", "handoff Acme to:<@URITA>")
    wire.command("mara", "/lead", "handoff Globex to:<@URITA>")
    wire.fake.fail("chat.postMessage", 500, times=2)

    assert deliver(wire).sent == 0
    assert {row.status for row in _outbox(wire)} == {"pending"}
    clock.advance(timedelta(seconds=6))
    assert deliver(wire).sent == 0  # the second 500

    wire.fake.fail("chat.postMessage", 429, times=1, retry_after=30)
    clock.advance(timedelta(seconds=11))
    assert deliver(wire).sent == 0
    first = _outbox(wire)[0]
    assert first.next_attempt_at == clock.now() + timedelta(seconds=30)  # Slack's Retry-After, honoured
    assert "rate limit" in (first.last_error or "")

    clock.advance(timedelta(seconds=20))
    assert deliver(wire).sent == 0  # still inside Retry-After: Slack is not called
    calls_before = len(wire.fake.calls_to("chat.postMessage"))
    clock.advance(timedelta(seconds=11))
    assert deliver(wire).sent == 2
    assert len(wire.fake.calls_to("chat.postMessage")) == calls_before + 2
    assert deliver(wire).sent == 0
    delivered = [c for c in wire.fake.calls_to("chat.postMessage") if c.params.get("channel") == "DURITA"]
    succeeded = delivered[-2:]
    companies = sorted("Acme" if "Acme" in json.dumps(c.params["blocks"]) else "Globex" for c in succeeded)
    assert companies == ["Acme", "Globex"]
    assert [row.status for row in _outbox(wire)] == ["sent", "sent"]


@pytest.fixture
def sender_and_fake() -> tuple[SlackSender, FakeSlack]:
    fake = FakeSlack().start()
    settings = Settings(
        SLACK_BOT_TOKEN="xoxb-1",
        SLACK_API_URL=fake.api_url.rstrip("/"),  # type: ignore[call-arg]
        _env_file=None,
    )
    yield SlackSender(TokenBook(settings)), fake
    fake.stop()


def test_the_sender_maps_slack_errors(sender_and_fake: tuple[SlackSender, FakeSlack]) -> None:
    sender, fake = sender_and_fake
    channel = Target(platform="slack", team_id="T1", kind="channel", address="C0NOPE")
    fake.answer("chat.postMessage", {"ok": False, "error": "not_in_channel"})
    with pytest.raises(DeliveryFailed) as refused:
        asyncio.run(sender.send(channel, say("hi")))
    assert refused.value.permanent

    fake.answer("chat.postMessage", {"ok": False, "error": "fatal_error"})
    with pytest.raises(DeliveryFailed) as flaky:
        asyncio.run(sender.send(channel, say("hi")))
    assert not flaky.value.permanent and flaky.value.retry_after is None

    fake.answers.pop("chat.postMessage")
    fake.fail("chat.postMessage", 429, times=1, retry_after=2)  # not retried here: the outbox paces by it
    with pytest.raises(DeliveryFailed) as limited:
        asyncio.run(sender.send(channel, say("hi")))
    assert limited.value.retry_after == 2 and not limited.value.permanent
    assert len(fake.calls_to("chat.postMessage")) == 3
    ref = asyncio.run(sender.send(channel, say("hi")))
    assert ref and ref.startswith("C0NOPE:") and len(fake.calls_to("chat.postMessage")) == 4


def test_a_channel_post_and_a_dm_return_their_message_reference(sender_and_fake: tuple[SlackSender, FakeSlack]) -> None:
    sender, fake = sender_and_fake
    ref = asyncio.run(
        sender.send(
            Target(platform="slack", team_id="T1", kind="channel", address="C0SALES", outbox_id=7),
            say("Campaign <!here>"),
        )
    )
    assert ref and ref.startswith("C0SALES:")
    ref = asyncio.run(sender.send(Target(platform="slack", team_id="T1", kind="user", address="URITA"), say("hi")))
    assert ref and ref.startswith("DURITA:")
    posted = fake.calls_to("chat.postMessage")
    assert posted[0].params["text"] == "Campaign &lt;!here&gt;" and posted[0].token == "xoxb-1"
