"""``owner_email`` of someone Tandem has not met yet: the API has no platform of its own, so it asks the
directory of each chat platform the key's workspace is on (its Slack team, its Teams tenant), as chat does for
a command that names a stranger. The composition root plugs in one look-up per platform."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from sqlmodel import col, select

from bot.core.grammar import UserRef
from bot.core.request import Named
from bot.core.runtime import Runtime
from storage.models import WorkspaceAccount

log = logging.getLogger("tandem.api.people")

# A platform's directory for one of its teams: (team or tenant id, the people wanted) → what it found.
TeamLookUp = Callable[[str, Sequence[UserRef]], Awaitable[Sequence[Named]]]
PLATFORM_NAMES = {"slack": "Slack", "teams": "Microsoft Teams"}


@dataclass
class Directories:
    """The chat directories the API may ask, by platform (filled in as the adapters are mounted)."""

    by_platform: dict[str, TeamLookUp] = field(default_factory=dict)

    async def look_up(self, runtime: Runtime, workspace_id: int, ref: UserRef) -> Named:
        """The person ``ref`` names in the first directory of the workspace that knows them; otherwise a
        ``Named`` without a person saying where Tandem looked."""
        key = ref.key or ref.raw
        tried: list[str] = []
        for platform, team_id in await runtime.db.run(_teams_of, runtime, workspace_id):
            look_up = self.by_platform.get(platform)
            if look_up is None:
                continue
            try:
                answers = await look_up(team_id, [ref])
            except Exception as error:  # a platform that is down must not fail the lead: it is answered 422
                log.warning("%s directory failed for the API: %s", platform, type(error).__name__)
                tried.append(f"the {PLATFORM_NAMES.get(platform, platform)} directory, which did not answer")
                continue
            for answer in answers:
                if answer.person is not None:
                    return answer
                tried.append(answer.tried)
        return Named(key, None, "; ".join(tried))


def _teams_of(runtime: Runtime, workspace_id: int) -> list[tuple[str, str]]:
    with runtime.db.session() as session:
        rows = session.execute(
            select(col(WorkspaceAccount.platform), col(WorkspaceAccount.external_id))
            .where(col(WorkspaceAccount.workspace_id) == workspace_id)
            .order_by(col(WorkspaceAccount.platform))
        ).all()
    return [(platform, external_id) for platform, external_id in rows]
