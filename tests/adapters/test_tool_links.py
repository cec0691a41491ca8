"""GET /t/<id> (SPEC §3 "tool", §5): a signed link counts its click for the person it names, any other click counts
as anonymous, the answer is a 302 to the stored URL and nowhere else, and an unknown or removed tool is a 404."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from bot.core.replies import Link, Reply
from bot.core.runtime import Runtime
from bot.server import create_app
from bot.tools.links import ToolLinks
from storage.models import ToolClick
from tests.bot.conftest import Team, text_of


@pytest.fixture
def shop(runtime: Runtime) -> Team:
    team = Team(runtime)
    for who in ("mara", "rita", "sam"):
        team.say(who, "lead list")
    with runtime.db.session() as session:
        from storage.models import Member

        mara = session.get(Member, team.member("mara").id)
        assert mara is not None
        mara.role = "marketer"
        session.add(mara)
    assert team.say("mara", 'tool add "Pricing deck" url:https://drive.example.com/pricing?tab=2 tags:pricing').ok
    assert team.say("mara", 'tool add "Battlecard: Globex" url:https://wiki.example.com/globex').ok
    return team


@pytest.fixture
def http(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime.settings, runtime=runtime), follow_redirects=False) as client:
        yield client


def link_of(reply: Reply, title: str) -> str:
    [url] = [
        span.url
        for block in reply.blocks
        for span in getattr(block, "text", ())
        if isinstance(span, Link) and span.text == title
    ]
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def clicks(runtime: Runtime) -> list[tuple[int, int | None]]:
    with runtime.db.session() as session:
        return [(c.tool_id, c.member_id) for c in session.exec(select(ToolClick).order_by(ToolClick.id))]


def test_a_signed_link_redirects_and_counts_for_its_person(shop: Team, http: TestClient) -> None:
    path = link_of(shop.say("rita", "tool pricng deck"), "Pricing deck")
    assert path.startswith("/t/") and "?m=" in path
    response = http.get(path)
    assert response.status_code == 302
    assert response.headers["location"] == "https://drive.example.com/pricing?tab=2"
    assert response.headers["referrer-policy"] == "no-referrer" and response.headers["cache-control"] == "no-store"
    tool_id = int(path.split("/")[2].split("?")[0])
    assert clicks(shop.runtime) == [(tool_id, shop.member("rita").id)]
    assert "1 open, last 10 Mar 2026" in shop.text("mara", "tool list")


@pytest.mark.parametrize("token", ["", "?m=", "?m=forged.token", "?m=WzEsMiwxXQ.AAAAAAAAAAAAAAAAAAAAAAAAAAA"])
def test_a_link_without_a_valid_token_still_opens_and_counts_as_anonymous(
    shop: Team, http: TestClient, token: str
) -> None:
    path = link_of(shop.say("rita", "tool pricing"), "Pricing deck").split("?")[0]
    response = http.get(path + token)
    assert response.status_code == 302 and response.headers["location"] == "https://drive.example.com/pricing?tab=2"
    assert clicks(shop.runtime) == [(int(path.split("/")[2]), None)]


def test_a_token_made_for_another_tool_or_workspace_or_key_counts_as_anonymous(shop: Team, http: TestClient) -> None:
    rita = shop.member("rita")
    pricing = int(link_of(shop.say("rita", "tool pricing"), "Pricing deck").split("/")[2].split("?")[0])
    globex = int(link_of(shop.say("rita", "tool globex"), "Battlecard: Globex").split("/")[2].split("?")[0])
    settings = shop.runtime.settings
    ours = ToolLinks(settings.base_url, settings.secret_key)
    elsewhere = ours.url(globex, workspace_id=rita.workspace_id, member_id=rita.id)  # Globex's token on Pricing
    assert http.get(f"/t/{pricing}?{urlsplit(elsewhere).query}").status_code == 302
    other_workspace = ours.url(pricing, workspace_id=rita.workspace_id + 1, member_id=rita.id)
    assert http.get(urlsplit(other_workspace).path + "?" + urlsplit(other_workspace).query).status_code == 302
    wrong_key = ToolLinks(settings.base_url, "another-secret-key-0123456789").url(
        pricing, workspace_id=rita.workspace_id, member_id=rita.id
    )
    assert http.get(f"/t/{pricing}?{urlsplit(wrong_key).query}").status_code == 302
    assert clicks(shop.runtime) == [(pricing, None)] * 3
    genuine = ours.url(pricing, workspace_id=rita.workspace_id, member_id=rita.id)
    assert http.get(f"/t/{pricing}?{urlsplit(genuine).query}").status_code == 302
    assert clicks(shop.runtime)[-1] == (pricing, rita.id)


def test_query_parameters_never_change_where_a_link_goes(shop: Team, http: TestClient) -> None:
    path = link_of(shop.say("rita", "tool pricing"), "Pricing deck")
    for extra in (
        "&url=https://evil.example",
        "&next=//evil.example",
        "&redirect=https%3A%2F%2Fevil.example",
        "&m=other",
    ):
        response = http.get(path + extra)
        assert response.status_code == 302
        assert response.headers["location"] == "https://drive.example.com/pricing?tab=2"
    assert (
        http.get(path, headers={"Host": "evil.example", "Referer": "https://evil.example/"}).headers["location"]
        == "https://drive.example.com/pricing?tab=2"
    )


@pytest.mark.parametrize(
    "path", ["/t/999", "/t/0", "/t/abc", "/t/-1", "/t/1.5", "/t/99999999999999999999999", "/t/%2F%2Fevil.example"]
)
def test_an_unknown_tool_is_a_friendly_404(shop: Team, http: TestClient, path: str) -> None:
    response = http.get(path)
    assert response.status_code == 404 and "text/html" in response.headers["content-type"]
    assert "This tool is not available" in response.text and "Traceback" not in response.text
    assert clicks(shop.runtime) == []


def test_a_removed_tool_answers_404_on_its_old_links(shop: Team, http: TestClient) -> None:
    path = link_of(shop.say("rita", "tool globex"), "Battlecard: Globex")
    assert http.get(path).status_code == 302
    assert shop.say("mara", "tool remove T-2").ok, text_of(shop.say("mara", "tool list"))
    response = http.get(path)
    assert response.status_code == 404 and "removed" in response.text
    assert len(clicks(shop.runtime)) == 1


def test_link_previews_are_answered_but_not_counted(shop: Team, http: TestClient) -> None:
    path = link_of(shop.say("rita", "tool pricing"), "Pricing deck")
    preview = http.get(path, headers={"User-Agent": "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"})
    assert preview.status_code == 302
    assert clicks(shop.runtime) == []
