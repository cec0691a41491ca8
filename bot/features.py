"""The command table: every handler module contributes its entries; dispatch gets the finished table."""

from __future__ import annotations

from bot.admin import commands as admin
from bot.admin import link_commands as link
from bot.core.commands import Registry
from bot.leads import commands as lead


def build_registry() -> Registry:
    return Registry([*lead.specs(), *admin.specs(), *link.specs()])
