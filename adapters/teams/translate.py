"""Bot Framework activity → Request: who speaks, in which tenant and conversation, and the command text
(the bot's own @mention removed, other mentions rewritten to the mentioned user's Teams id)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from microsoft_teams.api.activities.message.message import MessageActivity
from microsoft_teams.api.models import ActivityBase
from microsoft_teams.api.models.entity.mention_entity import MentionEntity

from adapters.teams.cards import COMMAND_KEY, INPUT_ID, LABEL_KEY, OUTBOX_KEY
from bot.core.request import Person, Request

MAX_COMMAND = 500
MAX_INPUT = 2000


class NotACommand(ValueError):
    """The activity cannot become a command; the message is safe to show to the sender."""


@dataclass(frozen=True)
class MentionedUser:
    user_id: str
    name: str


@dataclass(frozen=True)
class Submit:
    """An Adaptive Card button press: the command, the card's outbox row, and the clicked label."""

    command: str
    outbox_id: int | None
    label: str


def tenant_of(activity: ActivityBase) -> str | None:
    channel_data = activity.channel_data
    if channel_data is not None and channel_data.tenant is not None and channel_data.tenant.id:
        return channel_data.tenant.id
    return activity.conversation.tenant_id or None


def conversation_kind(activity: ActivityBase) -> str:
    """``personal``, ``groupChat`` or ``channel``."""
    kind = activity.conversation.conversation_type
    if kind in ("personal", "groupChat", "channel"):
        return kind
    return (
        "channel"
        if activity.conversation.id.startswith("19:") and ";messageid=" in activity.conversation.id
        else "personal"
    )


def base_conversation_id(conversation_id: str) -> str:
    """A channel thread's id carries ``;messageid=…``; the channel itself is the part before it."""
    return conversation_id.split(";", 1)[0]


def person_of(activity: ActivityBase, email: str | None = None, name: str | None = None) -> Person:
    sender = activity.from_
    return Person(
        platform="teams",
        user_id=sender.id,
        display_name=(name or sender.name or None),
        email=email or sender.email or None,
    )


def _mentions(activity: MessageActivity) -> list[MentionEntity]:
    return [e for e in (activity.entities or []) if isinstance(e, MentionEntity)]


def mentioned_users(activity: MessageActivity) -> list[MentionedUser]:
    """People @mentioned in the message, other than the bot."""
    bot_id = activity.recipient.id
    users = []
    for entity in _mentions(activity):
        mentioned = entity.mentioned
        if mentioned.id and mentioned.id != bot_id and mentioned.id.startswith("29:"):
            users.append(MentionedUser(user_id=mentioned.id, name=mentioned.name or mentioned.id))
    return users


def command_text(activity: MessageActivity) -> str:
    """The typed text without the bot's @mention; people's mentions become their Teams ids so the grammar
    resolves them exactly (a shortened ``<at>Rita</at>`` would otherwise be guessed by name)."""
    text = activity.text or ""
    bot_id = activity.recipient.id
    for entity in _mentions(activity):
        tag = entity.text or (f"<at>{entity.mentioned.name}</at>" if entity.mentioned.name else None)
        if not tag or tag not in text:
            continue
        if entity.mentioned.id == bot_id:
            text = text.replace(tag, " ", 1)
        elif entity.mentioned.id and entity.mentioned.id.startswith("29:"):
            text = text.replace(tag, entity.mentioned.id, 1)
    return text.replace("&nbsp;", " ").strip()


def submit_of(value: Any) -> Submit | None:
    """A card submit carries ``tandem_command``; a prompt button adds the typed line under ``tandem_text``."""
    if not isinstance(value, dict) or COMMAND_KEY not in value:
        return None
    command = value.get(COMMAND_KEY)
    if not isinstance(command, str) or not command.strip() or len(command) > MAX_COMMAND:
        raise NotACommand("That button no longer works; type the command instead.")
    extra = value.get(INPUT_ID)
    if extra is not None:
        if not isinstance(extra, str) or len(extra) > MAX_INPUT:
            raise NotACommand(f"Please keep the text under {MAX_INPUT:,} characters.")
        if extra.strip():
            command = f"{command} {' '.join(extra.split())}"
    outbox = value.get(OUTBOX_KEY)
    label = value.get(LABEL_KEY)
    return Submit(
        command=command.strip(),
        outbox_id=outbox if isinstance(outbox, int) and outbox > 0 else None,
        label=label if isinstance(label, str) else "",
    )


def request_of(activity: MessageActivity, tenant_id: str, person: Person) -> tuple[Request, Submit | None]:
    """The Request for a message or a card submit."""
    channel = base_conversation_id(activity.conversation.id)
    private = conversation_kind(activity) == "personal"  # Teams answers in channels and group chats for all
    submit = submit_of(activity.value)
    if submit is not None:
        return Request(
            person=person,
            team_id=tenant_id,
            text=submit.command,
            channel=channel,
            source_message=submit.outbox_id,
            private=private,
        ), submit
    text = command_text(activity)
    if not text:
        raise NotACommand("Hi! Type `help` to see what I can do.")
    return Request(person=person, team_id=tenant_id, text=text, channel=channel, private=private), None
