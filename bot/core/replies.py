"""Reply: what the bot says, as data. Renderers (Block Kit, Adaptive Cards, HTML, text) escape every
plain span for their platform, so user text can never become markup.

Plain frozen dataclasses: a card is dozens of spans built on every command, and building them is then nearly
free. pydantic reads and writes them only at the edge where a Reply is stored (the outbox): ``to_json`` and
``from_json``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Literal

from pydantic import Field, TypeAdapter


@dataclass(frozen=True, slots=True, kw_only=True)
class Plain:
    kind: Literal["plain"] = "plain"
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Bold:
    kind: Literal["bold"] = "bold"
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Code:
    kind: Literal["code"] = "code"
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Link:
    kind: Literal["link"] = "link"
    text: str
    url: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Mention:
    """A member; ``accounts`` maps platform → that platform's user id, so each renderer can ping natively."""

    kind: Literal["mention"] = "mention"
    name: str
    accounts: dict[str, str] = field(default_factory=dict)


Span = Annotated[Plain | Bold | Code | Link | Mention, Field(discriminator="kind")]
Text = tuple[Span, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Section:
    kind: Literal["section"] = "section"
    text: Text


@dataclass(frozen=True, slots=True, kw_only=True)
class Fields:
    kind: Literal["fields"] = "fields"
    items: tuple[tuple[str, Text], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Button:
    """A button is a command run as the person who clicks. With ``prompt``, the platform first asks for a
    line of text (a reason, a note) and appends it to ``command``."""

    label: str
    command: str
    style: Literal["primary", "danger"] | None = None
    prompt: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Buttons:
    kind: Literal["buttons"] = "buttons"
    buttons: tuple[Button, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Bar:
    label: str
    value: float
    maximum: float
    caption: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Bars:
    kind: Literal["bars"] = "bars"
    title: str
    bars: tuple[Bar, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Context:
    kind: Literal["context"] = "context"
    text: Text


@dataclass(frozen=True, slots=True, kw_only=True)
class Divider:
    kind: Literal["divider"] = "divider"


Block = Annotated[Section | Fields | Buttons | Bars | Context | Divider, Field(discriminator="kind")]


@dataclass(frozen=True, slots=True, kw_only=True)
class Reply:
    """``visibility`` is ``ephemeral`` (only the asker sees it) or ``in_channel`` (posted for everyone)."""

    blocks: tuple[Block, ...] = ()
    visibility: Literal["ephemeral", "in_channel"] = "ephemeral"
    ok: bool = True

    @property
    def summary(self) -> str:
        """Plain-text fallback (notifications, logs, the console)."""
        for block in self.blocks:
            if isinstance(block, Section | Context):
                return plain_text(block.text)
        return ""


_STORED = TypeAdapter(Reply)


def to_json(reply: Reply) -> str:
    """The reply as the outbox stores it."""
    return _STORED.dump_json(reply).decode()


def from_json(payload: str | bytes) -> Reply:
    """A stored reply, validated: tuples, known kinds, typed fields."""
    return _STORED.validate_json(payload)


def plain_text(text: Text) -> str:
    parts: list[str] = []
    for span in text:
        if isinstance(span, Mention):
            parts.append("@" + span.name)
        else:
            parts.append(span.text)
    return "".join(parts)


# Small builders so handlers read like sentences.

def p(text: str) -> Plain:
    return Plain(text=text)


def b(text: str) -> Bold:
    return Bold(text=text)


def code(text: str) -> Code:
    return Code(text=text)


def link(text: str, url: str) -> Link:
    return Link(text=text, url=url)


def section(*spans: Span | str) -> Section:
    return Section(text=_spans(spans))


def context(*spans: Span | str) -> Context:
    return Context(text=_spans(spans))


def fields(*items: tuple[str, Span | str | Text]) -> Fields:
    out: list[tuple[str, Text]] = []
    for label, value in items:
        if isinstance(value, tuple):
            out.append((label, value))
        else:
            out.append((label, _spans((value,))))
    return Fields(items=tuple(out))


def buttons(*items: Button) -> Buttons:
    return Buttons(buttons=tuple(items))


def _spans(items: tuple[Span | str, ...]) -> Text:
    return tuple(Plain(text=item) if isinstance(item, str) else item for item in items)


def say(*spans: Span | str, ok: bool = True) -> Reply:
    """A one-section reply."""
    return Reply(blocks=(section(*spans),), ok=ok)
