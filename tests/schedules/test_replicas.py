"""Real `tandem serve` processes with the scheduler on, a loopback fake Slack, hundreds of leads falling
due over many firings: every nag and escalation reaches Slack exactly once — and a replica killed with
SIGKILL mid-run loses nothing. PostgreSQL: three replicas; SQLite: one process, killed and restarted."""

from __future__ import annotations

import contextlib
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import insert
from sqlmodel import select

from bot.admin.settings import set_setting
from bot.core.people import find_workspace
from bot.core.request import Person, Request
from bot.core.runtime import Runtime
from storage.models import JobLease, Lead, LeadEvent, Member, Outbox, WorkspaceSetting
from tests.adapters.slack.fake_slack import FakeSlack

pytestmark = pytest.mark.slow

LEADS = 300
REPS = [f"UREP{n}" for n in range(10)]
SPREAD_SECONDS = 12.0  # leads fall due over this window: many nag firings, each with a share of them
PATTERNS = {  # what each message is, from its notification text
    "nag": re.compile(r"^⏰ L-(\d+) "),
    "escalation": re.compile(r"^🚨 L-(\d+) ·"),
    "heads-up": re.compile(r"^👀 Heads-up on L-(\d+) ·"),
}


@dataclass
class Replica:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


LISTENING = re.compile(rb"Uvicorn running on http://127\.0\.0\.1:(\d+) ")


def _copy_output(process: subprocess.Popen[bytes], log: Path, ports: queue.Queue[int | None]) -> None:
    """Copy the replica's output into its log file; hand over the port uvicorn reports once it listens
    (None if the process exits first)."""
    assert process.stdout is not None
    with log.open("wb") as out:
        for line in process.stdout:
            out.write(line)
            out.flush()
            if match := LISTENING.search(line):
                ports.put(int(match.group(1)))
    ports.put(None)


def start_replica(url: str, slack: FakeSlack, workdir: Path, name: str) -> Replica:
    """``--port 0``: the kernel gives the replica's own listening socket a free port, and the replica says
    which; no port is chosen here and released for someone else to take before the replica binds it."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "TANDEM_SECRET_KEY": "replica-test-secret-0123456789",
        "TANDEM_SCHEDULER": "on",
        "TANDEM_DELIVERY_INTERVAL": "0.2",
        "TANDEM_NAG_INTERVAL": "1",
        "TANDEM_DELIVERY_CLAIM_TIMEOUT": "3",
        "SLACK_SIGNING_SECRET": "replica-signing-secret",
        "SLACK_BOT_TOKEN": "xoxb-replica",
        "SLACK_API_URL": slack.api_url,
        "TANDEM_PLAYGROUND": "0",
    }
    log = workdir / f"{name}.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--port", "0"],
        env=env,
        cwd=workdir,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    ports: queue.Queue[int | None] = queue.Queue()
    threading.Thread(target=_copy_output, args=(process, log, ports), daemon=True).start()
    replica = Replica(process, 0, log)
    with contextlib.suppress(queue.Empty):
        replica.port = ports.get(timeout=120) or 0  # generous: three replicas start on a busy machine
    if not replica.port:
        replica.stop()
        raise AssertionError(f"replica {name} did not come up:\n{log.read_text()[-3000:]}")
    assert httpx.get(f"http://127.0.0.1:{replica.port}/healthz", timeout=30).status_code == 200
    return replica


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    yield fake
    fake.stop()


def seed(runtime: Runtime, now: datetime) -> None:
    """A Slack workspace: Mara (marketer), ten reps, a managers channel, quiet hours off so the test runs at
    any hour, escalation on the first nag; then LEADS overdue hand-offs falling due across the window."""
    for user in ["UMARA", *REPS]:
        assert runtime.dispatcher.handle(Request(Person("slack", user, user.title()), "T1", "lead list")).ok
    with runtime.db.session() as s:
        ws = find_workspace(s, "slack", "T1")
        assert ws is not None and ws.id is not None
        members = {m.display_name: m for m in s.exec(select(Member).where(Member.workspace_id == ws.id)).all()}
        members["Umara"].role = "marketer"
        s.add(members["Umara"])
        set_setting(s, ws.id, "quiet_hours", "none")
        set_setting(s, ws.id, "escalate_after_nags", "0")
        s.add(WorkspaceSetting(workspace_id=ws.id, key="managers_channel", value="slack:CMGR"))
        owners = [members[user.title()].id for user in REPS]
        handed = now - timedelta(hours=5)
        rows = [
            dict(
                workspace_id=ws.id,
                number=n,
                company=f"Company {n}",
                source="marketing",
                owner_id=owners[n % 10],
                marketer_id=members["Umara"].id,
                status="handed_off",
                created_at=handed,
                handed_off_at=handed,
                nag_due_at=now + timedelta(seconds=2 + SPREAD_SECONDS * n / LEADS),
                nag_count=0,
            )
            for n in range(1, LEADS + 1)
        ]
        s.execute(insert(Lead), rows)
        ws.lead_seq = LEADS
        s.add(ws)


def delivered(slack: FakeSlack) -> Counter[tuple[str, str, int]]:
    """(kind, Slack channel, lead number) → how many times Slack accepted it."""
    seen: Counter[tuple[str, str, int]] = Counter()
    for call in slack.calls_to("chat.postMessage"):
        text = str(call.params.get("text", ""))
        for kind, pattern in PATTERNS.items():
            match = pattern.match(text)
            if match:
                seen[(kind, str(call.params.get("channel")), int(match.group(1)))] += 1
    return seen


def expected(runtime: Runtime) -> dict[tuple[str, str, int], int]:
    """Each lead: a nag DM to its owner, a post in the managers channel, a heads-up DM to Mara — with the
    outbox row id that carries it."""
    with runtime.db.session() as s:
        users = {m.id: m.display_name.upper() for m in s.exec(select(Member)).all()}
        leads = {lead.id: lead for lead in s.exec(select(Lead)).all()}
        rows = s.exec(select(Outbox).where(Outbox.kind.in_(("nag", "escalation")))).all()  # type: ignore[attr-defined]
        out: dict[tuple[str, str, int], int] = {}
        for row in rows:
            number = leads[int(row.dedupe_key.split(":")[1][1:])].number
            if row.kind == "nag":
                key = ("nag", "D" + users[row.target_member_id or 0], number)
            elif row.target_channel:
                key = ("escalation", "CMGR", number)
            else:
                key = ("heads-up", "D" + users[row.target_member_id or 0], number)
            assert key not in out, f"two outbox rows for {key}"
            out[key] = row.id or 0
        return out


def wait_until(condition, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    """For state other processes commit to the database, which nothing here is told about: a bounded poll."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def unsent(runtime: Runtime) -> int:
    with runtime.db.session() as s:
        return len(s.exec(select(Outbox.id).where(Outbox.status != "sent")).all())


