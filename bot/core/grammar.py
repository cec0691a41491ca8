"""Text → tokens → Command. One grammar for Slack, Teams, the playground and the console (SPEC §3)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from bot.core.errors import UsageError

MAX_TEXT = 40_000
_QUOTES = {'"': '"', "“": "”", "„": "“", "”": "”", "'": "'", "‘": "’"}
_OPTION = re.compile(r"^([A-Za-z][A-Za-z_-]{0,30}):(.*)$", re.S)
_SLACK_USER = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|([^>]*))?>$")
_TEAMS_AT = re.compile(r"^<at>(.*?)</at>$", re.S)
_SLACK_CHANNEL = re.compile(r"^<#([CG][A-Z0-9]+)(?:\|[^>]*)?>$")
_TEAMS_CHANNEL = re.compile(r"^19:\S+$")
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_PLATFORM_ID = re.compile(
    r"^(?:[UW][A-Z0-9]{6,}|29:[A-Za-z0-9_\-:.]+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$"
)


@dataclass(frozen=True)
class Word:
    text: str
    quoted: bool = False


@dataclass(frozen=True)
class Option:
    key: str
    value: str
    raw: str


Token = Word | Option


@dataclass(frozen=True)
class UserRef:
    """Somebody named in a command: by platform id, e-mail or name (``@rita``, ``<at>Rita</at>``)."""

    raw: str
    platform_id: str | None = None
    email: str | None = None
    name: str | None = None

    @property
    def key(self) -> str | None:
        """The id or e-mail a platform's directory can look up; None for a bare name."""
        return self.platform_id or self.email


@dataclass
class Command:
    """A parsed command line: ``words`` are positional, ``options`` are ``key:value``."""

    words: list[Word]
    options: dict[str, str] = field(default_factory=dict)
    option_tokens: list[Option] = field(default_factory=list)
    tokens: list[Token] = field(default_factory=list)
    unclosed: str | None = None  # the text from a quote that was never closed (taken as closed at the end)

    def keep_as_text(self, keys: set[str]) -> None:
        """Treat the options named by ``keys`` as plain words where they stood (``re:pricing`` in a note)."""
        self.words = [
            t if isinstance(t, Word) else Word(t.raw) for t in self.tokens if isinstance(t, Word) or t.key in keys
        ]
        self.option_tokens = [t for t in self.option_tokens if t.key not in keys]
        self.options = {t.key: t.value for t in self.option_tokens}


def clean(text: str) -> str:
    """Drop control characters (keeping newlines and tabs) and normalise to NFC."""
    text = unicodedata.normalize("NFC", text)
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs"))


def tokenize(text: str) -> list[Token]:
    return scan(text)[0]


def scan(text: str) -> tuple[list[Token], str | None]:
    """The tokens, and the text from an unclosed quote's opening to the end (None when every quote closed)."""
    if len(text) > MAX_TEXT:
        raise UsageError(f"That message is too long ({len(text):,} characters; the limit is {MAX_TEXT:,}).")
    text = clean(text)
    tokens: list[Token] = []
    unclosed: str | None = None
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        if text[i] in _QUOTES:
            start = i
            value, i, closed = _read_quoted(text, i)
            tokens.append(Word(value, quoted=True))
            unclosed = unclosed if closed else text[start:].strip()
            continue
        if text.startswith("<at>", i):
            end = text.find("</at>", i)
            if end != -1:
                tokens.append(Word(text[i : end + 5]))
                i = end + 5
                continue
        start = i
        while i < n and not text[i].isspace():
            if i > start and text[i - 1] == ":" and (text[i] in _QUOTES or text.startswith("<at>", i)):
                break
            i += 1
        raw = text[start:i]
        match = _OPTION.match(raw)
        if match and not match.group(2).startswith("//"):
            key = match.group(1).lower()
            value = match.group(2)
            if not value and i < n and text[i] in _QUOTES:
                value, i, closed = _read_quoted(text, i)
                tokens.append(Option(key, value, raw + value))
                unclosed = unclosed if closed else text[start:].strip()
                continue
            if not value and text.startswith("<at>", i):
                end = text.find("</at>", i)
                if end != -1:
                    value = text[i : end + 5]
                    i = end + 5
                    tokens.append(Option(key, value, raw + value))
                    continue
            if value:
                tokens.append(Option(key, value, raw))
                continue
        tokens.append(Word(raw))
    return tokens, unclosed


def _read_quoted(text: str, i: int) -> tuple[str, int, bool]:
    """A quoted value, where the text goes on, and whether the quote closed: an unclosed quote runs to the end
    of the text rather than failing (the reply then says so)."""
    closing = _QUOTES[text[i]]
    end = text.find(closing, i + 1)
    if end == -1:
        return text[i + 1 :].strip(), len(text), False
    return text[i + 1 : end], end + 1, True


def parse(text: str) -> Command:
    tokens, unclosed = scan(text)
    words = [t for t in tokens if isinstance(t, Word)]
    option_tokens = [t for t in tokens if isinstance(t, Option)]
    options: dict[str, str] = {}
    for option in option_tokens:
        options[option.key] = option.value
    return Command(words=words, options=options, option_tokens=option_tokens, tokens=tokens, unclosed=unclosed)


def parse_user(raw: str) -> UserRef:
    raw = raw.strip()
    if m := _SLACK_USER.match(raw):
        return UserRef(raw=raw, platform_id=m.group(1), name=m.group(2) or None)
    if m := _TEAMS_AT.match(raw):
        return UserRef(raw=raw, name=m.group(1).strip())
    if raw.startswith("mailto:"):
        raw = raw[len("mailto:") :]
    if _EMAIL.match(raw):
        return UserRef(raw=raw, email=raw.lower())
    if _PLATFORM_ID.match(raw):
        return UserRef(raw=raw, platform_id=raw)
    if raw.startswith("@") and len(raw) > 1:
        return UserRef(raw=raw, name=raw[1:])
    return UserRef(raw=raw, name=raw)


@dataclass(frozen=True)
class ChannelRef:
    """A channel named in a command: ``platform`` is known for native mentions (``<#C123|sales>`` is Slack's,
    ``19:…`` a Teams channel id) and None for a plain ``#name``, which lives where it was typed."""

    address: str
    platform: str | None = None


def parse_channel(raw: str) -> ChannelRef | None:
    raw = raw.strip()
    if m := _SLACK_CHANNEL.match(raw):
        return ChannelRef(m.group(1), "slack")
    if _TEAMS_CHANNEL.match(raw):
        return ChannelRef(raw, "teams")
    if raw.startswith("#") and len(raw) > 1 and not any(ch.isspace() for ch in raw):
        return ChannelRef(raw)
    return None


def is_email(raw: str) -> bool:
    return bool(_EMAIL.match(raw))
