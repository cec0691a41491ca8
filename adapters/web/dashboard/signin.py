"""Signing in to the dashboard: ``GET /dashboard/signin?token=…`` (the link `stats dashboard` gives) checks the
link, marks it used and starts a session cookie; every later request proves itself with that cookie, and the
member it names is looked up again each time. Whatever fails, the answer is a friendly page that says how to get
a new link — never why a signature failed."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from adapters.links import PREVIEW_AGENTS
from adapters.web.dashboard.pages import Pages, Refusal
from bot.core.people import MemberRow
from bot.core.runtime import Runtime
from bot.stats.dashboard_access import may_view, member_in, use_signin
from bot.stats.dashboard_link import SESSION_VALID, DashboardKeys, SessionClaims, SigninClaims

COOKIE = "tandem_dashboard"
PATH = "/dashboard"


@dataclass(frozen=True, slots=True)
class Viewer:
    workspace_id: int
    member: MemberRow


def keys_for(runtime: Runtime) -> DashboardKeys:
    return DashboardKeys(runtime.settings.base_url, runtime.settings.secret_key, runtime.clock)


def set_session(response: Response, keys: DashboardKeys, claims: SigninClaims) -> None:
    response.set_cookie(
        COOKIE,
        keys.session_value(member_id=claims.member_id, workspace_id=claims.workspace_id),
        max_age=int(SESSION_VALID.total_seconds()),
        path=PATH,
        secure=keys.secure,
        httponly=True,
        samesite="lax",
    )


def clear_session(response: Response, keys: DashboardKeys) -> None:
    response.delete_cookie(COOKIE, path=PATH, secure=keys.secure, httponly=True, samesite="lax")


def _admit(runtime: Runtime, claims: SigninClaims) -> Refusal | None:
    """Still a manager of that workspace, and the link not used before (checked in that order, so a refused
    member's link is not spent)."""
    with runtime.db.session() as session:
        if not may_view(member_in(session, claims.workspace_id, claims.member_id)):
            return "not-allowed"
        if not use_signin(session, claims, runtime.clock.now()):
            return "used"
    return None


def _viewer(runtime: Runtime, claims: SessionClaims) -> Viewer | Refusal:
    """The member the session names, still in that workspace and still a manager; else why not."""
    with runtime.db.session() as session:
        member = member_in(session, claims.workspace_id, claims.member_id)
    if member is None:
        return "ended"
    return Viewer(claims.workspace_id, member) if may_view(member) else "not-allowed"


async def viewer_of(runtime: Runtime, request: Request) -> Viewer | Refusal:
    """Who is looking, from the session cookie alone (never from the URL); or why nobody is."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return "signed-out"
    claims = keys_for(runtime).read_session(raw)
    if claims is None:
        return "ended"
    return await runtime.db.run(_viewer, runtime, claims)


def refused_response(pages: Pages, runtime: Runtime, why: Refusal) -> Response:
    """The refusal page; a cookie that no longer admits anyone is cleared with it."""
    response = pages.refused(why, status=403 if why == "not-allowed" else 401)
    if why != "signed-out":
        clear_session(response, keys_for(runtime))
    return response


def mount_signin(app: FastAPI, runtime: Runtime, pages: Pages) -> None:
    keys = keys_for(runtime)

    @app.get(f"{PATH}/signin", include_in_schema=False)
    async def signin(request: Request) -> Response:
        agent = request.headers.get("user-agent", "")
        if any(preview in agent for preview in PREVIEW_AGENTS):  # an unfurler must not spend the one use
            return pages.message("Tandem dashboard", "Open this sign-in link in your browser.")
        claims = keys.read_signin(request.query_params.get("token"))
        if isinstance(claims, str):
            return refused_response(pages, runtime, claims)
        refusal = await runtime.db.run(_admit, runtime, claims)
        if refusal is not None:
            return refused_response(pages, runtime, refusal)
        response = RedirectResponse(PATH, status_code=303, headers={"Cache-Control": "no-store"})
        set_session(response, keys, claims)
        return response

    @app.post(f"{PATH}/signout", include_in_schema=False)
    async def signout() -> Response:
        response = pages.message("You are signed out", "In Slack or Teams type `stats dashboard` to sign in again.")
        clear_session(response, keys)
        return response
