"""The command table: every handler module contributes its entries; dispatch gets the finished table."""

from __future__ import annotations

from bot.admin import commands as admin
from bot.admin import link_commands as link
from bot.core.commands import Registry
from bot.leads import commands as lead
from bot.tools import commands as tool


def build_registry() -> Registry:
    return Registry([*lead.specs(), *tool.specs(), *admin.specs(), *link.specs()])
