"""A team's DM pace, decided on seconds the test gives it: a 429 pauses the team for Retry-After and cuts the rate
once per pause; the rate rises slowly only while the pace holds sends back; a send too far back in the queue is
not waited for; a busy moment is not made up for with a burst."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot.core.clock import FakeClock
from bot.core.pacing import CUT, FAST_CUT, FIRST_CUT, FORGET, RAISE, Pace, Pacing, Turn


def _go(pace: Pace, now: float) -> Turn:
    """A send let go and put on the wire at ``now``, which the pace allows."""
    assert pace.wait(now) == 0
    turn = pace.let_go(now, paced=False)
    pace.started(now)
    return turn


def _burst(pace: Pace, count: int, every: float) -> list[Turn]:
    """``count`` sends, one every ``every`` seconds from 0, each going through."""
    turns = [_go(pace, n * every) for n in range(count)]
    for turn in turns:
        pace.sent(turn, turn.at)
    return turns


def test_before_any_429_sends_go_at_the_callers_own_speed() -> None:
    pace = Pace()
    _burst(pace, 20, every=0.001)
    assert pace.rate is None and pace.wait(0.02) == 0


def test_a_429_pauses_the_whole_team_until_retry_after_then_sends_go_at_a_learned_rate() -> None:
    pace = Pace()
    *_, last = _burst(pace, 20, every=0.01)  # 20 sends in 0.2 s: 100 a second
    pace.refused(last, 0.2, retry_after=1.0)  # the last of them comes back 429
    assert pace.rate == pytest.approx(FIRST_CUT * 100)
    assert pace.wait(0.25) == pytest.approx(0.95)  # a send that wants to go 50 ms later waits out Retry-After
    first = pace.let_go(1.2, paced=True)
    assert pace.wait(1.2) == pytest.approx(1 / pace.rate)  # and the next one waits its turn at the rate
    assert first.epoch == 1


def test_a_429_before_two_sends_went_out_pauses_the_team_but_learns_no_rate() -> None:
    pace = Pace()
    turn = _go(pace, 0.0)
    pace.refused(turn, 0.0, retry_after=2.0)
    assert pace.rate is None and pace.wait(0.5) == pytest.approx(1.5)


def test_the_sends_already_on_their_way_when_the_429_came_do_not_cut_again() -> None:
    pace = Pace()
    _burst(pace, 20, every=0.01)
    on_their_way = [_go(pace, 0.2) for _ in range(15)]
    pace.refused(on_their_way[0], 0.2, retry_after=1.0)
    rate = pace.rate
    for n, turn in enumerate(on_their_way[1:]):
        pace.refused(turn, 0.21 + n * 0.001, retry_after=1.0)
        assert not pace.current(turn, 0.21 + n * 0.001)
    assert pace.rate == rate and pace.epoch == 1
    assert pace.paused_until == pytest.approx(0.21 + 13 * 0.001 + 1.0)  # each one's Retry-After is still honoured


def test_a_429_soon_after_resuming_cuts_hard_and_one_after_a_while_cuts_gently() -> None:
    pace = Pace(rate=200.0)
    turn = pace.let_go(0.0, paced=False)
    pace.refused(turn, 5.0, retry_after=1.0)  # five seconds at the pace: just over the limit
    assert pace.rate == pytest.approx(200 * CUT)
    turn = pace.let_go(6.0, paced=False)  # the pause is over at 6.0
    pace.refused(turn, 6.5, retry_after=1.0)  # half a second after resuming: far over the limit
    assert pace.rate == pytest.approx(200 * CUT * FAST_CUT)
    rate = pace.rate
    turn = pace.let_go(30.0, paced=True)
    pace.refused(turn, 30.0, retry_after=1.0)
    assert pace.rate == pytest.approx(rate * CUT)


def test_the_rate_rises_only_while_the_pace_holds_sends_back_and_they_leave_on_time() -> None:
    pace = Pace(rate=10.0)
    free = pace.let_go(0.0, paced=False)
    pace.sent(free, 0.0)
    assert pace.rate == 10.0  # the caller's own speed set this one
    held = pace.let_go(0.1, paced=True)
    pace.sent(held, 0.6)  # left half a second after its turn: the sender, not the platform, is the limit
    assert pace.rate == 10.0
    on_time = pace.let_go(0.7, paced=True)
    pace.sent(on_time, 0.7)
    assert pace.rate == pytest.approx(10.0 + RAISE / 10.0)


def test_a_send_let_go_a_little_late_keeps_the_pace_and_a_very_late_one_does_not_start_a_burst() -> None:
    pace = Pace(rate=10.0)
    pace.let_go(0.0, paced=False)
    pace.let_go(0.15, paced=True)  # due at 0.1: woken 50 ms late
    assert pace.wait(0.15) == pytest.approx(0.05)  # the next is still due at 0.2
    pace.let_go(0.6, paced=True)  # due at 0.2, but the process was busy until 0.6
    assert pace.wait(0.6) == pytest.approx(0.1)  # no catching up four turns at once


def test_a_send_behind_a_queue_knows_how_long_it_would_wait() -> None:
    pace = Pace(rate=2.0)
    pace.let_go(0.0, paced=False)
    assert pace.ahead(0.0, queued=0) == pytest.approx(0.5)
    assert pace.ahead(0.0, queued=4) == pytest.approx(2.5)


def test_a_pace_unused_for_long_is_forgotten() -> None:
    pace = Pace(rate=5.0)
    pace.let_go(0.0, paced=False)
    assert pace.wait(FORGET + 1) == 0 and pace.rate is None


class _Clock(FakeClock):
    """The test's clock, which moves when waited on; it notes every wait."""

    def __init__(self) -> None:
        super().__init__(datetime.fromtimestamp(0, UTC))
        self.slept: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        await super().sleep(seconds)


