"""Reply → Teams message: an Adaptive Card (via microsoft-teams-cards) or, for a short answer, markdown text.
Every user string is escaped so it renders as text; ``<at>`` mentions exist only with a mention entity."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import UTC
from typing import Any, assert_never

from microsoft_teams.api import Account
from microsoft_teams.api.activities.message.message import MessageActivityInput
from microsoft_teams.api.models.entity.mention_entity import MentionEntity
from microsoft_teams.cards import (
    ActionSet,
    AdaptiveCard,
    CardElement,
    Fact,
    FactSet,
    MentionedEntity,
    ShowCardAction,
    SubmitAction,
    TeamsCardProperties,
    TextBlock,
    TextInput,
)
from microsoft_teams.cards import Mention as CardMention

from adapters.teams.charts import chart_element
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
    Text,
    When,
    chart_figures,
)

COMMAND_KEY = "tandem_command"
OUTBOX_KEY = "tandem_outbox"
LABEL_KEY = "tandem_label"
INPUT_ID = "tandem_text"

_ALWAYS = re.compile(r"([\\`*_~\[\]()<>#|!{}])")
_LINE_START = re.compile(r"^(\s*)(?:([-+=>])|(\d+)([.)]))", re.M)


def escape(text: str) -> str:
    """Teams markdown escape: punctuation that could become formatting, links, HTML or ``<at>`` tags is
    backslash-escaped, and so are list/heading/quote markers at the start of a line."""
    text = _ALWAYS.sub(r"\\\1", text)
    return _LINE_START.sub(_escape_marker, text)


def _escape_marker(match: re.Match[str]) -> str:
    if match.group(2):
        return match.group(1) + "\\" + match.group(2)
    return match.group(1) + match.group(3) + "\\" + match.group(4)


def _safe_url(url: str) -> str | None:
    url = url.strip()
    if not re.match(r"^https?://", url, re.I) or any(ch in url for ch in " <>()[]\"'\n"):
        return None
    return url


@dataclass
class _Mentions:
    """Mention entities collected while rendering; one per distinct Teams user."""

    seen: dict[str, str] = field(default_factory=dict)  # user id → mention text

    def tag(self, span: Mention) -> str | None:
        user_id = span.accounts.get("teams") or span.accounts.get("entra")
        if not user_id:
            return None
        if user_id not in self.seen:
            # The tag's inner text must match the entity text exactly; keep it free of markup characters.
            name = re.sub(r"[<>\\*_~\[\]`#]", "", span.name).strip() or "someone"
            self.seen[user_id] = f"<at>{name}</at>"
        return self.seen[user_id]

    def card_entities(self) -> list[CardMention]:
        return [
            CardMention(text=tag, mentioned=MentionedEntity(id=uid, name=tag[4:-5])) for uid, tag in self.seen.items()
        ]

    def activity_entities(self) -> list[MentionEntity]:
        return [MentionEntity(text=tag, mentioned=Account(id=uid, name=tag[4:-5])) for uid, tag in self.seen.items()]


def _markdown(text: Text, mentions: _Mentions, *, in_card: bool = False) -> str:
    """``in_card``: the text goes into a card's TextBlock, where Teams shows a moment in the reader's own zone."""
    parts: list[str] = []
    for span in text:
        if isinstance(span, Plain):
            parts.append(escape(span.text).replace("\n", "\n\n"))
        elif isinstance(span, Bold):
            parts.append(_bold(span.text))
        elif isinstance(span, Code):
            parts.append("`" + span.text.replace("`", "'").replace("\n", " ") + "`" if span.text else "")
        elif isinstance(span, Link):
            url = _safe_url(span.url)
            parts.append(f"[{escape(span.text)}]({url})" if url else escape(span.text))
        elif isinstance(span, Mention):
            tag = mentions.tag(span)
            parts.append(tag if tag else "@" + escape(span.name))
        elif isinstance(span, When):
            parts.append(local_date(span) if in_card else escape(span.text))
        else:
            assert_never(span)
    return "".join(parts)


def local_date(span: When) -> str:
    """Adaptive Cards' date functions: the reader's device formats the moment in their zone and language. The
    instant is strict RFC 3339 in UTC, as the functions require (anything else is shown raw)."""
    instant = span.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{{{{DATE({instant}, SHORT)}}}} at {{{{TIME({instant})}}}}"


def _bold(text: str) -> str:
    """Spaces at either end go outside the asterisks: markdown shows ``**Usage: **`` as typed, not in bold."""
    core = text.strip(" ")
    if not core.strip():
        return escape(text)
    start = text.index(core)
    return f"{text[:start]}**{escape(core)}**{text[start + len(core) :]}"


def _bar_line(label: str, value: float, maximum: float, caption: str) -> str:
    width = 12
    filled = 0 if maximum <= 0 else max(0, min(width, round(width * value / maximum)))
    suffix = f" {escape(caption)}" if caption else f" {value:g}"
    return f"{escape(label)}: `{'█' * filled}{'░' * (width - filled)}`{suffix}"


def _button_action(button: Button, outbox_id: int | None) -> SubmitAction | ShowCardAction:
    data: dict[str, Any] = {COMMAND_KEY: button.command, LABEL_KEY: button.label}
    if outbox_id is not None:
        data[OUTBOX_KEY] = outbox_id
    style = {"primary": "positive", "danger": "destructive"}.get(button.style or "")
    if button.prompt:
        required = "optional" not in button.prompt.lower()
        inner = AdaptiveCard(
            body=[
                TextInput(
                    id=INPUT_ID,
                    label=button.prompt,
                    is_multiline=True,
                    max_length=2000,
                    is_required=required,
                    error_message="Please type a line first.",
                )
            ],
            actions=[SubmitAction(title="Send", data=data, style="positive")],
        )
        return ShowCardAction(title=button.label, card=inner)
    action = SubmitAction(title=button.label, data=data)
    if style:
        action.style = style  # type: ignore[assignment]
    return action


def _facts(block: Fields, mentions: _Mentions) -> FactSet:
    return FactSet(facts=[Fact(title=escape(label), value=_markdown(value, mentions)) for label, value in block.items])


def _chart(block: Chart, mentions: _Mentions) -> list[CardElement]:
    """The native chart (or, when it has nothing to draw, its title) and every figure as facts below it."""
    drawn = chart_element(block)
    heading = [] if drawn is None else [drawn]
    if drawn is None and block.title.strip():
        heading.append(TextBlock(text=_bold(block.title), wrap=True, weight="Bolder"))
    figures = chart_figures(block)
    return [*heading, _facts(figures, mentions)] if figures.items else heading


def render_card(reply: Reply, *, outbox_id: int | None = None) -> tuple[AdaptiveCard, list[MentionEntity]]:
    """The Adaptive Card for ``reply``; ``outbox_id`` travels in every button so a click can update the card."""
    mentions = _Mentions()
    body: list[CardElement] = []
    actions: list[SubmitAction | ShowCardAction] = []
    separator = False
    for block in reply.blocks:
        elements: list[CardElement] = []
        if isinstance(block, Section):
            elements.append(TextBlock(text=_markdown(block.text, mentions, in_card=True), wrap=True))
        elif isinstance(block, Context):
            text = _markdown(block.text, mentions, in_card=True)
            elements.append(TextBlock(text=text, wrap=True, is_subtle=True, size="Small"))
        elif isinstance(block, Fields):
            elements.append(_facts(block, mentions))
        elif isinstance(block, Bars):
            lines = [f"**{escape(block.title)}**"] + [
                _bar_line(b.label, b.value, b.maximum, b.caption) for b in block.bars
            ]
            elements.append(TextBlock(text="\n\n".join(lines), wrap=True, font_type="Monospace"))
        elif isinstance(block, Chart):
            elements.extend(_chart(block, mentions))
        elif isinstance(block, Buttons):
            buttons = [_button_action(button, outbox_id) for button in block.buttons]
            if actions or body:
                body.append(ActionSet(actions=buttons))  # type: ignore[arg-type]
            else:
                actions.extend(buttons)
        elif isinstance(block, Divider):
            separator = True
        else:
            assert_never(block)
        if elements and separator:
            elements[0].separator = True  # type: ignore[attr-defined]
            separator = False
        body.extend(elements)
    card = AdaptiveCard(body=body, version="1.5", fallback_text=plain_summary(reply))
    if actions:
        card.actions = actions  # type: ignore[assignment]
    card.msteams = TeamsCardProperties(width="full")
    if mentions.seen:
        card.msteams.entities = mentions.card_entities()
    return card, mentions.activity_entities()


def plain_summary(reply: Reply) -> str | None:
    """The notification preview / card fallback: plain text, with angle brackets neutralised."""
    text = reply.summary.replace("<", "‹").replace(">", "›")[:300]
    return text or None


def is_simple(reply: Reply) -> bool:
    """A short answer (text only) reads better as a chat message than as a card."""
    return all(isinstance(block, Section | Context) for block in reply.blocks) and len(reply.blocks) <= 4


def render_message(reply: Reply, *, outbox_id: int | None = None) -> MessageActivityInput:
    """The activity to send for ``reply``."""
    if is_simple(reply):
        mentions = _Mentions()
        lines = [_markdown(block.text, mentions) for block in reply.blocks]  # type: ignore[union-attr]
        activity = MessageActivityInput(text="\n\n".join(lines) or " ", text_format="markdown")
        for entity in mentions.activity_entities():
            activity.add_entity(entity)
        return activity
    card, _entities = render_card(reply, outbox_id=outbox_id)
    activity = MessageActivityInput.model_validate({"summary": plain_summary(reply)})
    return activity.add_card(card)


def render_card_message(reply: Reply, outbox_id: int | None = None) -> MessageActivityInput:
    """A card stays a card when updated (Teams cannot turn a card message into plain text)."""
    card, _ = render_card(reply, outbox_id=outbox_id)
    return MessageActivityInput.model_validate({"summary": plain_summary(reply)}).add_card(card)


def without_buttons(reply: Reply) -> Reply:
    return replace(reply, blocks=tuple(b for b in reply.blocks if not isinstance(b, Buttons)))
