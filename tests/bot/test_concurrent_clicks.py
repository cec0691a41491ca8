"""Two people, one lead, the same instant (DESIGN §3): a click on a Slack card and one on a Teams card, or two
replicas, run side by side through dispatch. Every command that changes a lead holds its row, so the second
sees what the first did: one winner and one clear refusal, never two winners, and one outbox row per message.

Each round releases two threads together with a barrier. On PostgreSQL the two commands really overlap; on
SQLite BEGIN IMMEDIATE queues them, and the same rules must hold."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from functools import partial

import pytest
from sqlalchemy import text, update
from sqlmodel import Session, col, select

from bot.core.outbox import enqueue_dm
from bot.core.replies import Reply, say
from storage.db import Database
from storage.models import Lead, LeadEvent, Member, Outbox
from tests.bot.conftest import Team, text_of

ROUNDS = 50


def at_once(*moves: Callable[[], Reply]) -> list[Reply]:
    """Run the moves in threads released together; their replies in order."""
    barrier = threading.Barrier(len(moves), timeout=60)
    replies: list[Reply | None] = [None] * len(moves)

    def run(index: int, move: Callable[[], Reply]) -> None:
        barrier.wait()
        replies[index] = move()

    threads = [threading.Thread(target=run, args=(i, move)) for i, move in enumerate(moves)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(reply is not None for reply in replies), "a command did not finish"
    return [reply for reply in replies if reply is not None]


def hand_off_with_a_delivered_card(team: Team, number: int, owner: str = "rita") -> Lead:
    """L-<number>, handed to ``owner``, whose card has been delivered (so a move rewrites it in a new row)."""
    reply = team.say("mara", f"lead handoff Company {number} to:@{owner}")
    assert reply.ok and f"L-{number}" in text_of(reply), text_of(reply)
    lead = team.lead(number)
    with team.runtime.db.session() as s:
        s.execute(
            update(Outbox).where(col(Outbox.lead_id) == lead.id, col(Outbox.kind) == "handoff").values(status="sent")
        )
    return lead


def story_of(team: Team, lead: Lead) -> tuple[list[str], Counter[tuple[str, int | None]]]:
    """The lead's trail, and the outbox rows about it (its cards, their rewrites, notices of its events)
    counted by (kind, recipient)."""
    with team.runtime.db.session() as s:
        trail = s.exec(select(LeadEvent).where(LeadEvent.lead_id == lead.id).order_by(col(LeadEvent.id))).all()
        rows = s.exec(select(Outbox)).all()
    events = {f"e{event.id}" for event in trail}
    cards = {row.id for row in rows if row.lead_id == lead.id}
    about = [
        row
        for row in rows
        if row.lead_id == lead.id or row.refreshes_id in cards or row.dedupe_key.split(":")[1] in events
    ]
    return [event.kind for event in trail], Counter((row.kind, row.target_member_id) for row in about)


def test_accept_and_reject_at_once_give_one_winner_and_one_refusal(team: Team) -> None:
    rita, mara = team.member("rita").id, team.member("mara").id
    winners: Counter[str] = Counter()
    for number in range(1, ROUNDS + 1):
        lead = hand_off_with_a_delivered_card(team, number)
        accepted, rejected = at_once(
            partial(team.say, "rita", f"lead accept L-{number}"),
            partial(team.say, "rita", f"lead reject L-{number} not our market"),
        )
        assert accepted.ok != rejected.ok, (text_of(accepted), text_of(rejected))
        events, rows = story_of(team, lead)
        status = team.lead(number).status
        if accepted.ok:
            winners["accept"] += 1
            assert f"L-{number} is already accepted. To close it, report it lost" in text_of(rejected)
            assert (status, events) == ("accepted", ["handoff", "accept"])
            assert rows == Counter({("handoff", rita): 1, ("card_update", rita): 1, ("accepted", mara): 1})
        else:
            winners["reject"] += 1
            assert f"L-{number} is rejected" in text_of(accepted)
            assert (status, events) == ("rejected", ["handoff", "reject"])
            assert rows == Counter({("handoff", rita): 1, ("card_update", rita): 1, ("rejected", mara): 1})
    assert sum(winners.values()) == ROUNDS


def test_reassign_and_accept_at_once_happen_one_after_the_other(team: Team) -> None:
    """Whichever runs first, the other sees its result: a reassigned lead cannot be accepted by its old owner
    (refused); a lead accepted a moment earlier is then moved on by the reassignment, as it would be a minute
    later. Never the blend of both: the new owner holding a lead he never accepted."""
    rita, sam, mara = team.member("rita").id, team.member("sam").id, team.member("mara").id
    orders: Counter[str] = Counter()
    for number in range(1, ROUNDS + 1):
        lead = hand_off_with_a_delivered_card(team, number)
        reassigned, accepted = at_once(
            partial(team.say, "mara", f"lead reassign L-{number} to:@sam"),
            partial(team.say, "rita", f"lead accept L-{number}"),
        )
        assert reassigned.ok, text_of(reassigned)
        events, rows = story_of(team, lead)
        after = team.lead(number)
        assert (after.owner_id, after.status, after.accepted_at) == (sam, "handed_off", None)
        if not accepted.ok:
            orders["reassign first"] += 1
            assert f"Only the owner of L-{number} can accept it" in text_of(accepted)
            assert events == ["handoff", "reassign"]
            assert rows == Counter({("handoff", rita): 1, ("card_update", rita): 1, ("handoff", sam): 1})
        else:
            orders["accept first"] += 1
            assert events == ["handoff", "accept", "reassign"]
            assert rows == Counter(
                {("handoff", rita): 1, ("card_update", rita): 1, ("accepted", mara): 1, ("handoff", sam): 1}
            )
    assert sum(orders.values()) == ROUNDS


def test_two_identical_hand_offs_at_once_make_one_lead(team: Team) -> None:
    for round_ in range(1, ROUNDS // 5 + 1):
        command = f"lead handoff Twin {round_} email:buyer{round_}@twin.test to:@rita"
        first, second = at_once(partial(team.say, "mara", command), partial(team.say, "mara", command))
        assert first.ok != second.ok, (text_of(first), text_of(second))
        assert "already an open lead" in text_of(second if first.ok else first)
    with team.runtime.db.session() as s:
        assert len(s.exec(select(Lead)).all()) == ROUNDS // 5


def test_a_message_written_twice_at_once_is_stored_once_and_fails_neither(team: Team) -> None:
    """The outbox's idempotency key is checked by the insert itself: a twin written while the first is still
    uncommitted waits for it and then inserts nothing, instead of failing its whole command on the key."""
    db = team.runtime.db
    if not db.is_postgres:
        pytest.skip("SQLite's BEGIN IMMEDIATE admits one writer at a time: a twin cannot overlap the first")
    mara_id, clock = team.member("mara").id, team.runtime.clock

    def enqueue(session: Session) -> Outbox | None:
        member = session.get(Member, mara_id)
        assert member is not None
        return enqueue_dm(session, clock, member=member, reply=say("once"), kind="test", key="twin")

    outcome: list[Outbox | BaseException | None] = []

    def twin() -> None:
        try:
            with db.session() as session:
                outcome.append(enqueue(session))
        except BaseException as error:  # the failure the test is about: reported by the assertion below
            outcome.append(error)

    with db.session() as first:
        assert enqueue(first) is not None  # written, not yet committed
        thread = threading.Thread(target=twin)
        thread.start()
        _until_a_session_waits_for_a_lock(db)
    thread.join(timeout=60)
    assert outcome == [None]
    with db.session() as session:
        assert len(session.exec(select(Outbox).where(Outbox.kind == "test")).all()) == 1


def _until_a_session_waits_for_a_lock(db: Database) -> None:
    """Block until another session of this database is waiting on a row lock (the twin's insert)."""
    deadline = time.monotonic() + 30
    with db.engine.connect() as conn:
        while (
            conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'"
                )
            ).scalar_one()
            == 0
        ):
            assert time.monotonic() < deadline, "the twin never reached the insert"
            conn.rollback()
