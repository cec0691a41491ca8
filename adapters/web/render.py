"""Reply → HTML for the playground. Every user string goes through ``markupsafe.escape``: a note holding
``<script>`` or ``<!channel>`` is shown as text, never as markup."""

from __future__ import annotations

import re
from typing import assert_never
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from markupsafe import Markup

from adapters.web.charts import render_chart
from bot.core.replies import (
    Bar,
    Bars,
    Block,
    Bold,
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
    local_when,
    plain_text,
)
from bot.leads.views import STATUS_ICONS

# Lead states (SPEC §3 lifecycle) → chip colour. Anything else renders as a neutral chip.
STATUS_CHIPS = {
    "handed_off": "chip-amber",
    "handed off": "chip-amber",
    "waiting": "chip-amber",
    "accepted": "chip-green",
    "open": "chip-green",
    "rejected": "chip-red",
    "lost": "chip-grey",
    "won": "chip-gold",
    "unassigned": "chip-neutral",
}
_STATUS_LABELS = {"status", "state"}
_ICON_STATUS = {icon: status for status, icon in STATUS_ICONS.items()}
_AVATAR_COLOURS = 8
_TICKED = re.compile(r"`([^`\n]+)`")
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,255}")


def render_reply(reply: Reply, *, without_status: bool = False, zone: ZoneInfo | None = None) -> Markup:
    """The whole reply as one ``<div class="reply">``; refusals get the ``reply-refused`` style.
    ``without_status`` leaves out the lead-status chips: a card that was answered (or whose lead moved on) would
    otherwise still say "Waiting to be accepted" above its outcome. ``zone``: the viewer's, for moments."""
    inner = Markup("").join(render_block(block, without_status=without_status, zone=zone) for block in reply.blocks)
    css = "reply" if reply.ok else "reply reply-refused"
    return Markup('<div class="{}">{}</div>').format(css, inner)


def render_block(block: Block, *, without_status: bool = False, zone: ZoneInfo | None = None) -> Markup:
    if isinstance(block, Section):
        text = render_text(block.text, without_status=without_status, zone=zone)
        return Markup('<div class="r-section">{}</div>').format(text)
    if isinstance(block, Fields):
        return _fields(block, zone)
    if isinstance(block, Buttons):
        return _buttons(block)
    if isinstance(block, Bars):
        return _bars(block)
    if isinstance(block, Context):
        return Markup('<div class="r-context">{}</div>').format(render_text(block.text, zone=zone))
    if isinstance(block, Divider):
        return Markup('<hr class="r-divider">')
    if isinstance(block, Chart):
        return render_chart(block)
    assert_never(block)


def render_text(text: Text, *, without_status: bool = False, zone: ZoneInfo | None = None) -> Markup:
    """The spans in order. A pill (mention, code) never sits flush against a word of the text beside it — a
    handler that wrote ``p("Rejected by"), mention(…)`` still reads "Rejected by @Jonas Berg"."""
    spans = list(text)
    out = Markup("")
    for index, span in enumerate(spans):
        before = spans[index - 1] if index else None
        after = spans[index + 1] if index + 1 < len(spans) else None
        if isinstance(span, Plain):
            if span.verbatim:  # someone's own words: no chips, no code, just the text
                out += Markup("<span>{}</span>").format(span.text)
            else:
                out += _plain(span.text, line_goes_on=_goes_on(after), without_status=without_status)
            continue
        pill = isinstance(span, Mention | Code)
        if pill and _touches(before, at_end=True):
            out += Markup("<span> </span>")
        out += render_span(span, zone)
        if pill and _touches(after, at_end=False):
            out += Markup("<span> </span>")
    return out


def _edge(span: Span | None, *, at_end: bool) -> str:
    if isinstance(span, Plain | Bold | Code | When):
        text = span.text
    elif isinstance(span, Mention):
        text = "@" + span.name
    elif isinstance(span, Link):
        text = span.text
    else:
        return ""
    return text[-1:] if at_end else text[:1]


def _touches(neighbour: Span | None, *, at_end: bool) -> bool:
    """A word character (or another pill) right against a pill: they need a space between them."""
    if isinstance(neighbour, Mention | Code):
        return not at_end  # two pills in a row: one space, put after the first
    return _edge(neighbour, at_end=at_end).isalnum()


def _goes_on(after: Span | None) -> bool:
    """The next span continues the current line (it does not start with a line break or a space)."""
    if after is None:
        return False
    first = _edge(after, at_end=False)
    return not (isinstance(after, Plain) and (not first or first.isspace()))


def render_span(span: Span, zone: ZoneInfo | None = None) -> Markup:
    """Plain text keeps its line breaks through CSS ``white-space: pre-wrap``, so no ``<br>`` is built. A moment
    is shown in the viewer's ``zone`` when known, with the words it was written in as its tooltip."""
    if isinstance(span, Plain):
        return Markup("<span>{}</span>").format(span.text) if span.verbatim else _plain(span.text)
    if isinstance(span, Bold):
        return Markup("<strong>{}</strong>").format(span.text)
    if isinstance(span, Code):
        return Markup("<code>{}</code>").format(span.text)
    if isinstance(span, Link):
        href = safe_href(span.url)
        if href is None:
            return Markup('<span class="r-link-broken">{}</span>').format(span.text)
        return Markup('<a href="{}" target="_blank" rel="noopener noreferrer">{}</a>').format(href, span.text)
    if isinstance(span, Mention):
        return Markup('<span class="mention">@{}</span>').format(span.name)
    if isinstance(span, When):
        shown = local_when(span.at, zone) if zone is not None else span.text
        return Markup('<time class="r-when" datetime="{}" title="{}">{}</time>').format(
            span.at.isoformat(), span.text, shown
        )
    assert_never(span)


