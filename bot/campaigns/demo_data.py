"""The demo team's campaigns, told by running the real commands at past moments (bot/demo.py drives the story):
marketing announces three campaigns with goals, audiences, targets and talking points that name the competitors
sales meets (Globex, Initech, HubSpot); their leads go through every state; reps say what they hear."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import func
from sqlmodel import select

from bot.core.people import find_workspace
from bot.core.runtime import Runtime
from storage.models import Lead

Day = Callable[..., datetime]


class Story(Protocol):
    """What bot/demo.py's story offers: commands run as a cast member at the story's moment."""

    runtime: Runtime

    def at(self, moment: datetime) -> Story: ...

    def later(self, **delta: float) -> Story: ...

    def say(self, key: str, text: str, *, card: int | None = None) -> None: ...

    def click(self, key: str, text: str) -> None: ...

    def now(self) -> datetime: ...


def _ends(story: Story, days: int) -> str:
    return (story.now() + timedelta(days=days)).date().isoformat()


def announce_first_campaigns(story: Story) -> None:
    """Marketing's two running campaigns, on the day the workspace is set up."""
    story.later(minutes=5).say(
        "maya",
        'campaign announce "Q1 Pipeline Webinar" goal:"Fill the Q1 pipeline with mid-market RevOps leaders: 40 '
        'qualified leads from the live webinar and its replay" audience:"RevOps and sales-ops leads at '
        '200–2,000 employee SaaS companies" target:40 ends:' + _ends(story, 30) + ' talking:"Lead with the '
        "15-minute setup: they all struggle with CRM hygiene. Many run Globex today and hate its admin work; "
        'ask what a clean pipeline report costs them each Monday."',
    )
    story.later(minutes=12).say(
        "leo",
        'campaign announce "RevOps Summit Berlin" goal:"Meet EMEA enterprise accounts in person and book 25 '
        'first meetings" audience:"VP Sales and CROs at enterprises, mostly DACH and Nordics" target:25 ends:'
        + _ends(story, 45)
        + ' talking:"Mention EU data residency first; book the follow-up within a week. Against HubSpot, show '
        'the reporting depth; against Initech, the onboarding time."',
    )


def announce_switch_offer(story: Story, at: Day) -> None:
    """A competitive campaign: Globex raised its prices, marketing offers a switch."""
    story.at(at(20, 10)).say(
        "maya",
        'campaign announce "Globex Switch Offer" goal:"Win 15 mid-market accounts unhappy with Globex\'s 18% '
        'price rise" audience:"Globex customers with a renewal in the next two quarters" target:15 ends:'
        + _ends(story, 35)
        + ' talking:"Globex raised list prices 18% in January. Offer the free migration and the first-year '
        "price lock; show the Harbour ROI calculator. If they mention Initech's ERP bundle, ask who runs the CRM "
        'day to day."',
    )


# Tools the campaigns link to, published with the others (who, then the `tool add` arguments).
CAMPAIGN_TOOLS = (
    (
        "maya",
        '"Globex switch offer one-pager" url:https://drive.acme.example/globex-switch tags:competitor,offer '
        'campaign:"Globex Switch" desc:"The free migration and the first-year price lock, and how to explain '
        'both on a first call"',
    ),
    (
        "leo",
        '"Battlecard: Initech" url:https://wiki.acme.example/battlecards/initech tags:competitor,battlecard '
        'campaign:"Globex Switch" desc:"Initech bundles its CRM with the ERP: what that costs the buyer later"',
    ),
)


def _latest_lead(runtime: Runtime) -> int:
    with runtime.db.session() as session:
        workspace = find_workspace(session, "playground", "demo")
        assert workspace is not None
        number = session.exec(select(func.max(Lead.number)).where(Lead.workspace_id == workspace.id)).one()
        return int(number or 0)


def switch_offer_leads(story: Story, at: Day) -> None:
    """The Globex Switch Offer's first leads: accepted and rated, rejected, lost to Initech; and what sales says."""
    story.at(at(3, 17)).say(
        "maya",
        'lead handoff "Vance Refrigeration" email:bob@vancerefrigeration.example '
        'name:"Bob Vance" to:@sam campaign:"Globex Switch" source:webinar '
        'note:"Globex raised their renewal 18%; wants a quote before May"',
    )
    vance = _latest_lead(story.runtime)
    story.later(minutes=35).click("sam", f"lead accept L-{vance}")
    story.later(hours=2).say("sam", f"lead touch L-{vance} Call: comparing us with Globex on price and onboarding")
    story.later(minutes=4).say("sam", f"lead feedback L-{vance} 4 great-fit")
    story.later(minutes=20).say(
        "maya",
        'lead handoff "Gringotts Bank" email:griphook@gringotts.example '
        'name:"Griphook" to:@rita campaign:"Globex Switch" source:content '
        'note:"Read the switch offer twice, asked about the price lock"',
    )
    gringotts = _latest_lead(story.runtime)
    story.later(hours=1).click("rita", f"lead accept L-{gringotts}")
    story.later(hours=1).say("rita", f"lead touch L-{gringotts} Discovery call; 140 seats on Globex, renewal in June")
    story.later(minutes=5).say("rita", f"lead feedback L-{gringotts} 5 great-fit")
    story.later(minutes=10).say("rita", f"lead stage L-{gringotts} need")
    story.later(minutes=30).say(
        "maya",
        'lead handoff "Los Pollos Hermanos" email:gus@lospollos.example '
        'name:"Gus Fring" to:@jonas campaign:"Globex Switch" source:webinar',
    )
    pollos = _latest_lead(story.runtime)
    story.later(hours=2).click("jonas", f"lead reject L-{pollos} Happy with Globex, only collecting quotes")
    story.later(minutes=3).say("jonas", f"lead feedback L-{pollos} 2 bad-timing")
    story.later(minutes=40).say(
        "maya",
        'lead handoff "Krusty Krab" email:eugene@krustykrab.example '
        'name:"Eugene Krabs" to:@jonas campaign:"Globex Switch" source:webinar',
    )
    krusty = _latest_lead(story.runtime)
    story.later(hours=1).click("jonas", f"lead accept L-{krusty}")
    story.later(hours=1).say("jonas", f"lead touch L-{krusty} They are signing Initech's ERP and get its CRM free")
    story.later(minutes=5).say("jonas", f"lead feedback L-{krusty} 3 competitor")
    story.later(minutes=5).say("jonas", f"lead lost L-{krusty} competitor Initech bundled the CRM with their ERP")
    story.later(minutes=30).say(
        "sam",
        'campaign comment "Globex Switch Offer" Two leads asked whether the '
        "migration is really free — can we put the terms in writing?",
    )
    story.later(hours=1).say(
        "jonas",
        "campaign comment Globex Switch Offer Initech's ERP bundle keeps coming "
        "up; a one-line answer for it in the talking points would help",
    )


def webinar_comment(story: Story, at: Day) -> None:
    story.at(at(9, 15)).say(
        "rita",
        "campaign comment C-1 The webinar leads who stayed for the Q&A are great; "
        "the ones who left early were mostly students",
    )
