"""Resident memory of `tandem serve` at idle (target ≤ 150 MB RSS), with the scheduler off and on, and with the
Slack and Teams adapters mounted. Starts the real CLI on 127.0.0.1, sends a few requests, idles, reads VmRSS:

    .venv/bin/python bench/memory.py            # 3 runs per set-up, median printed
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from storage.migrate import upgrade  # noqa: E402

SETUPS: dict[str, dict[str, str]] = {
    "scheduler off": {"TANDEM_SCHEDULER": "off"},
    "scheduler on": {"TANDEM_SCHEDULER": "on"},
    "scheduler on + Slack": {
        "TANDEM_SCHEDULER": "on",
        "SLACK_SIGNING_SECRET": "x",
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_API_URL": "http://127.0.0.1:9/",
    },
    "scheduler on + Teams": {"TANDEM_SCHEDULER": "on", "TEAMS_ENABLED": "1"},
    "scheduler on + Slack + Teams": {
        "TANDEM_SCHEDULER": "on",
        "SLACK_SIGNING_SECRET": "x",
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_API_URL": "http://127.0.0.1:9/",
        "TEAMS_ENABLED": "1",
    },
}
# Everything Tandem reads, so the caller's environment cannot change what is measured.
CLEARED = (
    "DATABASE_URL",
    "TANDEM_SECRET_KEY",
    "TANDEM_SCHEDULER",
    "TANDEM_PLAYGROUND",
    "SLACK_SIGNING_SECRET",
    "SLACK_BOT_TOKEN",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "SLACK_API_URL",
    "MICROSOFT_APP_ID",
    "MICROSOFT_APP_PASSWORD",
    "MICROSOFT_APP_TENANT_ID",
    "TEAMS_ENABLED",
    "TANDEM_ADMINS",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def measure(db_url: str, extra: dict[str, str], workdir: Path, idle: float) -> tuple[float, float]:
    """(VmRSS, VmHWM) in MB of one `tandem serve` after start-up, a few requests and ``idle`` seconds."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env.update(DATABASE_URL=db_url, TANDEM_SECRET_KEY="bench-secret-key-0123456789abcdef", **extra)
    proc = subprocess.Popen(
        [str(ROOT / ".venv/bin/tandem"), "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=workdir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=5) as client:
            deadline = time.monotonic() + 30
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"tandem serve exited with {proc.returncode}")
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("tandem serve did not answer /healthz within 30 s")
                time.sleep(0.1)
            for _ in range(5):
                client.get("/healthz")
                client.get("/readyz")
            if "SLACK_SIGNING_SECRET" in extra:
                client.post(
                    "/slack/events",
                    content=b"command=%2Ftandem&text=help",
                    headers={"Content-Type": "application/x-www-form-urlencoded"},
                )  # unsigned: refused
            if extra.get("TEAMS_ENABLED"):
                client.post("/api/messages", json={})
        time.sleep(idle)
        return status_kb(proc.pid, "VmRSS") / 1024, status_kb(proc.pid, "VmHWM") / 1024
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--idle", type=float, default=5.0, help="seconds idle before reading VmRSS")
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra environment for every set-up, e.g. MALLOC_ARENA_MAX=2",
    )
    parser.add_argument("--only", help="run only the set-ups whose name contains this text")
    args = parser.parse_args()
    common = dict(item.split("=", 1) for item in args.env)
    with tempfile.TemporaryDirectory(prefix="tandem-mem-") as tmp:
        workdir = Path(tmp)
        db_url = f"sqlite:///{workdir / 'tandem.db'}"
        upgrade(db_url)
        if common:
            print("extra environment:", " ".join(args.env))
        print("| set-up | VmRSS MB (median) | runs | peak VmHWM MB | ≤ 150 MB |")
        print("|---|---:|---|---:|---|")
        for name, extra in SETUPS.items():
            if args.only and args.only not in name:
                continue
            results = [measure(db_url, {**common, **extra}, workdir, args.idle) for _ in range(args.runs)]
            rss = statistics.median(r[0] for r in results)
            runs = ", ".join(f"{r[0]:.0f}" for r in results)
            peak = max(r[1] for r in results)
            print(f"| {name} | {rss:.0f} | {runs} | {peak:.0f} | {'yes' if rss <= 150 else 'NO'} |", flush=True)


if __name__ == "__main__":
    main()