def _plain(text: str, *, line_goes_on: bool = False, without_status: bool = False) -> Markup:
    """Plain text, escaped. A line that is a lead status (``🟢 Accepted``) becomes a coloured status chip, and a
    command quoted in backticks (``Type `help` ``) is shown as code. A sentence that merely starts with a status
    icon stays a sentence: "🏆 Congratulations! " followed by the lead, or "↩️ Rejected by " followed by a
    mention, goes on past this span (``line_goes_on``), so it is not a chip."""
    if _EMAIL.fullmatch(text):  # let long addresses wrap after the @ rather than mid-word
        local, _, domain = text.partition("@")
        return Markup("<span>{}@<wbr>{}</span>").format(local, domain)
    if not any(icon in text for icon in _ICON_STATUS) and "`" not in text:
        return Markup("<span>{}</span>").format(text)
    shown: list[Markup] = []
    lines = text.split("\n")
    for number, line in enumerate(lines):
        icon, _, rest = line.partition(" ")
        last = number == len(lines) - 1
        if icon in _ICON_STATUS and rest.strip() and rest == rest.rstrip() and not (last and line_goes_on):
            if not without_status:  # left out with the line break before it, so nothing dangles
                shown.append(status_chip(rest, status=_ICON_STATUS[icon]))
        else:
            shown.append(_ticks(line))
    if without_status and shown == [Markup("")]:
        return Markup("")
    return Markup("<span>\n</span>").join(shown)


def ticked(text: str) -> Markup:
    """Plain text, escaped, with the commands it quotes in backticks shown as code (a refusal's summary)."""
    return Markup("<span>\n</span>").join(_ticks(line) for line in text.split("\n"))


def _ticks(line: str) -> Markup:
    parts = _TICKED.split(line)
    out = Markup("")
    for index, part in enumerate(parts):
        if index % 2:
            out += Markup("<code>{}</code>").format(part)
        elif part:
            out += Markup("<span>{}</span>").format(part)
    return out


def safe_href(url: str) -> str | None:
    """Only web links and site-relative paths become ``href``s; ``javascript:`` and friends do not."""
    url = url.strip()
    if url.startswith("/") and not url.startswith("//"):
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme in ("http", "https", "mailto") and (parts.netloc or parts.scheme == "mailto"):
        return url
    return None


def _fields(block: Fields, zone: ZoneInfo | None = None) -> Markup:
    items = Markup("")
    for label, value in block.items:
        is_status = label.strip().lower() in _STATUS_LABELS
        rendered = status_chip(plain_text(value)) if is_status else render_text(value, zone=zone)
        items += Markup('<div class="r-field"><dt>{}</dt><dd>{}</dd></div>').format(label, rendered)
    return Markup('<dl class="r-fields">{}</dl>').format(items)


def status_chip(label: str, *, status: str | None = None) -> Markup:
    """``label`` is shown; ``status`` (or the label itself) picks the colour."""
    key = re.sub(r"[^a-z_ ]", "", (status or label).strip().lower()).strip()
    colour = STATUS_CHIPS.get(key) or STATUS_CHIPS.get(key.split(" ")[0] if key else "", "chip-neutral")
    if key.startswith(("stage", "at stage")):
        colour = "chip-green"
    return Markup('<span class="chip {}" data-status="{}">{}</span>').format(
        colour, key.replace(" ", "_"), label.replace("_", " ")
    )


def _buttons(block: Buttons) -> Markup:
    out = Markup("")
    for button in block.buttons:
        style = {"primary": "btn-primary", "danger": "btn-danger"}.get(button.style or "", "btn-secondary")
        prompt = Markup(' data-prompt="{}"').format(button.prompt) if button.prompt else Markup("")
        out += Markup('<button type="button" class="btn {}" data-command="{}"{}>{}</button>').format(
            style, button.command, prompt, button.label
        )
    return Markup('<div class="r-buttons">{}</div>').format(out)


def _bars(block: Bars) -> Markup:
    rows = Markup("").join(_bar(bar) for bar in block.bars)
    return Markup('<div class="r-bars"><div class="r-bars-title">{}</div>{}</div>').format(block.title, rows)


def _bar(bar: Bar) -> Markup:
    share = 0.0 if bar.maximum <= 0 else max(0.0, min(1.0, bar.value / bar.maximum))
    width = f"{share * 100:.1f}"
    caption = bar.caption or _number(bar.value)
    return Markup(
        '<div class="r-bar"><span class="r-bar-label">{}</span>'
        '<svg class="r-bar-track" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true">'
        '<rect class="r-bar-bg" x="0" y="0" width="100" height="8" rx="4"></rect>'
        '<rect class="r-bar-fill" x="0" y="0" width="{}" height="8" rx="4"></rect></svg>'
        '<span class="r-bar-caption">{}</span></div>'
    ).format(bar.label, width, caption)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def initials(name: str) -> str:
    """Two letters for an avatar: first and last word of the name."""
    words = [w for w in re.split(r"\s+", name.strip()) if w]
    if not words:
        return "?"
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()


def avatar_colour(member_id: int) -> str:
    """A stable colour class per person (neighbours in the team never share one)."""
    return f"av-{member_id % _AVATAR_COLOURS}"
