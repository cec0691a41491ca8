"""`tandem chat`: intel typed in the terminal, through the same dispatch as every platform; its buttons print as
the commands they run."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest

from adapters.console import run_console
from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.core.runtime import Runtime
from bot.demo import seed_demo
from bot.server import build_runtime
from tests.adapters.test_console import Script


@pytest.fixture
def demo_runtime(settings: Settings, clock: FakeClock) -> Iterator[Runtime]:
    runtime = build_runtime(settings, clock=clock)
    seed_demo(runtime)
    yield runtime
    runtime.db.dispose()


def test_a_rep_files_and_reads_intel_in_the_terminal(demo_runtime: Runtime) -> None:
    out = io.StringIO()
    script = Script("intel initech now bundles SSO for free", "intel list", "intel show Initech")
    assert run_console(demo_runtime, "sam", script, out) == 0
    text = out.getvalue()
    assert "Thanks — that's the 4th note on Initech (2 this month)." in text  # the demo's Initech, any case
    assert "[More on Initech] intel show Initech" in text
    assert "Globex — 5 notes, last on 6 Mar\nInitech — 4 notes, last on 10 Mar\nHubSpot — 1 note, last on 2 Mar" in text
    assert "now bundles SSO for free\n  @Sam Patel · Tue 10 Mar 10:00 GMT" in text  # Sam's own zone, Europe/London
    assert "[Add a note] intel Initech <What did you hear about Initech? (up to 2,000 characters)>" in text
