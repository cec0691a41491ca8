"""A post to several channels is one outbox row delivered to each channel in turn: each channel hears it exactly
once, a channel that fails is retried alone, one that cannot be reached is reported and does not keep the post from
the others, and a replica that dies between two channels leaves only the rest to send — through the real Slack
Sender to a loopback fake Slack."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert

from bot.core.outbox import channel_values, reply_of
from bot.core.replies import say, to_json
from bot.core.stops import Stop, stops
from bot.server import build_runtime
from schedules.jobs.delivery import CLAIM_TIMEOUT, claim_due, deliver_due
from storage.models import Outbox
from tests.schedules.conftest import SlackTeam, deliver_on_two_replicas, text_of

CHANNELS = ("slack:CSALES", "slack:CMKT", "slack:CMGMT")


def values(team: SlackTeam, *channels: str, text: str, key: str) -> dict[str, Any]:
    """An outbox row posting ``text`` to ``channels``, one after another."""
    return channel_values(
        team.clock,
        workspace_id=team.workspace_id,
        channel=channels[0],
        then=channels[1:],
        payload=to_json(say(text)),
        kind="meeting_reminder",
        key=key,
    )


def write(team: SlackTeam, rows: list[dict[str, Any]]) -> None:
    with team.runtime.db.session() as session:
        session.execute(insert(Outbox), rows)


def post(team: SlackTeam, *channels: str, text: str = "The quarterly meeting starts in 1 hour") -> int:
    write(team, [values(team, *channels, text=text, key="M1:s0:hour")])
    [row] = team.outbox("meeting_reminder")
    assert row.id is not None
    return row.id


def row(team: SlackTeam, row_id: int) -> Outbox:
    with team.runtime.db.session() as session:
        found = session.get(Outbox, row_id)
        assert found is not None
        return found


def asked(team: SlackTeam) -> list[str]:
    """The channel of every post Slack was asked for, in order (those it refused included)."""
    return [c.params["channel"] for c in team.slack.calls_to("chat.postMessage")]


def failing_in(channel: str, error: str, times: int = 1) -> Any:
    left = {"n": times}

    def answer(params: dict[str, Any]) -> dict[str, Any]:
        if params.get("channel") == channel and left["n"] > 0:
            left["n"] -= 1
            return {"ok": False, "error": error}
        return {"ok": True, "channel": params.get("channel"), "ts": "1.1"}

    return answer


async def test_a_post_to_three_channels_reaches_each_once_in_order_in_one_run(slack_team: SlackTeam) -> None:
    team = slack_team
    row_id = post(team, *CHANNELS)
    report = await deliver_due(team.runtime, owner="replica-a")
    assert asked(team) == ["CSALES", "CMKT", "CMGMT"] and report.sent == 3
    done = row(team, row_id)
    assert done.status == "sent" and done.channels_ahead is None
    assert stops(done) == tuple(Stop(channel, "sent") for channel in CHANNELS)
    for _ in range(3):
        team.later(minutes=5)
        await team.run("delivery")
    assert asked(team) == ["CSALES", "CMKT", "CMGMT"]
    assert all("starts in 1 hour" in str(call.params.get("blocks")) for call in team.slack.calls_to("chat.postMessage"))


async def test_a_failing_channel_is_retried_alone_and_the_one_before_never_hears_it_twice(
    slack_team: SlackTeam,
) -> None:
    team = slack_team
    row_id = post(team, "slack:CSALES", "slack:CMKT")
    team.slack.answer("chat.postMessage", failing_in("CMKT", "internal_error"))
    await team.run("delivery")
    waiting = row(team, row_id)
    assert (waiting.status, waiting.target_channel, waiting.attempts) == ("pending", "slack:CMKT", 1)
    assert [s.state for s in stops(waiting)] == ["sent", "pending"]
    assert asked(team) == ["CSALES", "CMKT"]
    team.later(seconds=5)
    await team.run("delivery")
    team.later(minutes=5)
    await team.run("delivery")
    assert asked(team) == ["CSALES", "CMKT", "CMKT"]
    assert [s.state for s in stops(row(team, row_id))] == ["sent", "sent"]


async def test_a_channel_that_cannot_be_reached_is_reported_and_the_others_still_hear_the_post(
    slack_team: SlackTeam,
) -> None:
    team = slack_team
    row_id = post(team, *CHANNELS)
    team.slack.answer("chat.postMessage", failing_in("CMKT", "channel_not_found"))
    await team.run("delivery")
    done = row(team, row_id)
    assert done.status == "sent"
    assert [(s.channel, s.state) for s in stops(done)] == [
        ("slack:CSALES", "sent"),
        ("slack:CMKT", "failed"),
        ("slack:CMGMT", "sent"),
    ]
    assert "channel_not_found" in (done.channels_done or "")
    [notice] = team.outbox("delivery_failed")
    words = text_of(reply_of(notice))
    assert "slack:CMKT" in words and "channel_not_found" in words and "starts in 1 hour" in words


async def test_a_replica_that_dies_between_two_channels_leaves_only_the_second_to_send(slack_team: SlackTeam) -> None:
    team = slack_team
    row_id = post(team, "slack:CSALES", "slack:CMKT")
    team.slack.answer("chat.postMessage", failing_in("CMKT", "internal_error"))
    await team.run("delivery")  # the sales channel has it; the marketing channel is due again in 5 s
    team.later(seconds=5)
    claimed, _, _ = claim_due(team.runtime.db, team.clock.now(), "serve:dead-host:1", 50, frozenset({"slack"}))
    assert [(c.id, c.target.address) for c in claimed] == [(row_id, "CMKT")]
    team.runtime.db.dispose()  # that replica is gone

    fresh = build_runtime(team.runtime.settings, clock=team.clock)
    fresh.senders.update(team.runtime.senders)
    try:
        await deliver_due(fresh, owner="serve:new-host:2")
        assert row(team, row_id).status == "sending"  # its claim is still fresh
        team.later(seconds=CLAIM_TIMEOUT.total_seconds() + 1)
        await deliver_due(fresh, owner="serve:new-host:2")
        await deliver_due(fresh, owner="serve:new-host:2")
    finally:
        fresh.db.dispose()
    assert asked(team) == ["CSALES", "CMKT", "CMKT"]  # the marketing channel's retry, once, by the new replica
    assert row(team, row_id).status == "sent"


async def test_two_replicas_delivering_posts_to_two_channels_at_once_send_each_once(slack_team: SlackTeam) -> None:
    team = slack_team
    write(team, [values(team, f"slack:CS{n}", f"slack:CM{n}", text=f"Agenda {n}", key=f"M{n}") for n in range(30)])
    await deliver_on_two_replicas(team)
    assert sorted(asked(team)) == sorted([f"CS{n}" for n in range(30)] + [f"CM{n}" for n in range(30)])
    assert {r.status for r in team.outbox("meeting_reminder")} == {"sent"}


async def test_the_next_channel_is_not_sent_behind_a_backlog_that_came_after_the_post(slack_team: SlackTeam) -> None:
    team = slack_team
    post(team, "slack:CSALES", "slack:CMKT")
    team.later(seconds=1)
    write(team, [values(team, f"slack:C{n:02d}", text=f"Later post {n}", key=f"C{n}") for n in range(30)])
    team.later(seconds=1)
    await deliver_due(team.runtime, owner="replica-a", batch=5)
    order = asked(team)
    assert len(order) == 32 and order.index("CSALES") < 5, order  # the first batch (its channels go side by side)
    assert order.index("CMKT") < 15, order  # in the first batches claimed after the sales channel had it
