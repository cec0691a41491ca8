"""The code stays typed and tidy: mypy and ruff are part of the suite (DESIGN.md §4)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@pytest.mark.parametrize(
    "tool",
    [
        ["ruff", "check", "."],
        ["ruff", "format", "--check", "."],
        ["mypy", "--no-incremental", "--cache-dir", "/dev/null"],
    ],
)
def test_tool_is_clean(tool: list[str]) -> None:
    if not (BIN / tool[0]).exists():
        pytest.skip(f"{tool[0]} is installed with the dev extras")
    result = subprocess.run([str(BIN / tool[0]), *tool[1:]], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
