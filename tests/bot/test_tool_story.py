"""Sales tools through dispatch (SPEC §3 "tool"): marketing publishes, sales finds with typos, opens are counted,
tools are removed; on every database backend."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import select

from bot.core.replies import Bold, Code, Link, Reply
from bot.tools.links import ToolLinks
from bot.tools.service import open_link
from storage.models import Campaign, Tool, ToolClick
from tests.bot.conftest import Team, text_of

PRICING = (
    'tool add "Pricing deck" url:https://drive.example.com/pricing tags:pricing,enterprise '
    'desc:"List prices, discounts and packaging for 2026"'
)
ROI = "tool add Harbour ROI calculator url:https://sheets.example.com/roi tags:roi,finance"
GLOBEX = (
    'tool add "Battlecard: Globex" url:https://wiki.example.com/globex tags:competitor '
    'desc:"How we win against Globex: objections, traps and proof points"'
)
OTHERS = (
    'tool add "Security one-pager" url:https://drive.example.com/security tags:security',
    'tool add "Case study: Northwind" url:https://drive.example.com/northwind tags:case-study '
    'desc:"How Northwind cut onboarding time by half"',
    'tool add "Enterprise pricing FAQ" url:https://wiki.example.com/pricing-faq tags:pricing',
)


def links_in(reply: Reply) -> list[Link]:
    return [span for block in reply.blocks for span in getattr(block, "text", ()) if isinstance(span, Link)]


def titles_in(reply: Reply) -> list[str]:
    return [span.text for span in links_in(reply)]


@pytest.fixture
def tools(team: Team) -> Team:
    """Mara (admin, so also a marketer) has published six tools."""
    for command in (PRICING, ROI, GLOBEX, *OTHERS):
        reply = team.say("mara", command)
        assert reply.ok, text_of(reply)
    return team


def open_as(team: Team, reply: Reply, title: str) -> str | None:
    """Follow the link of ``title`` in ``reply`` the way GET /t/<id> does."""
    [url] = [span.url for span in links_in(reply) if span.text == title]
    parts = urlsplit(url)
    tool_id = int(parts.path.rsplit("/", 1)[1])
    links = ToolLinks(team.runtime.settings.base_url, team.runtime.settings.secret_key)
    claims = links.claims(parse_qs(parts.query).get("m", [None])[0], tool_id)
    with team.runtime.db.session() as session:
        return open_link(session, team.runtime.clock, tool_id, claims)


def test_marketer_publishes_a_tool_and_gets_its_id_and_link(team: Team) -> None:
    reply = team.say("mara", PRICING)
    assert reply.ok, text_of(reply)
    assert "✅ Published T-1 Pricing deck." in text_of(reply) and "#pricing #enterprise" in text_of(reply)
    [link] = links_in(reply)
    assert link.url.startswith("http://127.0.0.1:8000/t/") and "?m=" in link.url
    with team.runtime.db.session() as session:
        tool = session.exec(select(Tool)).one()
    assert (tool.number, tool.title, tool.url, tool.tags) == (
        1,
        "Pricing deck",
        "https://drive.example.com/pricing",
        "pricing,enterprise",
    )
    assert tool.description == "List prices, discounts and packaging for 2026"
    assert tool.owner_id == team.member("mara").id
    assert "T-2" in team.text("mara", ROI)


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("pricng deck", "Pricing deck"),
        ("harbour roi", "Harbour ROI calculator"),
        ("batlecard", "Battlecard: Globex"),
        ("globex", "Battlecard: Globex"),
        ("roi calc", "Harbour ROI calculator"),
        ("how do we win against globex", "Battlecard: Globex"),
        ("securty one pager", "Security one-pager"),
        ("onboarding", "Case study: Northwind"),
        ("pricng", "Pricing deck"),
        ("harbor", "Harbour ROI calculator"),
        ("secruity", "Security one-pager"),
    ],
)
def test_a_rep_finds_a_tool_despite_typos(tools: Team, query: str, title: str) -> None:
    reply = tools.say("rita", f"tool {query}")
    assert reply.ok and "best match" in text_of(reply) and "No tool matches" not in text_of(reply), text_of(reply)
    assert titles_in(reply)[0] == title, text_of(reply)


def test_results_are_ranked_by_relevance_and_at_most_five(tools: Team) -> None:
    pricing = titles_in(tools.say("rita", "tool pricing"))
    assert pricing[:2] == ["Pricing deck", "Enterprise pricing FAQ"]  # title matches, the shorter title first
    assert "Security one-pager" not in pricing
    for n in range(8):
        assert tools.say("mara", f'tool add "Pricing sheet {n}" url:https://example.com/p{n} tags:pricing').ok
    assert len(titles_in(tools.say("rita", "tool pricing"))) == 5
    assert titles_in(tools.say("rita", "tool enterprise pricing"))[0] == "Enterprise pricing FAQ"


def test_a_tool_is_found_by_its_campaign(tools: Team) -> None:
    with tools.runtime.db.session() as session:
        workspace_id = tools.member("mara").workspace_id
        session.add(
            Campaign(
                workspace_id=workspace_id,
                number=1,
                name="RevOps Summit Berlin",
                goal="meet EMEA",
                created_at=tools.runtime.clock.now(),
            )
        )
    assert tools.say("mara", 'tool add "Booth script" url:https://example.com/booth campaign:revops').ok
    assert titles_in(tools.say("rita", "tool berlin summit")) == ["Booth script"]
    assert "campaign RevOps Summit Berlin" in tools.text("rita", "tool booth")


def test_no_match_offers_the_closest_titles_and_who_to_ask(tools: Team) -> None:
    reply = tools.say("rita", "tool zyxxq")
    assert reply.ok and "No tool matches “zyxxq”" in text_of(reply)
    assert "Closest titles" in text_of(reply) and len(titles_in(reply)) == 3
    assert "Ask @Mara — marketing can publish what you need with `tool add`." in text_of(reply)
    assert "tandem settings marketing_channel" in text_of(reply)  # how to say where to ask
    assert tools.say("mara", "tandem settings marketing_channel #marketing").ok
    asked = tools.text("rita", "tool zyxxq")
    assert "Ask in the marketing channel, or ask @Mara" in asked and "tandem settings" not in asked


def test_a_workspace_without_tools_says_so_and_who_publishes_them(team: Team) -> None:
    answer = team.text("rita", "tool pricing deck")
    assert "No tools have been published here yet." in answer and "tool add" in answer


def test_every_link_counts_for_the_person_it_was_handed_to(tools: Team) -> None:
    found = tools.say("rita", "tool pricng deck")
    assert open_as(tools, found, "Pricing deck") == "https://drive.example.com/pricing"
    assert open_as(tools, tools.say("sam", "tool pricing deck"), "Pricing deck") == "https://drive.example.com/pricing"
    with tools.runtime.db.session() as session:
        clicks = session.exec(select(ToolClick)).all()
    assert sorted(c.member_id for c in clicks if c.member_id) == sorted(
        [tools.member("rita").id or 0, tools.member("sam").id or 0]
    )
    listed = tools.text("mara", "tool list")
    assert listed.index("Pricing deck") < listed.index("Battlecard: Globex")  # most opened first
    assert "2 opens, last 10 Mar 2026" in listed
    assert "2 opens in 30 days" in tools.text("rita", "tool pricing deck")


def test_the_owners_own_opens_are_not_counted_as_use(tools: Team) -> None:
    open_as(tools, tools.say("mara", "tool pricing deck"), "Pricing deck")
    assert "Pricing deck  T-1\n#pricing #enterprise · never opened" in tools.text("mara", "tool list")


def test_tool_list_filters_by_tag_and_shows_twenty(tools: Team) -> None:
    listed = tools.text("rita", "tool list #Pricing")
    assert listed.startswith("Tools tagged #pricing (2)")
    assert "Pricing deck" in listed and "Enterprise pricing FAQ" in listed and "Globex" not in listed
    assert "No tool is tagged #webinar" in tools.text("rita", "tool list webinar")
    assert "takes one tag" in tools.text("rita", "tool list pricing deck")
    for n in range(20):
        tools.say("mara", f"tool add Sheet{n:02d} url:https://example.com/s{n}")
    assert "Sales tools (26)" in tools.text("rita", "tool list") and "…and 6 more" in tools.text("rita", "tool list")


def test_a_tool_can_be_shown_by_its_id(tools: Team) -> None:
    assert titles_in(tools.say("rita", "tool T-3")) == ["Battlecard: Globex"]
    assert "There is no tool T-99 here" in tools.text("rita", "tool t-99")


def test_a_marketer_removes_their_tool_and_its_old_links_stop_working(tools: Team) -> None:
    old = tools.say("rita", "tool harbour roi")
    reply = tools.say("mara", "tool remove T-2")
    assert reply.ok and "Removed T-2 Harbour ROI calculator" in text_of(reply)
    assert 'tool add "Harbour ROI calculator" url:https://sheets.example.com/roi tags:roi,finance' in text_of(reply)
    assert open_as(tools, old, "Harbour ROI calculator") is None  # GET /t/<id> answers 404
    assert "Harbour" not in " ".join(titles_in(tools.say("rita", "tool harbour roi")))
    assert "Harbour" not in tools.text("rita", "tool list")
    assert "T-2 “Harbour ROI calculator” was removed on 10 Mar 2026" in tools.text("mara", "tool remove T-2")
    assert tools.say("mara", ROI).ok  # the restore line publishes it again, as a new tool
    assert titles_in(tools.say("rita", "tool harbour roi"))[0] == "Harbour ROI calculator"


def test_only_the_owner_or_a_manager_removes_a_tool(tools: Team) -> None:
    assert tools.say("mara", "tandem role sam@t-acme.test marketer").ok
    refused = tools.say("sam", "tool remove T-1")
    assert not refused.ok and "T-1 is Mara's; you can remove your own tools, and a manager can remove any." in text_of(
        refused
    )
    rep = tools.say("rita", "tool remove T-1")
    assert not rep.ok and "needs the marketer role" in text_of(rep)
    assert tools.say("dana", "tool remove T-1").ok  # a manager removes any
    assert tools.say("sam", "tool add Sam's deck url:https://example.com/sam").ok
    assert tools.say("sam", "tool remove T-7").ok


def test_a_rep_cannot_publish_and_is_told_which_role_is_needed(team: Team) -> None:
    refused = team.say("rita", PRICING)
    assert not refused.ok and "`tool add` needs the marketer role" in text_of(refused)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("javascript:alert(1)", "`javascript:` links are refused"),
        ("data:text/html,hi", "`data:` links are refused"),
        ("ftp://files.example.com/deck.pdf", "`ftp:` links are refused"),
        ("/decks/pricing.pdf", "only a path, not a full web address"),
        ("drive.example.com/deck", "Give it with https:// in front, e.g. `url:https://drive.example.com/deck`"),
        ("https://", "has no web host"),
        ("https://ana:secret@example.com/deck", "user name or password"),
    ],
)
def test_only_http_and_https_links_with_a_host_are_published(team: Team, url: str, reason: str) -> None:
    reply = team.say("mara", f"tool add Deck url:{url}")
    assert not reply.ok and reason in text_of(reply), text_of(reply)
    with team.runtime.db.session() as session:
        assert session.exec(select(Tool)).all() == []


def test_bad_tool_input_gets_a_usage_line_or_the_limit_named(team: Team) -> None:
    assert "Add its link as `url:https://…`" in team.text("mara", "tool add Pricing deck")
    assert "Put its title first" in team.text("mara", "tool add url:https://example.com/x")
    assert "the limit is 200" in team.text("mara", f"tool add {'A' * 201} url:https://example.com/x")
    assert "the limit is 2,000" in team.text("mara", f"tool add Deck url:https://example.com/x desc:{'d' * 2001}")
    assert "tags are words" in team.text("mara", "tool add Deck url:https://example.com/x tags:q4/2026")
    assert "a tool can have 10" in team.text(
        "mara", "tool add Deck url:https://example.com/x tags:" + ",".join(f"t{n}" for n in range(11))
    )
    assert "has no option `tag:`. Did you mean `tags:`?" in team.text(
        "mara", "tool add Deck url:https://example.com/x tag:pricing"
    )
    assert "There is no campaign called `nope`" in team.text(
        "mara", "tool add Deck url:https://example.com/x campaign:nope"
    )
    assert "not a tool id" in team.text("mara", "tool remove pricing")
    assert "Missing the tool id" in team.text("mara", "tool remove")
    assert "a few words are enough" in team.text("rita", "tool " + "deck " * 50)
    team.say("mara", "tool add Deck url:https://example.com/x")
    assert "already published as T-1 “Deck”" in team.text("mara", "tool add Other url:https://example.com/x")


def test_tool_alone_and_tool_help_teach_the_commands(team: Team) -> None:
    overview = team.text("rita", "tool")
    for usage in ("tool <query>", "tool add <title> url:", "tool list [tag]", "tool remove <id>"):
        assert usage in overview
    for asked in ("help tool", "tool help", "Tool HELP"):
        answer = team.text("rita", asked)
        assert all(usage in answer for usage in ("tool <query>", "tool add <title>", "tool list", "tool remove")), asked
    assert "Usage" in team.text("rita", "tool add help")


@pytest.mark.parametrize(
    "title",
    ["<!channel> pricing", "@here deck", "<script>alert(1)</script> deck", "*bold* `code` <https://evil.test|click>"],
)
def test_hostile_titles_stay_plain_text(team: Team, title: str) -> None:
    reply = team.say("mara", f'tool add "{title}" url:https://example.com/x desc:"<!here> {title}"')
    assert reply.ok, text_of(reply)
    for shown in (reply, team.say("rita", "tool deck pricing alert bold"), team.say("rita", "tool list")):
        assert [link.text for link in links_in(shown)] == [title]
        assert all(
            title not in span.text
            for block in shown.blocks
            for span in getattr(block, "text", ())
            if isinstance(span, Bold | Code)
        )  # only plain and link text, which renderers escape


def test_a_tool_from_another_workspace_is_unknown(tools: Team) -> None:
    other = Team(tools.runtime, team_id="T-OTHER")
    other.say("olga", "lead list")
    assert "There is no tool T-1 here" in other.text("olga", "tool T-1")
    assert "No tools have been published here yet" in other.text("olga", "tool pricing deck")
    assert "Sales tools (0)" in other.text("olga", "tool list")


def test_stats_see_the_most_and_least_used_tools_and_campaign_why_its_tools(tools: Team) -> None:
    from bot.tools.service import for_campaign, least_used, most_used

    open_as(tools, tools.say("rita", "tool pricing deck"), "Pricing deck")
    open_as(tools, tools.say("sam", "tool pricing deck"), "Pricing deck")
    open_as(tools, tools.say("rita", "tool globex"), "Battlecard: Globex")
    tools.runtime.clock.advance(timedelta(days=40))  # type: ignore[attr-defined]
    open_as(tools, tools.say("rita", "tool globex"), "Battlecard: Globex")
    workspace_id = tools.member("mara").workspace_id
    now = tools.runtime.clock.now()
    with tools.runtime.db.session() as session:
        recent = most_used(session, workspace_id, now - timedelta(days=30), 5)
        ever = most_used(session, workspace_id, now - timedelta(days=365), 5)
        least = least_used(session, workspace_id, now - timedelta(days=30), 3)
        session.add(Campaign(workspace_id=workspace_id, number=1, name="Q1 Pipeline", created_at=now))
    assert [(u.id, u.clicks) for u in recent] == [("T-3", 1)]
    assert [(u.id, u.title, u.clicks) for u in ever] == [("T-1", "Pricing deck", 2), ("T-3", "Battlecard: Globex", 2)]
    assert [(u.id, u.clicks) for u in least] == [("T-1", 0), ("T-2", 0), ("T-4", 0)]
    assert tools.say("mara", 'tool add "Webinar recording" url:https://example.com/rec campaign:"Q1 Pipeline"').ok
    with tools.runtime.db.session() as session:
        campaign = session.exec(select(Campaign)).one()
        assert [row.title for row in for_campaign(session, workspace_id, campaign.id or 0)] == ["Webinar recording"]
        assert for_campaign(session, workspace_id + 1, campaign.id or 0) == []
