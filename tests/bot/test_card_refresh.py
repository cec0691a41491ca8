"""A card's buttons are withdrawn once its lead moves on by another route: a card still waiting to be sent is
rewritten, a sent one gets one rewrite row; the clicked card and cards written by the same command are left."""

from __future__ import annotations

from sqlmodel import col, select

from bot.core.outbox import REWRITE_KIND, reply_of, resolve_target
from bot.core.replies import Buttons, Reply
from storage.models import MemberAccount, Outbox, WorkspaceAccount
from tests.bot.conftest import Team, text_of


def rows(team: Team) -> list[Outbox]:
    with team.runtime.db.session() as s:
        return list(s.exec(select(Outbox).order_by(col(Outbox.id))).all())


def has_buttons(reply: Reply) -> bool:
    return any(isinstance(block, Buttons) for block in reply.blocks)


def mark_sent(team: Team, row_id: int | None, ref: str) -> None:
    """What delivery records once a platform has the message."""
    with team.runtime.db.session() as s:
        row = s.get(Outbox, row_id)
        assert row is not None
        row.status, row.delivered_ref = "sent", ref
        s.add(row)


def test_a_card_not_sent_yet_is_rewritten_without_its_buttons(team: Team) -> None:
    team.say("mara", "lead handoff Acme to:@rita")
    [card] = team.inbox("rita")
    assert has_buttons(reply_of(card))
    assert team.say("rita", "lead accept L-1").ok  # typed, not clicked
    [card] = team.inbox("rita")
    shown = reply_of(card)
    assert not has_buttons(shown) and "Since then: 🟢 Accepted — @Rita" in text_of(shown)
    assert not [row for row in rows(team) if row.kind == REWRITE_KIND]


def test_a_sent_card_gets_one_rewrite_and_only_for_moves(team: Team) -> None:
    team.say("mara", "lead handoff Acme to:@rita")
    [card] = team.inbox("rita")
    mark_sent(team, card.id, "D1:100.1")
    assert team.say("rita", "lead feedback L-1 3 no-budget").ok  # rating is not a move: the buttons still apply
    assert not [row for row in rows(team) if row.kind == REWRITE_KIND]
    assert team.say("rita", "lead accept L-1").ok
    [rewrite] = [row for row in rows(team) if row.kind == REWRITE_KIND]
    assert rewrite.refreshes_id == card.id and rewrite.target_member_id == card.target_member_id
    assert rewrite.status == "pending" and "Since then: 🟢 Accepted" in text_of(reply_of(rewrite))
    assert not has_buttons(reply_of(rewrite))
    assert has_buttons(reply_of(team.inbox("rita")[0]))  # the sent card's own payload is what Slack shows now
    assert team.say("rita", "lead stage L-1 2").ok and team.say("rita", "lead feedback L-1 4").ok
    assert len([row for row in rows(team) if row.kind == REWRITE_KIND]) == 1  # its buttons are gone already


def test_the_clicked_card_is_left_to_its_platform(team: Team) -> None:
    team.say("mara", "lead handoff Acme to:@rita")
    [card] = team.inbox("rita")
    mark_sent(team, card.id, "D1:100.1")
    assert team.say("rita", "lead accept L-1", source_message=card.id).ok
    assert not [row for row in rows(team) if row.kind == REWRITE_KIND]
    assert team.inbox("rita")[0].response_note  # answered: the platform shows the outcome on it


def test_reassigning_settles_the_old_owners_card_and_not_the_new_one(team: Team) -> None:
    team.say("mara", "lead handoff Acme to:@rita")
    [old] = team.inbox("rita")
    mark_sent(team, old.id, "D1:100.1")
    assert team.say("mara", "lead reassign L-1 to:@sam").ok
    [rewrite] = [row for row in rows(team) if row.kind == REWRITE_KIND]
    assert rewrite.refreshes_id == old.id
    assert "Since then: 🟡 Waiting to be accepted — @Mara" in text_of(reply_of(rewrite))
    [new] = team.inbox("sam")
    assert has_buttons(reply_of(new))  # written by the same command: current


def test_a_channel_post_whose_button_was_pressed_is_settled_for_everyone_else(team: Team) -> None:
    team.say("mara", "tandem settings marketing_channel #marketing")
    for who in ("rita", "sam"):
        assert team.say("mara", f"tandem role {who}@t-acme.test marketer").ok
    team.say("mara", "lead handoff Lonely Inc")  # no rep: unassigned, posted to #marketing with an Assign button
    [post] = [row for row in rows(team) if row.kind == "unassigned"]
    mark_sent(team, post.id, "C1:200.2")
    assert team.say("mara", "lead reassign L-1 @rita", source_message=post.id).ok  # Assign, pressed in the channel
    [rewrite] = [row for row in rows(team) if row.kind == REWRITE_KIND]
    assert rewrite.refreshes_id == post.id and rewrite.target_channel == post.target_channel
    assert not has_buttons(reply_of(rewrite)) and "Since then:" in text_of(reply_of(rewrite))


def test_a_rewrite_goes_to_the_platform_its_message_went_to(team: Team) -> None:
    team.say("mara", "lead handoff Acme to:@rita")
    rita = team.member("rita")
    with team.runtime.db.session() as s:  # Rita is on Slack too (a linked workspace), but talks in the playground
        s.add(WorkspaceAccount(workspace_id=rita.workspace_id, platform="slack", external_id="T1"))
        s.add(MemberAccount(workspace_id=rita.workspace_id, member_id=rita.id, platform="slack", external_id="URITA"))
    [card] = team.inbox("rita")
    with team.runtime.db.session() as s:
        usual = resolve_target(s, card)
        pinned = resolve_target(s, card, platform="slack")
    assert usual is not None and usual.platform == "playground"
    assert pinned is not None and (pinned.platform, pinned.team_id, pinned.address) == ("slack", "T1", "URITA")
