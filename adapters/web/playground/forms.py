"""The forms of ``bot/core/forms.py`` in the playground: a command typed with nothing after it (``campaign
announce``, ``lead handoff``) answers with an HTML form; its answers are composed here into the command text a
person would type and run as the person being played. A refusal comes back above the form, answers kept."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from jinja2 import Environment
from markupsafe import Markup

from adapters.web.render import ticked
from bot.core.forms import FORMS, Form, compose, field_errors, problem_text, validate

MAX_ANSWER = 4000


@dataclass(frozen=True)
class FormAnswer:
    """What a submitted form becomes: the command to run, or the form again with what is wrong."""

    command: str | None
    form_html: Markup | None = None


def render_form(
    pages: Environment,
    form: Form,
    values: Mapping[str, str] | None = None,
    problem: str | None = None,
    errors: Mapping[str, str] | None = None,
) -> Markup:
    """The form filled with ``values``; ``problem`` (escaped, its `commands` as code) above it; ``errors`` marks
    fields, with a line under each that has one."""
    shown = ticked(problem) if problem else None
    html = pages.get_template("_form.html").render(form=form, values=values or {}, problem=shown, errors=errors or {})
    return Markup(html)


def known_form(key: str) -> Form | None:
    return FORMS.get(key)


def answers(form: Form, given: Mapping[str, object]) -> dict[str, str]:
    """The answers the form asks for, as text, each cut to a sane length (the command's own checks say more)."""
    out: dict[str, str] = {}
    for field in form.fields:
        value = given.get(field.name)
        if isinstance(value, bool):
            value = "yes" if value else ""
        if isinstance(value, int | float):
            value = str(value)
        if isinstance(value, str) and value.strip():
            out[field.name] = value.strip()[:MAX_ANSWER]
    return out


def check(pages: Environment, form: Form, values: dict[str, str]) -> FormAnswer:
    """The command for these answers, or the form again naming what is missing or too long."""
    errors = validate(form, values)
    if errors:
        return FormAnswer(None, render_form(pages, form, values, "Please check the fields marked below.", errors))
    return FormAnswer(compose(form, values))


def refused(pages: Environment, form: Form, values: dict[str, str], message: str) -> Markup:
    """The form again after the command refused: the refusal above it, and the field it names marked."""
    return render_form(pages, form, values, problem_text(message), dict.fromkeys(field_errors(form, message), ""))