def test_a_teams_sends_take_their_turns_one_behind_the_other() -> None:
    clock = _Clock()
    pacing = Pacing(clock)
    pacing.of("slack", "T1").rate = 4.0

    async def five() -> list[Turn | None]:
        return list(await asyncio.gather(*(pacing.wait_turn("slack", "T1", within=10) for _ in range(5))))

    turns = asyncio.run(five())
    assert [t.at if t else None for t in turns] == pytest.approx([0.0, 0.25, 0.5, 0.75, 1.0])
    assert [t.paced if t else None for t in turns] == [False, True, True, True, True]


def test_a_429_while_a_send_waits_its_turn_makes_it_wait_for_the_pause_too() -> None:
    clock = _Clock()
    pacing = Pacing(clock)
    pace = pacing.of("slack", "T1")
    pace.rate = 2.0
    on_its_way = pace.let_go(0.0, paced=False)

    async def refused_while_waiting() -> Turn | None:
        waiting = asyncio.ensure_future(pacing.wait_turn("slack", "T1", within=10))
        await asyncio.sleep(0)  # it queues for 0.5
        pace.refused(on_its_way, pacing.seconds(), retry_after=3.0)  # the one on its way comes back 429
        return await waiting

    turn = asyncio.run(refused_while_waiting())
    assert turn is not None and turn.at == pytest.approx(3.0) and turn.epoch == 1


def test_one_teams_pause_does_not_hold_another_team_back() -> None:
    clock = _Clock()
    pacing = Pacing(clock)
    busy = pacing.of("slack", "T1")
    busy.refused(busy.let_go(0.0, paced=False), 0.0, retry_after=30.0)
    assert asyncio.run(pacing.wait_turn("slack", "T1", within=10)) is None  # 30 s away: not waited for here
    assert pacing.seconds_ahead("slack", "T1") == pytest.approx(30.0)
    other = asyncio.run(pacing.wait_turn("slack", "T2", within=10))
    assert other is not None and other.at == 0.0
    teams = asyncio.run(pacing.wait_turn("teams", "T1", within=10))  # the same id on another platform
    assert teams is not None and clock.slept == []
