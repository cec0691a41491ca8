"""`stats dashboard` (SPEC §3): a sign-in link to the web dashboard, bound to the manager and their workspace,
good for one opening within 15 minutes; and the signed session the opened link starts. Both are signed with
TANDEM_SECRET_KEY by itsdangerous, each with a salt of its own, and timed by Tandem's clock."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from bot.admin.settings import get_setting
from bot.core.clock import Clock
from bot.core.commands import CommandSpec
from bot.core.context import Context
from bot.core.errors import UsageError
from bot.core.replies import Reply, b, code, context, link, p, say, section

SIGNIN_SALT = "tandem.dashboard-signin"
SESSION_SALT = "tandem.dashboard-session"
LINK_VALID = timedelta(minutes=15)
SESSION_VALID = timedelta(hours=12)
MAX_TOKEN = 400  # a genuine token is ~120 characters; anything far longer is not worth verifying
USAGE = "stats dashboard"
SUMMARY = "a sign-in link to the web dashboard: charts, filters, CSV export (managers; valid 15 minutes)"

Refusal = Literal["expired", "invalid"]


class _ClockedSigner(TimestampSigner):
    """itsdangerous's timestamp signer reading Tandem's clock, so tests move time instead of sleeping."""

    def __init__(self, *args: Any, clock: Clock, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clock = clock

    def get_timestamp(self) -> int:
        return int(self._clock.now().timestamp())


@dataclass(frozen=True, slots=True)
class SigninClaims:
    """What a genuine, unexpired sign-in link names. ``nonce`` is what makes it single use."""

    member_id: int
    workspace_id: int
    nonce: str


@dataclass(frozen=True, slots=True)
class SessionClaims:
    member_id: int
    workspace_id: int
    issued_at: datetime


@dataclass(frozen=True)
class DashboardKeys:
    """Makes and reads the dashboard's sign-in links and session cookies for one installation."""

    base_url: str
    secret_key: str
    clock: Clock

    def _serializer(self, salt: str) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(
            self.secret_key, salt=salt, signer=_ClockedSigner, signer_kwargs={"clock": self.clock}
        )

    @property
    def secure(self) -> bool:
        """Cookies only travel over HTTPS when the public address is HTTPS."""
        return self.base_url.lower().startswith("https://")

    def signin_url(self, *, member_id: int, workspace_id: int) -> str:
        token = self._serializer(SIGNIN_SALT).dumps([member_id, workspace_id, secrets.token_urlsafe(18)])
        return f"{self.base_url.rstrip('/')}/dashboard/signin?{urlencode({'token': token})}"

    def read_signin(self, token: str | None) -> SigninClaims | Refusal:
        """The claims of a genuine link made less than 15 minutes ago; else why not (never more detail)."""
        if not token or not self.secret_key or len(token) > MAX_TOKEN:
            return "invalid"
        try:
            value = self._serializer(SIGNIN_SALT).loads(token, max_age=int(LINK_VALID.total_seconds()))
        except SignatureExpired:
            return "expired"
        except BadSignature:
            return "invalid"
        if not (isinstance(value, list) and len(value) == 3 and _ids(value[:2]) and isinstance(value[2], str)):
            return "invalid"
        return SigninClaims(value[0], value[1], value[2])

    def session_value(self, *, member_id: int, workspace_id: int) -> str:
        return self._serializer(SESSION_SALT).dumps([member_id, workspace_id])

    def read_session(self, value: str | None) -> SessionClaims | None:
        """Who a genuine session cookie younger than 12 hours names; None for anything else."""
        if not value or not self.secret_key or len(value) > MAX_TOKEN:
            return None
        try:
            claims, signed_at = self._serializer(SESSION_SALT).loads(
                value, max_age=int(SESSION_VALID.total_seconds()), return_timestamp=True
            )
        except BadSignature:
            return None
        if not (isinstance(claims, list) and len(claims) == 2 and _ids(claims)):
            return None
        return SessionClaims(claims[0], claims[1], signed_at.astimezone(UTC))


def _ids(values: list[Any]) -> bool:
    return all(type(value) is int and value > 0 for value in values)


def keys_of(ctx: Context) -> DashboardKeys:
    return DashboardKeys(ctx.settings.base_url, ctx.settings.secret_key, ctx.clock)


def _until(ctx: Context) -> str:
    """When the link stops working, in the asker's time zone (else the workspace's): ``14:20 CET``."""
    name = ctx.me.timezone or get_setting(ctx.session, ctx.workspace_id, "timezone")
    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = (ctx.clock.now() + LINK_VALID).astimezone(zone)
    label = local.tzname() or ""
    return f"{local:%H:%M} {'UTC' + label if label.startswith(('+', '-')) else label}".rstrip()


def dashboard(ctx: Context, args: list[str]) -> Reply:
    if args:
        raise UsageError("`stats dashboard` takes nothing after it; pick the period on the page.", usage=USAGE)
    if not ctx.request.private:  # a Teams channel or group chat: everyone there would see the sign-in link
        return say(
            "🔒 The dashboard link signs you in, and everyone here would see it. Ask me in a 1:1 chat: ",
            code("stats dashboard"),
            p("."),
            ok=False,
        )
    url = keys_of(ctx).signin_url(member_id=ctx.me.id, workspace_id=ctx.workspace_id)
    minutes = int(LINK_VALID.total_seconds() // 60)
    return Reply(
        blocks=(
            section(b("Your Tandem dashboard"), p(" — the stats as charts, with filters and CSV export.")),
            section(link("Open the dashboard", url)),
            context(
                f"The link is yours alone: it signs you in once and works for {minutes} minutes (until {_until(ctx)}). "
                "Don't forward it. Type ",
                code("stats dashboard"),
                " again whenever you need a new one.",
            ),
        )
    )


def specs() -> list[CommandSpec]:
    return [CommandSpec(("stats", "dashboard"), dashboard, "manager", USAGE, SUMMARY)]
