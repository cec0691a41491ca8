"""Modal forms: a command typed with no arguments (``/lead handoff``, ``/campaign announce``) opens a form;
its submission is composed back into the same command text, so the bot sees one grammar. Field errors come
back inline (``response_action: errors``)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Literal

FORM_CALLBACK = "tandem_form"
PROMPT_CALLBACK = "tandem_prompt"
MAX_METADATA = 3000
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")

Kind = Literal["text", "multiline", "email", "user", "number", "date", "time", "checkbox"]


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: Kind = "text"
    option: str | None = None  # the grammar's key (``email``); None for the positional text
    required: bool = False
    max_length: int | None = None
    hint: str | None = None
    error_words: tuple[str, ...] = ()  # words in a refusal that point at this field
    choice: str | None = None  # a checkbox's one option; ticked, the option's value is ``yes``

    @property
    def block_id(self) -> str:
        return f"f_{self.name}"


@dataclass(frozen=True)
class Form:
    key: str
    command: str
    title: str
    submit: str
    fields: tuple[FormField, ...]


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
)

ANNOUNCE = Form(
    "campaign_announce",
    "campaign announce",
    "Announce a campaign",
    "Announce",
    (
        FormField("name", "Campaign name", required=True, max_length=200, error_words=("name", "campaign")),
        FormField("goal", "Goal", "multiline", option="goal", required=True, max_length=2000, error_words=("goal",)),
        FormField("audience", "Audience", "multiline", option="audience", max_length=2000, error_words=("audience",)),
        FormField("target", "Target (leads)", "number", option="target", error_words=("target",)),
        FormField("ends", "Ends on", "date", option="ends", error_words=("ends", "date")),
        FormField(
            "talking", "Talking points", "multiline", option="talking", max_length=2000, error_words=("talking",)
        ),
    ),
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
    return _BY_COMMAND.get(" ".join(command_text.lower().split()))


def _element(field: FormField) -> dict[str, Any]:
    if field.kind == "user":
        return {"type": "users_select", "action_id": "v", "placeholder": _plain("Pick a person")}
    if field.kind == "email":
        return {"type": "email_text_input", "action_id": "v"}
    if field.kind == "number":
        return {"type": "number_input", "action_id": "v", "is_decimal_allowed": False, "min_value": "0"}
    if field.kind == "date":
        return {"type": "datepicker", "action_id": "v"}
    if field.kind == "time":
        return {"type": "timepicker", "action_id": "v"}
    if field.kind == "checkbox":
        return {
            "type": "checkboxes",
            "action_id": "v",
            "options": [{"text": _plain(field.choice or field.label), "value": "yes"}],
        }
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": "v", "multiline": field.kind == "multiline"}
    if field.max_length:
        element["max_length"] = field.max_length
    return element


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:150], "emoji": True}


def form_view(form: Form, metadata: dict[str, Any]) -> dict[str, Any]:
    blocks = []
    for field in form.fields:
        block: dict[str, Any] = {
            "type": "input",
            "block_id": field.block_id,
            "label": _plain(field.label),
            "element": _element(field),
            "optional": not field.required,
        }
        if field.hint:
            block["hint"] = _plain(field.hint)
        blocks.append(block)
    return {
        "type": "modal",
        "callback_id": f"{FORM_CALLBACK}:{form.key}",
        "title": _plain(form.title[:24]),
        "submit": _plain(form.submit),
        "close": _plain("Cancel"),
        "blocks": blocks,
        "private_metadata": pack(metadata),
    }


def prompt_view(question: str, label: str, metadata: dict[str, Any]) -> dict[str, Any]:
    """The one-line question a prompt button asks before running its command."""
    return {
        "type": "modal",
        "callback_id": PROMPT_CALLBACK,
        "title": _plain((label or "Tandem")[:24]),
        "submit": _plain("Send"),
        "close": _plain("Cancel"),
        "private_metadata": pack(metadata),
        "blocks": [
            {
                "type": "input",
                "block_id": "f_text",
                "label": _plain(question),
                "optional": True,
                "element": {"type": "plain_text_input", "action_id": "v", "multiline": True, "max_length": 2000},
            }
        ],
    }


def read_values(state: dict[str, Any]) -> dict[str, str]:
    """block id → the submitted value, whatever the element type."""
    values: dict[str, str] = {}
    for block_id, actions in (state.get("values") or {}).items():
        if not isinstance(actions, dict):
            continue
        element: Any = actions.get("v") or next(iter(actions.values()), {})
        if not isinstance(element, dict):
            continue
        ticked = element.get("selected_options")
        value = (
            element.get("value")
            or element.get("selected_user")
            or element.get("selected_date")
            or element.get("selected_time")
            or (element.get("selected_option") or {}).get("value")
            or (ticked[0].get("value") if isinstance(ticked, list) and ticked and isinstance(ticked[0], dict) else None)
        )
        if isinstance(value, str) and value.strip():
            values[block_id] = value.strip()
    return values


def validate(form: Form, values: dict[str, str]) -> dict[str, str]:
    """Errors Slack can show under each field before anything runs."""
    errors: dict[str, str] = {}
    for field in form.fields:
        value = values.get(field.block_id, "")
        if field.required and not value:
            errors[field.block_id] = f"{field.label} is needed."
        elif field.max_length and len(value) > field.max_length:
            errors[field.block_id] = f"At most {field.max_length:,} characters ({len(value):,} now)."
        elif value and field.kind == "email" and not _EMAIL.match(value):
            errors[field.block_id] = "That doesn't look like an e-mail address."
    return errors


def quote(value: str) -> str:
    """Quote a value for the grammar with a quote character the value does not contain."""
    for opening, closing in (('"', '"'), ("“", "”"), ("'", "'"), ("‘", "’")):
        if opening not in value and closing not in value:
            return f"{opening}{value}{closing}"
    return '"' + value.replace('"', "″") + '"'


def compose(form: Form, values: dict[str, str]) -> str:
    parts = [form.command]
    for field in form.fields:
        value = values.get(field.block_id)
        if not value:
            continue
        if field.kind == "user":
            token = f"<@{value}>" if re.fullmatch(r"[UW][A-Z0-9]+", value) else quote(value)
        else:
            token = quote(value)
        parts.append(f"{field.option}:{token}" if field.option else token)
    return " ".join(parts)


def field_errors(form: Form, message: str) -> dict[str, str]:
    """Put a refusal under the field it is about (the first field when none is named)."""
    lowered = message.lower()
    target, earliest = form.fields[0], len(lowered) + 1
    for field in form.fields:  # the field named first in the message is the one it is about
        for word in field.error_words:
            at = lowered.find(word)
            if 0 <= at < earliest:
                target, earliest = field, at
    return {target.block_id: message[:1900]}


def pack(metadata: dict[str, Any]) -> str:
    text = json.dumps(metadata, ensure_ascii=False, separators=(",", ":"))
    if len(text) > MAX_METADATA:  # drop the least needed keys first
        for key in ("label", "blocks"):
            metadata.pop(key, None)
        text = json.dumps(metadata, ensure_ascii=False, separators=(",", ":"))[:MAX_METADATA]
    return text


def unpack(text: str | None) -> dict[str, Any]:
    try:
        data = json.loads(text or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
