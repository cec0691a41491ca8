"""Reply → Block Kit. Every plain span is escaped so user text can never ping ``<!channel>`` or forge a
link, and Block Kit's size limits are respected so Slack never rejects a message we built."""

from __future__ import annotations

import json
import re
from typing import Any, assert_never

from adapters.slack.charts import MAX_CHARTS, data_visualization, left_out
from bot.core.replies import (
    Bars,
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
    Text,
    When,
    chart_figures,
)

MAX_BLOCKS_MESSAGE = 50
MAX_BLOCKS_VIEW = 100
MAX_SECTION = 3000
MAX_FIELD = 2000
MAX_FIELDS = 10
MAX_LABEL = 75
MAX_VALUE = 2000
MAX_ELEMENTS = 25
MAX_FALLBACK = 3000
BAR_WIDTH = 20

ACTION_PREFIX = "tandem"
_SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{1,30}$")
_SAFE_URL = re.compile(r"^(https?://|mailto:)[^\s<>|]+$", re.I)

Block = dict[str, Any]


def escape(text: str) -> str:
    """Slack's three control characters; everything else is shown as typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# mrkdwn has no escape for its formatting marks: in someone's own words each becomes a look-alike that Slack
# does not read as one (a quote mark at the start of a line, too). An underscore inside a word formats nothing
# and stays, so e-mail addresses and setting names read as typed.
_MARKS = str.maketrans({"*": "∗", "`": "ˋ", "~": "∼"})
_EDGE_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")
_QUOTE_LINE = re.compile(r"^(\s*)>", re.M)


def literal(text: str) -> str:
    """Someone's own words in mrkdwn: escaped, and unable to make bold, italics, code, strike-through or quotes."""
    text = _EDGE_UNDERSCORE.sub("ˍ", text.translate(_MARKS))
    return escape(_QUOTE_LINE.sub("\\1›", text))


def mrkdwn(text: Text) -> str:
    return "".join(_span(span) for span in text)


def _span(span: Span) -> str:
    if isinstance(span, Plain):
        return literal(span.text) if span.verbatim else escape(span.text)
    if isinstance(span, Bold):
        return _wrap(span.text, "*")
    if isinstance(span, Code):
        return _wrap(span.text, "`")
    if isinstance(span, Link):
        if not _SAFE_URL.match(span.url):
            return escape(span.text)
        label = escape(span.text.replace("|", "¦")) or escape(span.url)
        return f"<{escape(span.url)}|{label}>"
    if isinstance(span, Mention):
        user_id = span.accounts.get("slack", "")
        if _SLACK_USER_ID.match(user_id):
            return f"<@{user_id}>"
        return escape("@" + span.name)
    if isinstance(span, When):
        return local_date(span)
    assert_never(span)


def local_date(span: When) -> str:
    """Slack shows the moment in each reader's own time zone ("tomorrow at 3:00 PM"); clients that cannot,
    and notifications, show the fallback words."""
    fallback = escape(span.text.replace("|", "¦")) or "—"
    return f"<!date^{int(span.at.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def _wrap(text: str, mark: str) -> str:
    """Bold/code only when the text cannot close the markup early; otherwise shown plainly. Spaces at either end
    go outside the marks: Slack shows ``*Usage: *`` with its asterisks instead of in bold. Bold text is often
    someone's (a company, a campaign): it is shown as typed, its own marks unable to format."""
    core = text.strip(" ")
    if mark == "*" and core.strip() and "\n" not in text:
        start = text.index(core)
        return f"{text[:start]}*{literal(core)}*{text[start + len(core) :]}"
    if not core.strip() or mark in text or "\n" in text:
        return literal(text) if mark == "*" else escape(text)
    start = text.index(core)
    return f"{text[:start]}{mark}{escape(core)}{mark}{text[start + len(core) :]}"


def truncate_lines(text: str, limit: int) -> str:
    """Cut long text at a line boundary, saying how many lines were left out."""
    if len(text) <= limit:
        return text
    lines = text.split("\n")
    kept: list[str] = []
    size = 0
    for index, line in enumerate(lines):
        rest = len(lines) - index
        tail = f"\n…and {rest} more"
        if size + len(line) + 1 + len(tail) > limit:
            if not kept:  # one giant line: cut inside it
                return text[: limit - 1] + "…"
            return "\n".join(kept) + tail
        kept.append(line)
        size += len(line) + 1
    return "\n".join(kept)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _bars(block: Bars) -> str:
    lines = [_wrap(block.title, "*")] if block.title else []
    for bar in block.bars:
        share = 0.0 if bar.maximum <= 0 else max(0.0, min(1.0, bar.value / bar.maximum))
        filled = round(share * BAR_WIDTH)
        drawing = "█" * filled + "░" * (BAR_WIDTH - filled)
        caption = f"  {escape(bar.caption)}" if bar.caption else ""
        lines.append(f"`{drawing}` {escape(bar.label)}{caption}")
    return "\n".join(lines)


def button_value(button: Button) -> str:
    """The command the button runs; a prompt button also carries its question."""
    if button.prompt:
        return json.dumps({"c": button.command, "p": button.prompt}, ensure_ascii=False)
    return button.command


