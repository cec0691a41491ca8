"""The demo workspace: a believable sales and marketing team whose history is made by running real commands
at past moments, so the playground and `tandem chat` open on a lived-in Tandem."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.admin.settings import set_setting
from bot.core import people
from bot.core.clock import FakeClock
from bot.core.dispatch import Dispatcher
from bot.core.request import Person, Request
from bot.core.runtime import Runtime
from bot.stats.demo_data import earlier_history
from bot.tools.links import Claims
from bot.tools.service import open_link
from storage.db import Database
from storage.models import Campaign, Lead, Member, MemberAccount, Outbox, Tool, Workspace

DEMO_PLATFORM = "playground"
DEMO_TEAM = "demo"
DEMO_WORKSPACE = "Acme Demo"


@dataclass(frozen=True)
class CastMember:
    key: str
    name: str
    email: str
    timezone: str
    role: str
    title: str


CAST = (
    CastMember("maya", "Maya Chen", "maya.chen@acme.example", "America/New_York", "marketer", "Demand generation"),
    CastMember("leo", "Leo Fischer", "leo.fischer@acme.example", "Europe/Berlin", "marketer", "Events & partners"),
    CastMember("rita", "Rita Alvarez", "rita.alvarez@acme.example", "America/Chicago", "rep", "Account executive"),
    CastMember("sam", "Sam Patel", "sam.patel@acme.example", "Europe/London", "rep", "Account executive"),
    CastMember("jonas", "Jonas Berg", "jonas.berg@acme.example", "Europe/Stockholm", "rep", "Sales development"),
    CastMember("diana", "Diana Okafor", "diana.okafor@acme.example", "America/New_York", "manager",
               "Head of revenue"),
    CastMember("priya", "Priya Raman", "priya.raman@acme.example", "America/Los_Angeles", "admin",
               "Head of revenue operations"),
)
Day = Callable[..., datetime]  # day(days_ago, hour, minute=0) → a past moment on a working day
_ROLE_ORDER = {"marketer": 0, "rep": 1, "manager": 2, "admin": 3}


@dataclass(frozen=True)
class DemoPerson:
    """A member of the demo workspace who can be played in the playground or the console."""

    key: str  # their playground user id
    member_id: int
    name: str
    email: str | None
    timezone: str | None
    role: str
    title: str


def demo_workspace_id(db: Database) -> int | None:
    with db.session() as session:
        workspace = people.find_workspace(session, DEMO_PLATFORM, DEMO_TEAM)
        return workspace.id if workspace else None


def demo_people(db: Database) -> list[DemoPerson]:
    """Everyone in the demo workspace with a playground account: marketers first, then reps, managers, admins."""
    titles = {c.key: c.title for c in CAST}
    with db.session() as session:
        workspace = people.find_workspace(session, DEMO_PLATFORM, DEMO_TEAM)
        if workspace is None:
            return []
        rows = session.exec(
            select(Member, MemberAccount.external_id)
            .join(MemberAccount, col(MemberAccount.member_id) == col(Member.id))
            .where(MemberAccount.workspace_id == workspace.id, MemberAccount.platform == DEMO_PLATFORM)
        ).all()
    found = [DemoPerson(key=key, member_id=m.id or 0, name=m.display_name, email=m.email, timezone=m.timezone,
                        role=m.role, title=titles.get(key, m.role.capitalize())) for m, key in rows]
    return sorted(found, key=lambda p: (_ROLE_ORDER.get(p.role, 9), p.member_id))


def find_demo_person(db: Database, query: str) -> DemoPerson | None:
    """A person by playground key, e-mail, full name or first name (case-insensitive)."""
    wanted = query.strip().lstrip("@").lower()
    if not wanted:
        return None
    everyone = demo_people(db)
    tests: tuple[Callable[[DemoPerson], bool], ...] = (
        lambda p: p.key.lower() == wanted, lambda p: (p.email or "").lower() == wanted,
        lambda p: p.name.lower() == wanted, lambda p: p.name.lower().split(" ")[0] == wanted)
    for test in tests:
        matches = [p for p in everyone if test(p)]
        if len(matches) == 1:
            return matches[0]
    return None


@dataclass
class DemoSummary:
    people: int = 0
    leads: dict[str, int] = field(default_factory=dict)
    seeded: bool = True

    @property
    def total(self) -> int:
        return sum(self.leads.values())

    def __str__(self) -> str:
        states = ", ".join(f"{count} {status.replace('_', ' ')}" for status, count in sorted(self.leads.items()))
        return f"{self.people} people, {sum(self.leads.values())} leads ({states})"


class DemoFailed(RuntimeError):
    """A scripted command was refused: the demo script and the product disagree."""


class _Story:
    """Runs commands as cast members at chosen past moments, through the real dispatcher."""

    def __init__(self, runtime: Runtime, start: datetime) -> None:
        self.runtime = runtime
        self.clock = FakeClock(start)
        self.dispatcher = Dispatcher(runtime.db, runtime.settings, runtime.dispatcher.registry, self.clock)
        self.cast = {c.key: c for c in CAST}
        self.ids: dict[str, int] = {}

    def at(self, moment: datetime) -> _Story:
        self.clock.set(max(moment, self.clock.now()))
        return self

    def later(self, **delta: float) -> _Story:
        self.clock.advance(timedelta(**delta))
        return self

    def say(self, key: str, text: str, *, card: int | None = None) -> None:
        who = self.cast[key]
        person = Person(DEMO_PLATFORM, who.key, who.name, who.email, who.timezone)
        reply = self.dispatcher.handle(Request(person=person, team_id=DEMO_TEAM, text=text, team_name=DEMO_WORKSPACE,
                                               source_message=card))
        if not reply.ok:
            raise DemoFailed(f"demo step refused: {key}: {text!r}: {reply.summary}")

    def click(self, key: str, text: str) -> None:
        """Press a button on the newest card in ``key``'s inbox (so the card shows who answered it)."""
        self.say(key, text, card=self.latest_card(key))

    def open_tool(self, key: str, number: int) -> None:
        """Follow a tool link as ``key`` would (``GET /t/<id>`` with their token), so opens are counted."""
        with self.runtime.db.session() as session:
            member = self._member(session, key)
            tool = session.exec(select(Tool).where(Tool.workspace_id == member.workspace_id,
                                                   Tool.number == number)).one()
            assert tool.id is not None and member.id is not None
            open_link(session, self.clock, tool.id, Claims(member.workspace_id, member.id, tool.id))

    def latest_card(self, key: str) -> int | None:
        with self.runtime.db.session() as session:
            member = self._member(session, key)
            return session.exec(select(Outbox.id).where(Outbox.target_member_id == member.id,
                                                        col(Outbox.kind).in_(("handoff", "nag")))
                                .order_by(col(Outbox.id).desc()).limit(1)).first()

    def _member(self, session: Session, key: str) -> Member:
        workspace = people.find_workspace(session, DEMO_PLATFORM, DEMO_TEAM)
        assert workspace is not None and workspace.id is not None
        member = people.find_member_by_account(session, workspace.id, DEMO_PLATFORM, key)
        assert member is not None
        return member


