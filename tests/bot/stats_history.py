"""A workspace with a known November 2026, built by typing commands at chosen moments (FakeClock): the history
behind SPEC §5's example answer of `GET /api/v1/stats`, so every figure of it can be checked one by one.

- L-1 marketing, campaign Alpha → Rita: accepted after 1 h, first touch at 10 h, stage 1 → 2 → back to 1,
  rated 5 (Rita) and 3 (Sam): its score is 4. Open, untouched since: breaching by December.
- L-2 marketing, Alpha → Rita: accepted after 2.5 h, first touch at 20 h, rated 2 (Sam), won 25,000.
- L-3 marketing, Alpha → Sam: rejected (wrong-persona), reassigned to Rita, who has not accepted it: breaching.
- L-4 event → Rita: accepted after 8 h 7.5 min, first touch at 32.5 h, lost on price.
- L-5 Sam's own `lead add` (source sales): touched, lost on price — a lead, but no hand-off.
- T-1, a tool Mara published, opened three times by reps.

So: 5 leads, 4 hand-offs, acceptance 3 of 4, hours to accept 1 / 2.5 / 8.125 (median 2.5, p90 7), to first
touch 10 / 20 / 32.5 (median 20, p90 30), quality of Alpha 3.0 with half at 2 or below, funnel 1 / 1 / 0 …, win
rate 1 of 3, losses price 2, won 25,000 (marketing, Alpha), Alpha 3 of 4 delivered and 2 accepted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.core.clock import FakeClock
from bot.core.people import find_member_by_account, find_workspace
from bot.core.replies import Reply
from bot.core.request import Person, Request
from bot.core.runtime import Runtime
from bot.tools.links import Claims
from bot.tools.service import open_link
from storage.models import Campaign, Member, Tool, Workspace
from tests.bot.conftest import text_of

NAMES = {
    "mara": "Mara Marketer",
    "rita": "Rita Rep",
    "sam": "Sam Seller",
    "dana": "Dana Manager",
    "ivy": "Ivy Ops",
    "leo": "Leo Events",
}
ROLES = {"mara": "marketer", "dana": "manager", "ivy": "admin"}
NOVEMBER = "2026-11-01..2026-11-30"
ASKED_AT = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


@dataclass
class Office:
    """One workspace seen from the chat: ``office.say("rita", "lead accept L-1")`` at the clock's moment."""

    runtime: Runtime
    clock: FakeClock
    team_id: str = "T-NOV"
    platform: str = "playground"

    def say(self, who: str, text: str) -> Reply:
        person = Person(self.platform, f"{self.team_id}-{who}", NAMES[who], f"{who}@{self.team_id.lower()}.test")
        return self.runtime.dispatcher.handle(Request(person=person, team_id=self.team_id, text=text))

    def do(self, who: str, text: str) -> Reply:
        reply = self.say(who, text)
        assert reply.ok, f"{who}: {text}: {text_of(reply)}"
        return reply

    def text(self, who: str, text: str) -> str:
        return text_of(self.say(who, text))

    def at(self, moment: datetime) -> Office:
        self.clock.set(moment)
        return self

    def after(self, **delta: float) -> Office:
        self.clock.advance(timedelta(**delta))
        return self

    @property
    def workspace_id(self) -> int:
        with self.runtime.db.session() as session:
            workspace = find_workspace(session, self.platform, self.team_id)
            assert workspace is not None and workspace.id is not None
            return workspace.id

    def member(self, who: str) -> Member:
        workspace_id = self.workspace_id
        with self.runtime.db.session() as session:
            found = find_member_by_account(session, workspace_id, self.platform, f"{self.team_id}-{who}")
            assert found is not None
            return found

    def meet(self, *people: str) -> None:
        """Everyone says hello once, then gets their role."""
        for who in people:
            self.say(who, "lead list")
        ids = {who: self.member(who).id for who in people}
        with self.runtime.db.session() as session:
            for who in people:
                member = session.get(Member, ids[who])
                assert member is not None
                member.role = ROLES.get(who, "rep")
                session.add(member)

    def promote(self, who: str, role: str) -> None:
        member_id = self.member(who).id
        with self.runtime.db.session() as session:
            member = session.get(Member, member_id)
            assert member is not None
            member.role = role
            session.add(member)

    def campaign(self, name: str, *, target: int | None, owner: str = "mara") -> None:
        """Campaigns are announced by the campaigns feature; here the row is written as it would leave it."""
        workspace_id, owner_id = self.workspace_id, self.member(owner).id
        with self.runtime.db.session() as session:
            workspace = session.get(Workspace, workspace_id)
            assert workspace is not None
            workspace.campaign_seq += 1
            session.add(workspace)
            session.add(
                Campaign(
                    workspace_id=workspace_id,
                    number=workspace.campaign_seq,
                    name=name,
                    goal="Pipeline",
                    target=target,
                    owner_id=owner_id,
                    created_at=self.clock.now(),
                )
            )

    def open_tool(self, who: str, number: int) -> None:
        member = self.member(who)
        with self.runtime.db.session() as session:
            tool = session.exec(
                select(Tool).where(Tool.workspace_id == member.workspace_id, Tool.number == number)
            ).one()
            assert tool.id is not None and member.id is not None
            assert open_link(session, self.clock, tool.id, Claims(member.workspace_id, member.id, tool.id))


