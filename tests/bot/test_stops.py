"""How a post to several channels records its way through them (bot/core/stops.py): the order is kept, each
channel's outcome is read back as written, and a platform's note with tabs or newlines cannot break the record."""

from __future__ import annotations

from bot.core.stops import Stop, Walk, ahead_of, stops
from storage.models import Outbox


def row(**columns: object) -> Outbox:
    return Outbox(workspace_id=1, kind="meeting_agenda", payload="{}", dedupe_key="k", **columns)


def test_a_post_walks_its_channels_in_order_and_is_done_at_the_last() -> None:
    post = row(target_channel="slack:CS", channels_ahead=ahead_of(["slack:CM", "teams:19:x"]))
    assert stops(post) == (Stop("slack:CS", "pending"), Stop("slack:CM", "pending"), Stop("teams:19:x", "pending"))
    walk = Walk.of(post)
    assert walk is not None
    step = walk.moved_on("sent", "CS:1.1")
    post = row(target_channel=step.target_channel, channels_ahead=step.channels_ahead, channels_done=step.channels_done)
    walk = Walk.of(post)
    assert walk is not None
    step = walk.moved_on("failed", "Slack said channel_not_found\n\tagain")
    post = row(
        target_channel=step.target_channel,
        channels_ahead=step.channels_ahead,
        channels_done=step.channels_done,
        status="sent",
    )
    assert Walk.of(post) is None  # the last channel: delivery marks it sent like any row
    assert stops(post) == (Stop("slack:CS", "sent"), Stop("slack:CM", "failed"), Stop("teams:19:x", "sent"))
    assert post.channels_done == "sent\tslack:CS\tCS:1.1\nfailed\tslack:CM\tSlack said channel_not_found again"


def test_a_post_to_one_channel_has_no_walk_and_one_stop() -> None:
    post = row(target_channel="slack:CS", channels_ahead=ahead_of([]), status="failed")
    assert post.channels_ahead is None and Walk.of(post) is None
    assert stops(post) == (Stop("slack:CS", "failed"),)
    assert stops(row(target_member_id=7)) == ()  # a DM has no channels
