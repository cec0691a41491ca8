"""handle(request) → Reply: who is asking, which handler, which role is needed. The one place where
user-fixable errors become friendly replies and anything else becomes a short apology."""

from __future__ import annotations

import logging
import threading
import uuid
from collections import Counter
from dataclasses import dataclass, replace
from difflib import get_close_matches

from sqlmodel import Session

from bot.core import people
from bot.core.clock import Clock, SystemClock
from bot.core.commands import CommandSpec, Registry
from bot.core.config import Settings
from bot.core.context import Context
from bot.core.errors import NotAllowed, NotFound, TandemError, UsageError
from bot.core.grammar import Command, UserRef, parse
from bot.core.options import Options, describe, parse_options
from bot.core.replies import Block, Reply, b, code, context, p, say, section
from bot.core.request import Request
from storage.db import Database
from storage.models import Outbox, Workspace

log = logging.getLogger("tandem.dispatch")


@dataclass(frozen=True)
class Answer:
    reply: Reply
    unmet: tuple[UserRef, ...] = ()  # people named by id or e-mail whom Tandem has not met


class Dispatcher:
    def __init__(self, db: Database, settings: Settings, registry: Registry, clock: Clock | None = None) -> None:
        self.db = db
        self.settings = settings
        self.registry = registry
        self.clock = clock or SystemClock()
        self.counts: Counter[tuple[str, str]] = Counter()  # (command, outcome) → answers, for /metrics
        self._count_lock = threading.Lock()

    def handle(self, request: Request) -> Reply:
        return self.answer(request).reply

    def answer(self, request: Request) -> Answer:
        """The reply, and who the command named that Tandem has not met (nothing was changed then): an adapter
        with a directory looks them up and asks again with ``Request.named``."""
        name = ["unknown"]
        unclosed: list[str] = []
        unmet: tuple[UserRef, ...] = ()
        try:
            reply = self._handle(request, name, unclosed)
            outcome = "ok" if reply.ok else "refused"
        except people.Unmet as error:
            reply, outcome, unmet = error_reply(error), "refused", (error.ref,)
        except TandemError as error:
            reply, outcome = error_reply(error), "refused"
        except Exception:
            request_id = uuid.uuid4().hex[:8]
            log.exception(
                "command failed [request %s] platform=%s team=%s", request_id, request.platform, request.team_id
            )
            reply, outcome = (
                say(
                    "Sorry — something went wrong on my side and nothing was changed. ",
                    p("If it happens again, give your admin this reference: "),
                    code(request_id),
                    ok=False,
                ),
                "error",
            )
        with self._count_lock:
            self.counts[(name[0], outcome)] += 1
        return Answer(with_quote_note(reply, unclosed[0]) if unclosed else reply, unmet)

    def _handle(self, request: Request, name: list[str], unclosed: list[str]) -> Reply:
        text = request.text.strip()
        if text.startswith("/"):
            text = text[1:]
        command = parse(text)
        if command.unclosed is not None:
            unclosed.append(command.unclosed)
        words = [w.text for w in command.words]
        if not words or words[0].lower() == "help" or [w.lower() for w in words[:2]] == ["tandem", "help"]:
            name[0] = "help"  # `tandem help` too: where every command is a word of its own, `help` is not one
            return self._help(words[1:2] if words and words[0].lower() == "help" else [])
        spec, used = self.registry.lookup(words)
        if spec is None:
            return self._unknown(words)
        name[0] = spec.name
        if [w.lower() for w in words[used : used + 1]] == ["help"] and not command.options:
            # `tool help`: the word is a command of its own (`tool <query>`), but help means the whole group
            group = self.registry.under(spec.path[0])
            return _group_help(group) if len(spec.path) == 1 and len(group) > 1 else usage_reply(spec)
        _check_options(spec, command)
        opts = parse_options(spec.options, command.option_tokens, usage=spec.usage)
        args = [w.text for w in command.words][used:]  # options kept as text are words now, in place
        with self.db.session() as session:
            ctx = self._context(session, request, command, opts)
            if not people.has_role(ctx.me, spec.role):
                raise NotAllowed(_refusal(session, ctx.workspace_id, spec, ctx.me.role))
            reply = spec.handler(ctx, args)
            if request.source_message is not None and reply.ok:
                _answer_card(ctx, request.source_message, reply)
            for after in self.registry.after_command:
                after(ctx)
            return reply

    def _context(self, session: Session, request: Request, command: Command, opts: Options) -> Context:
        """Who is asking. A known member whom this request teaches nothing new costs one plain query; a new
        workspace or member, or news about one (name, e-mail, time zone, platform, admin), goes through the
        entities and is written."""
        admins = self.settings.admins
        speaker = people.find_speaker(session, request.platform, request.team_id, request.person.user_id)
        if (
            speaker is not None
            and speaker.member is not None
            and not people.member_changes(speaker.member, request.person, admins)
        ):
            return Context(
                session=session,
                settings=self.settings,
                clock=self.clock,
                workspace_id=speaker.workspace_id,
                me=speaker.member,
                request=request,
                command=command,
                opts=opts,
            )
        workspace = session.get(Workspace, speaker.workspace_id) if speaker is not None else None
        if workspace is None:
            workspace = people.ensure_workspace(
                session, request.platform, request.team_id, request.team_name, self.clock
            )
        actor = people.ensure_member(session, workspace, request.person, admins, self.clock)
        assert workspace.id is not None
        return Context(
            session=session,
            settings=self.settings,
            clock=self.clock,
            workspace_id=workspace.id,
            me=people.MemberRow.of(actor),
            request=request,
            command=command,
            opts=opts,
            _actor=actor,
            _workspace=workspace,
        )

    def _help(self, topic: list[str]) -> Reply:
        if topic and topic[0].lower() in self.registry.top_words:
            return _group_help(self.registry.under(topic[0].lower()))
        if topic and (word := self.registry.word(topic[0].lower())) is not None:
            return _not_yet(word.word)
        lines: list[Block] = [section(b("Tandem"), p(" — sales and marketing, one team. Commands:"))]
        for word in self.registry.built:
            specs = self.registry.under(word.word)
            subs = ", ".join(" ".join(s.path[1:]) or s.path[0] for s in specs)
            lines.append(
                section(code(word.word), p(f" — {word.summary}: {subs}. Try "), code(f"{word.word} {word.example}"))
            )
        lines.append(context("Type `<command> help` for details, e.g. `lead help`; `tandem help` shows this list."))
        return Reply(blocks=tuple(lines))

    def _unknown(self, words: list[str]) -> Reply:
        top = words[0].lower()
        if top in self.registry.top_words:
            specs = self.registry.under(top)
            if (len(words) == 1 or words[1].lower() == "help") and (top,) not in self.registry.specs:
                return _group_help(specs)
            subs = [s.path[1] for s in specs if len(s.path) > 1]
            close = get_close_matches(words[1].lower(), subs, n=2, cutoff=0.5)
            intro = f"`{top} {words[1][:40]}` is not a command."
            if close:
                return say(intro + " Did you mean " + " or ".join(f"`{top} {c}`" for c in close) + "?", ok=False)
            return _group_help(specs, intro=intro)
        if self.registry.word(top) is not None:
            return _not_yet(top)
        close = get_close_matches(top, self.registry.top_words, n=2, cutoff=0.5)
        hint = (" Did you mean " + " or ".join(f"`{c}`" for c in close) + "?") if close else ""
        return say(f"I don't know `{words[0][:40]}`.{hint} Type `help` to see what I can do.", ok=False)


