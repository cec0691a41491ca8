"""DMs into a workspace that Slack rate-limits as a whole (a pulse survey to every rep): after a 429 the team's other
DMs wait out its Retry-After instead of earning 429s of their own, and then go at a pace learned from the 429s;
every DM is delivered once, none goes back to the outbox. Through the real Slack Sender to the loopback fake
Slack, whose workspace bucket runs on the same clock as delivery's waits."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.core.clock import FakeClock
from bot.core.delivery import Sender, Target
from bot.core.outbox import enqueue_dm
from bot.core.replies import Reply, say
from schedules.jobs.delivery import DeliveryReport, deliver_due
from storage.models import Member, MemberAccount
from tests.schedules.conftest import SlackTeam

REPS = 120
RATE, BURST = 20.0, 5  # the fake workspace's limit on chat.postMessage
CONCURRENCY = 16  # the delivery job's default: sends on the wire at once


class Timeline(FakeClock):
    """The test's clock, moved only by waits: the earliest wait ends first, and only once no send is on the wire,
    so the fake Slack's bucket sees each send at the moment the pace let it go."""

    def __init__(self, start: datetime) -> None:
        super().__init__(start)
        self.on_the_wire = 0
        self.waits: list[tuple[datetime, int]] = []
        self._order = itertools.count()
        self._changed = asyncio.Event()

    def seconds(self) -> float:
        return self.now().timestamp()

    async def sleep(self, seconds: float) -> None:
        wait = (self.now() + timedelta(seconds=seconds), next(self._order))
        heapq.heappush(self.waits, wait)
        while True:
            if self.waits[0] == wait and self.on_the_wire == 0:
                for _ in range(5):  # a send let go a moment ago reaches the wire before the clock moves
                    await asyncio.sleep(0)
                if self.waits[0] == wait and self.on_the_wire == 0:
                    break
                continue
            changed = self._changed
            await changed.wait()
        heapq.heappop(self.waits)
        self.set(max(self.now(), wait[0]))
        self.changed()

    def changed(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()


class OnTheWire:
    """The real Slack Sender, counted while a send is out so the timeline never moves under it."""

    platform = "slack"

    def __init__(self, sender: Sender, timeline: Timeline) -> None:
        self.sender, self.timeline = sender, timeline

    async def send(self, target: Target, reply: Reply) -> str | None:
        self.timeline.on_the_wire += 1
        try:
            return await self.sender.send(target, reply)
        finally:
            self.timeline.on_the_wire -= 1
            self.timeline.changed()

    async def update(self, target: Target, ref: str, reply: Reply) -> str | None:
        return await self.sender.update(target, ref, reply)


@pytest.fixture
def clock() -> Timeline:
    return Timeline(datetime(2026, 3, 10, 10, 0, tzinfo=UTC))


def _ask_every_rep(team: SlackTeam, count: int) -> None:
    """``count`` reps with Slack accounts, and a DM queued for each (as the pulse survey writes them)."""
    with team.runtime.db.session() as s:
        workspace, now = team.workspace_id, team.clock.now()
        reps = [Member(workspace_id=workspace, display_name=f"Rep {n}", created_at=now) for n in range(count)]
        s.add_all(reps)
        s.flush()
        for rep in reps:
            assert rep.id is not None
            s.add(
                MemberAccount(
                    workspace_id=rep.workspace_id, member_id=rep.id, platform="slack", external_id=f"UREP{rep.id}"
                )
            )
        s.flush()
        for rep in reps:
            question = say("How aligned are sales and marketing?")
            enqueue_dm(s, team.clock, member=rep, reply=question, kind="pulse", key=f"pulse:{rep.id}")


async def test_after_a_429_the_teams_other_dms_wait_and_every_dm_is_delivered_once(slack_team: SlackTeam) -> None:
    team = slack_team
    timeline = team.clock
    assert isinstance(timeline, Timeline)
    _ask_every_rep(team, REPS)
    team.slack.limit("chat.postMessage", rate=RATE, burst=BURST, retry_after=1, clock=timeline.seconds)
    team.runtime.senders["slack"] = OnTheWire(team.runtime.senders["slack"], timeline)

    reports: list[DeliveryReport] = []
    for _ in range(30):  # firings, as the scheduler runs them; the clock moves on a second between them
        reports.append(await deliver_due(team.runtime, owner="replica", concurrency=CONCURRENCY))
        if all(row.status == "sent" for row in team.outbox("pulse")):
            break
        timeline.advance(timedelta(seconds=1))

    rows = team.outbox("pulse")
    assert [row.status for row in rows] == ["sent"] * REPS
    posts = team.slack.calls_to("chat.postMessage")
    delivered = Counter(str(c.params.get("channel")) for c in posts if c.status == 200)
    with team.runtime.db.session() as s:
        reps = s.exec(select(MemberAccount.external_id).where(MemberAccount.external_id.startswith("UREP"))).all()  # type: ignore[attr-defined]
    assert delivered == Counter(f"D{user}" for user in reps)  # every rep once, nobody twice
    refused = [c for c in posts if c.status == 429]
    assert refused, "the fake workspace never limited the sends: the test proves nothing"
    # The sends already on the wire when the first 429 came back earn one too (at most CONCURRENCY); after that the
    # team waits, and each 429 is the pace finding the limit, one per cut: on this clock sends take no time, so the
    # first guess is far too fast and takes a dozen cuts. Backing off per DM, each alone, earned 2,760 here.
    assert len(refused) < 3 * CONCURRENCY, f"{len(refused)} 429s for {REPS} DMs"
    for limited in refused:  # each Retry-After held the whole team: no DM went out before it had passed
        early = [c for c in posts if c.at is not None and limited.at is not None and limited.at < c.at < limited.at + 1]
        assert not early, f"{len(early)} DMs sent during a Retry-After"
    assert sum(r.retrying for r in reports) == 0  # every 429 was waited out here: no row went back to the outbox
    assert sum(r.waited for r in reports) == len(refused)
