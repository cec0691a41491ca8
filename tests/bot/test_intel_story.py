"""Competitive intel through dispatch (SPEC §3 "intel"): reps file what they hear about competitors, marketing
hears it in its channel, anyone reads one competitor's notes or the list of all; on every database backend."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import select

from bot.core.outbox import reply_of
from bot.core.replies import Bold, Mention, Plain, Reply
from bot.intel.service import intel_count, notes_naming
from storage.models import Competitor, IntelNote, Outbox
from tests.bot.conftest import Team, buttons_of, text_of


@pytest.fixture
def marketing(team: Team) -> Team:
    """The workspace with its marketing channel set."""
    assert team.say("mara", "tandem settings marketing_channel #marketing").ok
    return team


def posts(team: Team) -> list[Outbox]:
    with team.runtime.db.session() as session:
        return list(session.exec(select(Outbox).where(Outbox.kind == "intel").order_by(Outbox.id)).all())  # type: ignore[arg-type]


def competitors(team: Team) -> list[str]:
    with team.runtime.db.session() as session:
        return [c.name for c in session.exec(select(Competitor).order_by(Competitor.id)).all()]  # type: ignore[arg-type]


def notes(team: Team) -> list[tuple[str, str]]:
    with team.runtime.db.session() as session:
        rows = session.exec(
            select(Competitor.name, IntelNote.text)
            .join(Competitor, Competitor.id == IntelNote.competitor_id)  # type: ignore[arg-type]
            .order_by(IntelNote.id)  # type: ignore[arg-type]
        ).all()
        return [(name, note) for name, note in rows]


def advance(team: Team, delta: timedelta) -> None:
    team.runtime.clock.advance(delta)  # type: ignore[attr-defined]


def test_a_rep_files_intel_and_is_thanked_with_the_count(marketing: Team) -> None:
    first = marketing.say("rita", "intel Globex cut list prices by 20% for 3-year deals")
    assert first.ok and text_of(first).startswith("🙏 Thanks — that's the first note on Globex."), text_of(first)
    assert Bold(text="Globex") in first.blocks[0].text  # type: ignore[union-attr]
    assert "Posted to the marketing channel" in text_of(first)
    assert "the 2nd note on Globex (all 2 this month)" in marketing.text("sam", "intel Globex offers free onboarding")
    advance(marketing, timedelta(days=31))  # 10 Mar → 10 Apr
    assert "the 3rd note on Globex (1 this month)" in marketing.text("rita", "intel globex matched our price")
    assert "the 4th note on Globex (2 this month)" in marketing.text("rita", "intel GLOBEX again")
    assert notes(marketing)[0] == ("Globex", "cut list prices by 20% for 3-year deals")


def test_the_note_reaches_the_marketing_channel_attributed_with_a_button_for_more(marketing: Team) -> None:
    marketing.say("rita", 'intel Globex told Umbrella "we will beat any quote by 10%"')
    [row] = posts(marketing)
    assert row.target_channel == "playground:#marketing" and row.target_member_id is None
    post = reply_of(row)
    assert post.visibility == "in_channel"
    shown = text_of(post)
    assert shown.startswith("🕵️ Intel on Globex from @Rita:")
    assert 'told Umbrella "we will beat any quote by 10%"' in shown
    assert any(isinstance(span, Mention) and span.name == "Rita" for span in post.blocks[0].text)  # type: ignore[union-attr]
    assert "The first note on Globex." in shown
    assert buttons_of(post) == {"More on Globex": "intel show Globex", "Add intel": "intel Globex"}
    more = marketing.say("mara", buttons_of(post)["More on Globex"])  # a button is its command, run as the clicker
    assert more.ok and 'told Umbrella "we will beat any quote by 10%"' in text_of(more)
    [add] = [button for block in post.blocks for button in getattr(block, "buttons", ()) if button.label == "Add intel"]
    assert add.prompt and "What did you hear about Globex?" in add.prompt
    assert marketing.say("sam", add.command + " " + "their CFO left last week").ok  # the prompt's answer appended
    assert notes(marketing)[-1] == ("Globex", "their CFO left last week")
    assert len(posts(marketing)) == 2


def test_without_a_marketing_channel_the_note_is_kept_and_the_answer_says_how_to_set_one(team: Team) -> None:
    answer = team.text("rita", "intel Initech launched an AI forecasting add-on")
    assert "Thanks — that's the first note on Initech." in answer
    assert "No marketing channel is set" in answer and "tandem settings marketing_channel" in answer
    assert posts(team) == [] and notes(team) == [("Initech", "launched an AI forecasting add-on")]


def test_competitor_names_are_one_whatever_the_case_and_punctuation(marketing: Team) -> None:
    for typed in ("Globex", "globex", "GLOBEX,", '"Globex."', "@globex", "Ｇｌｏｂｅｘ"):
        assert marketing.say("rita", f"intel {typed} note {typed}").ok, typed
    assert competitors(marketing) == ["Globex"]  # the name as first written
    assert "the 7th note on Globex" in marketing.text("sam", "intel Globex's reps are calling our customers")
    assert "Globex — 7 notes" in marketing.text("sam", "intel show gLoBeX")


def test_a_name_of_several_words_is_quoted_once_and_then_found_without_quotes(marketing: Team) -> None:
    assert "first note on Acme Corp" in marketing.text("rita", 'intel "Acme Corp" cut prices in EMEA')
    assert "2nd note on Acme Corp" in marketing.text("sam", "intel acme corp hired our old VP of sales")
    assert "2nd note on Acme Corp" not in marketing.text("sam", "intel Acme Inc is a different company")
    assert competitors(marketing) == ["Acme Corp", "Acme"]
    assert notes(marketing)[1] == ("Acme Corp", "hired our old VP of sales")
    assert buttons_of(reply_of(posts(marketing)[0]))["Add intel"] == 'intel "Acme Corp"'
    assert "Acme Corp — 2 notes" in marketing.text("rita", "intel show Acme Corp")


def test_a_close_spelling_is_filed_under_the_existing_competitor_and_the_answer_says_so(marketing: Team) -> None:
    marketing.say("rita", "intel Globex cut prices")
    close = marketing.text("sam", "intel globx is calling our customers")
    assert "the 2nd note on Globex" in close and "Filed under Globex, the closest existing name to “globx”." in close
    assert competitors(marketing) == ["Globex"]
    fresh = marketing.text("sam", 'intel "Globe X" new:yes a different company, in Lisbon')
    assert "the first note on Globe X" in fresh and "Filed under" not in fresh
    assert notes(marketing)[-1] == ("Globe X", "a different company, in Lisbon")
    assert "first note on Hooli" in marketing.text("rita", "intel Hooli is hiring")  # nothing close: as typed
    marketing.say("rita", 'intel "Northwind Labs" one')
    marketing.say("rita", 'intel "Northwind Lab" new:yes two')
    refused = marketing.say("sam", 'intel "Northwind Labz" three')  # close to both: nothing is guessed
    assert not refused.ok and "close to “Northwind Lab” or “Northwind Labs”" in text_of(refused), text_of(refused)
    assert "new:yes" in text_of(refused)
    assert competitors(marketing) == ["Globex", "Globe X", "Hooli", "Northwind Labs", "Northwind Lab"]


def test_intel_show_lists_the_latest_ten_with_author_and_time_in_the_readers_zone(marketing: Team) -> None:
    assert marketing.say("mara", "tandem settings timezone Europe/Berlin").ok
    for n in range(1, 13):
        marketing.say("rita" if n % 2 else "sam", f"intel Globex note number {n}")
        advance(marketing, timedelta(hours=1))
    reply = marketing.say("dana", "intel show Globex")
    shown = text_of(reply)
    assert shown.startswith("🕵️ Globex — 12 notes, the latest first:")
    order = [shown.index(f"note number {n}\n") for n in range(12, 2, -1)]
    assert order == sorted(order) and "note number 2\n" not in shown and "note number 1\n" not in shown
    assert "note number 12\n@Sam · Tue 10 Mar 22:00 CET" in shown  # 21:00 UTC, in the workspace's zone
    assert "note number 11\n@Rita · Tue 10 Mar 21:00 CET" in shown
    assert "The latest 10 of 12." in shown
    [add] = [button for block in reply.blocks for button in getattr(block, "buttons", ()) if button.label]
    assert (add.label, add.command) == ("Add a note", "intel Globex") and add.prompt
    assert text_of(marketing.say("dana", "intel Globex")) == shown  # the name alone shows the competitor


def test_a_close_or_started_name_shows_that_competitor_and_an_unknown_one_lists_the_known(marketing: Team) -> None:
    for name in ("Globex", "Initech", "Hooli", "Umbrella"):
        marketing.say("rita", f"intel {name} something")
    assert "Showing Globex, the closest name to “globx”." in marketing.text("sam", "intel show globx")
    assert marketing.text("sam", "intel show umbr").startswith("🕵️ Umbrella — 1 note")
    unknown = marketing.say("sam", "intel show Initek Systems")
    assert not unknown.ok and "There is no intel on “Initek Systems” yet." in text_of(unknown)
    assert "Competitors with intel: Initech, " in text_of(unknown)  # the closest first
    assert "no intel on “Vandelay”" in marketing.text("sam", "intel Vandelay")
    other = Team(marketing.runtime, team_id="T-OTHER")
    assert "nobody has filed any here" in other.text("olga", "intel show Globex")


def test_intel_list_counts_the_notes_and_dates_the_last_one_most_noted_first(marketing: Team) -> None:
    empty = marketing.text("rita", "intel list")
    assert "No intel yet" in empty and "intel <competitor> <note>" in empty
    marketing.say("rita", "intel Initech one")
    advance(marketing, timedelta(days=2))
    for n in range(3):
        marketing.say("sam", f"intel Globex {n}")
    marketing.say("rita", "intel Hooli one")
    reply = marketing.say("dana", "intel list")
    shown = text_of(reply)
    assert "Competitive intel — 3 competitors, 5 notes, the most noted first:" in shown
    assert "Globex — 3 notes, last on 12 Mar\nHooli — 1 note, last on 12 Mar\nInitech — 1 note, last on 10 Mar" in shown
    assert buttons_of(reply) == {
        "More on Globex": "intel show Globex",
        "More on Hooli": "intel show Hooli",
        "More on Initech": "intel show Initech",
    }
    assert "takes nothing after it" in marketing.text("rita", "intel list globex")


def test_intel_alone_and_intel_help_teach_the_commands(team: Team) -> None:
    for asked in ("intel", "intel help", "intel Globex help"):
        overview = team.text("rita", asked)
        for usage in ("intel <competitor> <note>", "intel show <competitor>", "intel list"):
            assert usage in overview, asked
        assert 'intel "Acme Corp"' in overview and "new:yes" in overview
    group = team.text("rita", "help intel")
    assert "intel show <competitor>" in group and "intel list" in group
    assert "Usage" in team.text("rita", "intel show help")
    assert "Which competitor?" in team.text("rita", "intel show")
    assert notes(team) == []


def test_over_long_or_empty_names_and_notes_are_refused_with_the_limit(marketing: Team) -> None:
    too_long = marketing.say("rita", f'intel "{"A" * 81}" cut prices')
    assert not too_long.ok and "at most 80 characters; that one is 81" in text_of(too_long)
    assert marketing.say("rita", f'intel "{"A" * 80}" cut prices').ok
    big = marketing.say("rita", "intel Globex " + "x" * 2001)
    assert not big.ok and "the limit is 2,000" in text_of(big) and "2,001 characters" in text_of(big)
    assert "Name the competitor first" in marketing.text("rita", 'intel "***" cut prices')
    assert marketing.say("rita", "intel Globex " + "x" * 2000).ok
    assert [name for name, _ in notes(marketing)] == ["A" * 80, "Globex"] and len(posts(marketing)) == 2


def test_notes_keep_options_and_quotes_as_typed(marketing: Team) -> None:
    assert marketing.say("rita", 'intel Globex price:20% off re:renewal "best and final"').ok
    assert notes(marketing) == [("Globex", 'price:20% off re:renewal "best and final"')]


def test_workspaces_never_see_each_others_intel(marketing: Team) -> None:
    marketing.say("rita", "intel Globex cut prices")
    other = Team(marketing.runtime, team_id="T-OTHER")
    assert "No intel yet" in other.text("olga", "intel list")
    assert "first note on globex" in other.text("olga", "intel globex is new here")  # their own competitor
    assert "Globex — 1 note" in marketing.text("rita", "intel show Globex")
    assert sorted(competitors(marketing)) == ["Globex", "globex"]
    workspace = marketing.member("rita").workspace_id
    now = marketing.runtime.clock.now()
    theirs = other.member("olga").workspace_id
    with marketing.runtime.db.session() as session:
        assert intel_count(session, workspace, now - timedelta(days=1), now + timedelta(seconds=1)) == 1
        assert [line.text for line in notes_naming(session, theirs, "Beat Globex")] == ["is new here"]
        assert [line.text for line in notes_naming(session, workspace, "Beat Globex")] == ["cut prices"]


def test_campaign_talking_points_call_up_the_notes_on_the_competitors_they_name(marketing: Team) -> None:
    marketing.say("rita", "intel Globex cut prices")
    advance(marketing, timedelta(hours=1))
    marketing.say("sam", "intel Initech launched SSO")
    advance(marketing, timedelta(hours=1))
    marketing.say("rita", "intel Globex lost the Hooli deal to us")
    marketing.say("rita", "intel Hooli is hiring")
    workspace = marketing.member("rita").workspace_id
    with marketing.runtime.db.session() as session:
        lines = notes_naming(session, workspace, "When they bring up GLOBEX's pricing, or initech: stay calm.")
        assert [(line.competitor, line.text, line.author) for line in lines] == [
            ("Globex", "lost the Hooli deal to us", "Rita"),
            ("Initech", "launched SSO", "Sam"),
            ("Globex", "cut prices", "Rita"),
        ]
        assert lines[0].created_at == datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
        assert len(notes_naming(session, workspace, "Globex and Initech", limit=2)) == 2
        assert notes_naming(session, workspace, "Globexia and Initechnology are not named") == []
        assert notes_naming(session, workspace, "") == [] and notes_naming(session, workspace, "Globex", limit=0) == []


def test_stats_count_the_intel_filed_in_a_period(marketing: Team) -> None:
    start = marketing.runtime.clock.now()
    marketing.say("rita", "intel Globex one")
    advance(marketing, timedelta(days=10))
    marketing.say("rita", "intel Globex two")
    workspace = marketing.member("rita").workspace_id
    with marketing.runtime.db.session() as session:
        assert intel_count(session, workspace, start, start + timedelta(days=10)) == 1
        assert intel_count(session, workspace, start, start + timedelta(days=11)) == 2
        assert intel_count(session, workspace + 1, start, start + timedelta(days=11)) == 0


def test_two_reps_filing_the_first_note_on_a_new_competitor_at_once_give_one_competitor(marketing: Team) -> None:
    """The second insert waits for the first transaction and then inserts nothing (ON CONFLICT DO NOTHING), so
    neither command fails on the unique name. On PostgreSQL the test holds the first insert open and sees the
    second command wait on it; SQLite serialises the two commands."""
    db = marketing.runtime.db
    replies: list[Reply] = []
    if db.is_postgres:
        from bot.intel import service
        from bot.intel.names import check

        workspace = marketing.member("rita").workspace_id
        with db.session() as first:
            service.ensure_competitor(first, marketing.runtime.clock, workspace, check("Vandelay", "intel"))
            second = threading.Thread(target=lambda: replies.append(marketing.say("sam", "intel vandelay cut prices")))
            second.start()
            _wait_for_a_lock_wait(first)
        second.join(timeout=30)
    else:
        threads = [
            threading.Thread(target=lambda who=who: replies.append(marketing.say(who, f"intel Vandelay {who}")))
            for who in ("rita", "sam")
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert replies and all(reply.ok for reply in replies), [text_of(reply) for reply in replies]
    assert competitors(marketing) == ["Vandelay"]


def _wait_for_a_lock_wait(session: object, timeout: float = 20.0) -> None:
    """Until another backend of this database waits on a lock (the second command's insert on the row this
    transaction holds). The activity view is a per-transaction snapshot, hence the clearing."""
    from sqlmodel import Session

    assert isinstance(session, Session)
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
    )
    deadline = time.monotonic() + timeout
    while True:
        session.execute(text("SELECT pg_stat_clear_snapshot()"))
        if session.execute(query).scalar_one():
            return
        assert time.monotonic() < deadline, "the second command never waited on the first insert"
        time.sleep(0.01)


def test_hostile_names_and_notes_travel_only_as_plain_and_bold_text(marketing: Team) -> None:
    name, note = "<!channel>Corp", "<script>alert(1)</script> @here *bold* `tick` <at>Rita</at>"
    answer = marketing.say("rita", f'intel "{name}" {note}')
    assert answer.ok, text_of(answer)
    post = reply_of(posts(marketing)[0])
    for reply in (answer, post, marketing.say("sam", "intel show <!channel>Corp"), marketing.say("sam", "intel list")):
        spans = [span for block in reply.blocks for span in getattr(block, "text", ())]
        assert all(
            isinstance(span, Plain | Bold | Mention) for span in spans if "channel>Corp" in getattr(span, "text", "")
        )
    assert Plain(text=note) in post.blocks[1].text  # type: ignore[union-attr]
