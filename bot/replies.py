"""Reply: what the bot says, as data. Renderers (Block Kit, Adaptive Cards, HTML, text) escape every
plain span for their platform, so user text can never become markup."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Plain(_Frozen):
    kind: Literal["plain"] = "plain"
    text: str


class Bold(_Frozen):
    kind: Literal["bold"] = "bold"
    text: str


class Code(_Frozen):
    kind: Literal["code"] = "code"
    text: str


class Link(_Frozen):
    kind: Literal["link"] = "link"
    text: str
    url: str


class Mention(_Frozen):
    """A member; ``accounts`` maps platform → that platform's user id, so each renderer can ping natively."""

    kind: Literal["mention"] = "mention"
    name: str
    accounts: dict[str, str] = Field(default_factory=dict)


Span = Annotated[Plain | Bold | Code | Link | Mention, Field(discriminator="kind")]
Text = tuple[Span, ...]


class Section(_Frozen):
    kind: Literal["section"] = "section"
    text: Text


class Fields(_Frozen):
    kind: Literal["fields"] = "fields"
    items: tuple[tuple[str, Text], ...]


class Button(_Frozen):
    """A button is a command run as the person who clicks. With ``prompt``, the platform first asks for a
    line of text (a reason, a note) and appends it to ``command``."""

    label: str
    command: str
    style: Literal["primary", "danger"] | None = None
    prompt: str | None = None


class Buttons(_Frozen):
    kind: Literal["buttons"] = "buttons"
    buttons: tuple[Button, ...]


class Bar(_Frozen):
    label: str
    value: float
    maximum: float
    caption: str = ""


class Bars(_Frozen):
    kind: Literal["bars"] = "bars"
    title: str
    bars: tuple[Bar, ...]


class Context(_Frozen):
    kind: Literal["context"] = "context"
    text: Text


class Divider(_Frozen):
    kind: Literal["divider"] = "divider"


Block = Annotated[Section | Fields | Buttons | Bars | Context | Divider, Field(discriminator="kind")]


class Reply(_Frozen):
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


def plain_text(text: Text) -> str:
    parts: list[str] = []
    for span in text:
        if isinstance(span, Mention):
            parts.append("@" + span.name)
        else:
            parts.append(span.text)
    return "".join(parts)


# Small builders so handlers read like sentences. Their arguments are typed, so they skip pydantic's
# validation (model_construct): a card is built from dozens of spans on every command.

def p(text: str) -> Plain:
    return Plain.model_construct(text=text)


def b(text: str) -> Bold:
    return Bold.model_construct(text=text)


def code(text: str) -> Code:
    return Code.model_construct(text=text)


def link(text: str, url: str) -> Link:
    return Link.model_construct(text=text, url=url)


def section(*spans: Span | str) -> Section:
    return Section.model_construct(text=_spans(spans))


def context(*spans: Span | str) -> Context:
    return Context.model_construct(text=_spans(spans))


def fields(*items: tuple[str, Span | str | Text]) -> Fields:
    out: list[tuple[str, Text]] = []
    for label, value in items:
        if isinstance(value, tuple):
            out.append((label, value))
        else:
            out.append((label, _spans((value,))))
    return Fields.model_construct(items=tuple(out))


def buttons(*items: Button) -> Buttons:
    return Buttons(buttons=tuple(items))


def _spans(items: tuple[Span | str, ...]) -> Text:
    return tuple(Plain.model_construct(text=item) if isinstance(item, str) else item for item in items)


def say(*spans: Span | str, ok: bool = True) -> Reply:
    """A one-section reply."""
    return Reply(blocks=(section(*spans),), ok=ok)
