"""The command table: every handler module contributes its entries, and a feature that follows every command
(card refresh) its after-command hook; dispatch gets the finished table and knows no feature. Hooks one feature
offers another (the meeting agenda's intel and survey parts) are filled here too."""

from __future__ import annotations

from bot import agenda_parts, stats_parts
from bot.admin import apikey_commands as apikey
from bot.admin import commands as admin
from bot.admin import link_commands as link
from bot.campaigns import commands as campaign
from bot.core.commands import Registry
from bot.intel import commands as intel
from bot.intel.service import intel_count
from bot.leads import card_refresh
from bot.leads import commands as lead
from bot.meetings import commands as meeting
from bot.meetings.agenda import AgendaExtras
from bot.stats import commands as stats
from bot.stats import dashboard_link
from bot.stats.service import Providers
from bot.survey import commands as survey
from bot.tools import commands as tool


def agenda_extras() -> tuple[AgendaExtras, ...]:
    """The agenda's parts other features provide — intel's notes and the pulse survey's result — for `meeting
    agenda` and the agenda posted at a meeting's start."""
    return (agenda_parts.intel_part, agenda_parts.survey_part)


def stats_providers() -> Providers:
    """The figures `stats` and the weekly report take from other features: intel's note count and the latest
    pulse survey."""
    return Providers(intel_count=intel_count, survey=stats_parts.latest_survey)


def build_registry() -> Registry:
    return Registry(
        [
            *lead.specs(),
            *campaign.specs(),
            *tool.specs(),
            *intel.specs(),
            *stats.specs(stats_providers()),
            *dashboard_link.specs(),
            *meeting.specs(agenda_extras()),
            *admin.specs(),
            *link.specs(),
            *survey.specs(),
            *apikey.specs(),
        ],
        after_command=[card_refresh.after_command],
    )
