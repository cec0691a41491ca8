"""Forms as pure data: a command typed with nothing after it (``lead handoff``, ``campaign announce``) opens a
form on every platform — a Slack modal, an Adaptive Card, an HTML form — and the answers are composed back into
the very command text a person would type, so the bot sees one grammar. Each adapter draws these fields its own
way; nothing here knows a platform."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

Kind = Literal["text", "multiline", "email", "user", "number", "date", "time", "checkbox"]
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_WHOLE = re.compile(r"^([0-9]+)(?:\.0+)?$")


@dataclass(frozen=True)
class FormField:
    """One question. ``option`` is the grammar's key (``email``); None for the positional text after the
    command. ``error_words`` are words in a refusal that point at this field."""

    name: str
    label: str
    kind: Kind = "text"
    option: str | None = None
    required: bool = False
    max_length: int | None = None
    hint: str | None = None
    error_words: tuple[str, ...] = ()
    choice: str | None = None  # a checkbox's one option; ticked, the option's value is ``yes``
    minimum: int | None = None  # the smallest number a number field takes


@dataclass(frozen=True)
class Form:
    key: str
    command: str
    title: str
    submit: str
    fields: tuple[FormField, ...]
    intro: str = ""  # one line above the fields, for platforms that show one

    def field(self, name: str) -> FormField | None:
        return next((f for f in self.fields if f.name == name), None)


HANDOFF = Form(
    "lead_handoff",
    "lead handoff",
    "Hand off a lead",
    "Hand off",
    (
        FormField("company", "Company", required=True, max_length=200, error_words=("company",)),
        FormField("email", "Contact e-mail", "email", option="email", error_words=("e-mail", "email")),
        FormField("contact", "Contact name", option="name", max_length=200, error_words=("contact", "name")),
        FormField(
            "owner",
            "Owner",
            "user",
            option="to",
            hint="Leave empty to route round-robin among reps.",
            error_words=("to:", "anyone called", "couldn't find", "owner"),
        ),
        FormField("campaign", "Campaign", option="campaign", error_words=("campaign",)),
        FormField("source", "Source", option="source", hint="Defaults to marketing.", error_words=("source",)),
        FormField("note", "Note", "multiline", option="note", max_length=2000, error_words=("note",)),
        # A hand-off that duplicates an open lead is refused under this box; ticking it sends `force:yes`.
        FormField(
            "force",
            "Duplicates",
            "checkbox",
            option="force",
            choice="Create it anyway (force:yes)",
            hint="Tick only if it is a new lead although an open one has the same e-mail or company.",
            error_words=("already an open lead",),
        ),
    ),
    intro="The rep gets the lead card with Accept and Reject buttons.",
)

ANNOUNCE = Form(
    "campaign_announce",
    "campaign announce",
    "Announce a campaign",
    "Announce",
    (
        FormField("name", "Campaign name", required=True, max_length=200, error_words=("name", "campaign")),
        FormField("goal", "Goal", "multiline", option="goal", required=True, max_length=2000, error_words=("goal",)),
        FormField(
            "audience",
            "Audience",
            "multiline",
            option="audience",
            max_length=2000,
            hint="Who the campaign speaks to, so reps know who to expect.",
            error_words=("audience",),
        ),
        FormField("target", "Target (leads)", "number", option="target", minimum=1, error_words=("target",)),
        FormField("ends", "Ends on", "date", option="ends", error_words=("ends", "date", "past")),
        FormField(
            "talking",
            "Talking points",
            "multiline",
            option="talking",
            max_length=2000,
            hint="What reps should say on the first call: objections, competitors, offers.",
            error_words=("talking",),
        ),
    ),
    intro="Posted to the sales channel with Why? and Comment buttons.",
)

# `meeting schedule` with nothing after it, typed or pressed (the **Book next quarter** button): the day and time
# are read in the workspace's time zone, as when typed, so the form says so rather than converting.
MEETING = Form(
    "meeting_schedule",
    "meeting schedule",
    "Book the meeting",
    "Book it",
    (
        FormField(
            "day",
            "Day",
            "date",
            required=True,
            hint="The quarterly sales & marketing meeting.",
            error_words=("day in the calendar", "already passed", "is in the past", "date"),
        ),
        FormField(
            "time",
            "Time",
            "time",
            required=True,
            hint="In the workspace's time zone (`tandem settings` shows it).",
            error_words=("time of day", "does not exist", "already booked", "time"),
        ),
        FormField("title", "Title", max_length=200, hint="Defaults to the quarter's name.", error_words=("title",)),
    ),
)

FORMS = {form.key: form for form in (HANDOFF, ANNOUNCE, MEETING)}
_BY_COMMAND = {form.command: form for form in FORMS.values()}


def form_for(command_text: str) -> Form | None:
    """The form a bare command opens (``lead handoff`` with nothing after it)."""
    words = command_text.lower().split()
    if words and words[0].startswith("/"):
        words[0] = words[0][1:]
    return _BY_COMMAND.get(" ".join(words))


def validate(form: Form, values: Mapping[str, str]) -> dict[str, str]:
    """Field name → what is wrong with its answer, before anything runs."""
    errors: dict[str, str] = {}
    for field in form.fields:
        value = values.get(field.name, "").strip()
        if field.required and not value:
            errors[field.name] = f"{field.label} is needed."
        elif field.max_length and len(value) > field.max_length:
            errors[field.name] = f"At most {field.max_length:,} characters ({len(value):,} now)."
        elif value and field.kind == "email" and not _EMAIL.match(value):
            errors[field.name] = "That doesn't look like an e-mail address."
    return errors


def quote(value: str) -> str:
    """Quote a value for the grammar with a quote character the value does not contain."""
    for opening, closing in (('"', '"'), ("“", "”"), ("'", "'"), ("‘", "’")):
        if opening not in value and closing not in value:
            return f"{opening}{value}{closing}"
    return '"' + value.replace('"', "″") + '"'


def _as_typed(value: str) -> str:
    """A person named the way one would type them: ``@rita`` and ``ann@acme.com`` go bare, a full name quoted."""
    if not any(ch.isspace() for ch in value) and (value.startswith("@") or _EMAIL.match(value)):
        return value
    return quote(value)


def compose(form: Form, values: Mapping[str, str], person: Callable[[str], str] = _as_typed) -> str:
    """The command text for the answers (field name → value; empty ones are left out). ``person`` turns a
    person field's answer into a token: Slack's picker answers a user id, which becomes ``<@U…>``."""
    parts = [form.command]
    for field in form.fields:
        value = (values.get(field.name) or "").strip()
        if not value:
            continue
        if field.kind == "user":
            token = person(value)
        elif field.kind == "number" and (whole := _WHOLE.match(value)):
            token = whole.group(1)  # a card's number input may answer "40.0"
        elif field.kind == "checkbox":
            token = "yes" if value.lower() in ("yes", "true", "on", "1") else ""
        else:
            token = quote(value)
        if token:
            parts.append(f"{field.option}:{token}" if field.option else token)
    return " ".join(parts)


def field_errors(form: Form, message: str) -> dict[str, str]:
    """Put a refusal under the field it is about (the first field when none is named): field name → message."""
    lowered = message.lower()
    target, earliest = form.fields[0], len(lowered) + 1
    for field in form.fields:  # the field named first in the message is the one it is about
        for word in field.error_words:
            at = lowered.find(word)
            if 0 <= at < earliest:
                target, earliest = field, at
    return {target.name: message[:1900]}


def problem_text(summary: str) -> str:
    """A refusal's text for the line above a form, which draws its own warning sign (the reply's icon is dropped)."""
    return summary.lstrip("⚠\ufe0f🔒🔍 ").strip()
