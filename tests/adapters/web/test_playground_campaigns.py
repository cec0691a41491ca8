"""Campaigns in the playground: `campaign announce` alone answers with a form whose answers become the command; a
refusal comes back above the form with the answers kept; the sales channel shows the post, whose Why? answers the
person who pressed it; a tool the campaign links to opens, and 404s once removed."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.adapters.web.conftest import Playground


def submit(client: TestClient, person: str, form: str, values: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/playground/form", json={"person": person, "form": form, "values": values})
    assert response.status_code == 200, response.text
    return response.json()


ANSWERS = {
    "name": "Spring <b>Expo</b>",
    "goal": "Meet 30 *buyers* at the expo",
    "audience": "Ops leaders",
    "target": 30,
    "ends": "2026-02-01",
    "talking": "Ask about `Globex`",
}


def test_announce_alone_opens_a_form_and_its_answers_become_the_command(
    client: TestClient, playground: Playground
) -> None:
    opened = playground.say("maya", "campaign announce")
    assert opened["ok"] is True and "reply_html" not in opened
    form = opened["form_html"]
    assert 'data-form="campaign_announce"' in form and 'name="goal"' in form and "<textarea" in form
    assert 'type="date"' in form and 'type="number"' in form and 'min="1"' in form

    refused = submit(client, "maya", "campaign_announce", ANSWERS)
    assert refused["ok"] is False and "is in the past" in refused["form_html"]
    assert 'value="Spring &lt;b&gt;Expo&lt;/b&gt;"' in refused["form_html"]  # kept, and escaped
    assert "Meet 30 *buyers* at the expo</textarea>" in refused["form_html"]
    assert "<code>" in refused["form_html"]  # the refusal's `ends:…` shown as code
    assert refused["command"].startswith('campaign announce "Spring <b>Expo</b>" goal:"Meet 30 *buyers*')

    done = submit(client, "maya", "campaign_announce", {**ANSWERS, "ends": "2026-06-30"})
    assert done["ok"] is True and "Announced" in done["reply_html"] and "form_html" not in done
    number = re.search(r"<strong>(C-\d+)</strong>", done["reply_html"]).group(1)  # type: ignore[union-attr]
    post = re.search(
        rf'<article class="msg[^"]*"\s+data-outbox-id="(\d+)"((?:(?!</article>).)*campaign why {number}.*?)</article>',
        done["channels_html"],
        re.S,
    )  # noqa: E501
    assert post, done["channels_html"][:2000]
    assert "Spring &lt;b&gt;Expo&lt;/b&gt;" in post.group(2) and "<b>Expo" not in post.group(2)
    assert "Meet 30 *buyers* at the expo" in post.group(2) and "<code>Globex</code>" not in post.group(2)

    why = playground.say("rita", f"campaign why {number}", source_message=int(post.group(1)))
    assert why["ok"] is True and "What to do with its leads" in why["reply_html"]
    assert why["visibility"] == "ephemeral"  # the clicker's own view; the post is unchanged for everyone
    assert f"campaign why {number}" in playground.inbox("sam")["channels_html"]


def test_a_refused_form_is_shown_again_and_a_missing_field_is_marked(client: TestClient) -> None:
    rep = submit(client, "rita", "campaign_announce", {"name": "Mine", "goal": "More leads"})
    assert rep["ok"] is False and "needs the marketer role" in rep["form_html"] and 'value="Mine"' in rep["form_html"]
    empty = submit(client, "maya", "campaign_announce", {"name": "", "goal": ""})
    assert "Campaign name is needed." in empty["form_html"] and "has-error" in empty["form_html"]
    assert "command" not in empty
    unknown = client.post("/playground/form", json={"person": "maya", "form": "nope", "values": {}})
    assert unknown.status_code == 404


def test_the_handoff_form_works_in_the_playground_too(client: TestClient, playground: Playground) -> None:
    form = playground.say("maya", "lead handoff")["form_html"]
    assert 'data-form="lead_handoff"' in form and 'type="checkbox"' in form and 'placeholder="@name or e-mail"' in form
    done = submit(client, "maya", "lead_handoff", {"company": "Form Labs", "owner": "@rita", "force": True})
    assert done["ok"] is True and "Handed off" in done["reply_html"] and "@Rita Alvarez" in done["reply_html"]
    assert done["command"] == 'lead handoff "Form Labs" to:@rita force:yes'


def test_a_campaigns_tool_opens_from_why_and_404s_once_removed(client: TestClient, playground: Playground) -> None:
    why = playground.say("rita", "campaign why globex")["reply_html"]
    [link] = re.findall(r'<a href="(http://127\.0\.0\.1:8000/t/\d+\?m=[^"]+)"[^>]*>Battlecard: Initech</a>', why)
    path = link.replace("http://127.0.0.1:8000", "").replace("&amp;", "&")
    assert client.get(path, follow_redirects=False).status_code == 302
    assert playground.say("leo", "tool remove T-10")["ok"] is True
    assert client.get(path, follow_redirects=False).status_code == 404
    assert "Battlecard: Initech" not in playground.say("rita", "campaign why globex")["reply_html"]
