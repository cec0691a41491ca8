"""The arrows of DESIGN.md §1 hold where a slip is easy to miss in review: bot/core knows no feature (features
plug in through the registry), and views and rules build their answers without reaching the database."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PURE = [
    "bot/leads/views.py",
    "bot/leads/notices.py",
    "bot/leads/nag_views.py",
    "bot/leads/nag_rules.py",
    "bot/home_view.py",
    "bot/stats/views.py",
    "bot/stats/wording.py",
    "bot/stats/json.py",
    "bot/stats/periods.py",
]
DATABASE = ("sqlalchemy", "sqlmodel", "storage.db")


def imported(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    return modules


@pytest.mark.parametrize("path", sorted((ROOT / "bot" / "core").glob("*.py")), ids=lambda p: p.name)
def test_core_imports_no_feature(path: Path) -> None:
    features = {m for m in imported(path) if m.startswith("bot.") and not m.startswith("bot.core")}
    assert not features, f"{path.name} imports {features}: register a hook in bot/features.py instead"


@pytest.mark.parametrize("name", PURE)
def test_views_and_rules_are_given_their_rows(name: str) -> None:
    path = ROOT / name
    database = {m for m in imported(path) if m.startswith(DATABASE)}
    sessions = {
        node.arg
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.arg) and node.arg == "session"
    }
    assert not database and not sessions, f"{name} reaches the database ({database or 'a session argument'})"
