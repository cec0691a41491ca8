"""Typed ``key:value`` options: each command declares its options with a type, and this module parses and checks
them in one place, so every refusal names the option and the form it expects (``target:`` takes a whole
number of leads, like ``target:40``) and handlers get values, not strings to re-check."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Generic, TypeVar, cast
from urllib.parse import urlsplit

from bot.core.errors import UsageError
from bot.core.grammar import ChannelRef, Option, UserRef, is_email, parse_channel, parse_user

T = TypeVar("T")

MAX_AMOUNT = Decimal("1000000000000")  # a trillion: anything above is a typo, not a deal
MAX_INT = 1_000_000_000
MAX_URL = 2000
MAX_REF = 200
CENT = Decimal("0.01")
AMOUNT_FORMS = "25000, 25,000.50, $25k or 1.2m"


class Invalid(ValueError):
    """A value not of its type's form; the message, when there is one, says what is wrong with this value."""


@dataclass(frozen=True)
class ValueType(Generic[T]):
    """A kind of option value: how help and refusals describe it, an example, and its converter (which raises
    ``Invalid``)."""

    name: str
    takes: str
    example: str
    convert: Callable[[str], T]


@dataclass(frozen=True)
class OptionSpec(Generic[T]):
    """One option a command takes. ``takes`` and ``example`` override the type's wording where the command can
    say more (``a whole number of leads``)."""

    key: str
    type: ValueType[T]
    takes: str | None = None
    example: str | None = None

    @property
    def form(self) -> str:
        """``takes a whole number of leads, like `target:40` ``"""
        return f"takes {self.takes or self.type.takes}, like `{self.key}:{self.example or self.type.example}`"

    def parse(self, raw: str, usage: str | None = None) -> T:
        try:
            return self.type.convert(raw)
        except Invalid as error:
            reason = f" {error}" if str(error) else ""
            raise UsageError(f"`{self.key}:` {self.form}.{reason}", usage=usage) from None


class Options:
    """The parsed options of one command, read by the spec that declared them: ``ctx.opts.get(TO)``."""

    def __init__(self, declared: Iterable[OptionSpec[Any]] = (), values: Mapping[str, object] | None = None) -> None:
        self._declared = {option.key: option for option in declared}
        self._values = dict(values or {})

    def get(self, option: OptionSpec[T]) -> T | None:
        """The value given for ``option``, or None. Asking for an option the command does not declare (or
        declares with another type) is a bug, not a user error."""
        if self._declared.get(option.key) != option:
            raise KeyError(f"{option.key}: is not an option of this command")
        return cast("T | None", self._values.get(option.key))

    def __contains__(self, key: object) -> bool:
        return key in self._values


def parse_options(declared: tuple[OptionSpec[Any], ...], given: Iterable[Option], usage: str | None = None) -> Options:
    """Parse the given options that ``declared`` names (unknown ones are dispatch's to refuse or keep as text).
    An empty value (``note:""``) counts as not given; an option given twice is refused."""
    by_key = {option.key: option for option in declared}
    values: dict[str, object] = {}
    seen: set[str] = set()
    for token in given:
        option = by_key.get(token.key)
        if option is None:
            continue
        if token.key in seen:
            raise UsageError(f"`{token.key}:` is given twice; give it once.", usage=usage)
        seen.add(token.key)
        if token.value.strip():
            values[token.key] = option.parse(token.value.strip(), usage)
    return Options(declared, values)


def describe(declared: tuple[OptionSpec[Any], ...]) -> str:
    """One line for a command's help: each option and what it takes."""
    return " · ".join(f"`{o.key}:` {o.takes or o.type.takes}" for o in declared)


def shown(raw: str, limit: int = 40) -> str:
    """A user's value, short and unable to break out of the backticks it is quoted in."""
    text = raw.replace("`", "'")
    return text if len(text) <= limit else text[:limit] + "…"


# --- the types -------------------------------------------------------------------------------------------------


def _text(raw: str) -> str:
    return raw


_INT = re.compile(r"^(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)$")


def _int(raw: str) -> int:
    if raw.startswith(("-", "−")):
        raise Invalid("It can't be negative.")
    if not _INT.match(raw):
        raise Invalid(f"`{shown(raw)}` is not a whole number.")
    digits = raw.replace(",", "").lstrip("0") or "0"
    if len(digits) > len(str(MAX_INT)) or int(digits) > MAX_INT:
        raise Invalid(f"That is more than {MAX_INT:,}.")
    return int(digits)


_CURRENCY = "$€£¥"
_PLAIN_AMOUNT = re.compile(rf"^[{_CURRENCY}]?([0-9]{{1,3}}(?:,[0-9]{{3}})+|[0-9]+)(?:\.([0-9]{{1,2}}))?$")
_SCALED_AMOUNT = re.compile(rf"^[{_CURRENCY}]?([0-9]+(?:\.[0-9]+)?)([kKmM])$")
_EUROPEAN = re.compile(rf"^[{_CURRENCY}]?(?:[0-9]{{1,3}}(?:\.[0-9]{{3}})+(?:,[0-9]{{1,2}})?|[0-9]+,[0-9]{{1,2}})$")
_ATTEMPT = re.compile(rf"^[+\-−]?[{_CURRENCY}]?[+\-−]?\.?[0-9]")


