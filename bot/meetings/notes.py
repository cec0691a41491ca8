"""Open items in a meeting's notes: what the next agenda carries over. An item starts with ``- [ ]`` (or ``[ ]``,
``* [ ]``), ``TODO`` or ``action:`` (any case) and runs to the end of its line or to the next marker — a slash
command is one line, so ``meeting done Good call. TODO: Maya shares the list action: Rita books Globex`` holds two
items. A ticked box (``- [x]``) is done and is not carried over."""

from __future__ import annotations

import re

_MARKER = re.compile(r"(?:^|(?<=\s))(?:[-*]\s*)?(\[[ xX]\])|\bTODO\b:?|\baction:", re.IGNORECASE)
MAX_ITEMS = 10
MAX_ITEM = 200


def open_items(notes: str | None) -> list[str]:
    items: list[str] = []
    for line in (notes or "").splitlines():
        markers = list(_MARKER.finditer(line))
        for index, marker in enumerate(markers):
            end = markers[index + 1].start() if index + 1 < len(markers) else len(line)
            text = line[marker.end() : end].strip(" \t-–—;,:")
            ticked = (marker.group(1) or "").lower() == "[x]"
            if text and not ticked:
                items.append(text if len(text) <= MAX_ITEM else text[: MAX_ITEM - 1].rstrip() + "…")
    return items[:MAX_ITEMS]
