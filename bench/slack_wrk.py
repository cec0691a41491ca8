"""Signed Slack slash commands under wrk, on loopback: one `tandem serve` worker answering `/lead show` and
`/lead list mine` from a seeded SQLite database, side by side in the same run with a bare slack-bolt app
whose listener only acks, and with the same bare app acking a fixed copy of Tandem's `/lead show` card (what
carrying the card costs, apart from making it). Requests/s, p50 and p99 at 1, 16 and 64 connections. A script,
not a test:

    .venv/bin/python bench/slack_wrk.py --seconds 10
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adapters.slack.commands import reply_payload  # noqa: E402
from bot.core.clock import SystemClock  # noqa: E402
from bot.core.config import Settings  # noqa: E402
from bot.core.request import Person, Request  # noqa: E402
from bot.server import build_runtime  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from tests.adapters.slack.fake_slack import FakeSlack  # noqa: E402

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench"
TEAM = "TBENCH"
CONNECTIONS = (1, 16, 64)
PYTHON = str(ROOT / ".venv" / "bin" / "python")


@dataclass
class Result:
    target: str
    command: str
    connections: int
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    cpu_us: float  # the server's CPU time per answered request: steadier than req/s on a shared machine


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def seed(url: str, leads: int) -> None:
    """A workspace where Rita (rep) owns ``leads`` leads handed off by Mara (admin)."""
    upgrade(url)
    settings = Settings(DATABASE_URL=url, TANDEM_ADMINS="UMARA", _env_file=None)  # type: ignore[call-arg]
    runtime = build_runtime(settings, clock=SystemClock())
    rita = Person("slack", "URITA", "rita", "rita@bench.test", "Europe/Berlin")
    mara = Person("slack", "UMARA", "mara", "mara@bench.test", "Europe/Berlin")
    handle = runtime.dispatcher.handle
    handle(Request(person=rita, team_id=TEAM, text="lead list"))
    for n in range(leads):
        reply = handle(
            Request(
                person=mara,
                team_id=TEAM,
                text=f'lead handoff Company{n} to:<@URITA> email:c{n}@example.test note:"first call"',
            )
        )
        assert reply.ok, reply.summary
        if n % 2 == 0:
            handle(Request(person=rita, team_id=TEAM, text=f"lead accept L-{n + 1}"))
    runtime.db.dispose()


def card_payload(url: str, path: Path) -> None:
    """Tandem's answer to Rita's `/lead show L-1`, as the ack's JSON, for the bare app to send back verbatim."""
    settings = Settings(DATABASE_URL=url, TANDEM_ADMINS="UMARA", _env_file=None)  # type: ignore[call-arg]
    runtime = build_runtime(settings, clock=SystemClock())
    rita = Person("slack", "URITA", "Rita Rep", "rita@bench.test", "Europe/Berlin")
    reply = runtime.dispatcher.handle(Request(person=rita, team_id=TEAM, text="lead show L-1", channel="C0BENCH"))
    runtime.db.dispose()
    path.write_text(json.dumps(reply_payload(reply), ensure_ascii=False))


def lua_script(path: Path, text: str) -> None:
    """wrk cannot compute HMACs: sign once now (valid five minutes, longer than one run)."""
    body = urlencode(
        {
            "token": "x",
            "team_id": TEAM,
            "team_domain": "bench",
            "channel_id": "C0BENCH",
            "channel_name": "general",
            "user_id": "URITA",
            "user_name": "rita",
            "command": "/lead",
            "text": text,
            "api_app_id": "A1",
            "response_url": "http://127.0.0.1:9/unused",
            "trigger_id": "t",
        }
    )
    timestamp = str(int(time.time()))
    signature = "v0=" + hmac.new(SECRET.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    path.write_text(
        'wrk.method = "POST"\n'
        f'wrk.body = "{body}"\n'
        'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
        f'wrk.headers["X-Slack-Request-Timestamp"] = "{timestamp}"\n'
        f'wrk.headers["X-Slack-Signature"] = "{signature}"\n'
    )


def _ms(value: str) -> float:
    match = re.match(r"([\d.]+)(\w+)", value)
    if match is None:
        raise ValueError(f"unexpected wrk latency {value!r}")
    number, unit = match.groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(url: str, script: Path, connections: int, seconds: int) -> tuple[float, float, float, int]:
    command = [
        "taskset",
        "-c",
        "1",
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-s",
        str(script),
        url,
    ]
    out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30).stdout
    try:
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
        p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
        p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    except (AttributeError, ValueError) as error:
        raise RuntimeError(f"could not read wrk's output:\n{out}") from error
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    count = int(bad.group(1)) if bad else 0
    count += sum(int(g) for g in errors.groups()) if errors else 0
    return rps, p50, p99, count


