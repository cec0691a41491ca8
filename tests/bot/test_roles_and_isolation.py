"""Roles (SPEC §2) and workspace isolation (SPEC §7)."""

from __future__ import annotations

from tests.bot.conftest import Team, text_of


def test_a_rep_cannot_hand_off_and_is_told_which_role_is_needed(team: Team) -> None:
    reply = team.say("rita", "lead handoff Acme")
    assert not reply.ok
    said = text_of(reply)
    assert "needs the marketer role" in said and "you are a rep" in said and "@Mara" in said
    assert "tandem role" in said


def test_only_the_owner_accepts(team: Team) -> None:
    team.say("mara", "lead handoff Acme to:@rita")
    refused = team.say("sam", "lead accept L-1")
    assert not refused.ok and "Only the owner of L-1" in text_of(refused)
    assert team.lead(1).status == "handed_off"


def test_reps_cannot_change_roles_or_settings(team: Team) -> None:
    assert "needs the admin role" in team.text("rita", "tandem role rita@t-acme.test admin")
    assert "needs the admin role" in team.text("dana", "tandem settings accept_sla_hours 1")
    assert "needs the manager role" in team.text("rita", "lead criteria set anything goes")


def test_admins_from_settings_start_as_admins(runtime) -> None:  # type: ignore[no-untyped-def]
    settings = runtime.settings.model_copy(update={"admins_raw": "T-NEW-boss"})
    settings.__dict__.pop("admins", None)
    runtime.dispatcher.settings = settings
    team = Team(runtime, team_id="T-NEW")
    assert team.say("boss", "tandem settings").ok
    assert team.member("boss").role == "admin"


def test_a_lead_id_from_another_workspace_is_not_found(team: Team) -> None:
    team.say("mara", "lead handoff Secret Deal to:@rita")
    other = Team(team.runtime, team_id="T-OTHER")
    other.say("eve", "lead list")
    for command in ("lead show L-1", "lead accept L-1", "lead feedback L-1 1 student"):
        reply = other.say("eve", command)
        assert not reply.ok and "There is no lead L-1 here" in text_of(reply), command
    assert "Secret Deal" not in other.text("eve", "lead list all")
    assert team.events(1) == ["handoff"]


def test_people_from_another_workspace_cannot_be_named(team: Team) -> None:
    other = Team(team.runtime, team_id="T-OTHER")
    other.say("eve", "lead list")
    team.say("mara", "lead handoff Acme")
    reply = team.say("mara", "lead reassign L-1 to:eve@t-other.test")
    assert not reply.ok and "don't know anyone" in text_of(reply)


def test_settings_are_validated_with_a_friendly_answer(team: Team) -> None:
    assert "whole number" in team.text("mara", "tandem settings accept_sla_hours soon")
    assert "Did you mean `quiet_hours`" in team.text("mara", "tandem settings quiet_hour none")
    assert "not a time zone" in team.text("mara", "tandem settings timezone Mars/Olympus")
    assert team.say("mara", "tandem settings timezone Europe/Berlin").ok
    assert "Europe/Berlin" in team.text("mara", "tandem settings")
    assert team.say("mara", "tandem settings accept_sla_hours 0").ok


def test_unknown_words_get_did_you_mean(team: Team) -> None:
    assert "Did you mean `lead`" in team.text("rita", "leed list")
    assert "Did you mean `lead accept`" in team.text("rita", "lead acept L-1")
    assert "has no option `emial:`" in team.text("mara", "lead handoff Acme emial:x@y.z")
    assert "Usage" in team.text("rita", "lead accept")
    assert "lead" in team.text("rita", "help")


def test_product_words_not_built_yet_say_so(team: Team) -> None:
    for asked in ("campaign list", "intel acme cheaper", "meeting next"):
        answer = team.text("mara", asked)
        assert "not part of this version" in answer and "I don't know" not in answer, asked
    assert "I don't know `compaign`" in team.text("mara", "compaign list")


def test_every_command_word_answers_help(team: Team) -> None:
    for asked in ("lead help", "Lead HELP", "help lead", "tandem help"):
        reply = team.say("rita", asked)
        assert reply.ok and "not a command" not in text_of(reply), asked
    assert "lead handoff" in team.text("rita", "lead help")
    assert team.text("rita", "tandem help") == team.text("rita", "help")  # Slack's way to the overview
    assert "tandem role" in team.text("mara", "tandem")
    assert "Usage" in team.text("rita", "lead accept help")  # one command's own help: its usage line