def build_november(office: Office) -> Office:
    """The history of the module docstring (all in UTC: the workspace's default time zone)."""
    office.at(datetime(2026, 10, 20, 9, 0, tzinfo=UTC))
    office.meet("ivy", "mara", "rita", "sam", "dana")
    office.campaign("Alpha", target=4)
    office.do("mara", "tool add Pricing deck url:https://drive.example.com/pricing tags:pricing")

    office.at(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    office.do("mara", "lead handoff Acme email:ann@acme.example to:@rita campaign:Alpha")  # L-1
    office.after(hours=1).do("rita", "lead accept L-1")
    office.after(hours=9).do("rita", "lead touch L-1 discovery call")  # 10 h after the hand-off
    office.after(hours=1).do("rita", "lead stage L-1 approach")
    office.after(hours=1).do("rita", "lead stage L-1 qualification")
    office.after(hours=1).do("rita", "lead stage L-1 approach")  # moved back: it still reached qualification
    office.after(minutes=5).do("rita", "lead feedback L-1 5 great-fit")
    office.after(minutes=5).do("sam", "lead feedback L-1 3")

    office.at(datetime(2026, 11, 4, 9, 0, tzinfo=UTC))
    office.do("mara", "lead handoff Bluebird email:bo@bluebird.example to:@rita campaign:Alpha")  # L-2
    office.after(hours=2.5).do("rita", "lead accept L-2")
    office.after(hours=17.5).do("rita", "lead touch L-2 demo booked")  # 20 h after the hand-off
    office.after(hours=1).do("sam", "lead feedback L-2 2 no-budget")
    office.after(days=5).do("rita", "lead won L-2 25000 signed")

    office.at(datetime(2026, 11, 10, 9, 0, tzinfo=UTC))
    office.do("mara", "lead handoff Cobalt email:cy@cobalt.example to:@sam campaign:Alpha")  # L-3
    office.after(hours=1).do("sam", "lead reject L-3 wrong-persona, an intern")
    office.after(hours=1).do("mara", "lead reassign L-3 to:@rita")

    office.at(datetime(2026, 11, 12, 9, 0, tzinfo=UTC))
    office.do("mara", "lead handoff Dynamo email:di@dynamo.example to:@rita source:event")  # L-4
    office.after(hours=8, minutes=7.5).do("rita", "lead accept L-4")
    office.after(hours=24, minutes=22.5).do("rita", "lead touch L-4 call")  # 32.5 h after the hand-off
    office.after(days=3).do("rita", "lead lost L-4 price")

    office.at(datetime(2026, 11, 16, 9, 0, tzinfo=UTC))
    office.do("sam", "lead add Emberly email:em@emberly.example")  # L-5
    office.after(hours=30).do("sam", "lead touch L-5 call")
    office.after(days=2).do("sam", "lead lost L-5 price, too expensive")

    office.at(datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    for who in ("rita", "sam", "rita"):
        office.after(hours=1).open_tool(who, 1)
    office.open_tool("mara", 1)  # its owner's own look is not use
    office.at(ASKED_AT)
    return office
