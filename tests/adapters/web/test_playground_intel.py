"""Competitive intel in the playground, over HTTP: the demo team's intel tells its story in `intel list` and the
#marketing channel; a note a rep files shows up there at once, escaped, attributed, with its buttons."""

from __future__ import annotations

import re

from tests.adapters.web.conftest import Playground

HOSTILE = "<img src=x onerror=alert(1)> <!channel> @here cut prices </div></article>"


def test_the_demo_intel_tells_a_story(playground: Playground) -> None:
    listed = playground.say("maya", "intel list")
    assert listed["ok"] is True
    html = listed["reply_html"]
    assert "<strong>Globex</strong><span> — 5 notes, last on 6 Mar</span>" in html, html
    assert "3 competitors, 9 notes" in html and "Initech&#39;s" not in html  # a possessive is the competitor
    assert html.index("Globex") < html.index("Initech") < html.index("HubSpot")
    shown = playground.say("maya", "intel show initech")["reply_html"]
    assert "Initech" in shown and "3 notes" in shown and "Oscorp $38 per seat" in shown
    assert "Jonas Berg" in shown and "Rita Alvarez" in shown  # who heard it
    channels = playground.inbox("maya")["channels_html"]
    assert "Intel on Globex" in channels and "Intel on HubSpot" in channels
    assert channels.index("Oscorp $38 per seat") < channels.index("Hooli free onboarding") < channels.index("Northwind")


def test_a_note_filed_in_the_playground_reaches_marketing_escaped(playground: Playground) -> None:
    answer = playground.say("rita", f"intel Globex {HOSTILE}")
    assert answer["ok"] is True and "the 6th note on" in answer["reply_html"]
    channels = playground.inbox("maya")["channels_html"]
    [post] = re.findall(
        r'<div class="channel-post" data-channel="#marketing">(.*?)</div>\s*(?=<div class="channel-post"|$)',
        channels,
        re.S,
    )[:1]
    assert "Intel on Globex" in post and "Rita Alvarez" in post
    assert "&lt;img src=x onerror=alert(1)&gt; &lt;!channel&gt; @here cut prices &lt;/div&gt;&lt;/article&gt;" in post
    assert "<img" not in channels and "<!channel>" not in channels and 'class="mention">@here' not in channels
    assert 'data-command="intel show Globex"' in post and 'data-command="intel Globex"' in post
    more = playground.say("maya", "intel show Globex")["reply_html"]
    assert "6 notes" in more and "&lt;img src=x" in more and "<img" not in more
