"""What `tandem apikey` answers: pure Reply builders, given the rows they show."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.admin.api_keys import CreatedKey, KeyLine
from bot.core.replies import Block, Reply, b, code, context, fields, p, say, section


def created_reply(key: CreatedKey, *, api_url: str) -> Reply:
    """The key itself, this once: Tandem keeps only its fingerprint."""
    return Reply(
        blocks=(
            section("🔑 New API key ", b(f"“{key.label}”"), p(":")),
            section(code(key.secret)),
            section(
                b("Copy it now: this is the only time it is shown."),
                p(" Tandem keeps only a fingerprint of it. Put it in your integration's server-side settings "),
                p("(never in a web page's JavaScript)."),
            ),
            context(
                "Send it as ",
                code("Authorization: Bearer <key>"),
                p(" to "),
                code(api_url),
                p(". "),
                code(f"tandem apikey revoke {key.label}"),
                p(" stops it."),
            ),
        )
    )


def revoked_reply(line: KeyLine) -> Reply:
    return say(
        "🔒 The key ",
        b(f"“{line.label}”"),
        p(" ("),
        code(line.prefix + "…"),
        p(") is revoked: requests with it now get 401 Unauthorized."),
    )


def list_reply(lines: list[KeyLine], revoked: int, zone: ZoneInfo) -> Reply:
    if not lines:
        blocks: list[Block] = [
            section("This workspace has no active API keys. Make one with ", code("tandem apikey create <label>"), ".")
        ]
    else:
        items = [(f"{line.label}", f"{line.prefix}… · {_made(line, zone)} · {_used(line, zone)}") for line in lines]
        blocks = [section(b("API keys")), fields(*items)]
    if revoked:
        blocks.append(context(f"{revoked} revoked key{'s' if revoked != 1 else ''} not shown."))
    return Reply(blocks=tuple(blocks))


def refused_in_shared_conversation() -> Reply:
    return say(
        "🔒 An API key is a secret, and everyone here would see it. Ask me in a 1:1 chat: ",
        code("tandem apikey create <label>"),
        p("."),
        ok=False,
    )


def _made(line: KeyLine, zone: ZoneInfo) -> str:
    by = f" by {line.created_by}" if line.created_by else " from the command line"
    return f"created {_day(line.created_at, zone)}{by}"


def _used(line: KeyLine, zone: ZoneInfo) -> str:
    return f"last used {_day(line.last_used_at, zone)}" if line.last_used_at else "never used"


def _day(moment: datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return f"{local.day} {local:%b %Y %H:%M}"
