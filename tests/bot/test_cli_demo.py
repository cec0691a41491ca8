"""`tandem demo` says it is ready only when it is: the moment the line appears, the port answers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from queue import Empty, Queue

import httpx

ROOT = Path(__file__).resolve().parents[2]
READY = "Tandem demo is ready"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start_demo(tmp_path: Path, port: int) -> tuple[subprocess.Popen[str], Queue[str]]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT), "TANDEM_SCHEDULER": "off"}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "demo", "--port", str(port), "--database", str(tmp_path / "demo.db")],
        cwd=tmp_path,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    lines: Queue[str] = Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    return process, lines


def _wait_for(lines: Queue[str], text: str, deadline: float) -> tuple[bool, str]:
    seen = ""
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.2)
        except Empty:
            continue
        seen += line
        if text in line:
            return True, seen
    return False, seen


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def test_the_ready_line_comes_once_the_port_answers(tmp_path: Path) -> None:
    port = _free_port()
    process, lines = _start_demo(tmp_path, port)
    try:
        found, seen = _wait_for(lines, READY, time.monotonic() + 90)
        assert found, seen
        response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)  # at once: no retry, no sleep
        assert response.status_code == 200
        assert httpx.get(f"http://127.0.0.1:{port}/", timeout=5).status_code == 200
        people = httpx.get(f"http://127.0.0.1:{port}/playground/people", timeout=5).json()
        assert people, "the demo has a sample team"
        found = httpx.post(
            f"http://127.0.0.1:{port}/playground/command",
            json={"person": "rita", "text": "tool pricing"},
            timeout=10,
        ).json()
        assert f"http://127.0.0.1:{port}/t/" in found["reply_html"], "tool links point at this demo's own port"
    finally:
        _stop(process)


def test_a_busy_port_is_named_instead_of_a_ready_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        process, lines = _start_demo(tmp_path, port)
        try:
            code = process.wait(timeout=90)
        finally:
            _stop(process)
    _, seen = _wait_for(lines, "\0", time.monotonic() + 1)
    assert code != 0
    assert READY not in seen
    assert f"could not start on 127.0.0.1:{port}" in seen and f"--port {port + 1}" in seen
