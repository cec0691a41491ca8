"""The dashboard's URL: ``/dashboard?period=30d&campaign=C-2&owner=14&source=webinar`` (a custom period is
``period=custom&from=2026-11-01&to=2026-11-30``). Read into one ``PageQuery`` and written back for the export
link, so the URL of what is on screen is shareable and the export is of exactly that."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from bot.core.errors import UsageError

PERIODS = (
    ("7d", "Last 7 days"),
    ("30d", "Last 30 days"),
    ("quarter", "This quarter"),
    ("last-quarter", "Last quarter"),
    ("ytd", "Year to date"),
    ("custom", "Custom range…"),
)
DEFAULT_PERIOD = "30d"
MAX_VALUE = 200
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


@dataclass(frozen=True, slots=True)
class PageQuery:
    """What the URL asks for, as typed (checked later against the workspace, in one transaction)."""

    period: str = DEFAULT_PERIOD  # one of PERIODS' keys
    start: str = ""  # the custom range's first and last day, YYYY-MM-DD
    end: str = ""
    campaign: str = ""
    owner: str = ""
    source: str = ""

    @property
    def form(self) -> str:
        """The period as `stats` writes it: ``30d`` or ``2026-11-01..2026-11-30``."""
        if self.period != "custom":
            return self.period
        if not (_DAY.match(self.start) and _DAY.match(self.end)):
            raise UsageError("A custom period needs its first and last day. Pick both dates, then Apply.")
        return f"{self.start}..{self.end}"

    def params(self) -> dict[str, str]:
        out = {"period": self.period}
        if self.period == "custom":
            out.update({"from": self.start, "to": self.end})
        for key in ("campaign", "owner", "source"):
            if value := getattr(self, key):
                out[key] = value
        return out

    def encoded(self) -> str:
        return urlencode(self.params())


def page_query(raw: Mapping[str, str]) -> PageQuery:
    """Read the URL's parameters; unknown ones are ignored (a ``workspace=`` in particular: the workspace comes
    from the session alone). A period outside the list is kept as typed, for the page to refuse by name."""

    def value(key: str) -> str:
        return (raw.get(key) or "").strip()[:MAX_VALUE]

    period = value("period").lower() or DEFAULT_PERIOD
    start, end = value("from"), value("to")
    if match := _RANGE.match(period):  # a `stats` range pasted into the URL
        period, start, end = "custom", match.group(1), match.group(2)
    return PageQuery(period, start, end, value("campaign"), value("owner"), value("source"))
