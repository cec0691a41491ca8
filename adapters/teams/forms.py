"""The forms of ``bot/core/forms.py`` as Adaptive Cards: a command typed with nothing after it (``campaign
announce``, ``lead handoff``) answers with its form — Input.Text, Input.Number, Input.Date, Input.Toggle — and an
Action.Submit whose answers are composed into the same command text a person would type. A refusal comes back
above the form again, with every answer kept; success turns the form card into the command's answer."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from microsoft_teams.api.activities.message.message import MessageActivityInput
from microsoft_teams.apps import ActivityContext
from microsoft_teams.cards import (
    AdaptiveCard,
    CardElement,
    DateInput,
    NumberInput,
    SubmitAction,
    TeamsCardProperties,
    TextBlock,
    TextInput,
    TimeInput,
    ToggleInput,
)

from adapters import naming
from adapters.teams.cards import escape, render_card_message
from bot.core.forms import FORMS, Form, FormField, compose, problem_text, validate
from bot.core.replies import Reply
from bot.core.request import Request
from bot.core.runtime import Runtime

log = logging.getLogger("tandem.teams.forms")
FORM_KEY = "tandem_form"
INPUT_PREFIX = "tf_"
MAX_ANSWER = 4000


@dataclass(frozen=True)
class FormSubmit:
    """A submitted form card: which form, and the answers by field name."""

    form: Form
    values: dict[str, str]


def _input(field: FormField, value: str) -> CardElement:
    ident = INPUT_PREFIX + field.name
    label = field.label + ("" if field.required else " (optional)")
    if field.kind == "number":
        number = NumberInput(id=ident, label=label, is_required=field.required, placeholder=field.hint)
        if field.minimum is not None:
            number.min = field.minimum
        if value.strip().isdigit():
            number.value = int(value)
        return number
    if field.kind == "date":
        return DateInput(id=ident, label=label, is_required=field.required, value=value or None)
    if field.kind == "time":
        return TimeInput(id=ident, label=label, is_required=field.required, value=value or None)
    if field.kind == "checkbox":
        return ToggleInput(
            id=ident, label=field.label, title=field.choice or field.label, value_on="yes", value_off="", value=value
        )
    placeholder = field.hint or ("@name or e-mail" if field.kind == "user" else None)
    return TextInput(
        id=ident,
        label=label,
        is_required=field.required,
        is_multiline=field.kind == "multiline",
        max_length=field.max_length,
        placeholder=placeholder,
        value=value or None,
        error_message=f"{field.label} is needed." if field.required else None,
    )


def form_card(form: Form, values: Mapping[str, str] | None = None, problem: str | None = None) -> AdaptiveCard:
    """The form, filled with ``values``; ``problem`` is the refusal shown above it (escaped: it may quote the
    person's own text)."""
    kept = values or {}
    body: list[CardElement] = [TextBlock(text=f"**{escape(form.title)}**", wrap=True, size="Medium")]
    if problem:
        body.append(TextBlock(text="⚠️ " + escape(problem), wrap=True, color="Attention"))
    if form.intro:
        body.append(TextBlock(text=escape(form.intro), wrap=True, is_subtle=True, size="Small"))
    body += [_input(field, kept.get(field.name, "")) for field in form.fields]
    card = AdaptiveCard(body=body, version="1.5", fallback_text=form.title)
    card.actions = [SubmitAction(title=form.submit, data={FORM_KEY: form.key}, style="positive")]
    card.msteams = TeamsCardProperties(width="full")
    return card


def form_message(
    form: Form, values: Mapping[str, str] | None = None, problem: str | None = None
) -> MessageActivityInput:
    activity = MessageActivityInput.model_validate({"summary": form.title})
    return activity.add_card(form_card(form, values, problem))


def form_submit_of(value: Any) -> FormSubmit | None:
    """A form card's submit carries ``tandem_form`` and the inputs by id; anything else is not one."""
    if not isinstance(value, dict) or not isinstance(value.get(FORM_KEY), str):
        return None
    form = FORMS.get(value[FORM_KEY])
    if form is None:
        return None
    values: dict[str, str] = {}
    for field in form.fields:
        answer = value.get(INPUT_PREFIX + field.name)
        if isinstance(answer, int | float) and not isinstance(answer, bool):
            answer = str(answer)
        if isinstance(answer, str) and answer.strip():
            values[field.name] = answer.strip()[:MAX_ANSWER]
    return FormSubmit(form, values)


async def _show(ctx: ActivityContext[Any], message: MessageActivityInput) -> None:
    """Rewrite the form card the answers came from (so it cannot be sent twice); a new message if that fails."""
    card_id = ctx.activity.reply_to_id
    if card_id:
        message.id = card_id
        try:
            await ctx.send(message)
            return
        except Exception as error:
            log.warning("could not update the form card: %s", type(error).__name__)
            message.id = None
    await ctx.send(message)


async def answer_form(
    ctx: ActivityContext[Any], runtime: Runtime, submit: FormSubmit, request: Request, look_up: naming.LookUp
) -> None:
    """Check the answers, run the composed command (``request`` with its text) as the person who sent the
    form, and show the outcome in place of the form."""
    errors = validate(submit.form, submit.values)
    if errors:
        await _show(ctx, form_message(submit.form, submit.values, " ".join(errors.values())))
        return
    text = compose(submit.form, submit.values)
    reply: Reply = await naming.answer(runtime, replace(request, text=text), look_up)
    if not reply.ok:
        await _show(ctx, form_message(submit.form, submit.values, problem_text(reply.summary)))
        return
    await _show(ctx, render_card_message(reply))
