"""The `lead` commands read typed options (SPEC §3): a bad value is refused naming the option and the form it
takes, before anything is written; `<command> help` lists the options and what each takes."""

from __future__ import annotations

from tests.bot.conftest import Team, text_of


def test_a_bad_email_option_names_the_option_and_its_form_and_creates_nothing(team: Team) -> None:
    reply = team.say("mara", "lead handoff Acme to:@rita email:jo-at-acme")
    said = text_of(reply)
    assert not reply.ok
    assert said.startswith("⚠️ `email:` takes the contact's e-mail address, like `email:ann@acme.com`.")
    assert "`jo-at-acme` doesn't look like an e-mail address" in said and "Usage: lead handoff" in said
    assert team.inbox("rita") == []


def test_options_reach_the_lead_parsed(team: Team) -> None:
    reply = team.say(
        "mara",
        'lead handoff "Acme Corp" email:Jo@ACME.com name:"Jo Smith" source:Webinar '
        'to:Rita@T-ACME.test note:"call after 3pm"',
    )
    assert reply.ok, text_of(reply)
    lead = team.lead(1)
    assert (lead.company, lead.email, lead.contact_name, lead.source, lead.note) == (
        "Acme Corp",
        "jo@acme.com",
        "Jo Smith",
        "webinar",
        "call after 3pm",
    )
    assert lead.owner_id == team.member("rita").id


def test_an_option_given_twice_is_refused(team: Team) -> None:
    said = team.text("mara", "lead handoff Acme to:@rita to:@sam")
    assert "`to:` is given twice; give it once." in said
    assert team.inbox("rita") == [] and team.inbox("sam") == []


def test_an_empty_option_counts_as_not_given(team: Team) -> None:
    assert team.say("sam", 'lead add Acme note:""').ok
    assert team.lead(1).note is None


def test_people_and_campaign_options_on_reassign_and_list(team: Team) -> None:
    team.say("mara", "lead handoff Acme to:@rita")
    assert "now belongs to @Sam" in team.text("mara", "lead reassign L-1 to:@sam")
    assert "Open leads owned by Sam (1)" in team.text("mara", "lead list owner:@sam")
    assert "I don't know anyone called `@nobody`" in team.text("mara", "lead list owner:@nobody")
    assert "a name is at most 200" in team.text("mara", "lead reassign L-1 to:" + "x" * 201)
    assert "no campaigns yet" in team.text("mara", 'lead list campaign:"Q4 Webinar"')


def test_a_commands_help_lists_its_options_and_what_each_takes(team: Team) -> None:
    shown = team.text("mara", "lead handoff help")
    assert "Options: `email:` the contact's e-mail address · `name:` the contact's name" in shown
    assert "`to:` who owns it (@mention, @name or e-mail)" in shown
    assert "Options" not in team.text("rita", "lead accept help")
