"""The meeting in Slack: every time is Slack's ``<!date^…>`` (each reader sees their own zone; the words are the
fallback), `/meeting schedule` alone and the **Book next quarter** button open the booking form, and a refusal lands
under the field it is about."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlmodel import select

from adapters.slack.modals import compose, form_for, read_values
from adapters.slack.renderer import render_blocks
from bot.core.clock import FakeClock
from bot.core.forms import MEETING
from bot.core.grammar import parse
from bot.core.replies import Reply, When, section
from storage.models import Meeting
from tests.adapters.slack.conftest import SlackWire
from tests.adapters.slack.test_lead_story import ack_of, all_text, buttons, deliver, dms_to

DAY = {"type": "datepicker", "selected_date": "2026-03-20"}
TIME = {"type": "timepicker", "selected_time": "15:00"}


def test_a_moment_is_slacks_date_token_with_the_words_as_fallback() -> None:
    moment = When(at=datetime(2026, 3, 20, 14, 0, tzinfo=UTC), text="Fri 20 Mar 2026, 15:00 CET")
    [block] = render_blocks(Reply(blocks=(section("Starts ", moment),)))
    assert block["text"]["text"] == (
        "Starts <!date^1774015200^{date_short_pretty} at {time}|Fri 20 Mar 2026, 15:00 CET>"
    )
    hostile = When(at=moment.at, text="<!channel> | >now")
    [escaped] = render_blocks(Reply(blocks=(section(hostile),)))
    assert escaped["text"]["text"] == "<!date^1774015200^{date_short_pretty} at {time}|&lt;!channel&gt; ¦ &gt;now>"


def test_the_booking_form_composes_a_meeting_schedule() -> None:
    assert form_for("meeting schedule") is MEETING and form_for("meeting schedule 2026-03-20 15:00") is None
    values = read_values(
        {"values": {"f_day": {"v": DAY}, "f_time": {"v": TIME}, "f_title": {"v": {"value": "Q1, the review"}}}}
    )
    command = parse(compose(MEETING, values))
    assert [w.text for w in command.words] == ["meeting", "schedule", "2026-03-20", "15:00", "Q1, the review"]


def test_meeting_schedule_alone_opens_the_form_and_books_from_it(wire: SlackWire) -> None:
    opened = wire.command("mara", "/meeting", "schedule")
    assert opened.status_code == 200 and not opened.content
    [call] = wire.fake.calls_to("views.open")
    view = call.params["view"]
    assert view["callback_id"] == "tandem_form:meeting_schedule"
    kinds = {block["block_id"]: block["element"]["type"] for block in view["blocks"]}
    assert kinds == {"f_day": "datepicker", "f_time": "timepicker", "f_title": "plain_text_input"}

    past = wire.submit("mara", view, {"f_day": {"type": "datepicker", "selected_date": "2026-03-01"}, "f_time": TIME})
    assert past.json()["response_action"] == "errors" and "already passed" in past.json()["errors"]["f_day"]
    done = wire.submit("mara", view, {"f_day": DAY, "f_time": TIME, "f_title": {"value": "Q1 review"}})
    assert done.status_code == 200 and not done.content
    [told] = wire.fake.calls_to("response")
    assert "Booked" in all_text(told.params["blocks"])
    assert "<!date^1774018800^{date_short_pretty} at {time}|Fri 20 Mar 2026, 15:00 UTC>" in json.dumps(
        told.params["blocks"]
    )
    with wire.runtime.db.session() as session:
        assert session.exec(select(Meeting)).one().title == "Q1 review"


def test_a_time_the_clocks_skip_is_refused_under_the_time_field(wire: SlackWire) -> None:
    ack_of(wire.command("mara", "/tandem", "settings timezone Europe/Berlin"))
    wire.command("mara", "/meeting", "schedule")
    view = wire.fake.calls_to("views.open")[0].params["view"]
    gap = wire.submit(
        "mara",
        view,
        {"f_day": {"type": "datepicker", "selected_date": "2026-03-29"}, "f_time": {"selected_time": "02:30"}},
    )
    assert (
        list(gap.json()["errors"]) == ["f_time"] and "does not exist in Europe/Berlin" in gap.json()["errors"]["f_time"]
    )


def test_the_book_next_quarter_button_opens_the_form(wire: SlackWire) -> None:
    ack_of(wire.command("mara", "/meeting", "schedule 2026-03-20 15:00 Q1 review"))
    clock = wire.runtime.clock
    assert isinstance(clock, FakeClock)
    clock.set(datetime(2026, 3, 20, 15, 30, tzinfo=UTC))
    ack_of(wire.command("mara", "/meeting", "done TODO: Maya shares the list"))
    deliver(wire)
    [dm] = [post for post in dms_to(wire, "UMARA") if "Thanks for running" in post["text"]]
    book, block = buttons(dm["blocks"])["Book next quarter"]
    wire.click("mara", {"ts": "1.2", "blocks": dm["blocks"]}, {**book, "block_id": block["block_id"]}, channel="DUMARA")
    [opened] = wire.fake.wait_for("views.open")
    assert opened.params["view"]["callback_id"] == "tandem_form:meeting_schedule"
