"""`tandem apikey` (SPEC §2, §3 "tandem"; issue 13): an admin makes a key that is shown once and kept only as a
fingerprint with a short prefix, revokes it by label and lists the workspace's keys — in chat, and on the command
line for an operator. Other roles are refused, keys belong to one workspace, and a key is only ever shown where
its admin alone reads it."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from sqlmodel import select
from typer.testing import CliRunner, Result

from bot.admin import api_keys
from bot.cli import app
from bot.core.clock import FakeClock
from bot.core.request import Person, Request
from storage.models import ApiKey
from tests.bot.conftest import Team, text_of

KEY = re.compile(r"tdm_[A-Za-z0-9_-]{43}")


def keys_in_db(team: Team) -> list[ApiKey]:
    with team.runtime.db.session() as session:
        return list(session.exec(select(ApiKey).order_by(ApiKey.id)).all())


def test_an_admin_gets_a_key_shown_once_and_only_its_fingerprint_is_kept(team: Team) -> None:
    answer = team.say("mara", "tandem apikey create website")
    assert answer.ok and answer.visibility == "ephemeral"
    said = text_of(answer)
    [secret] = KEY.findall(said)
    assert "the only time it is shown" in said and "never in a web page's JavaScript" in said
    assert "http://127.0.0.1:8000/api/v1/leads" in said
    [row] = keys_in_db(team)
    assert row.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert row.prefix == secret[:12] and row.label == "website"
    assert row.created_by_id == team.member("mara").id and row.last_used_at is None
    assert all(secret not in str(value) for value in row.model_dump().values())  # only its fingerprint
    listed = team.text("mara", "tandem apikey list")
    assert f"website: {secret[:12]}… · created 10 Mar 2026 10:00 by Mara · never used" in listed
    assert secret not in listed


def test_each_key_is_random_and_a_label_names_one_active_key(team: Team) -> None:
    first = KEY.findall(team.text("mara", "tandem apikey create website"))
    taken = team.say("mara", "tandem apikey create WEBSITE")
    assert not taken.ok and "already an active key called “WEBSITE”" in text_of(taken)
    assert "tandem apikey revoke WEBSITE" in text_of(taken)
    other = KEY.findall(team.text("mara", "tandem apikey create Zapier   prod"))
    assert first != other and len(first[0]) >= len("tdm_") + 43  # 32 random bytes
    assert [k.label for k in keys_in_db(team)] == ["website", "Zapier prod"]
    assert "is revoked" in team.text("mara", "tandem apikey revoke website")
    assert KEY.findall(team.text("mara", "tandem apikey create website"))  # the label is free again
    listed = team.text("mara", "tandem apikey list")
    assert listed.count("website") == 1 and "1 revoked key not shown" in listed


def test_revoking_names_the_key_and_an_unknown_label_lists_the_active_ones(team: Team) -> None:
    secret = KEY.findall(team.text("mara", "tandem apikey create website"))[0]
    gone = team.text("mara", "tandem apikey revoke Website")
    assert f"The key “website” ({secret[:12]}…) is revoked" in gone
    with team.runtime.db.session() as session:
        assert api_keys.verify(session, team.runtime.clock, secret) is None
    team.say("mara", "tandem apikey create crm")
    unknown = team.say("mara", "tandem apikey revoke website")
    assert not unknown.ok and "no active key called “website”. Active keys: “crm”." in text_of(unknown)
    assert "no active API keys" not in team.text("mara", "tandem apikey list")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("tandem apikey", "Usage"),
        ("tandem apikey create", "Give the key a label"),
        ("tandem apikey create " + "x" * 61, "the limit is 60"),
        ("tandem apikey rotate website", "Usage"),
        ("tandem apikey list everything", "Usage"),
    ],
)
def test_wrong_words_are_answered_with_the_usage(team: Team, text: str, reason: str) -> None:
    answer = team.say("mara", text)
    assert not answer.ok and reason in text_of(answer)
    assert keys_in_db(team) == []


@pytest.mark.parametrize("who", ["rita", "dana"])
def test_only_admins_handle_keys(team: Team, who: str) -> None:
    for verb in ("create website", "revoke website", "list"):
        answer = team.say(who, f"tandem apikey {verb}")
        assert not answer.ok and "needs the admin role" in text_of(answer)
    assert keys_in_db(team) == []


def test_a_key_is_refused_where_others_would_read_it(team: Team) -> None:
    person = Person("playground", "T-ACME-mara", "Mara", "mara@t-acme.test")
    shared = Request(person=person, team_id="T-ACME", text="tandem apikey create website", private=False)
    answer = team.runtime.dispatcher.handle(shared)
    assert not answer.ok and "Ask me in a 1:1 chat" in text_of(answer) and not KEY.search(text_of(answer))
    assert keys_in_db(team) == []
    listed = team.runtime.dispatcher.handle(
        Request(person=person, team_id="T-ACME", text="tandem apikey list", private=False)
    )
    assert listed.ok  # labels and prefixes are no secret


def test_a_key_sees_one_workspace_and_its_use_is_noted_at_most_once_a_minute(team: Team) -> None:
    other = Team(team.runtime, team_id="T-GLOBEX")
    other.say("gina", "lead list")
    secret = KEY.findall(team.text("mara", "tandem apikey create website"))[0]
    clock = team.runtime.clock
    assert isinstance(clock, FakeClock)
    with team.runtime.db.session() as session:
        key = api_keys.verify(session, clock, secret)
    assert key is not None and key.workspace_id == team.member("mara").workspace_id != other.member("gina").workspace_id
    first_use = clock.now()
    for seconds in (10, 30, 59):
        clock.set(first_use + timedelta(seconds=seconds))
        with team.runtime.db.session() as session:
            assert api_keys.verify(session, clock, secret) is not None
    assert keys_in_db(team)[0].last_used_at == first_use  # not rewritten within the minute
    clock.set(first_use + timedelta(seconds=61))
    with team.runtime.db.session() as session:
        api_keys.verify(session, clock, secret)
    assert keys_in_db(team)[0].last_used_at == first_use + timedelta(seconds=61)
    assert "last used 10 Mar 2026 10:01" in team.text("mara", "tandem apikey list")
    with team.runtime.db.session() as session:
        assert api_keys.list_keys(session, other.member("gina").workspace_id) == []


def test_malformed_and_unknown_keys_verify_as_nothing(team: Team) -> None:
    secret = KEY.findall(team.text("mara", "tandem apikey create website"))[0]
    with team.runtime.db.session() as session:
        for wrong in (
            "",
            "tdm_",
            secret[:-1],
            secret + "A",
            secret.replace("tdm_", "TDM_"),
            "tdm_" + "é" * 43,
            "\x00" * 47,
        ):
            assert api_keys.verify(session, team.runtime.clock, wrong) is None
        assert api_keys.verify(session, team.runtime.clock, secret) is not None


# --- the command line -------------------------------------------------------------------------------------


def tandem(database_url: str, *args: str) -> Result:
    env = {"DATABASE_URL": database_url, "TANDEM_SCHEDULER": "off", "TANDEM_SECRET_KEY": "cli-test-secret-0123456789"}
    return CliRunner().invoke(app, list(args), env=env)


def test_an_operator_makes_lists_and_revokes_keys_on_the_command_line(team: Team) -> None:
    url = team.runtime.settings.database_url
    made = tandem(url, "apikey", "create", "zapier")
    assert made.exit_code == 0, made.output
    [secret] = KEY.findall(made.output)
    assert "API key “zapier” for T-ACME" in made.output and "the only time it is shown" in made.output
    [row] = keys_in_db(team)
    assert row.created_by_id is None and row.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    listed = tandem(url, "apikey", "list")
    assert listed.exit_code == 0 and "zapier" in listed.output and secret[:12] in listed.output
    assert secret not in listed.output and "never used" in listed.output
    assert "zapier: " in team.text("mara", "tandem apikey list") and "from the command line" in team.text(
        "mara", "tandem apikey list"
    )
    revoked = tandem(url, "apikey", "revoke", "zapier")
    assert revoked.exit_code == 0 and "Revoked the key “zapier”" in revoked.output
    again = tandem(url, "apikey", "revoke", "zapier")
    assert again.exit_code == 1 and "no active key called “zapier”" in again.output


def test_with_several_workspaces_the_command_line_asks_which(team: Team) -> None:
    Team(team.runtime, team_id="T-GLOBEX").say("gina", "lead list")
    url = team.runtime.settings.database_url
    ambiguous = tandem(url, "apikey", "create", "crm")
    assert ambiguous.exit_code == 1
    assert "say which one with --workspace" in ambiguous.output
    assert "T-ACME (playground T-ACME)" in ambiguous.output and "T-GLOBEX (playground T-GLOBEX)" in ambiguous.output
    unknown = tandem(url, "apikey", "create", "crm", "--workspace", "T-NOPE")
    assert unknown.exit_code == 1 and "No workspace has the id or name “T-NOPE”" in unknown.output
    by_team = tandem(url, "apikey", "create", "crm", "--workspace", "T-GLOBEX")
    assert by_team.exit_code == 0 and "for T-GLOBEX" in by_team.output
    by_name = tandem(url, "apikey", "list", "--workspace", "t-globex")
    assert "crm" in by_name.output
    assert "no active API keys" in tandem(url, "apikey", "list", "--workspace", "T-ACME").output
    assert keys_in_db(team)[0].workspace_id == Team(team.runtime, team_id="T-GLOBEX").member("gina").workspace_id


def test_linking_two_workspaces_keeps_both_sides_keys_working(runtime: object) -> None:
    from storage.models import Member

    slack, teams = Team(runtime, team_id="T1", platform="slack"), Team(runtime, team_id="tenant-1", platform="teams")  # type: ignore[arg-type]
    for side in (slack, teams):
        side.say("ada", "lead list")
        with side.runtime.db.session() as session:
            admin = session.get(Member, side.member("ada").id)
            admin.role = "admin"
            session.add(admin)
    ours = KEY.findall(slack.text("ada", "tandem apikey create website"))[0]
    theirs = KEY.findall(teams.text("ada", "tandem apikey create website"))[0]
    code = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", slack.text("ada", "tandem link"))
    assert code is not None
    assert "Linked" in teams.text("ada", f"tandem link {code.group(0)}")
    with slack.runtime.db.session() as session:
        both = [api_keys.verify(session, slack.runtime.clock, secret) for secret in (ours, theirs)]
    assert [key.label for key in both if key] == ["website", "website (teams)"]
    assert {key.workspace_id for key in both if key} == {slack.member("ada").workspace_id}