def looks_like_amount(word: str) -> bool:
    """A word that starts like a number (a digit, a sign or a currency symbol before one): meant as an amount,
    so one that is not a plausible amount is refused rather than taken as text."""
    return bool(_ATTEMPT.match(word))


def parse_amount(raw: str) -> Decimal:
    """A deal amount in cents: ``25000``, ``25,000.50``, ``$25k``, ``1.2m``; positive, finite, at most a
    trillion. A comma is a thousands separator and a dot the decimal point; the European ``1.234,56`` is
    refused with that explained rather than read as 1.23456 or 123456."""
    text = raw.strip()
    if text.startswith(("-", "−")) or text[1:2] in ("-", "−"):
        raise Invalid("Amounts are positive: a won deal is worth more than nothing.")
    if re.search(r"[0-9.][eE][+\-]?[0-9]", text):
        raise Invalid("Scientific notation is not taken: write 1000000 or 1m.")
    if _EUROPEAN.match(text):
        raise Invalid("Use a dot for cents and commas between thousands, like 1,234.56.")
    if plain := _PLAIN_AMOUNT.match(text):
        value = Decimal(plain.group(1).replace(",", "") + "." + (plain.group(2) or "0"))
    elif scaled := _SCALED_AMOUNT.match(text):
        value = Decimal(scaled.group(1)) * (1000 if scaled.group(2).lower() == "k" else 1_000_000)
    else:
        raise Invalid(f"`{shown(text)}` is not an amount.")
    if value > MAX_AMOUNT:  # checked before rounding: cents of a huge number exceed Decimal's precision
        raise Invalid(f"That is more than {format_amount(MAX_AMOUNT)}.")
    value = value.quantize(CENT, rounding=ROUND_HALF_UP)
    if value == 0:
        raise Invalid("A zero amount is no amount: leave it out.")
    return value


def format_amount(value: Decimal | float) -> str:
    """``25,000`` or ``25,000.50``: cents only when there are some."""
    amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    return f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"


_ISO_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")


def _date(raw: str) -> date:
    match = _ISO_DATE.match(raw)
    if not match:
        raise Invalid(f"`{shown(raw)}` is not in that form.")
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise Invalid(f"{raw} is not a day in the calendar.") from None


_REFUSED_SCHEMES = {
    "javascript": "`javascript:` links run code in the browser of whoever clicks them, so they are refused.",
    "data": "`data:` links carry hidden content instead of pointing to a page, so they are refused.",
    "vbscript": "`vbscript:` links run code when clicked, so they are refused.",
}


def _url(raw: str) -> str:
    if len(raw) > MAX_URL:
        raise Invalid(f"That link is {len(raw):,} characters long; the limit is {MAX_URL:,}.")
    if any(ch.isspace() for ch in raw):
        raise Invalid("A link has no spaces.")
    try:
        parts = urlsplit(raw)
        host, _ = parts.hostname, parts.port  # a malformed address or port raises here
    except ValueError:
        raise Invalid(f"`{shown(raw)}` is not a link.") from None
    scheme = parts.scheme.lower()
    if scheme in _REFUSED_SCHEMES:
        raise Invalid(_REFUSED_SCHEMES[scheme])
    if scheme not in ("http", "https"):
        raise Invalid(
            f"`{shown(raw)}` is not an http or https link." if scheme else "Start it with https:// (or http://)."
        )
    if not host:
        raise Invalid("It has no host name after the //.")
    return raw


def _email(raw: str) -> str:
    value = raw[len("mailto:") :] if raw.lower().startswith("mailto:") else raw
    if len(value) > 320 or not is_email(value):
        raise Invalid(f"`{shown(value)}` doesn't look like an e-mail address.")
    return value.lower()


def _person(raw: str) -> UserRef:
    if len(raw) > MAX_REF:
        raise Invalid(f"That is {len(raw):,} characters long; a name is at most {MAX_REF}.")
    return parse_user(raw)


def _campaign(raw: str) -> str:
    if len(raw) > MAX_REF:
        raise Invalid(f"That is {len(raw):,} characters long; a campaign name is at most {MAX_REF}.")
    return raw


def _channel(raw: str) -> ChannelRef:
    channel = parse_channel(raw)
    if channel is None:
        raise Invalid(f"`{shown(raw)}` is not a channel.")
    return channel


_YES = {"yes", "y", "true", "on", "1"}
_NO = {"no", "n", "false", "off", "0"}


def _flag(raw: str) -> bool:
    word = raw.lower()
    if word in _YES or word in _NO:
        return word in _YES
    raise Invalid(f"`{shown(raw)}` is neither.")


TEXT = ValueType("text", "text (quote it when it has spaces)", '"a few words"', _text)
INT = ValueType("int", "a whole number", "40", _int)
AMOUNT = ValueType("amount", f"an amount such as {AMOUNT_FORMS}", "25000", parse_amount)
DATE = ValueType("date", "a date as YYYY-MM-DD", "2027-02-28", _date)
URL = ValueType("url", "an http(s) link", "https://example.com/deck", _url)
EMAIL = ValueType("email", "an e-mail address", "ann@acme.com", _email)
PERSON = ValueType("person", "a person (@mention, @name or e-mail)", "@rita", _person)
CAMPAIGN = ValueType("campaign", "a campaign name (or its start) or C-<n>", '"Q4 Webinar"', _campaign)
CHANNEL = ValueType("channel", "a channel (#name)", "#sales", _channel)
FLAG = ValueType("flag", "yes or no", "yes", _flag)