def _not_yet(word: str) -> Reply:
    """A command word of the product (SPEC §3) no feature answers yet: platforms already offer it (the Slack
    manifest lists every word), so it gets an honest answer rather than "I don't know"."""
    return say(f"`{word}` is not part of this version of Tandem yet. Type `help` to see what it can do.", ok=False)


def _check_options(spec: CommandSpec, command: Command) -> None:
    unknown = [o for o in command.option_tokens if o.key not in spec.option_keys]
    if not unknown:
        return
    if spec.free_text:
        command.keep_as_text({o.key for o in unknown})
        return
    first = unknown[0].key
    close = get_close_matches(first, sorted(spec.option_keys), n=1)
    hint = f" Did you mean `{close[0]}:`?" if close else ""
    allowed = ", ".join(f"`{o}:`" for o in sorted(spec.option_keys)) or "none"
    raise UsageError(f"`{spec.name}` has no option `{first}:`.{hint} Its options: {allowed}.", usage=spec.usage)


def _refusal(session: Session, workspace_id: int, spec: CommandSpec, role: str) -> str:
    admins = people.members_with_role(session, workspace_id, "admin")
    names = ", ".join("@" + a.display_name for a in admins[:3]) or "an admin (listed in TANDEM_ADMINS)"
    return (
        f"`{spec.name}` needs the {spec.role} role; you are a {role}. "
        f"{names} can grant it with `tandem role @you {spec.role}`."
    )


def _answer_card(ctx: Context, outbox_id: int, reply: Reply) -> None:
    """Note the outcome on the card whose button was clicked, so nobody clicks twice."""
    row = ctx.session.get(Outbox, outbox_id)
    if row is not None and row.workspace_id == ctx.workspace_id and row.target_member_id == ctx.actor.id:
        row.response_note = reply.summary[:400]
        ctx.session.add(row)


def usage_reply(spec: CommandSpec, intro: str | None = None) -> Reply:
    blocks: list[Block] = []
    if intro:
        blocks.append(section(intro))
    blocks.append(section(b("Usage: "), code(spec.usage)))
    blocks.append(context(spec.summary))
    if spec.options:
        blocks.append(context("Options: " + describe(spec.options)))
    return Reply(blocks=tuple(blocks), ok=intro is None)


def _group_help(specs: list[CommandSpec], intro: str | None = None) -> Reply:
    blocks = [section(intro)] if intro else []
    for spec in specs:
        blocks.append(section(code(spec.usage), p(" — " + spec.summary)))
    return Reply(blocks=tuple(blocks), ok=intro is None)


def with_quote_note(reply: Reply, unclosed: str) -> Reply:
    """The grammar took an unclosed quote as closed at the end of the line; say so, in case that was not meant."""
    shown = unclosed if len(unclosed) <= 40 else unclosed[:39] + "…"
    return replace(reply, blocks=(*reply.blocks, context("I closed the quote you opened at ", code(shown), ".")))


def error_reply(error: TandemError) -> Reply:
    icon = {NotAllowed: "🔒 ", NotFound: "🔍 "}.get(type(error), "⚠️ ")
    blocks = [section(icon + str(error))]
    if isinstance(error, UsageError) and error.usage:
        blocks.append(section(b("Usage: "), code(error.usage)))
    return Reply(blocks=tuple(blocks), ok=False)