def test_replicas_deliver_every_nag_and_escalation_exactly_once_and_survive_sigkill(
    runtime: Runtime, database_url: str, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    postgres = not database_url.startswith("sqlite")
    seed(runtime, datetime.now(UTC))
    replicas: list[Replica] = []
    try:  # started inside: a replica that fails to come up never leaves the others running into later tests
        for i in range(3 if postgres else 1):
            replicas.append(start_replica(database_url, fake_slack, tmp_path, f"replica{i}"))
        fake_slack.wait_until(lambda: sum(delivered(fake_slack).values()) >= LEADS, 60, "a third of the messages")
        victim = replicas[0]
        victim.kill()
        with runtime.db.session() as s:  # rows the dead replica had claimed (it may have sent some of them)
            in_flight = set(
                s.exec(
                    select(Outbox.id).where(
                        Outbox.status == "sending",
                        Outbox.claimed_by.contains(f":{victim.process.pid}:"),  # type: ignore[union-attr]
                    )
                ).all()
            )
        if not postgres:  # one machine: the process comes back on the same database file
            replicas.append(start_replica(database_url, fake_slack, tmp_path, "restarted"))

        def finished() -> bool:
            with runtime.db.session() as s:
                due = s.exec(select(Lead.id).where(Lead.nag_count == 0)).all()
            return not due and unsent(runtime) == 0 and sum(delivered(fake_slack).values()) >= 3 * LEADS

        wait_until(finished, 90, "every lead nagged and every message delivered")
    finally:
        for replica in replicas:
            replica.stop()

    want = expected(runtime)
    assert len(want) == 3 * LEADS
    got = delivered(fake_slack)
    missing = [key for key in want if got[key] == 0]
    assert missing == [], f"lost: {missing[:5]}"
    duplicates = {key: got[key] for key in want if got[key] > 1}
    assert all(want[key] in in_flight for key in duplicates), f"sent twice outside the killed replica: {duplicates}"
    assert set(got) == set(want)

    with runtime.db.session() as s:
        kinds = Counter((e.lead_id, e.kind) for e in s.exec(select(LeadEvent)).all())
        assert set(kinds.values()) == {1} and len(kinds) == 2 * LEADS  # one nag + one escalation per lead
        owners = {lease.owner.split(":")[2] for lease in s.exec(select(JobLease).where(JobLease.job == "nags")).all()}
    assert len(owners) >= 2  # PostgreSQL: replicas shared the firings; SQLite: before and after the restart
