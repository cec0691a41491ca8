"""Signing in to the dashboard (SPEC §3 `stats dashboard`, §5 `GET /dashboard`): a manager's link works once,
for 15 minutes, for them alone; the session cookie it starts is HttpOnly, SameSite=Lax, Secure behind https;
every request checks the member again, and nothing reaches another workspace."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.core.request import Person, Request
from bot.core.runtime import Runtime
from bot.server import build_runtime, create_app
from bot.stats.dashboard_access import use_signin
from bot.stats.dashboard_link import DashboardKeys, SigninClaims
from bot.tools.links import ToolLinks
from storage.models import Campaign, DashboardSignin
from tests.adapters.web.conftest import local, make_team, sign_in_link, signed_in
from tests.bot.conftest import Team, text_of

COOKIE = "tandem_dashboard"
NEW_LINK = "In Slack or Teams type <code>stats dashboard</code> for a new one"


def _link(team: Team, who: str = "dana") -> str:
    return local(sign_in_link(team.say(who, "stats dashboard")))


def _set_cookie(response: object) -> str:
    headers = response.headers
    [cookie] = [value for value in headers.get_list("set-cookie") if value.startswith(f"{COOKIE}=")]
    return str(cookie)


def _refused(response: object, status: int = 401) -> str:
    assert response.status_code == status
    body = str(response.text)
    assert NEW_LINK in body
    for leak in ("Traceback", "BadSignature", "SignatureExpired", "itsdangerous", "Exception"):
        assert leak not in body
    return body


def test_manager_signs_in_through_the_link_and_lands_on_the_dashboard(web: TestClient, acme: Team) -> None:
    reply = acme.say("dana", "stats dashboard")
    assert reply.ok and reply.visibility == "ephemeral"  # the link is for the asker only
    assert "works for 15 minutes" in text_of(reply)

    response = web.get(local(sign_in_link(reply)), follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/dashboard"
    cookie = _set_cookie(response).lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/dashboard" in cookie
    assert "max-age=43200" in cookie
    assert "secure" not in cookie  # TANDEM_BASE_URL is http here: a Secure cookie would never come back

    page = web.get("/dashboard")
    assert page.status_code == 200
    assert "Dana" in page.text and "T-ACME" in page.text and "Leads" in page.text


def test_a_link_works_once(web: TestClient, acme: Team) -> None:
    link = _link(acme)
    assert web.get(link, follow_redirects=False).status_code == 303
    body = _refused(TestClient(web.app).get(link, follow_redirects=False))
    assert "This sign-in link has expired or was already used" in body


def test_a_link_expires_after_15_minutes(web: TestClient, acme: Team, clock: FakeClock) -> None:
    fresh, stale = _link(acme), _link(acme)
    clock.advance(timedelta(minutes=14, seconds=59))
    assert web.get(fresh, follow_redirects=False).status_code == 303
    clock.advance(timedelta(seconds=2))
    body = _refused(web.get(stale, follow_redirects=False))
    assert "expired or was already used" in body and "15 minutes" in body


def test_forged_links_are_refused_without_saying_why(web: TestClient, acme: Team, runtime: Runtime) -> None:
    genuine = _link(acme).split("token=", 1)[1]
    payload, stamp, signature = genuine.split(".")
    other_secret = DashboardKeys(runtime.settings.base_url, "another-secret-0123456789", runtime.clock)
    dana = acme.member("dana")
    assert dana.id is not None
    forged = {
        "no token": "/dashboard/signin",
        "empty": "/dashboard/signin?token=",
        "garbage": "/dashboard/signin?token=not-a-token",
        "signature changed": f"/dashboard/signin?token={payload}.{stamp}.{signature[::-1]}",
        "payload swapped": f"/dashboard/signin?token=WzEsMSwieCJd.{stamp}.{signature}",
        "another install's key": local(other_secret.signin_url(member_id=dana.id, workspace_id=dana.workspace_id)),
        "a tool link's token": "/dashboard/signin?token="
        + ToolLinks("", runtime.settings.secret_key)
        .url(1, workspace_id=dana.workspace_id, member_id=dana.id)
        .split("m=", 1)[1],
        "far too long": "/dashboard/signin?token=" + "a" * 5000,
    }
    for name, path in forged.items():
        body = _refused(web.get(path, follow_redirects=False))
        assert "not valid" in body, name
        assert COOKIE not in web.cookies
    assert web.get(f"/dashboard/signin?token={genuine}", follow_redirects=False).status_code == 303


def test_the_session_cookie_is_secure_when_the_base_url_is_https(database_url: str, clock: FakeClock) -> None:
    settings = Settings(
        DATABASE_URL=database_url,
        TANDEM_SECRET_KEY="test-secret-key-0123456789",  # type: ignore[call-arg]
        TANDEM_SCHEDULER="off",
        TANDEM_BASE_URL="https://tandem.example.com",
        _env_file=None,
    )
    runtime = build_runtime(settings, clock=clock)
    try:
        team = make_team(runtime, "T-ACME", ("mara", "dana"), "dana")
        url = sign_in_link(team.say("dana", "stats dashboard"))
        assert url.startswith("https://tandem.example.com/dashboard/signin?token=")
        with TestClient(create_app(settings, runtime=runtime), base_url="https://tandem.example.com") as client:
            response = client.get(local(url), follow_redirects=False)
            assert response.status_code == 303
            cookie = _set_cookie(response).lower()
            assert "; secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie
            assert client.get("/dashboard").status_code == 200
    finally:
        runtime.db.dispose()


def test_reps_and_marketers_get_no_link_and_admins_do(acme: Team) -> None:
    assert acme.say("mara", "tandem role sam@t-acme.test marketer").ok
    for who in ("rita", "sam"):
        refusal = acme.say(who, "stats dashboard")
        assert not refusal.ok and "needs the manager role" in text_of(refusal)
    assert "/dashboard/signin?token=" in sign_in_link(acme.say("mara", "stats dashboard"))


def test_a_demoted_manager_loses_access_at_once(web: TestClient, acme: Team) -> None:
    signed_in(web, acme, "dana")
    assert web.get("/dashboard").status_code == 200
    session = web.cookies[COOKIE]
    assert acme.say("mara", "tandem role dana@t-acme.test rep").ok
    for path in ("/dashboard", "/dashboard/export.csv", "/dashboard?period=7d"):
        body = _refused(TestClient(web.app, cookies={COOKIE: session}).get(path), status=403)
        assert "The dashboard is for managers" in body
    _refused(web.get("/dashboard"), status=403)
    assert COOKIE not in web.cookies  # the session is cleared with the refusal


def test_a_demoted_managers_unused_link_is_refused(web: TestClient, acme: Team) -> None:
    link = _link(acme)
    assert acme.say("mara", "tandem role dana@t-acme.test rep").ok
    _refused(web.get(link, follow_redirects=False), status=403)


def test_a_tampered_or_old_session_is_refused(web: TestClient, acme: Team, clock: FakeClock) -> None:
    signed_in(web, acme, "dana")
    genuine = web.cookies[COOKIE]
    tampered = TestClient(web.app, cookies={COOKIE: genuine[:-3] + ("AAA" if not genuine.endswith("AAA") else "BBB")})
    assert "Your dashboard session has ended" in _refused(tampered.get("/dashboard"))
    assert "not signed in" in _refused(TestClient(web.app).get("/dashboard"))

    clock.advance(timedelta(hours=11, minutes=59))
    assert web.get("/dashboard").status_code == 200
    clock.advance(timedelta(minutes=2))
    assert "session has ended" in _refused(web.get("/dashboard"))


def test_a_manager_cannot_reach_another_workspace_by_any_parameter(
    web: TestClient, acme: Team, runtime: Runtime
) -> None:
    globex = make_team(runtime, "T-GLOBEX", ("gus", "gina"), "gina")
    acme.say("mara", "tandem role mara@t-acme.test admin")
    assert acme.say("mara", "lead handoff Initech email:bill@initech.example to:@rita").ok
    with runtime.db.session() as session:
        acme_id = acme.member("mara").workspace_id
        session.add(Campaign(workspace_id=acme_id, number=1, name="Acme Secret Launch", created_at=runtime.clock.now()))
    signed_in(web, globex, "gina")
    rita = acme.member("rita")
    for query in (f"workspace={acme_id}", f"workspace_id={acme_id}&team=T-ACME", "source=marketing"):
        page = web.get(f"/dashboard?{query}")
        assert page.status_code == 200
        assert "Initech" not in page.text and "Acme Secret Launch" not in page.text and "T-GLOBEX" in page.text
    for query in (f"owner={rita.id}", "campaign=Acme%20Secret%20Launch", "campaign=C-1"):
        for path in ("/dashboard", "/dashboard/export.csv"):
            refused = web.get(f"{path}?{query}")
            assert refused.status_code == 400, query
            assert "Initech" not in refused.text and "Rita" not in refused.text

    # A session naming Acme's manager with Globex's workspace (as if the secret had leaked) admits no one.
    dana, gina = acme.member("dana"), globex.member("gina")
    assert dana.id is not None
    keys = DashboardKeys(runtime.settings.base_url, runtime.settings.secret_key, runtime.clock)
    crossed = TestClient(
        web.app, cookies={COOKIE: keys.session_value(member_id=dana.id, workspace_id=gina.workspace_id)}
    )
    refused = _refused(crossed.get("/dashboard"))
    assert "Initech" not in refused and "session has ended" in refused


def test_two_openings_of_one_link_at_once_make_one_session(runtime: Runtime, acme: Team) -> None:
    dana = acme.member("dana")
    assert dana.id is not None
    claims = SigninClaims(dana.id, dana.workspace_id, "the-same-nonce")
    with runtime.db.session() as first, runtime.db.session() as second:
        won = use_signin(first, claims, runtime.clock.now())
        first.commit()
        lost = use_signin(second, claims, runtime.clock.now())
    assert (won, lost) == (True, False)
    with runtime.db.session() as session:
        assert len(session.exec(select(DashboardSignin)).all()) == 1


def test_link_previews_do_not_spend_the_link(web: TestClient, acme: Team) -> None:
    link = _link(acme)
    preview = web.get(link, headers={"User-Agent": "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"})
    assert preview.status_code == 200 and "Open this sign-in link in your browser" in preview.text
    assert COOKIE not in web.cookies
    assert web.get(link, follow_redirects=False).status_code == 303


@pytest.fixture
def no_secret_runtime(database_url: str, clock: FakeClock) -> Iterator[Runtime]:
    settings = Settings(DATABASE_URL=database_url, TANDEM_SCHEDULER="off", _env_file=None)  # type: ignore[call-arg]
    runtime = build_runtime(settings, clock=clock)
    yield runtime
    runtime.db.dispose()


def test_without_a_secret_key_nothing_signs_in(no_secret_runtime: Runtime) -> None:
    keys = DashboardKeys("http://127.0.0.1:8000", "", no_secret_runtime.clock)
    assert keys.read_signin(keys.signin_url(member_id=1, workspace_id=1).split("token=")[1]) == "invalid"
    assert keys.read_session(keys.session_value(member_id=1, workspace_id=1)) is None


def test_the_link_is_never_posted_where_others_would_see_it(acme: Team) -> None:
    """A Teams channel or group chat shows every answer to everyone there: the link would sign them in as you."""
    person = Person(acme.platform, f"{acme.team_id}-dana", "Dana", f"dana@{acme.team_id.lower()}.test")
    shared = acme.runtime.dispatcher.handle(
        Request(person=person, team_id=acme.team_id, text="stats dashboard", private=False)
    )
    assert not shared.ok and "Ask me in a 1:1 chat" in text_of(shared) and "/dashboard/signin" not in str(shared)
    assert "/dashboard/signin" in str(acme.say("dana", "stats dashboard"))
