"""The command table: every handler module contributes its entries, and a feature that follows every command
(card refresh) its after-command hook; dispatch gets the finished table and knows no feature."""

from __future__ import annotations

from bot.admin import commands as admin
from bot.admin import link_commands as link
from bot.core.commands import Registry
from bot.leads import card_refresh
from bot.leads import commands as lead
from bot.stats import commands as stats
from bot.stats import dashboard_link
from bot.stats.service import Providers
from bot.tools import commands as tool


def stats_providers() -> Providers:
    """The figures `stats` and the weekly report take from other features: intel's note count
    (``intel_count(session, workspace_id, start, end)``) and the latest pulse survey, once those features exist."""
    return Providers()


def build_registry() -> Registry:
    return Registry(
        [
            *lead.specs(),
            *tool.specs(),
            *stats.specs(stats_providers()),
            *dashboard_link.specs(),
            *admin.specs(),
            *link.specs(),
        ],
        after_command=[card_refresh.after_command],
    )
