"""`tandem teams package`: the Teams app zip (manifest v1.17 with the bot id and its commands, plus the two
icons Teams requires), generated offline — the icons are drawn here and written as PNG with zlib."""

from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

from bot.core.commands import Registry
from bot.core.config import Settings

MANIFEST_VERSION = "1.17"
SCHEMA = f"https://developer.microsoft.com/en-us/json-schemas/teams/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"
ACCENT = (0x2E, 0x6B, 0xE6)
MAX_COMMANDS = 10  # Teams shows at most ten commands per scope

Pixel = Callable[[int, int], tuple[int, int, int, int]]


def png(width: int, height: int, pixel: Pixel) -> bytes:
    """An RGBA PNG (8-bit, no interlace) from a pixel function."""
    raw = bytearray()
    for y in range(height):
        raw.append(0)  # filter: none
        for x in range(width):
            raw.extend(pixel(x, y))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(raw), 9))
        + chunk(b"IEND", b"")
    )


def _in_t(x: float, y: float) -> bool:
    """A bold "T" in the unit square: the mark of Tandem."""
    bar = 0.22 <= y <= 0.36 and 0.2 <= x <= 0.8
    stem = 0.36 <= y <= 0.8 and 0.42 <= x <= 0.58
    return bar or stem


def color_icon(size: int = 192) -> bytes:
    radius = size * 0.18

    def pixel(x: int, y: int) -> tuple[int, int, int, int]:
        cx, cy = min(x, size - 1 - x), min(y, size - 1 - y)
        if cx < radius and cy < radius and (radius - cx) ** 2 + (radius - cy) ** 2 > radius**2:
            return (0, 0, 0, 0)
        if _in_t((x + 0.5) / size, (y + 0.5) / size):
            return (255, 255, 255, 255)
        return (*ACCENT, 255)

    return png(size, size, pixel)


def outline_icon(size: int = 32) -> bytes:
    """Teams wants the outline icon white on transparent."""

    def pixel(x: int, y: int) -> tuple[int, int, int, int]:
        return (255, 255, 255, 255) if _in_t((x + 0.5) / size, (y + 0.5) / size) else (255, 255, 255, 0)

    return png(size, size, pixel)


def bot_commands(registry: Registry) -> list[dict[str, str]]:
    """The commands Teams suggests in the compose box: ``help``, every command word this version answers (the
    registry's table, so a new feature's word appears by itself), then their commands taken one per word in
    turn — everyone's before the admins' — until the ten Teams shows."""
    commands = [{"title": "help", "description": "What Tandem can do, and how to ask"}]
    commands += [{"title": word.word, "description": word.summary[:128]} for word in registry.built]
    for admin in (False, True):
        queues = [
            [spec for spec in registry.under(word.word) if len(spec.path) > 1 and (spec.role == "admin") == admin]
            for word in registry.built
        ]
        while any(queues):
            for queue in queues:
                if queue:
                    spec = queue.pop(0)
                    commands.append({"title": spec.name[:32], "description": spec.summary[:128]})
    return commands[:MAX_COMMANDS]


def manifest(settings: Settings, registry: Registry, *, version: str = "1.0.0") -> dict[str, object]:
    app_id = settings.microsoft_app_id
    if not app_id:
        raise ValueError("Set MICROSOFT_APP_ID (the Azure Bot's app id) before building the Teams package.")
    base = settings.base_url.rstrip("/")
    host = urlparse(base).hostname or ""
    commands = bot_commands(registry)
    return {
        "$schema": SCHEMA,
        "manifestVersion": MANIFEST_VERSION,
        "version": version,
        "id": app_id,
        "developer": {
            "name": "Tandem",
            "websiteUrl": base,
            "privacyUrl": f"{base}/privacy",
            "termsOfUseUrl": f"{base}/terms",
        },
        "name": {"short": "Tandem", "full": "Tandem — sales and marketing, one team"},
        "description": {
            "short": "Lead hand-offs, feedback, nags and stats for sales and marketing",
            "full": (
                "Tandem makes sales and marketing work as one team: marketers hand leads to reps with one "
                "command, reps accept, rate and report on them, Tandem nags about leads nobody works, and "
                "everyone sees the same numbers. Type `help` in a chat with Tandem, or @mention it in a "
                "channel."
            ),
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#{:02X}{:02X}{:02X}".format(*ACCENT),
        "bots": [
            {
                "botId": app_id,
                "scopes": ["personal", "team", "groupChat"],
                "isNotificationOnly": False,
                "supportsFiles": False,
                "commandLists": [{"scopes": ["personal", "team", "groupChat"], "commands": commands}],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [host] if host and host not in {"127.0.0.1", "localhost"} else [],
    }


def build_package(settings: Settings, registry: Registry, path: Path | str) -> Path:
    """Write the zip Teams admins upload (Teams admin center or Developer Portal → Import app)."""
    target = Path(path)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest(settings, registry), indent=2, ensure_ascii=False))
        archive.writestr("color.png", color_icon())
        archive.writestr("outline.png", outline_icon())
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(buffer.getvalue())
    return target
