"""People a command names whom Tandem has not met yet — a new team's admin sets roles before anyone has spoken.
Dispatch runs first and answers who they are (by id or e-mail); the platform's directory looks them up, off the
database lane, and the command runs again knowing them (``Request.named``). A command that names nobody new runs
once, with no platform call."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace

from bot.core.grammar import UserRef
from bot.core.replies import Reply
from bot.core.request import Named, Request
from bot.core.runtime import Runtime

LookUp = Callable[[Sequence[UserRef]], Awaitable[Sequence[Named]]]
MAX_ROUNDS = 3  # dispatch stops at the first stranger, so a round meets one; commands name one or two


async def answer(runtime: Runtime, request: Request, look_up: LookUp) -> Reply:
    """Dispatch ``request``, looking up through ``look_up`` anyone it names whom Tandem has not met."""
    result = await runtime.db.run(runtime.dispatcher.answer, request)
    for _ in range(MAX_ROUNDS):
        asked = {named.ref for named in request.named}
        wanted = [ref for ref in result.unmet if ref.key is not None and ref.key not in asked]
        if not wanted:
            break
        found = tuple(await look_up(wanted))
        request = replace(request, named=request.named + found)
        result = await runtime.db.run(runtime.dispatcher.answer, request)
    return result.reply
