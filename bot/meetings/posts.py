"""Where meeting posts go: the sales and the marketing channel (once, when a workspace uses one channel for both)."""

from __future__ import annotations

from collections.abc import Mapping


def channels_of(settings: Mapping[str, str]) -> list[tuple[str, str]]:
    """(what to call it, the ``platform:address`` setting) for each configured channel."""
    sales, marketing = settings.get("sales_channel", ""), settings.get("marketing_channel", "")
    if sales and sales == marketing and ":" in sales:
        return [("the sales and marketing channel", sales)]
    found = [("the sales channel", sales), ("the marketing channel", marketing)]
    return [(label, value) for label, value in found if value and ":" in value]
