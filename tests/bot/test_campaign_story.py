"""Campaigns through dispatch (SPEC §3 "campaign"): marketing announces a campaign to the sales channel with Why?
and Comment buttons; a rep asks why and sees the goal, what to do with the leads, the talking points, the tools
and the live figures; sales comments to the owner; the owner or a manager closes it and the report goes out. On
every database backend."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from bot.campaigns import views
from bot.campaigns.pages import CampaignPage
from bot.campaigns.progress import Progress
from bot.core.outbox import reply_of
from bot.core.replies import Buttons, Link, Reply
from storage.models import Campaign, CampaignComment, Outbox
from tests.bot.conftest import Team, buttons_of, text_of
from tests.bot.test_concurrent_clicks import at_once

WEBINAR = (
    'campaign announce "Q4 Webinar" goal:"60 qualified RevOps leads" audience:"RevOps leaders at SaaS companies" '
    'target:40 ends:2026-04-30 talking:"Lead with the 15-minute setup; they compare us with Globex"'
)


@pytest.fixture
def crew(team: Team) -> Team:
    """The team, with Kim as a second marketer and the sales and managers channels set."""
    team.say("kim", "lead list")
    assert team.say("mara", "tandem role kim@t-acme.test marketer").ok
    assert team.say("mara", "tandem settings sales_channel #sales").ok
    assert team.say("mara", "tandem settings managers_channel #managers").ok
    return team


def rows(team: Team, kind: str) -> list[Outbox]:
    with team.runtime.db.session() as session:
        return list(session.exec(select(Outbox).where(Outbox.kind == kind).order_by(Outbox.id)).all())  # type: ignore[arg-type]


def campaign(team: Team, number: int = 1) -> Campaign:
    with team.runtime.db.session() as session:
        return session.exec(select(Campaign).where(Campaign.number == number)).one()


def prompts(reply: Reply) -> dict[str, str | None]:
    return {b.label: b.prompt for block in reply.blocks if isinstance(block, Buttons) for b in block.buttons}


def test_a_marketer_announces_and_the_sales_channel_gets_why_and_comment(crew: Team) -> None:
    reply = crew.say("kim", WEBINAR)
    assert reply.ok, text_of(reply)
    assert text_of(reply).startswith("✅ Announced C-1 Q4 Webinar and posted it to the sales channel.")
    stored = campaign(crew)
    assert (stored.name, stored.goal, stored.audience, stored.target, stored.ends_on, stored.status) == (
        "Q4 Webinar",
        "60 qualified RevOps leads",
        "RevOps leaders at SaaS companies",
        40,
        date(2026, 4, 30),
        "active",
    )
    assert stored.owner_id == crew.member("kim").id and "Globex" in stored.talking_points
    [post] = rows(crew, "campaign_announce")
    assert post.target_channel == "playground:#sales"
    shown = reply_of(post)
    assert shown.visibility == "in_channel"
    assert text_of(shown).startswith("📣 New campaign: Q4 Webinar  C-1 · from @Kim")
    assert "Goal: 60 qualified RevOps leads" in text_of(shown) and "Target: 40 leads" in text_of(shown)
    assert "Ends: 30 Apr 2026" in text_of(shown) and "Talking points: Lead with the 15-minute setup" in text_of(shown)
    assert buttons_of(shown) == {"Why?": "campaign why C-1", "Comment": "campaign comment C-1"}
    assert prompts(shown)["Comment"] == "What should Kim know about this campaign or its leads?"


def test_without_a_sales_channel_the_announcer_is_told_how_to_set_one(team: Team) -> None:
    answer = team.text("mara", 'campaign announce Expo goal:"Meet buyers"')
    assert "No sales channel is set" in answer and "tandem settings sales_channel #sales" in answer
    assert rows(team, "campaign_announce") == []
    assert "Why Expo?" in team.text("rita", "campaign why expo")  # still readable by everyone


def test_reps_may_not_announce_or_close_and_are_told_who_can(crew: Team) -> None:
    refused = crew.text("rita", WEBINAR)
    assert "`campaign announce` needs the marketer role; you are a rep" in refused
    assert crew.say("kim", WEBINAR).ok
    assert "`campaign close` needs the marketer role" in crew.text("sam", "campaign close C-1")
    answer = crew.text("mara", "campaign close C-1")  # an admin ranks above a manager: allowed
    assert answer.startswith("✅ Closed C-1")
    assert crew.say("kim", WEBINAR).ok
    other = crew.say("mara", "tandem role kim@t-acme.test marketer")
    assert other.ok
    crew.say("lee", "lead list")
    assert crew.say("mara", "tandem role lee@t-acme.test marketer").ok
    refused = crew.text("lee", "campaign close C-2")
    assert "C-2 “Q4 Webinar” is closed by Kim (its owner), or a manager (@Dana)." in refused
    assert campaign(crew, 2).status == "active"
    assert crew.text("dana", "campaign close C-2").startswith("✅ Closed C-2")  # a manager closes any campaign


def test_a_running_name_is_refused_in_any_case_and_a_closed_one_may_be_used_again(crew: Team) -> None:
    assert crew.say("kim", WEBINAR).ok
    again = crew.text("mara", 'campaign announce "q4 WEBINAR" goal:"more"')
    assert "C-1 “Q4 Webinar” is already running. Pick another name, or close it first (`campaign close C-1`)" in again
    assert crew.say("kim", "campaign close Q4 Webinar").ok
    assert crew.say("mara", 'campaign announce "Q4 webinar" goal:"the replay"').ok
    assert "C-2" in crew.text("rita", "campaign why q4 webinar")  # the running one, by name
    assert "C-1" in crew.text("rita", "campaign why C-1")


@pytest.mark.parametrize(
    ("options", "refusal"),
    [
        ("goal:x " + "N" * 201, "The name is 201 characters long; the limit is 200."),
        ("Expo goal:" + '"' + "g" * 2001 + '"', "The goal is 2,001 characters long; the limit is 2,000."),
        ('Expo goal:x audience:"' + "a" * 2001 + '"', "The audience is 2,001 characters long; the limit is 2,000."),
        ('Expo goal:x talking:"' + "t" * 2001 + '"', "The talking points is 2,001 characters long"),
        ("Expo goal:x target:0", "`target:` is the number of leads you aim to deliver: a positive whole number"),
        ("Expo goal:x target:-3", "It can't be negative."),
        ("Expo goal:x target:lots", "`target:` takes the number of leads you aim to hand to sales"),
        ("Expo goal:x ends:2026-03-09", "`ends:2026-03-09` is in the past (today is 2026-03-10 here)"),
        ("Expo goal:x ends:31/03/2026", "`ends:` takes the day it ends, as YYYY-MM-DD, like `ends:2027-03-31`"),
        ("Expo goal:x ends:2026-02-30", "2026-02-30 is not a day in the calendar."),
        ("Expo", "Every campaign states its goal"),
        ("goal:x", "What is the campaign called?"),
        ("Expo goal:x budget:5", "`campaign announce` has no option `budget:`."),
    ],
)
def test_bad_announcements_are_refused_naming_what_is_wrong(crew: Team, options: str, refusal: str) -> None:
    reply = crew.say("kim", f"campaign announce {options}")
    assert not reply.ok and refusal in text_of(reply), text_of(reply)
    with crew.runtime.db.session() as session:
        assert session.exec(select(Campaign)).first() is None


def test_a_campaign_may_end_today_in_the_workspace_time_zone(crew: Team) -> None:
    assert crew.say("mara", "tandem settings timezone Pacific/Auckland").ok  # 23:00 on the 10th there
    assert "today is 2026-03-10 here" in crew.text("kim", "campaign announce Expo goal:x ends:2026-03-09")
    assert crew.say("kim", "campaign announce Expo goal:x ends:2026-03-10").ok
    crew.runtime.clock.set(datetime(2026, 3, 10, 11, 30, tzinfo=UTC))  # type: ignore[attr-defined]
    assert "today is 2026-03-11 here" in crew.text("kim", "campaign announce Fair goal:x ends:2026-03-10")


def _deliver_some_leads(crew: Team) -> None:
    """Four hand-offs for the webinar and one lead a rep found themselves: accepted, rejected, won, rated."""
    for company, to in (("Acme", "rita"), ("Globex", "rita"), ("Initech", "sam"), ("Hooli", "sam")):
        assert crew.say("kim", f"lead handoff {company} to:@{to} campaign:q4").ok
    assert crew.say("rita", "lead accept L-1").ok
    assert crew.say("rita", "lead accept L-2").ok
    assert crew.say("rita", "lead won L-2 25k").ok
    assert crew.say("sam", "lead reject L-3 student").ok
    assert crew.say("rita", "lead feedback L-1 4").ok
    assert crew.say("sam", "lead feedback L-1 2").ok  # L-1 averages 3
    assert crew.say("rita", "lead feedback L-2 5").ok  # L-2: 5, so the mean of the leads' averages is 4.0
    assert crew.say("rita", "lead add Wayne campaign:C-1").ok  # a rep's own lead: no hand-off, not delivered
    assert crew.say("rita", "lead feedback L-5 1").ok


def test_a_rep_asks_why_and_sees_goal_audience_talking_points_tools_and_progress(crew: Team) -> None:
    assert crew.say("kim", WEBINAR).ok
    _deliver_some_leads(crew)
    assert crew.say("kim", 'tool add "Webinar recording" url:https://video.example.com/q4 campaign:C-1').ok
    assert crew.say("kim", 'tool add "Old deck" url:https://drive.example.com/old campaign:C-1').ok
    assert crew.say("kim", "tool remove T-2").ok  # a removed tool is gone from why
    reply = crew.say("rita", "campaign why Q4")
    shown = text_of(reply)
    assert shown.startswith("🎯 Why Q4 Webinar?  C-1")
    assert "Goal: 60 qualified RevOps leads" in shown and "Audience: RevOps leaders at SaaS companies" in shown
    assert "What to do with its leads: they reach you as hand-offs naming C-1. Accept within 4 h" in shown
    assert "first touch within 24 h" in shown and "so @Kim learns what works" in shown
    assert "Talking points: Lead with the 15-minute setup; they compare us with Globex" in shown
    links = [span for block in reply.blocks for span in getattr(block, "text", ()) if isinstance(span, Link)]
    assert [link.text for link in links] == ["Webinar recording"]
    assert links[0].url.startswith("http://127.0.0.1:8000/t/") and "?m=" in links[0].url  # signed for Rita
    assert (
        "Target: 4 of 40 (10%) | Delivered: 4 leads handed to sales | Accepted: 2 | "
        "Average quality: 4.0 / 5 (2 leads rated) | Won / lost: 1 won · 0 lost"
    ) in shown
    assert "Owner @Kim · running since 10 Mar 2026 · ends 30 Apr 2026" in shown
    assert buttons_of(reply) == {"Comment": "campaign comment C-1"}
    show = crew.text("sam", "campaign show C-1")
    assert "Accepted: 2 (acceptance rate 67%) | Rejected: 1" in show and "(win rate 100%)" in show


def test_figures_say_so_where_there_is_no_data(crew: Team) -> None:
    assert crew.say("kim", 'campaign announce Expo goal:"Meet buyers"').ok
    shown = crew.text("rita", "campaign why expo")
    assert "Target: — (no target set; 0 delivered)" in shown and "Average quality: — (no lead rated yet)" in shown
    assert "No decks or battlecards are linked to it yet" in shown
    assert "(acceptance rate —)" in crew.text("rita", "campaign show expo")


def test_why_shows_what_sales_hears_when_intel_lines_are_given() -> None:
    stored = Campaign(
        workspace_id=1, number=3, name="Switch", goal="Win Globex accounts", created_at=datetime(2026, 3, 1, tzinfo=UTC)
    )
    page = CampaignPage(stored, None, Progress())
    rules = views.LeadRules(accept_hours=4, touch_hours=24)
    intel = [
        views.IntelLine("Globex", "Cut prices 20% for renewals", "Rita", date(2026, 3, 8)),
        views.IntelLine("Initech", "Bundles the CRM with its ERP", "Sam", datetime(2026, 3, 9, 12, tzinfo=UTC)),
    ]
    shown = text_of(views.why(page, [], rules, intel))
    assert "What sales hears about Globex, Initech:" in shown
    assert "“Cut prices 20% for renewals” — Globex, Rita, 08 Mar 2026" in shown
    assert "What sales hears" not in text_of(views.why(page, [], rules))
    assert "What sales hears" not in text_of(views.why(page, [], rules, ()))


def test_intel_on_a_competitor_the_talking_points_name_reaches_why(crew: Team) -> None:
    assert crew.say("kim", WEBINAR).ok  # its talking points compare us with Globex
    assert "What sales hears" not in crew.text("rita", "campaign why Q4")
    assert crew.say("rita", "intel Globex cut renewal prices by 20%").ok
    assert crew.say("sam", "intel Initech bundles its CRM").ok  # not named in the talking points
    shown = crew.text("sam", "campaign why Q4")
    assert "What sales hears about Globex:" in shown and "“cut renewal prices by 20%” — Globex, Rita" in shown
    assert "Initech" not in shown


def test_campaigns_are_found_by_prefix_or_number_and_an_unknown_one_lists_the_real_ones(crew: Team) -> None:
    assert crew.say("kim", WEBINAR).ok
    assert crew.say("kim", 'campaign announce "Spring Expo" goal:"Meet buyers"').ok
    assert "Why Spring Expo?" in crew.text("rita", "campaign why SPR")
    assert "Why Q4 Webinar?" in crew.text("rita", "campaign why c-1")
    unknown = crew.text("rita", "campaign why Summit")
    assert "There is no campaign called `Summit`. Campaigns here: “Q4 Webinar”, “Spring Expo”." in unknown
    assert "There is no campaign C-9 here." in crew.text("rita", "campaign show C-9")
    assert "Missing the campaign" in crew.text("rita", "campaign why")


def test_list_shows_the_running_campaigns_or_all_of_them(crew: Team) -> None:
    assert "No campaign is running" in crew.text("rita", "campaign list")
    assert crew.say("kim", WEBINAR).ok
    assert crew.say("kim", 'campaign announce "Spring Expo" goal:"Meet buyers\nand partners" target:10').ok
    assert crew.say("kim", "campaign close C-1").ok
    running = crew.text("rita", "campaign list")
    assert running.startswith("Running campaigns (1)\nC-2 Spring Expo — Meet buyers")
    assert "0 of 10 leads delivered" in running and "Q4 Webinar" not in running
    everything = crew.text("rita", "campaign list all")
    assert everything.startswith("Campaigns (2)\nC-2 Spring Expo") and "C-1 Q4 Webinar" in everything
    assert "closed 10 Mar 2026" in everything
    assert "`campaign list` shows `active` campaigns or `all` of them, not `closed`" in crew.text(
        "rita", "campaign list closed"
    )


def test_a_comment_reaches_the_owner_attributed_and_is_kept_on_the_campaign(crew: Team) -> None:
    assert crew.say("kim", WEBINAR).ok
    reply = crew.say("rita", "campaign comment Q4 Webinar the leads are students, not buyers")  # an unquoted name
    assert reply.ok and text_of(reply) == "✅ Sent to @Kim and kept on C-1 Q4 Webinar (1 comment so far)."
    [dm] = rows(crew, "campaign_comment")
    assert dm.target_member_id == crew.member("kim").id
    assert text_of(reply_of(dm)).startswith("💬 @Rita commented on Q4 Webinar C-1:\nthe leads are students, not buyers")
    for n in range(2, 6):
        assert crew.say("sam", f'campaign comment "q4 webinar" note {n} re:pricing').ok
    assert crew.say("kim", "campaign comment C-1 thanks, noted").ok  # the owner's own: kept, not sent to herself
    assert len(rows(crew, "campaign_comment")) == 5
    with crew.runtime.db.session() as session:
        kept = session.exec(select(CampaignComment).order_by(CampaignComment.id)).all()  # type: ignore[arg-type]
    assert [c.text for c in kept][:2] == ["the leads are students, not buyers", "note 2 re:pricing"]
    show = crew.text("dana", "campaign show C-1")
    assert "Comments from sales (6)" in show and "@Kim, 10 Mar 2026: thanks, noted" in show
    assert "note 5 re:pricing" in show and "note 2" not in show and "…and 3 earlier." in show


@pytest.mark.parametrize(
    ("typed", "refusal"),
    [
        ("campaign comment C-1", "What would you like to tell the campaign's owner?"),
        ("campaign comment C-1 " + "x" * 2001, "The comment is 2,001 characters long; the limit is 2,000."),
        ("campaign comment Summit great leads", "There is no campaign called `Summit`"),
        ("campaign comment", "Missing the campaign"),
    ],
)
def test_bad_comments_are_refused(crew: Team, typed: str, refusal: str) -> None:
    assert crew.say("kim", WEBINAR).ok
    reply = crew.say("rita", typed)
    assert not reply.ok and refusal in text_of(reply), text_of(reply)
    assert rows(crew, "campaign_comment") == []


def test_closing_sends_the_report_to_the_owner_and_the_managers_channel_once(crew: Team) -> None:
    assert crew.say("kim", WEBINAR).ok
    _deliver_some_leads(crew)
    answer = crew.text("dana", "campaign close Q4 Webinar")
    assert answer.startswith("✅ Closed C-1 Q4 Webinar. Its report went to its owner and the managers channel.")
    reports = rows(crew, "campaign_report")
    assert [(r.target_member_id, r.target_channel) for r in reports] == [
        (crew.member("kim").id, None),
        (None, "playground:#managers"),
    ]
    report = text_of(reply_of(reports[0]))
    assert report.startswith("📊 C-1 Q4 Webinar was closed by @Dana. Its report:")
    assert "Target: 4 of 40 (10%) | Delivered: 4 leads handed to sales | Accepted: 2 (acceptance rate 67%)" in report
    assert "Average quality: 4.0 / 5 (2 leads rated) | Won / lost: 1 won · 0 lost (win rate 100%)" in report
    assert reply_of(reports[1]).visibility == "in_channel"
    assert campaign(crew).status == "closed" and campaign(crew).closed_by_id == crew.member("dana").id
    again = crew.text("kim", "campaign close C-1")
    assert "C-1 “Q4 Webinar” was already closed (10 Mar 2026); its report went out then." in again
    assert len(rows(crew, "campaign_report")) == 2
    assert "This campaign is closed (10 Mar 2026)." in crew.text("rita", "campaign why C-1")


def test_without_a_managers_channel_each_manager_gets_the_report(team: Team) -> None:
    team.say("kim", "lead list")
    assert team.say("mara", "tandem role kim@t-acme.test marketer").ok
    assert team.say("kim", 'campaign announce Expo goal:"Meet buyers" target:5').ok
    answer = team.text("kim", "campaign close expo")
    assert answer.startswith("✅ Closed C-1 Expo. Its report went to the managers.\nTarget: 0 of 5 (0%)")
    assert [r.target_member_id for r in rows(team, "campaign_report")] == [team.member("dana").id]


def test_two_closes_at_once_give_one_report(crew: Team) -> None:
    by_dana = 0
    for n in range(1, 6):
        assert crew.say("kim", f"campaign announce Round{n} goal:x").ok
        first, second = at_once(
            lambda n=n: crew.say("kim", f"campaign close Round{n}"),  # type: ignore[misc]
            lambda n=n: crew.say("dana", f"campaign close C-{n}"),  # type: ignore[misc]
        )
        assert sorted([first.ok, second.ok]) == [False, True], (text_of(first), text_of(second))
        refused = first if not first.ok else second
        assert "was already closed" in text_of(refused)
        by_dana += second.ok
    reports = rows(crew, "campaign_report")
    assert len([r for r in reports if r.target_channel]) == 5  # one post a campaign in the managers channel
    assert len(reports) == 5 + by_dana  # and a DM to Kim when Dana was the one who closed it


def test_everyones_home_shows_the_running_campaigns_with_their_progress(crew: Team) -> None:
    from bot.home import home_reply

    assert crew.say("kim", WEBINAR).ok
    _deliver_some_leads(crew)
    with crew.runtime.db.session() as session:
        home = home_reply(session, crew.runtime.clock, crew.member("sam"), crew.runtime.dispatcher.registry)
    shown = text_of(home)
    assert "Campaigns running now\nQ4 Webinar  C-1\n60 qualified RevOps leads" in shown
    assert "Target: 4 of 40 (10%) · quality 4.0 / 5 (2 leads rated)" in shown
    assert "[Why?]" in shown


def test_a_rating_carries_its_leads_campaign(crew: Team) -> None:
    from storage.models import Feedback

    assert crew.say("kim", WEBINAR).ok
    assert crew.say("kim", "lead handoff Acme to:@rita campaign:C-1").ok
    assert crew.say("kim", "lead handoff Beta to:@rita").ok
    assert crew.say("rita", "lead feedback L-1 4").ok and crew.say("sam", "lead feedback L-1 2").ok
    assert crew.say("rita", "lead feedback L-2 5").ok
    assert crew.say("rita", "lead feedback L-1 3").ok  # a new score replaces Rita's, and keeps the campaign
    with crew.runtime.db.session() as session:
        rated = {(f.lead_id, f.score, f.campaign_id) for f in session.exec(select(Feedback))}
    c1 = campaign(crew).id
    assert rated == {(crew.lead(1).id, 3, c1), (crew.lead(1).id, 2, c1), (crew.lead(2).id, 5, None)}
    assert "Average quality: 2.5 / 5 (1 lead rated)" in crew.text("rita", "campaign why C-1")
