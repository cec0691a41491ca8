"""The home page (Slack App Home): a rep's open leads attention first; marketing's hand-offs that are back with
it, to reassign, and those no rep has accepted yet."""

from __future__ import annotations

from datetime import timedelta

from bot.core.replies import Buttons, Reply
from bot.home import home_reply
from tests.bot.conftest import Team, text_of


def home_of(team: Team, who: str) -> Reply:
    member = team.member(who)
    with team.runtime.db.session() as session:
        return home_reply(session, team.runtime.clock, member, team.runtime.dispatcher.registry)


def every_button(reply: Reply) -> list[tuple[str, str]]:
    return [(b.label, b.command) for block in reply.blocks if isinstance(block, Buttons) for b in block.buttons]


def test_marketing_sees_its_hand_offs_back_with_it_and_those_still_waiting(team: Team) -> None:
    assert "Nothing waiting on you" in text_of(home_of(team, "mara"))
    team.say("mara", "lead handoff Alpha to:@rita")
    team.say("mara", "lead handoff Beta to:@sam")
    team.say("sam", "lead reject L-2 wrong territory")
    home = home_of(team, "mara")
    shown = text_of(home)
    assert shown.index("Back with you (1)") < shown.index("Waiting for a rep to accept (1)")
    assert "L-2 · Beta\n↩️ Rejected: wrong territory" in shown and "L-1 · Alpha\nwith @Rita" in shown
    assert "Your open leads" not in shown  # a marketer who owns nothing is not shown an empty list
    assert every_button(home) == [
        ("Reassign", "lead reassign L-2"),
        ("Details", "lead show L-2"),
        ("Details", "lead show L-1"),
    ]
    assert team.say("mara", "lead reassign L-2 @rita").ok
    shown = text_of(home_of(team, "mara"))
    assert "Back with you" not in shown and "Waiting for a rep to accept (2)" in shown


def test_a_rep_sees_only_their_own_open_leads(team: Team) -> None:
    team.say("mara", "lead handoff Alpha to:@rita")
    shown = text_of(home_of(team, "rita"))
    assert "Your open leads (1)" in shown and "new hand-off" in shown and "Back with you" not in shown
    assert "/meeting" in shown and "/tandem help" in shown  # every command word, now that each is answered


def test_marketing_sees_hand_offs_of_the_last_30_days(team: Team) -> None:
    team.say("mara", "lead handoff Old Co to:@sam")
    team.say("sam", "lead reject L-1 wrong territory")
    team.runtime.clock.advance(timedelta(days=31))  # type: ignore[attr-defined]
    team.say("mara", "lead handoff New Co to:@sam")
    team.say("sam", "lead reject L-2 no budget")
    shown = text_of(home_of(team, "mara"))
    assert "Back with you (1)" in shown and "New Co" in shown and "Old Co" not in shown


def test_a_rep_sees_the_tools_they_open_most_on_their_home(team: Team) -> None:
    from urllib.parse import parse_qs, urlsplit

    from bot.core.replies import Link
    from bot.tools.links import ToolLinks
    from bot.tools.service import open_link

    def home(who: str) -> Reply:
        with team.runtime.db.session() as session:
            return home_reply(
                session, team.runtime.clock, team.member(who), team.runtime.dispatcher.registry, team.runtime.settings
            )

    assert "Find decks, one-pagers and battlecards with `/tool <words>`" in text_of(home("rita"))
    assert "most-used tools" not in text_of(home("mara"))  # marketing sees the section once it opens tools
    for title in ("Pricing deck", "Battlecard Globex", "ROI calculator"):
        assert team.say("mara", f'tool add "{title}" url:https://example.com/{title[:3]}').ok
    links = ToolLinks(team.runtime.settings.base_url, team.runtime.settings.secret_key)
    for title, times in (("Battlecard Globex", 3), ("ROI calculator", 1)):
        [url] = [
            s.url
            for b in team.say("rita", f"tool {title}").blocks
            for s in getattr(b, "text", ())
            if isinstance(s, Link) and s.text == title
        ]
        tool_id = int(urlsplit(url).path.rsplit("/", 1)[1])
        for _ in range(times):
            with team.runtime.db.session() as session:
                open_link(
                    session, team.runtime.clock, tool_id, links.claims(parse_qs(urlsplit(url).query)["m"][0], tool_id)
                )
    shown = home("rita")
    assert "Your most-used tools\nBattlecard Globex  T-2\nROI calculator  T-3" in text_of(shown)
    [mine] = [
        s for b in shown.blocks for s in getattr(b, "text", ()) if isinstance(s, Link) and s.text == "ROI calculator"
    ]
    assert links.claims(parse_qs(urlsplit(mine.url).query)["m"][0], tool_id) is not None  # a link that counts for her
    assert "Battlecard" not in text_of(home("sam"))  # Sam opened nothing: his own home, not Rita's