def parse_button_value(value: str) -> tuple[str, str | None]:
    """(command, prompt) from a button value we rendered."""
    if value.startswith("{"):
        try:
            data = json.loads(value)
        except ValueError:
            return value, None
        if isinstance(data, dict) and isinstance(data.get("c"), str):
            prompt = data.get("p")
            return data["c"], prompt if isinstance(prompt, str) else None
    return value, None


def _button(button: Button, action_id: str) -> Block | None:
    value = button_value(button)
    if len(value) > MAX_VALUE:
        return None  # a command this long cannot be a button; the text above still says what to type
    element: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": _cut(button.label or "…", MAX_LABEL), "emoji": True},
        "action_id": action_id,
        "value": value,
    }
    if button.style:
        element["style"] = button.style
    return element


def _fields(block: Fields) -> list[Block]:
    """Two-column fields, ten to a section (Slack's limit), so every item is kept."""
    items = [
        _cut(f"*{escape(label)}*\n{mrkdwn(value) or ' '}", MAX_FIELD)
        if label
        else _cut(mrkdwn(value) or " ", MAX_FIELD)
        for label, value in block.items
    ]
    return [
        {"type": "section", "fields": [{"type": "mrkdwn", "text": item} for item in items[start : start + MAX_FIELDS]]}
        for start in range(0, len(items), MAX_FIELDS)
    ]


def _chart(block: Chart, *, native: bool) -> tuple[list[Block], bool]:
    """The native chart (when this surface and message still allow one) and every figure as fields beside it;
    without a native chart, its title in bold instead. Also says whether a native chart was drawn."""
    drawn = data_visualization(block) if native else None
    out: list[Block] = []
    if drawn is None:
        if block.title.strip():
            out.append(
                {"type": "section", "text": {"type": "mrkdwn", "text": _cut(_wrap(block.title, "*"), MAX_SECTION)}}
            )
    else:
        out.append(drawn)
        note = left_out(block)
        if note:
            out.append({"type": "context", "elements": [{"type": "mrkdwn", "text": note}]})
    return out + _fields(chart_figures(block)), drawn is not None


def render_blocks(
    reply: Reply, *, outbox_id: int | None = None, max_blocks: int = MAX_BLOCKS_MESSAGE, native_charts: bool = True
) -> list[Block]:
    """Block Kit blocks for ``reply``. ``outbox_id`` (proactive messages) travels in the actions' block id
    so a click can tell dispatch which card it answers. ``native_charts`` is False for surfaces without the
    ``data_visualization`` block (App Home, modals): charts are then their figures as text."""
    blocks: list[Block] = []
    button_index = 0
    charts_drawn = 0
    for block in reply.blocks:
        if isinstance(block, Section):
            text = truncate_lines(mrkdwn(block.text), MAX_SECTION)
            if text.strip():
                blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text}})
        elif isinstance(block, Fields):
            blocks.extend(_fields(block))
        elif isinstance(block, Buttons):
            elements = []
            for button in block.buttons[:MAX_ELEMENTS]:
                element = _button(button, f"{ACTION_PREFIX}:{button_index}")
                button_index += 1
                if element is not None:
                    elements.append(element)
            if elements:
                card = f"o{outbox_id}:" if outbox_id else ""
                block_id = f"{ACTION_PREFIX}:{card}{len(blocks)}"
                blocks.append({"type": "actions", "block_id": block_id, "elements": elements})
        elif isinstance(block, Bars):
            blocks.append(
                {"type": "section", "text": {"type": "mrkdwn", "text": truncate_lines(_bars(block), MAX_SECTION)}}
            )
        elif isinstance(block, Context):
            text = _cut(mrkdwn(block.text), MAX_SECTION)
            if text.strip():
                blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": text}]})
        elif isinstance(block, Divider):
            blocks.append({"type": "divider"})
        elif isinstance(block, Chart):
            rendered, drawn = _chart(block, native=native_charts and charts_drawn < MAX_CHARTS)
            blocks.extend(rendered)
            charts_drawn += drawn
        else:
            assert_never(block)
    if len(blocks) > max_blocks:
        hidden = len(blocks) - (max_blocks - 1)
        blocks = blocks[: max_blocks - 1]
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"…and {hidden} more"}]})
    return blocks


def fallback_text(reply: Reply) -> str:
    """The notification / screen-reader text; escaped like everything else."""
    return _cut(escape(reply.summary), MAX_FALLBACK) or "Tandem"


def message(reply: Reply, *, outbox_id: int | None = None) -> dict[str, Any]:
    """``text`` + ``blocks`` as chat.postMessage, respond() and ack() take them."""
    return {"text": fallback_text(reply), "blocks": render_blocks(reply, outbox_id=outbox_id)}


def outbox_id_of(block_id: str | None) -> int | None:
    """The outbox id a rendered actions block carries (see ``render_blocks``)."""
    if not block_id:
        return None
    match = re.match(rf"^{ACTION_PREFIX}:o(\d+):", block_id)
    return int(match.group(1)) if match else None
