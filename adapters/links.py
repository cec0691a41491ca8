"""``GET /t/<id>``: a tool link. Counts the click (for the person its signed token names, else anonymous) and
redirects with ``302`` to the tool's stored URL and nowhere else; an unknown or removed tool is a small ``404``
page. Nothing in the request (query parameters, headers) can change where it goes.

``GET /meetings/<token>.ics``: a meeting's calendar file. The token is random and unguessable (it stands where
SPEC §3 writes the id); an unknown one is a ``404`` that says nothing about which meetings exist."""

from __future__ import annotations

import re

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.core.runtime import Runtime
from bot.meetings.calendar_file import CalendarFile, calendar_file
from bot.tools.checks import is_web_url
from bot.tools.links import Claims, ToolLinks
from bot.tools.service import open_link

# Link previews fetch the page to draw a card: they are not a person opening the tool, so they are not counted.
PREVIEW_AGENTS = ("Slackbot-LinkExpanding", "Slack-ImgProxy", "SkypeUriPreview", "MicrosoftPreview", "TeamsBot")
MAX_ID = 2**63 - 1

NOT_FOUND = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tool not found · Tandem</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:15vh auto;padding:0 1.5rem;color:#1d1c1d}
h1{font-size:1.4rem}code{background:#f2f2f2;padding:.1rem .3rem;border-radius:4px}</style></head>
<body><h1>This tool is not available</h1>
<p>The link is unknown, or marketing has removed the tool it pointed to.</p>
<p>Search for what you need in chat with <code>tool &lt;words&gt;</code>, or ask in your marketing channel.</p>
</body></html>
"""


MEETING_NOT_FOUND = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Meeting not found · Tandem</title></head>
<body><h1>This calendar link is not known</h1><p>Type <code>meeting next</code> in chat for the current one.</p>
</body></html>
"""
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def _not_found() -> HTMLResponse:
    return HTMLResponse(NOT_FOUND, status_code=404, headers={"Cache-Control": "no-store"})


def mount_links(app: FastAPI, runtime: Runtime) -> None:
    mount_calendar(app, runtime)
    links = ToolLinks(runtime.settings.base_url, runtime.settings.secret_key)

    @app.get("/t/{tool_id:path}", include_in_schema=False)  # anything under /t/ gets the friendly 404
    async def tool_link(tool_id: str, request: Request) -> Response:
        if not (tool_id.isascii() and tool_id.isdigit()) or int(tool_id) > MAX_ID:
            return _not_found()
        number = int(tool_id)
        agent = request.headers.get("user-agent", "")
        counted = not any(preview in agent for preview in PREVIEW_AGENTS)
        claims = links.claims(request.query_params.get("m"), number)
        url = await runtime.db.run(_follow, runtime, number, claims, counted)
        if url is None or not is_web_url(url):
            return _not_found()
        # no-store: every open reaches us and is counted; no-referrer: the token never travels to the tool's site
        return RedirectResponse(
            url, status_code=302, headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
        )


def mount_calendar(app: FastAPI, runtime: Runtime) -> None:
    @app.get("/meetings/{name:path}", include_in_schema=False)
    async def meeting_ics(name: str) -> Response:
        token = name.removesuffix(".ics")
        found = await runtime.db.run(_calendar, runtime, token) if _TOKEN.match(token) else None
        if found is None:
            return HTMLResponse(MEETING_NOT_FOUND, status_code=404, headers={"Cache-Control": "no-store"})
        return Response(
            found.body,
            media_type="text/calendar; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{found.filename}"',
                "Cache-Control": "no-cache",  # a moved or cancelled meeting reaches a calendar that asks again
                "X-Content-Type-Options": "nosniff",
            },
        )


def _calendar(runtime: Runtime, token: str) -> CalendarFile | None:
    with runtime.db.session() as session:
        return calendar_file(session, runtime.settings.base_url, token, runtime.clock.now())


def _follow(runtime: Runtime, tool_id: int, claims: Claims | None, counted: bool) -> str | None:
    with runtime.db.session() as session:
        return open_link(session, runtime.clock, tool_id, claims, counted=counted)
