"""Renderers are exhaustive: every Block kind and every span kind of ``bot.core.replies`` renders on every
platform. The kinds are read from the ``Block`` and ``Span`` unions, so a new kind fails here until it has a
sample below and every renderer draws it (each renderer ends its match in ``assert_never``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, get_args

import pytest

from adapters.console import render_text
from adapters.slack.renderer import render_blocks
from adapters.teams.cards import render_card, render_message
from adapters.web.render import render_reply
from bot.core.replies import (
    Bar,
    Bars,
    Block,
    Bold,
    Button,
    Buttons,
    Chart,
    Code,
    Context,
    Divider,
    Fields,
    Link,
    Mention,
    Plain,
    Reply,
    Section,
    Span,
    When,
    bar_chart,
    line_chart,
    section,
    series,
)


def _kinds(union: Any) -> tuple[type, ...]:
    """The classes of an ``Annotated[A | B | …, Field(discriminator=…)]`` union."""
    inner, *_metadata = get_args(union)
    return get_args(inner)


BLOCK_KINDS = _kinds(Block)
SPAN_KINDS = _kinds(Span)

# One sample per kind, and the text each platform must show for it (None: the block has no text of its own).
BLOCK_SAMPLES: dict[type, tuple[Any, str | None]] = {
    Section: (section("sectionmarker"), "sectionmarker"),
    Fields: (Fields(items=(("Company", (Plain(text="fieldsmarker"),)),)), "fieldsmarker"),
    Buttons: (Buttons(buttons=(Button(label="buttonsmarker", command="lead accept L-1"),)), "buttonsmarker"),
    Bars: (Bars(title="barsmarker", bars=(Bar(label="approach", value=1, maximum=2),)), "barsmarker"),
    Context: (Context(text=(Plain(text="contextmarker"),)), "contextmarker"),
    Divider: (Divider(), None),
    Chart: (bar_chart("Leads by source", series("Leads", [("chartmarker", 3)])), "chartmarker"),
}
SPAN_SAMPLES: dict[type, tuple[Any, str]] = {
    Plain: (Plain(text="plainmarker"), "plainmarker"),
    Bold: (Bold(text="boldmarker"), "boldmarker"),
    Code: (Code(text="codemarker"), "codemarker"),
    Link: (Link(text="linkmarker", url="https://example.test/deck"), "linkmarker"),
    Mention: (Mention(name="mentionmarker"), "mentionmarker"),
    When: (When(at=datetime(2026, 3, 20, 14, 0, tzinfo=UTC), text="whenmarker"), "whenmarker"),
}
# Where a platform shows a moment in the reader's own zone, the instant itself is what it carries, not the words.
LOCALISED = {(When, "teams-card"): "2026-03-20T14:00:00Z", (When, "slack-message"): "<!date^1774015200^"}


def _teams_card(reply: Reply) -> str:
    card, _entities = render_card(reply)
    return json.dumps(card.model_dump(by_alias=True, exclude_none=True))


def _teams_message(reply: Reply) -> str:
    return render_message(reply).model_dump_json(by_alias=True, exclude_none=True)


PLATFORMS: dict[str, Callable[[Reply], str]] = {
    "slack-message": lambda reply: json.dumps(render_blocks(reply)),
    "slack-app-home": lambda reply: json.dumps(render_blocks(reply, max_blocks=100, native_charts=False)),
    "teams-card": _teams_card,
    "teams-message": _teams_message,
    "web": lambda reply: str(render_reply(reply)),
    "console": render_text,
}


def test_every_block_kind_and_span_kind_has_a_sample() -> None:
    assert set(BLOCK_SAMPLES) == set(BLOCK_KINDS), "add a sample for the new Block kind, then render it everywhere"
    assert set(SPAN_SAMPLES) == set(SPAN_KINDS), "add a sample for the new span kind, then render it everywhere"
    assert Chart in BLOCK_KINDS


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("kind", BLOCK_KINDS, ids=lambda kind: kind.__name__)
def test_every_block_kind_renders_on_every_platform(kind: type, platform: str) -> None:
    render = PLATFORMS[platform]
    sample, marker = BLOCK_SAMPLES[kind]
    # A lone divider draws nothing anywhere (nothing to divide), so it is rendered between two sections.
    reply = Reply(blocks=(section("above"), sample, section("below")))
    out = render(reply)
    if marker is None:
        assert out != render(Reply(blocks=(section("above"), section("below")))), f"{kind.__name__} vanished"
    else:
        assert marker in out, f"{kind.__name__} vanished on {platform}"


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("kind", SPAN_KINDS, ids=lambda kind: kind.__name__)
def test_every_span_kind_renders_on_every_platform(kind: type, platform: str) -> None:
    sample, marker = SPAN_SAMPLES[kind]
    out = PLATFORMS[platform](Reply(blocks=(Section(text=(Plain(text="Note: "), sample)),)))
    assert marker in out or LOCALISED.get((kind, platform), marker) in out, out


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_line_chart_renders_on_every_platform(platform: str) -> None:
    weekly = line_chart("Weekly hand-offs", series("Hand-offs", [("W1", 4), ("weekmarker", 6)]))
    assert "weekmarker" in PLATFORMS[platform](Reply(blocks=(weekly,)))