def _weekday(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def seed_demo(runtime: Runtime) -> DemoSummary:
    """Seed the demo workspace (a no-op when it already exists). Times are in the recent past, so SLA timers,
    lists and stats look like a team three weeks into using Tandem."""
    if demo_workspace_id(runtime.db) is not None:
        return _summary(runtime.db, seeded=False)
    now = runtime.clock.now()
    today = now.date()

    def day(days_ago: int, hour: int, minute: int = 0) -> datetime:
        moment = datetime.combine(_weekday(today - timedelta(days=days_ago)), datetime.min.time(), now.tzinfo)
        return min(moment + timedelta(hours=hour, minutes=minute), now - timedelta(minutes=5))

    story = _Story(runtime, day(24, 13))
    _found_workspace(runtime, story)
    _first_weeks(story, day)
    _sales_tools(story, day)
    _last_days(story, day, now)
    earlier_history(lambda start: _Story(runtime, start), day, first=_summary(runtime.db, seeded=True).total + 1)
    return _summary(runtime.db, seeded=True)


def _found_workspace(runtime: Runtime, story: _Story) -> None:
    """Priya (revenue operations, the workspace's admin) sets it up: people, roles, channels and the two running
    campaigns; Diana, the head of revenue, writes down what a qualified lead is."""
    with runtime.db.session() as session:
        workspace = people.ensure_workspace(session, DEMO_PLATFORM, DEMO_TEAM, DEMO_WORKSPACE, story.clock)
        assert workspace.id is not None
        for cast in CAST:
            if cast.role == "rep":
                continue  # reps join a few days later: the first lead arrives before sales is on board
            member = people.ensure_member(session, workspace, Person(DEMO_PLATFORM, cast.key, cast.name, cast.email,
                                                                     cast.timezone), frozenset(), story.clock)
            member.role = cast.role
            session.add(member)
        for key, value in (("sales_channel", "playground:#sales"), ("marketing_channel", "playground:#marketing"),
                           ("managers_channel", "playground:#managers"), ("timezone", "America/New_York")):
            set_setting(session, workspace.id, key, value)
        session.flush()
        owners = {m.email: m.id for m in session.exec(select(Member).where(Member.workspace_id == workspace.id))}
        campaigns = (
            ("Q1 Pipeline Webinar", "Fill Q1 pipeline with mid-market RevOps leaders",
             "RevOps and sales-ops leads at 200–2,000 employee SaaS companies", 40, 30, "maya.chen@acme.example",
             "Lead with the 15-minute setup; they all struggle with CRM hygiene."),
            ("RevOps Summit Berlin", "Meet EMEA enterprise accounts in person", "VP Sales / CRO at enterprises", 25,
             45, "leo.fischer@acme.example", "Mention the EU data residency; book follow-ups within a week."),
        )
        for number, (name, goal, audience, target, days, owner, talking) in enumerate(campaigns, start=1):
            session.add(Campaign(workspace_id=workspace.id, number=number, name=name, goal=goal, audience=audience,
                                 target=target, ends_on=story.clock.now().date() + timedelta(days=days),
                                 talking_points=talking, owner_id=owners.get(owner), created_at=story.clock.now()))
        fresh = session.get(Workspace, workspace.id)
        assert fresh is not None
        fresh.campaign_seq = len(campaigns)
        session.add(fresh)
    story.later(minutes=20).say("diana", "lead criteria set A qualified lead has budget this quarter, a named "
                                         "decision-maker we have spoken to, and 50+ seats or a RevOps team of 3+.")


def _first_weeks(story: _Story, at: Day) -> None:
    story.at(at(23, 14)).say("maya", 'lead handoff "Northwind Traders" email:olivia.park@northwind.example '
                                     'name:"Olivia Park" campaign:"Q1 Pipeline" source:webinar '
                                     'note:"Asked about pricing for 120 seats in the webinar Q&A"')
    for key in ("rita", "sam", "jonas"):  # sales joins Tandem
        story.at(at(22, 13)).later(minutes=7).say(key, "lead list mine")
    story.at(at(22, 15)).say("maya", 'lead handoff "Globex Corporation" email:hank@globex.example '
                                     'name:"Hank Scorpio" to:@rita campaign:"Q1 Pipeline" source:webinar '
                                     'note:"Stayed for the whole webinar and asked for a demo"')
    story.later(minutes=48).click("rita", "lead accept L-2")
    story.later(hours=3).say("rita", "lead touch L-2 Discovery call — 3 sales teams, renewing their CRM in April")
    story.later(hours=1).say("rita", "lead feedback L-2 5 great-fit")
    story.at(at(21, 9)).say("leo", 'lead handoff "Initrode" email:j.doe@initrode.example name:"Jamie Doe" to:@sam '
                                   'campaign:"RevOps Summit" source:event')
    story.later(hours=2, minutes=10).click("sam", "lead reject L-3 Student project, no budget and no team")
    story.later(minutes=5).say("sam", "lead feedback L-3 1 student no-budget")
    story.at(at(20, 16)).say("maya", 'lead handoff "Umbrella Health" email:alice@umbrella.example name:"Alice Ng" '
                                     'to:@jonas source:content note:"Downloaded the RevOps playbook twice"')
    story.later(hours=1, minutes=30).click("jonas", "lead accept L-4")
    story.later(hours=20).say("jonas", "lead touch L-4 Intro call, they are evaluating two vendors")
    story.later(hours=2).say("jonas", "lead feedback L-4 3 bad-timing")
    story.at(at(18, 10)).say("rita", "lead stage L-2 qualification")
    story.at(at(17, 14)).say("leo", 'lead handoff "Soylent Foods" email:cfo@soylent.example name:"Dana Reyes" '
                                    'to:@rita campaign:"RevOps Summit" source:event '
                                    'note:"Met at our booth, wants a proposal for 300 seats"')
    story.later(minutes=25).click("rita", "lead accept L-5")
    story.later(hours=4).say("rita", "lead touch L-5 Sent the proposal deck and security pack")
    story.later(minutes=5).say("rita", "lead feedback L-5 4 great-fit")
    story.at(at(16, 15)).say("maya", 'lead handoff "Hooli" email:gavin@hooli.example name:"Gavin Belson" to:@sam '
                                     'campaign:"Q1 Pipeline" source:webinar')
    story.later(hours=5).click("sam", "lead accept L-6")
    story.at(at(15, 11)).say("sam", "lead touch L-6 Call with an intern; the decision-maker is the CRO")
    story.later(minutes=3).say("sam", "lead feedback L-6 2 wrong-persona Talked to an intern, not the buyer")
    story.at(at(14, 10)).say("rita", 'lead add "Stark Industries" email:pepper@stark.example name:"Pepper Potts" '
                                     'note:"Referral from Globex"')
    story.later(hours=1).say("rita", "lead touch L-7 Intro meeting with Pepper and their RevOps lead")
    story.at(at(13, 15)).say("rita", "lead stage L-2 need")
    story.at(at(12, 14)).say("maya", 'lead handoff "Wayne Enterprises" email:lucius@wayne.example '
                                     'name:"Lucius Fox" to:@jonas campaign:"Q1 Pipeline" source:webinar '
                                     'note:"Budget approved for Q1, wants to move fast"')
    story.later(minutes=40).click("jonas", "lead accept L-8")
    story.later(hours=2).say("jonas", "lead touch L-8 Demo for the whole RevOps team")
    story.later(minutes=5).say("jonas", "lead feedback L-8 5 great-fit")
    story.at(at(11, 10)).say("jonas", "lead stage L-8 commitment")
    story.at(at(11, 16)).say("leo", 'lead handoff "Cyberdyne Systems" email:miles@cyberdyne.example '
                                    'name:"Miles Dyson" to:@sam source:event')
    story.later(hours=1).click("sam", "lead reject L-9 Already talking to them through a partner — duplicate")
    story.later(hours=1).say("leo", "lead reassign L-9 to:@rita")
    story.later(minutes=50).click("rita", "lead accept L-9")
    story.at(at(10, 11)).say("rita", "lead touch L-9 Call with Miles; strong need for pipeline reporting")
    story.later(hours=1).say("rita", "lead stage L-9 qualification")
    story.at(at(9, 13)).say("rita", "lead stage L-7 company")
    story.at(at(8, 10)).say("jonas", "lead touch L-4 They chose HubSpot because of price")
    story.later(minutes=10).say("jonas", "lead lost L-4 price competitor")
    story.at(at(8, 15)).say("diana", "lead criteria set A qualified lead has budget this quarter, a named "
                                     "decision-maker we have spoken to (not an intern), and 50+ seats or a "
                                     "RevOps team of 3+. Students and agencies are not qualified.")


DEMO_TOOLS = (  # who publishes, then the `tool add` arguments
    ("maya", '"Pricing deck 2026" url:https://drive.acme.example/decks/pricing-2026 tags:pricing,enterprise '
             'desc:"List prices, volume discounts and the three packages, with the approved discount ladder"'),
    ("maya", '"Harbour ROI calculator" url:https://sheets.acme.example/harbour-roi tags:roi,finance '
             'desc:"Payback in months from seats, admin hours saved and CRM licences retired"'),
    ("leo", '"Battlecard: Globex" url:https://wiki.acme.example/battlecards/globex tags:competitor,battlecard '
            'desc:"How we win against Globex: their price anchoring, our onboarding time, proof points"'),
    ("leo", '"Battlecard: HubSpot" url:https://wiki.acme.example/battlecards/hubspot tags:competitor,battlecard '
            'desc:"When they are comparing us with HubSpot Sales Hub: reporting depth and RevOps controls"'),
    ("maya", '"Security & GDPR one-pager" url:https://drive.acme.example/security-one-pager tags:security,legal '
             'desc:"SOC 2 Type II, EU data residency, DPA and sub-processors on one page"'),
    ("maya", '"Q1 webinar recording" url:https://video.acme.example/q1-pipeline-webinar tags:webinar,demo '
             'campaign:"Q1 Pipeline" desc:"The 45-minute RevOps pipeline webinar; the demo starts at 18:30"'),
    ("leo", '"Summit follow-up email template" url:https://docs.acme.example/summit-follow-up tags:email,event '
            'campaign:"RevOps Summit" desc:"Three-touch follow-up for people we met at the booth"'),
    ("maya", '"Case study: Northwind" url:https://acme.example/customers/northwind tags:case-study,midmarket '
             'desc:"Northwind cut onboarding from 6 weeks to 10 days"'),
)
DEMO_OPENS = (("rita", 1, 3), ("sam", 1, 1), ("jonas", 1, 2), ("rita", 3, 2), ("sam", 3, 1), ("jonas", 2, 2),
              ("rita", 5, 1), ("sam", 6, 1))  # who opened which T-<n> how often


def _sales_tools(story: _Story, at: Day) -> None:
    """Marketing publishes the team's decks, calculators and battlecards; sales starts opening them."""
    story.at(at(19, 11))
    for key, arguments in DEMO_TOOLS:
        story.later(minutes=9).say(key, "tool add " + arguments)
    story.at(at(17, 10))
    for key, number, times in DEMO_OPENS:
        for _ in range(times):
            story.later(hours=7).open_tool(key, number)


def _last_days(story: _Story, at: Day, now: datetime) -> None:
    story.at(at(7, 14)).say("maya", 'lead handoff "Tyrell Corp" email:rachael@tyrell.example name:"Rachael Tyrell" '
                                    'to:@rita campaign:"Q1 Pipeline" source:webinar')
    story.later(hours=2).click("rita", "lead accept L-10")
    story.at(at(6, 10)).say("leo", 'lead handoff "Vandelay Industries" email:art@vandelay.example '
                                   'name:"Art Vandelay" to:@jonas source:event')
    story.later(hours=3).click("jonas", "lead accept L-11")
    story.later(hours=1).say("jonas", "lead touch L-11 Call — importer/exporter, tiny team")
    story.at(at(5, 11)).say("jonas", "lead lost L-11 no-decision Never got past the first call")
    story.later(hours=1).say("jonas", "lead feedback L-11 2 wrong-persona")
    story.at(at(4, 15)).say("rita", "lead touch L-5 Negotiating the rollout plan with Dana")
    story.later(minutes=30).say("rita", "lead stage L-5 fill")
    story.at(at(3, 10)).say("jonas", "lead stage L-8 cement")
    story.later(hours=4).say("jonas", 'lead won L-8 120k "Three-year deal, RevOps and sales teams"')
    story.at(at(3, 16)).say("leo", 'lead handoff "Oscorp" email:norman@oscorp.example name:"Norman Osborn" '
                                   'to:@jonas campaign:"RevOps Summit" source:event '
                                   'note:"Wants a call after their board meeting"')
    story.at(at(2, 14)).say("rita", "lead touch L-2 Contract sent to legal")
    story.later(hours=2).say("rita", 'lead won L-2 48k "Beat the incumbent on onboarding time"')
    story.at(at(1, 10)).say("maya", 'lead handoff "Massive Dynamic" email:nina@massive.example name:"Nina Sharp" '
                                    'campaign:"Q1 Pipeline" source:webinar')
    story.at(now - timedelta(hours=2)).say("maya", 'lead handoff "Pied Piper" email:richard@piedpiper.example '
                                                   'name:"Richard Hendricks" campaign:"Q1 Pipeline" '
                                                   'source:webinar note:"Compression startup, 80 seats, '
                                                   'asked for a trial"')


def _summary(db: Database, *, seeded: bool) -> DemoSummary:
    with db.session() as session:
        workspace = people.find_workspace(session, DEMO_PLATFORM, DEMO_TEAM)
        if workspace is None:
            return DemoSummary(seeded=False)
        rows = session.exec(select(Lead.status, func.count()).where(Lead.workspace_id == workspace.id)
                            .group_by(Lead.status)).all()
        count = session.exec(select(func.count()).select_from(MemberAccount).where(
            MemberAccount.workspace_id == workspace.id, MemberAccount.platform == DEMO_PLATFORM)).one()
    return DemoSummary(people=int(count), leads={status: int(n) for status, n in rows}, seeded=seeded)
