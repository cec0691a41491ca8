"""Outbox delivery: retries with back-off and Retry-After, exactly once, parked failures reported to the
admins, rows surviving a crashed replica — through the real Slack Sender to a loopback fake Slack."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.core.outbox import enqueue_channel, reply_of
from bot.core.replies import say
from bot.server import build_runtime
from schedules.jobs.delivery import CLAIM_TIMEOUT, claim_due, deliver_due
from schedules.jobs.outbox_rows import MAX_ATTEMPTS
from storage.models import Outbox
from tests.schedules.conftest import SlackTeam, deliver_on_two_replicas, text_of


def _row(team: SlackTeam, row_id: int) -> Outbox:
    with team.runtime.db.session() as s:
        row = s.get(Outbox, row_id)
        assert row is not None
        return row


def _dm_posts(team: SlackTeam, channel: str = "DURITA") -> list[dict]:
    return [p for p in team.posts() if p.get("channel") == channel]


async def test_a_sender_that_fails_twice_then_succeeds_delivers_exactly_once(slack_team: SlackTeam) -> None:
    team = slack_team
    team.handoff("Acme")
    [card] = team.outbox("handoff")
    team.slack.fail("chat.postMessage", 500, times=2)

    await team.run("delivery")
    row = _row(team, card.id)
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.next_attempt_at == team.clock.now() + timedelta(seconds=5)
    await team.run("delivery")  # not due yet: nothing is tried
    assert len(team.slack.calls_to("chat.postMessage")) == 1

    team.later(seconds=5)
    await team.run("delivery")
    row = _row(team, card.id)
    assert (row.status, row.attempts) == ("pending", 2)
    assert row.next_attempt_at == team.clock.now() + timedelta(seconds=10)

    team.later(seconds=10)
    await team.run("delivery")
    row = _row(team, card.id)
    assert row.status == "sent" and row.delivered_ref and row.delivered_ref.startswith("DURITA:")
    for _ in range(3):
        team.later(minutes=10)
        await team.run("delivery")
    assert len(team.slack.calls_to("chat.postMessage")) == 3  # two failures, one success, nothing after
    assert len(_dm_posts(team)) == 3 and row.attempts == 3


async def test_retry_after_is_honoured_and_not_counted_as_a_failure(slack_team: SlackTeam) -> None:
    team = slack_team
    team.handoff("Acme")
    [card] = team.outbox("handoff")
    team.slack.fail("chat.postMessage", 429, times=1, retry_after=30)
    await team.run("delivery")
    row = _row(team, card.id)
    assert (row.status, row.attempts) == ("pending", 0)
    assert row.next_attempt_at == team.clock.now() + timedelta(seconds=30)
    team.later(seconds=29)
    await team.run("delivery")
    assert _row(team, card.id).status == "pending"
    team.later(seconds=1)
    await team.run("delivery")
    assert _row(team, card.id).status == "sent"


async def test_rate_limited_channel_holds_its_later_messages_in_order(slack_team: SlackTeam) -> None:
    team = slack_team
    for name in ("One", "Two", "Three"):
        team.handoff(name)
    team.slack.fail("chat.postMessage", 429, times=1, retry_after=20)
    await team.run("delivery")
    assert len(team.slack.calls_to("chat.postMessage")) == 1  # the rest waited instead of hammering Slack
    assert {r.status for r in team.outbox("handoff")} == {"pending"}
    team.later(seconds=20)
    await team.run("delivery")
    companies = [next(n for n in ("One", "Two", "Three") if n in str(p.get("blocks"))) for p in _dm_posts(team)[1:]]
    assert companies == ["One", "Two", "Three"]


async def test_a_long_429_on_one_dm_holds_the_teams_other_dms_but_not_its_channel_posts(slack_team: SlackTeam) -> None:
    team = slack_team
    team.setting("quiet_hours", "none")
    team.handoff("Acme", to="rita")
    team.handoff("Beta", to="sam")
    with team.runtime.db.session() as s:
        enqueue_channel(
            s,
            team.clock,
            workspace_id=team.workspace_id,
            channel="slack:C0SALES",
            reply=say("Q4 kick-off"),
            kind="news",
            key="q4",
        )
    rita, sam = team.outbox("handoff")
    team.slack.fail("conversations.open", 429, times=1, retry_after=30)  # Rita's DM is the first to go
    report = await deliver_due(team.runtime, owner="replica", concurrency=1)

    assert len(team.slack.calls_to("conversations.open")) == 1  # Sam's DM waited instead of earning a 429 too
    [post] = team.posts()
    assert post["channel"] == "C0SALES"  # a channel has limits of its own: the team's pause does not hold it
    assert (report.sent, report.retrying, report.held) == (1, 1, 1)
    for row in (_row(team, rita.id), _row(team, sam.id)):
        assert (row.status, row.attempts) == ("pending", 0)  # a rate limit is never charged as an attempt
        assert row.next_attempt_at >= team.clock.now() + timedelta(seconds=30)

    team.later(seconds=31)
    await team.run("delivery")
    assert {_row(team, rita.id).status, _row(team, sam.id).status} == {"sent"}
    assert {p["channel"] for p in team.posts()} == {"C0SALES", "DURITA", "DUSAM"}


async def test_permanent_failure_is_parked_and_the_admins_are_told_who_was_missed(slack_team: SlackTeam) -> None:
    team = slack_team
    team.handoff("Acme")
    team.handoff("Beta")
    team.slack.answer(
        "chat.postMessage",
        lambda params: (
            {"ok": False, "error": "channel_not_found"}
            if params.get("channel") == "DURITA"
            else {"ok": True, "channel": params.get("channel"), "ts": "1.1"}
        ),
    )
    await team.run("delivery")
    cards = team.outbox("handoff")
    assert [_row(team, c.id).status for c in cards] == ["failed", "failed"]
    assert "channel_not_found" in (_row(team, cards[0].id).last_error or "")
    [notice] = team.outbox("delivery_failed")  # one notice about Rita, not one per message
    assert notice.target_member_id == team.member("mara").id
    words = text_of(reply_of(notice))
    assert "Rita" in words and "channel_not_found" in words
    await team.run("delivery")
    assert _row(team, notice.id).status == "sent"
    assert any("couldn't deliver" in str(p.get("blocks")) for p in _dm_posts(team, "DUMARA"))


async def test_too_many_failures_park_the_row(slack_team: SlackTeam) -> None:
    team = slack_team
    team.handoff("Acme")
    [card] = team.outbox("handoff")
    team.slack.fail("chat.postMessage", 500, times=100)
    for _ in range(MAX_ATTEMPTS):
        await team.run("delivery")
        team.later(hours=2)
    row = _row(team, card.id)
    assert row.status == "failed" and row.attempts == MAX_ATTEMPTS and "gave up" in (row.last_error or "")
    assert len(team.outbox("delivery_failed")) == 1


async def test_a_row_for_a_platform_without_a_sender_waits(slack_team: SlackTeam) -> None:
    team = slack_team
    team.handoff("Acme")
    slack = team.runtime.senders.pop("slack")
    await team.run("delivery")
    [card] = team.outbox("handoff")
    row = _row(team, card.id)
    assert row.status == "pending" and row.attempts == 0 and "waiting for a slack sender" in (row.last_error or "")
    team.runtime.add_sender(slack)
    team.later(seconds=30)
    await team.run("delivery")
    assert _row(team, card.id).status == "sent"


async def test_rows_claimed_by_a_crashed_replica_are_delivered_once_after_the_timeout(slack_team: SlackTeam) -> None:
    team = slack_team
    team.handoff("Acme")
    [card] = team.outbox("handoff")
    claimed, _, _ = claim_due(team.runtime.db, team.clock.now(), "serve:dead-host:1", 50, frozenset({"slack"}))
    assert [c.id for c in claimed] == [card.id]
    team.runtime.db.dispose()  # the replica is gone; a fresh runtime opens the same database

    fresh = build_runtime(team.runtime.settings, clock=team.clock)
    fresh.senders.update(team.runtime.senders)
    try:
        await deliver_due(fresh, owner="serve:new-host:2")
        assert team.posts() == [] and _row(team, card.id).status == "sending"
        team.later(seconds=CLAIM_TIMEOUT.total_seconds() + 1)
        await deliver_due(fresh, owner="serve:new-host:2")
        await deliver_due(fresh, owner="serve:new-host:2")
        assert len(_dm_posts(team)) == 1 and _row(team, card.id).status == "sent"
    finally:
        fresh.db.dispose()


async def test_two_replicas_delivering_at_once_send_each_row_once(slack_team: SlackTeam) -> None:
    team = slack_team
    team.setting("quiet_hours", "none")
    for n in range(40):
        team.handoff(f"Company {n}", to="rita" if n % 2 else "sam")
    await deliver_on_two_replicas(team)
    with team.runtime.db.session() as s:
        statuses = set(s.exec(select(Outbox.status).where(Outbox.kind == "handoff")).all())
    assert statuses == {"sent"}
    assert len(team.posts()) == 40
    assert len({str(p.get("blocks")) for p in team.posts()}) == 40


async def test_a_long_batch_keeps_its_claims_so_no_other_replica_sends_them_again(slack_team: SlackTeam) -> None:
    """Each send takes 50 s on the moved clock (a slow platform); the batch takes far longer than the claim
    timeout, yet a rival replica polling in between never takes a row over."""
    team = slack_team
    for n in range(6):
        team.handoff(f"Slow {n}")
    slack = team.runtime.senders["slack"]
    rival_took: list[int] = []

    class SlowPlatform:
        platform = "slack"

        async def send(self, target, reply):  # type: ignore[no-untyped-def]
            team.later(seconds=50)
            claimed, _, _ = claim_due(team.runtime.db, team.clock.now(), "rival", 50, frozenset({"slack"}))
            rival_took.extend(c.id for c in claimed)
            return await slack.send(target, reply)

    team.runtime.add_sender(SlowPlatform())  # type: ignore[arg-type]
    report = await deliver_due(team.runtime, owner="slow-replica")
    assert report.sent == 6 and rival_took == []
    assert len(_dm_posts(team)) == 6


async def test_a_failing_target_keeps_its_messages_in_order_across_back_off(slack_team: SlackTeam) -> None:
    team = slack_team
    for name in ("First", "Second", "Third"):
        team.handoff(name)
    team.slack.fail("chat.postMessage", 500, times=1)
    await team.run("delivery")
    assert {r.next_attempt_at for r in team.outbox("handoff")} == {team.clock.now() + timedelta(seconds=5)}
    await team.run("delivery")  # the later cards wait for the first one's retry instead of overtaking it
    assert len(team.slack.calls_to("chat.postMessage")) == 1
    team.later(seconds=5)
    await team.run("delivery")
    order = [next(n for n in ("First", "Second", "Third") if n in str(p.get("blocks"))) for p in _dm_posts(team)]
    assert order == ["First", "First", "Second", "Third"]


async def test_a_rewrite_waits_for_its_message_and_is_dropped_quietly_when_that_never_went(
    slack_team: SlackTeam,
) -> None:
    team = slack_team
    team.handoff("Acme")
    [card] = team.outbox("handoff")
    team.slack.fail("chat.postMessage", 500, times=1)
    await team.run("delivery")  # the card is still waiting for another try
    with team.runtime.db.session() as s:  # a rewrite of it, as if the lead had moved meanwhile on another replica
        row = s.get(Outbox, card.id)
        assert row is not None and row.status == "pending"
        s.add(
            Outbox(
                workspace_id=row.workspace_id,
                kind="card_update",
                target_member_id=row.target_member_id,
                payload=row.payload,
                dedupe_key="card_update:test",
                refreshes_id=row.id,
                next_attempt_at=team.clock.now(),
                created_at=team.clock.now(),
            )
        )
    [rewrite] = team.outbox("card_update")
    await team.run("delivery")
    assert _row(team, rewrite.id).status == "pending"  # its message is not sent yet: it waits
    assert not team.slack.calls_to("chat.update")

    team.later(seconds=5)
    await team.run("delivery")  # the card goes, then (its turn come) the rewrite of it
    assert _row(team, card.id).status == "sent"
    team.later(seconds=5)
    await team.run("delivery")
    [update] = team.slack.calls_to("chat.update")
    assert f"{update.params['channel']}:{update.params['ts']}" == _row(team, card.id).delivered_ref
    assert _row(team, rewrite.id).status == "sent"

    with team.runtime.db.session() as s:  # a rewrite of a message that was parked: nothing to rewrite
        row = s.get(Outbox, card.id)
        assert row is not None
        row.status, row.delivered_ref = "failed", None
        s.add(row)
        s.add(
            Outbox(
                workspace_id=row.workspace_id,
                kind="card_update",
                target_member_id=row.target_member_id,
                payload=row.payload,
                dedupe_key="card_update:test2",
                refreshes_id=row.id,
                next_attempt_at=team.clock.now(),
                created_at=team.clock.now(),
            )
        )
    await team.run("delivery")
    second = team.outbox("card_update")[-1]
    assert second.status == "failed" and "nothing to rewrite" in (second.last_error or "")
    assert len(team.slack.calls_to("chat.update")) == 1
    assert not team.outbox("delivery_failed")  # the admins hear nothing about it