def start(command: list[str], env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as sink:  # a file, not a pipe: an unread pipe would stall a chatty server
        process = subprocess.Popen(["taskset", "-c", "0", *command], env=env, cwd=ROOT, stdout=sink, stderr=sink)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/slack/events", timeout=1)
        except urllib.error.HTTPError:
            return process  # 405 for GET: it is up
        except OSError:
            time.sleep(0.1)
            continue
        return process
    process.kill()
    raise RuntimeError("server did not start: " + log.read_text()[-2000:])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def warm(url: str, script: Path) -> None:
    run_wrk(url, script, 4, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--leads", type=int, default=40)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install -y wrk")
    fake = FakeSlack().start()
    fake.add_user("URITA", "Rita Rep", "rita@bench.test", team_id=TEAM)
    work = Path(tempfile.mkdtemp(prefix="tandem-bench-"))
    url = f"sqlite:///{work / 'tandem.db'}"
    seed(url, args.leads)
    card = work / "card.json"
    card_payload(url, card)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "TANDEM_SECRET_KEY": "bench-secret-key-0123456789",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_API_URL": fake.api_url,
        "TANDEM_SCHEDULER": "off",
        "TANDEM_ADMINS": "UMARA",
        "PYTHONPATH": str(ROOT),
    }
    tandem_port, bare_port, card_port = free_port(), free_port(), free_port()
    scripts = {}
    results: list[Result] = []
    try:
        bare = [
            PYTHON,
            "-m",
            "uvicorn",
            "bench.bare_bolt_app:api",
            "--host",
            "127.0.0.1",
            "--log-level",
            "warning",
            "--no-access-log",
            "--port",
        ]
        for name, port, command, extra in (
            ("bare slack-bolt (ack only)", bare_port, [*bare, str(bare_port)], {}),
            (
                "bare slack-bolt (acks Tandem's card)",
                card_port,
                [*bare, str(card_port)],
                {"BARE_ACK_PAYLOAD": str(card)},
            ),
            (
                "tandem serve",
                tandem_port,
                [PYTHON, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(tandem_port)],
                {},
            ),
        ):
            log = work / f"{port}.log"
            server = start(command, {**env, **extra}, port, log)
            try:
                texts = ["show L-1"] if name.startswith("bare") else ["show L-1", "list mine", "help"]
                for text in texts:
                    script = work / f"{port}-{text.replace(' ', '_')}.lua"
                    lua_script(script, text)
                    scripts[text] = script
                    target = f"http://127.0.0.1:{port}/slack/events"
                    warm(target, script)
                    for connections in CONNECTIONS:
                        lua_script(script, text)  # a fresh timestamp per run
                        before = cpu_seconds(server.pid)
                        rps, p50, p99, errors = run_wrk(target, script, connections, args.seconds)
                        cpu_us = (cpu_seconds(server.pid) - before) / max(1.0, rps * args.seconds) * 1e6
                        results.append(Result(name, f"/lead {text}", connections, rps, p50, p99, errors, cpu_us))
                        print(
                            f"{name:28} /lead {text:10} c={connections:<3} {rps:8.0f} req/s  "
                            f"p50 {p50:7.2f} ms  p99 {p99:7.2f} ms  CPU {cpu_us:6.0f} µs/request  "
                            f"errors {errors}",
                            flush=True,
                        )
            finally:
                server.terminate()
                server.wait(timeout=10)
                print(f"--- last lines of the {name} log:\n" + "\n".join(log.read_text().splitlines()[-5:]))
    finally:
        fake.stop()
        shutil.rmtree(work, ignore_errors=True)
    print()
    print(markdown(results))
    print()
    print(ratios(results))


def ratios(results: list[Result]) -> str:
    """Each set-up's throughput at 16 connections as a share of the ack-only app's (the issue's yardstick)."""
    at16 = [r for r in results if r.connections == 16]
    bare = next((r for r in at16 if r.target.startswith("bare slack-bolt (ack only)")), None)
    if bare is None:
        return ""
    return "\n".join(f"{r.target} `{r.command}` at c=16: {r.rps / bare.rps:.2f}× the ack-only app" for r in at16)


def markdown(results: list[Result]) -> str:
    lines = ["| set-up | command | c=1 | c=16 | c=64 |", "|---|---|---|---|---|"]
    rows: dict[tuple[str, str], dict[int, Result]] = {}
    for result in results:
        rows.setdefault((result.target, result.command), {})[result.connections] = result
    for (target, command), by_c in rows.items():
        cells = [
            f"{r.rps:,.0f} req/s, p50 {r.p50_ms:.1f} ms, p99 {r.p99_ms:.1f} ms, CPU {r.cpu_us:,.0f} µs"
            + (f", {r.errors} errors" if r.errors else "")
            for r in (by_c[c] for c in CONNECTIONS)
        ]
        lines.append(f"| {target} | `{command}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
