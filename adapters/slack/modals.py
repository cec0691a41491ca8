"""Slack modals for the platform-neutral forms of ``bot/core/forms.py``: a command typed with no arguments
(``/lead handoff``, ``/campaign announce``) opens its form as a modal; the submission is composed back into the
same command text, so the bot sees one grammar. Field errors come back inline (``response_action: errors``),
keyed by block id (``f_<field name>``)."""

from __future__ import annotations

import json
import re
from typing import Any

from bot.core import forms
from bot.core.forms import ANNOUNCE, FORMS, HANDOFF, Form, FormField, form_for, quote

__all__ = [
    "ANNOUNCE",
    "FORMS",
    "FORM_CALLBACK",
    "HANDOFF",
    "PROMPT_CALLBACK",
    "Form",
    "FormField",
    "block_id",
    "compose",
    "field_errors",
    "form_for",
    "form_view",
    "pack",
    "prompt_view",
    "quote",
    "read_values",
    "unpack",
    "validate",
]

FORM_CALLBACK = "tandem_form"
PROMPT_CALLBACK = "tandem_prompt"
MAX_METADATA = 3000
_SLACK_USER = re.compile(r"[UW][A-Z0-9]+")


def block_id(field: FormField) -> str:
    return f"f_{field.name}"


def _by_name(values: dict[str, str]) -> dict[str, str]:
    return {key.removeprefix("f_"): value for key, value in values.items()}


def _by_block(errors: dict[str, str]) -> dict[str, str]:
    return {f"f_{name}": message for name, message in errors.items()}


def _element(field: FormField) -> dict[str, Any]:
    if field.kind == "user":
        return {"type": "users_select", "action_id": "v", "placeholder": _plain("Pick a person")}
    if field.kind == "email":
        return {"type": "email_text_input", "action_id": "v"}
    if field.kind == "number":
        return {
            "type": "number_input",
            "action_id": "v",
            "is_decimal_allowed": False,
            "min_value": str(field.minimum if field.minimum is not None else 0),
        }
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
            "block_id": block_id(field),
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
    """Errors Slack can show under each field (block id → message) before anything runs."""
    return _by_block(forms.validate(form, _by_name(values)))


def _person(value: str) -> str:
    """The users picker answers a Slack user id, which the grammar reads as a mention."""
    return f"<@{value}>" if _SLACK_USER.fullmatch(value) else quote(value)


def compose(form: Form, values: dict[str, str]) -> str:
    """The command text for a submission (block id → value)."""
    return forms.compose(form, _by_name(values), person=_person)


def field_errors(form: Form, message: str) -> dict[str, str]:
    """Put a refusal under the field it is about (block id → message)."""
    return _by_block(forms.field_errors(form, message))


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
