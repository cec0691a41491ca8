"""Errors a user can fix; dispatch turns each into a friendly reply."""

from __future__ import annotations


class TandemError(Exception):
    """Base for errors whose message is safe to show to the person who asked."""


class UsageError(TandemError):
    def __init__(self, message: str, usage: str | None = None) -> None:
        super().__init__(message)
        self.usage = usage


class NotAllowed(TandemError):
    """The caller's role or relation to the thing does not permit the command."""


class NotFound(TandemError):
    """An id or name that does not exist in the caller's workspace."""


class Conflict(TandemError):
    """A move the lead's current state forbids (accepting a won lead, ...)."""
