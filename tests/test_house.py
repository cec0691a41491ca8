"""The shape of the code (DESIGN.md §1): arrows point one way, bot/ knows no platform, modules stay small."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PLATFORM_LIBRARIES = ("slack_bolt", "slack_sdk", "microsoft_teams", "fastapi", "starlette", "apscheduler", "uvicorn")
WIRING = frozenset({"bot/server.py", "bot/cli.py"})  # the composition root and the command line may import anything
FEATURES = ("leads", "admin", "campaigns", "tools", "intel", "stats", "meetings", "survey", "imports")


def _modules(*tops: str) -> list[Path]:
    return sorted(p for top in tops for p in (ROOT / top).rglob("*.py") if "migrations" not in p.parts)


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at any depth (imports inside functions count too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _offenders(paths: list[Path], forbidden: tuple[str, ...], exempt: frozenset[str] = frozenset()) -> list[str]:
    found = []
    for path in paths:
        rel = path.relative_to(ROOT).as_posix()
        if rel in exempt:
            continue
        bad = sorted(n for n in _imports(path) if n.split(".")[0] in forbidden or n.startswith(forbidden))
        found += [f"{rel} imports {name}" for name in bad]
    return found


def test_bot_imports_no_platform_library_and_no_adapter() -> None:
    forbidden = (*PLATFORM_LIBRARIES, "adapters", "schedules")
    assert _offenders(_modules("bot"), forbidden, WIRING) == []


def test_storage_imports_nothing_above_it() -> None:
    assert _offenders(_modules("storage"), ("bot", "adapters", "schedules")) == []


def test_core_imports_no_feature() -> None:
    features = tuple(f"bot.{name}" for name in FEATURES) + ("bot.home", "bot.features", "bot.demo")
    assert _offenders(_modules("bot/core"), features) == []


def test_schedules_reach_no_adapter() -> None:
    assert _offenders(_modules("schedules"), ("adapters",)) == []


@pytest.mark.parametrize("top", ["bot", "adapters", "storage", "schedules"])
def test_no_module_is_over_400_lines(top: str) -> None:
    long = [f"{p.relative_to(ROOT)} ({n} lines)" for p in _modules(top) if (n := len(p.read_text().splitlines())) > 400]
    assert long == []


def test_the_flat_layout_is_gone() -> None:
    assert not list((ROOT / "bot").glob("handlers/*.py"))
    assert not list((ROOT / "bot").glob("services/*.py"))
    assert not (ROOT / "storage" / "models.py").exists()
