"""What `tool add` accepts, one small check per option, each refusing with what is wrong and how to fix it
(ready to move to the typed options of the grammar)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.core.errors import UsageError
from storage.models import Campaign

LIMITS = {"title": 200, "url": 2000, "description": 2000}
MAX_TAGS = 10
TAG_LENGTH = 40
_TAG = re.compile(r"^[^\W_][\w-]*$")
_LABEL = r"[^\W_](?:[\w-]*[^\W_])?"
_HOST = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*\.?$")  # letters of any script, digits, dashes between dots
_UNSAFE = set('<>"{}|\\^`')


@dataclass(frozen=True)
class NewTool:
    title: str
    url: str
    description: str = ""
    tags: tuple[str, ...] = ()
    campaign: Campaign | None = None


def check_length(field: str, value: str) -> str:
    value = value.strip()
    limit = LIMITS[field]
    if len(value) > limit:
        raise UsageError(
            f"The {field} is {len(value):,} characters long; the limit is {limit:,}. Please shorten it and try again."
        )
    return value


def check_title(raw: str | None, usage: str) -> str:
    title = check_length("title", raw or "")
    if not title:
        raise UsageError(
            'What is the tool called? Put its title first, e.g. `tool add "Pricing deck" url:https://…`.', usage=usage
        )
    return title


def check_url(raw: str | None, usage: str) -> str:
    """Only ``http`` and ``https`` links with a host: a chat link must open a web page, never run script."""
    url = (raw or "").strip()
    if not url:
        raise UsageError("Where does the tool live? Add its link as `url:https://…`.", usage=usage)
    url = check_length("url", url)
    shown = url[:80]
    if any(ch.isspace() for ch in url):
        raise UsageError(f"`{shown}` has spaces in it; a link has none (quote the title, not the link).")
    if _UNSAFE.intersection(url):
        raise UsageError(f"`{shown}` holds characters a link cannot have ({' '.join(sorted(_UNSAFE & set(url)))}).")
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises on a port that is not a number
    except ValueError:
        raise UsageError(
            f"`{shown}` is not a link I can read. Give the full address, starting with https://."
        ) from None
    scheme = parts.scheme.lower()
    if not scheme or (scheme not in ("http", "https") and not parts.netloc and "." in scheme):
        first = url.split("/", 1)[0]
        if url.startswith(("/", ".")) or "." not in first:
            raise UsageError(
                f"`{shown}` is only a path, not a full web address: give the whole link, starting "
                "with https:// and the site's name, e.g. `url:https://drive.example.com/deck`."
            )
        raise UsageError(
            f"`{shown}` is not a full web address. Give it with https:// in front, e.g. `url:https://{url[:60]}`."
        )
    if scheme not in ("http", "https"):
        raise UsageError(
            f"Only http and https links can be published; `{scheme}:` links are refused "
            "(they would not open as a web page for everyone)."
        )
    host = parts.hostname
    if not host or not (_HOST.match(host) or ":" in host):  # ":" only in a bracketed IPv6 address
        raise UsageError(
            f"`{shown}` has no web host after {scheme}://. Give the full address, e.g. https://drive.example.com/deck."
        )
    if parts.username is not None or parts.password is not None:
        raise UsageError(
            "Links with a user name or password in them are refused: they leak the password to "
            "everyone who sees the link, and hide where it really goes."
        )
    return url


def is_web_url(url: str) -> bool:
    """What a stored link must still be when it is followed: http(s) with a host (checked again at redirect)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def parse_tags(raw: str | None) -> tuple[str, ...]:
    """``tags:pricing,enterprise`` (or separated by spaces when quoted): lower case, ``#`` dropped, no repeats."""
    if not raw:
        return ()
    tags: list[str] = []
    for part in re.split(r"[,\s]+", raw.strip()):
        tag = part.strip().lstrip("#").lower()
        if not tag:
            continue
        if len(tag) > TAG_LENGTH:
            raise UsageError(f"The tag `{tag[:60]}` is {len(tag)} characters long; a tag can have {TAG_LENGTH}.")
        if not _TAG.match(tag):
            raise UsageError(
                f"`{tag[:60]}` is not a tag I can keep: tags are words made of letters, digits and "
                "dashes, separated by commas, e.g. `tags:pricing,enterprise`."
            )
        if tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise UsageError(f"That is {len(tags)} tags; a tool can have {MAX_TAGS}. Keep the ones people search for.")
    return tuple(tags)


def check_tag(raw: str) -> str:
    """One tag, as `tool list <tag>` takes it."""
    tags = parse_tags(raw)
    if len(tags) != 1:
        raise UsageError("`tool list` takes one tag, e.g. `tool list pricing`.", usage="tool list [tag]")
    return tags[0]


def check_description(raw: str | None) -> str:
    return check_length("description", raw or "")
