"""The web playground (``GET /`` when ``TANDEM_PLAYGROUND=1``): play any member of the demo workspace, type
commands, press buttons — the same dispatch as Slack and Teams, rendered as escaped HTML."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Query
from fastapi import Request as HttpRequest
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile as StarletteUpload

from adapters.typed import without_bot_mention
from adapters.web.playground.forms import answers, check, known_form, refused, render_form
from adapters.web.playground.sender import PlaygroundSender
from adapters.web.playground.upload import UPLOAD_LIMIT, import_upload, too_big
from adapters.web.playground.views import channel_names, channel_posts, channel_purposes, example_commands, inbox
from adapters.web.render import avatar_colour, initials, render_reply
from bot.core.forms import form_for
from bot.core.grammar import MAX_TEXT
from bot.core.replies import Reply, zone_named
from bot.core.request import Person, Request
from bot.core.runtime import Runtime
from bot.demo import DEMO_PLATFORM, DEMO_TEAM, DEMO_WORKSPACE, DemoPerson, demo_people, demo_workspace_id

log = logging.getLogger("tandem.playground")
HERE = Path(__file__).parent
Deliver = Callable[[Runtime], Awaitable[Any]]
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class CommandIn(BaseModel):
    person: str = Field(min_length=1, max_length=200)
    text: str = Field(max_length=MAX_TEXT)
    source_message: int | None = None


class FormIn(BaseModel):
    person: str = Field(min_length=1, max_length=200)
    form: str = Field(min_length=1, max_length=60)
    values: dict[str, str | int | float | bool | None] = Field(default_factory=dict, max_length=40)


def mount_playground(app: FastAPI, runtime: Runtime, deliver: Deliver | None = None) -> None:
    """Serve the playground and register the playground Sender. ``deliver`` (one delivery pass, from
    ``schedules``) runs right after each command so DMs appear at once; without it the scheduler's next pass
    delivers them and the page shows them as "sending…" meanwhile."""
    runtime.add_sender(PlaygroundSender())
    pages = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    app.mount("/static/playground", StaticFiles(directory=HERE / "static"), name="playground-static")

    def people() -> list[DemoPerson]:
        return demo_people(runtime.db)

    def pick(everyone: list[DemoPerson], key: str | None) -> DemoPerson | None:
        return next((p for p in everyone if p.key == key), None)

    def panels(person: DemoPerson, everyone: list[DemoPerson]) -> dict[str, Any]:
        workspace_id = demo_workspace_id(runtime.db)
        now = runtime.clock.now()
        with runtime.db.session() as session:
            assert workspace_id is not None
            zone = zone_named(person.timezone)  # moments read in the played person's own zone
            dms = inbox(session, workspace_id, person.member_id, now, zone)
            posts = channel_posts(session, workspace_id, now, zone)
            examples = example_commands(session, workspace_id, person, everyone)
            channels = channel_names(session, workspace_id, posts)
            purposes = channel_purposes(session, workspace_id, channels)
        return {"inbox": dms, "posts": posts, "examples": examples, "channels": channels, "purposes": purposes}

    def fragments(person: DemoPerson, everyone: list[DemoPerson]) -> dict[str, Any]:
        data = panels(person, everyone)
        return {
            "inbox_html": pages.get_template("_inbox.html").render(messages=data["inbox"], person=person),
            "channels_html": pages.get_template("_channels.html").render(
                posts=data["posts"], channels=data["channels"], purposes=data["purposes"]
            ),
            "inbox_count": len(data["inbox"]),
            "inbox_waiting": sum(1 for m in data["inbox"] if m.waiting),
            "channel_count": len(data["posts"]),
            "latest": max([m.id for m in data["inbox"]] + [m.id for m in data["posts"]] + [0]),
            "examples": data["examples"],
        }

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def page(as_: str | None = Query(None, alias="as", max_length=200)) -> Response:
        everyone = await runtime.db.run(people)
        if not everyone:
            html = pages.get_template("empty.html").render(workspace=DEMO_WORKSPACE)
            return HTMLResponse(html, headers=SECURITY_HEADERS)
        person = pick(everyone, as_) or everyone[0]
        data = await runtime.db.run(panels, person, everyone)
        html = pages.get_template("playground.html").render(
            person=person,
            people=everyone,
            workspace=DEMO_WORKSPACE,
            initials=initials,
            colour=avatar_colour,
            waiting=sum(1 for m in data["inbox"] if m.waiting),
            messages=data["inbox"],
            **data,
        )
        return HTMLResponse(html, headers=SECURITY_HEADERS)

    @app.get("/playground/people", include_in_schema=False)
    async def list_people() -> JSONResponse:
        everyone = await runtime.db.run(people)
        return JSONResponse(
            [
                {"key": p.key, "name": p.name, "role": p.role, "title": p.title, "initials": initials(p.name)}
                for p in everyone
            ],
            headers=SECURITY_HEADERS,
        )

    @app.get("/playground/inbox", include_in_schema=False)
    async def state(person: str = Query(..., max_length=200)) -> JSONResponse:
        everyone = await runtime.db.run(people)
        who = pick(everyone, person)
        if who is None:
            return _unknown_person(person)
        return JSONResponse(await runtime.db.run(fragments, who, everyone), headers=SECURITY_HEADERS)

    async def answered(who: DemoPerson, everyone: list[DemoPerson], reply: Reply) -> dict[str, Any]:
        """The reply and the panels after it, once its messages were delivered."""
        if deliver is not None:
            try:
                await deliver(runtime)
            except Exception:  # the scheduler's next pass delivers; the answer must not fail for it
                log.exception("playground delivery pass failed")
        payload: dict[str, Any] = {
            "ok": reply.ok,
            "reply_html": str(render_reply(reply, zone=zone_named(who.timezone))),
            "summary": reply.summary,
            "visibility": reply.visibility,
        }
        payload.update(await runtime.db.run(fragments, who, everyone))
        return payload

    async def run(who: DemoPerson, everyone: list[DemoPerson], text: str, source: int | None) -> dict[str, Any]:
        """Run ``text`` as ``who`` through dispatch, deliver what it wrote, and answer with the page's news."""
        request = Request(
            person=Person(DEMO_PLATFORM, who.key, who.name, who.email, who.timezone),
            team_id=DEMO_TEAM,
            text=text,
            source_message=source,
        )
        reply: Reply = await runtime.db.run(runtime.dispatcher.handle, request)
        return await answered(who, everyone, reply)

    @app.post("/playground/command", include_in_schema=False)
    async def command(body: CommandIn) -> JSONResponse:
        everyone = await runtime.db.run(people)
        who = pick(everyone, body.person)
        if who is None:
            return _unknown_person(body.person)
        text = without_bot_mention(body.text)
        form = form_for(text) if body.source_message is None else None
        if form is not None:  # typed with nothing after it: the form asks for the rest
            payload = {"ok": True, "form_html": str(render_form(pages, form)), "visibility": "ephemeral"}
            return JSONResponse(payload, headers=SECURITY_HEADERS)
        return JSONResponse(await run(who, everyone, text, body.source_message), headers=SECURITY_HEADERS)

    @app.post("/playground/form", include_in_schema=False)
    async def submit_form(body: FormIn) -> JSONResponse:
        everyone = await runtime.db.run(people)
        who = pick(everyone, body.person)
        form = known_form(body.form)
        if who is None:
            return _unknown_person(body.person)
        if form is None:
            return JSONResponse({"ok": False, "error": "That form is not known here."}, 404, SECURITY_HEADERS)
        values = answers(form, body.values)
        checked = check(pages, form, values)
        if checked.command is None:
            return JSONResponse({"ok": False, "form_html": str(checked.form_html)}, headers=SECURITY_HEADERS)
        payload = await run(who, everyone, checked.command, None)
        payload["command"] = checked.command
        if not payload["ok"]:
            payload["form_html"] = str(refused(pages, form, values, payload["summary"]))
        return JSONResponse(payload, headers=SECURITY_HEADERS)

    @app.post("/playground/import", include_in_schema=False)
    async def upload(http: HttpRequest, person: str = Query(..., max_length=200)) -> JSONResponse:
        """A CSV of leads imported as the person played (SPEC §5 `tandem import leads`), answered in the chat. A
        body declared over the limit is refused before it is read."""
        everyone = await runtime.db.run(people)
        who = pick(everyone, person)
        if who is None:
            return _unknown_person(person)
        if _too_large(http.headers.get("content-length")):
            return JSONResponse(await answered(who, everyone, too_big()), headers=SECURITY_HEADERS)
        async with http.form(max_files=1, max_fields=2) as form:
            file = form.get("file")
            if not isinstance(file, StarletteUpload):
                return JSONResponse({"ok": False, "error": "Choose a CSV file to import."}, 400, SECURITY_HEADERS)
            data = await file.read(UPLOAD_LIMIT + 1)
            name = file.filename or "leads.csv"
        if len(data) > UPLOAD_LIMIT:
            return JSONResponse(await answered(who, everyone, too_big()), headers=SECURITY_HEADERS)
        reply = await runtime.db.run(import_upload, runtime, who, name, data)
        return JSONResponse(await answered(who, everyone, reply), headers=SECURITY_HEADERS)


def _too_large(declared: str | None) -> bool:
    """A body declared bigger than the upload limit (and its form fields) is refused before it is read."""
    return declared is not None and declared.isdigit() and int(declared) > UPLOAD_LIMIT + 64 * 1024


def _unknown_person(key: str) -> JSONResponse:
    return JSONResponse(
        {
            "ok": False,
            "error": f"There is nobody called '{key[:60]}' in the demo workspace. Pick someone from the list.",
        },
        status_code=404,
        headers=SECURITY_HEADERS,
    )
