"""The command table: every handler module contributes its entries; dispatch gets the finished table."""

from __future__ import annotations

from bot.commands import Registry
from bot.handlers import admin, lead, link


def build_registry() -> Registry:
    return Registry([*lead.specs(), *admin.specs(), *link.specs()])
