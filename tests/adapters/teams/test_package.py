"""`tandem teams package` writes a zip Teams accepts: manifest v1.17 with the bot id and commands, a
192×192 colour icon and a 32×32 white-on-transparent outline icon, both valid PNGs."""

from __future__ import annotations

import json
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from adapters.teams.package import build_package
from bot.core.config import Settings
from bot.features import build_registry

APP_ID = "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"


def _settings(**extra: str) -> Settings:
    return Settings(
        DATABASE_URL="sqlite://",
        TANDEM_BASE_URL="https://tandem.acme.test",
        _env_file=None,  # type: ignore[call-arg]
        **extra,
    )


def _decode_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and the RGBA rows, checking the signature and every chunk's CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(kind + body) & 0xFFFFFFFF == crc
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert (depth, colour) == (8, 6)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * 4 + 1
    rows = [raw[i * stride + 1 : (i + 1) * stride] for i in range(height)]
    return width, height, rows


def test_package_has_manifest_commands_and_icons(tmp_path: Path) -> None:
    path = build_package(_settings(MICROSOFT_APP_ID=APP_ID), build_registry(), tmp_path / "tandem-teams.zip")
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
        color = _decode_png(archive.read("color.png"))
        outline = _decode_png(archive.read("outline.png"))
    assert manifest["manifestVersion"] == "1.17" and manifest["id"] == APP_ID
    [bot] = manifest["bots"]
    assert bot["botId"] == APP_ID and set(bot["scopes"]) == {"personal", "team", "groupChat"}
    commands = bot["commandLists"][0]["commands"]
    titles = [c["title"] for c in commands]
    assert "help" in titles and "lead handoff" in titles and len(commands) <= 10
    assert all(len(c["title"]) <= 32 and 0 < len(c["description"]) <= 128 for c in commands)
    assert manifest["validDomains"] == ["tandem.acme.test"]
    assert len(manifest["name"]["short"]) <= 30 and len(manifest["description"]["short"]) <= 80
    assert color[:2] == (192, 192) and outline[:2] == (32, 32)
    colours = {row[i : i + 4] for row in color[2] for i in range(0, len(row), 4)}
    assert bytes((0x2E, 0x6B, 0xE6, 255)) in colours and bytes((255, 255, 255, 255)) in colours
    for row in outline[2]:  # white or fully transparent only
        for i in range(0, len(row), 4):
            r, g, b, a = row[i : i + 4]
            assert a == 0 or (r, g, b, a) == (255, 255, 255, 255)


def test_package_needs_the_bot_app_id(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="MICROSOFT_APP_ID"):
        build_package(_settings(), build_registry(), tmp_path / "x.zip")
    assert not (tmp_path / "x.zip").exists()


def test_cli_teams_package_writes_the_zip(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from bot.cli import app

    out = tmp_path / "teams.zip"
    env = {"MICROSOFT_APP_ID": APP_ID, "TANDEM_BASE_URL": "https://tandem.acme.test", "DATABASE_URL": "sqlite://"}
    result = CliRunner().invoke(app, ["teams", "package", "--output", str(out)], env=env)
    assert result.exit_code == 0, result.output
    assert zipfile.ZipFile(out).namelist()
    missing = CliRunner().invoke(
        app,
        ["teams", "package", "-o", str(tmp_path / "y.zip")],
        env={"MICROSOFT_APP_ID": "", "DATABASE_URL": "sqlite://"},
    )
    assert missing.exit_code == 1 and "MICROSOFT_APP_ID" in missing.output
