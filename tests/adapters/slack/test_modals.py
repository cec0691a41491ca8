"""The generic modal mechanism: a form becomes the same command text a person would type."""

from __future__ import annotations

from adapters.slack.modals import (
    ANNOUNCE,
    HANDOFF,
    compose,
    field_errors,
    form_for,
    form_view,
    quote,
    read_values,
    validate,
)
from bot.core.grammar import parse


def test_bare_commands_open_their_form_and_others_do_not() -> None:
    assert form_for("lead handoff") is HANDOFF and form_for("Campaign  Announce") is ANNOUNCE
    assert form_for("lead handoff Acme") is None and form_for("lead list") is None


def test_values_with_quotes_and_newlines_survive_the_grammar() -> None:
    values = {
        "f_company": 'Acme "Intl"',
        "f_owner": "URITA",
        "f_note": "line one\nit's “great”",
        "f_email": "ann@acme.test",
    }
    command = parse(compose(HANDOFF, values))
    assert [w.text for w in command.words] == ["lead", "handoff", 'Acme "Intl"']
    assert command.options == {"email": "ann@acme.test", "to": "<@URITA>", "note": "line one\nit's “great”"}
    assert parse(quote("a\"b“c”d'e‘f’")).words[0].text.startswith("a")


def test_a_ticked_box_becomes_its_option_and_an_empty_one_nothing() -> None:
    ticked = {
        "values": {
            "f_force": {"v": {"type": "checkboxes", "selected_options": [{"value": "yes"}]}},
            "f_company": {"v": {"type": "plain_text_input", "value": "Acme"}},
        }
    }
    assert parse(compose(HANDOFF, read_values(ticked))).options == {"force": "yes"}
    empty = {"values": {"f_force": {"v": {"type": "checkboxes", "selected_options": []}}}}
    assert read_values(empty) == {}
    assert list(
        field_errors(
            HANDOFF,
            "⚠️ There is already an open lead for Acme: L-1 Acme (unassigned), so "
            "nothing was created. Add force:yes to create it anyway.",
        )
    ) == ["f_force"]


def test_the_announce_form_composes_a_campaign_announce() -> None:
    values = {
        "f_name": "Q4 Webinar",
        "f_goal": "100 qualified leads",
        "f_target": "100",
        "f_ends": "2026-12-20",
        "f_talking": "Ask about budget",
    }
    command = parse(compose(ANNOUNCE, values))
    assert [w.text for w in command.words] == ["campaign", "announce", "Q4 Webinar"]
    assert command.options == {
        "goal": "100 qualified leads",
        "target": "100",
        "ends": "2026-12-20",
        "talking": "Ask about budget",
    }
    assert validate(ANNOUNCE, {"f_name": "Q4"}) == {"f_goal": "Goal is needed."}
    view = form_view(ANNOUNCE, {"r": "https://hooks.slack.test/x"})
    kinds = {b["block_id"]: b["element"]["type"] for b in view["blocks"]}
    assert kinds["f_ends"] == "datepicker" and kinds["f_target"] == "number_input"


def test_refusals_land_under_the_field_they_name() -> None:
    assert field_errors(HANDOFF, "The note is 2,400 characters long; the limit is 2,000.") == {
        "f_note": "The note is 2,400 characters long; the limit is 2,000."
    }
    assert list(field_errors(HANDOFF, "I don't know anyone called `<@U1>`; name them by e-mail.")) == ["f_owner"]
    assert list(field_errors(HANDOFF, "`lead handoff` needs the marketer role.")) == ["f_company"]
    assert validate(HANDOFF, {"f_company": "x" * 201}) == {"f_company": "At most 200 characters (201 now)."}
