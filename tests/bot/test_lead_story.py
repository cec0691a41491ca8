"""The whole lead story through dispatch (SPEC §3 "lead"), on every database backend."""

from __future__ import annotations

from datetime import timedelta

from bot.core.outbox import reply_of
from bot.core.replies import Code, Reply, Section, from_json
from storage.models import Campaign
from tests.bot.conftest import Team, buttons_of, text_of


def test_handoff_accept_touch_stage_feedback_won(team: Team) -> None:
    reply = team.say("mara", 'lead handoff Acme Corp email:jo@acme.com name:"Jo Smith" note:"wants a demo" to:@rita')
    assert reply.ok, text_of(reply)
    assert "L-1" in text_of(reply) and "Rita" in text_of(reply)

    card = team.inbox("rita")[-1]
    assert card.kind == "handoff"
    dm = reply_of(card)
    assert buttons_of(dm) == {"Accept": "lead accept L-1", "Reject": "lead reject L-1"}
    assert "Acme Corp" in text_of(dm) and "Jo Smith" in text_of(dm)

    accepted = team.say("rita", buttons_of(dm)["Accept"], source_message=card.id)
    assert accepted.ok and "Accepted by @Rita" in text_of(accepted)
    assert team.inbox("rita")[-1].response_note and "Accepted" in team.inbox("rita")[-1].response_note
    assert [row.kind for row in team.inbox("mara")] == ["accepted"]

    assert "first touch" in team.text("rita", "lead touch L-1 called Jo, demo booked")
    assert "Qualification" in team.text("rita", "lead stage L-1 qualification")
    assert "4/5" in team.text("rita", "lead feedback L-1 4 great-fit budget approved")
    told = reply_of(team.inbox("mara")[-1])
    assert team.inbox("mara")[-1].kind == "feedback" and "4/5" in text_of(told) and "great-fit" in text_of(told)
    assert "won" in team.text("rita", "lead won L-1 $25k signed after the demo")

    lead = team.lead(1)
    assert (lead.status, lead.stage, lead.amount) == ("won", 2, 25_000)
    assert lead.first_touch_at is not None and lead.closed_at is not None and lead.nag_due_at is None
    assert team.events(1) == ["handoff", "accept", "first_touch", "stage", "feedback", "won"]
    assert [row.kind for row in team.inbox("mara")] == ["accepted", "feedback", "won"]


def test_lead_show_has_the_event_trail(team: Team) -> None:
    team.say("mara", "lead handoff Globex to:@sam")
    team.say("sam", "lead accept L-1")
    team.say("sam", "lead touch L-1 intro call")
    shown = team.text("rita", "lead show L-1")
    assert "History" in shown
    assert shown.index("handed off") < shown.index("accepted") < shown.index("first touch: intro call")
    assert "@Mara handed off to Sam" in shown and "@Sam accepted" in shown and "@Sam first touch" in shown
    assert team.say("mara", "lead reassign L-1 to:@rita").ok
    assert "@Mara reassigned to Rita" in team.text("rita", "lead show L-1")


def test_reject_returns_the_lead_to_marketing_with_the_reason(team: Team) -> None:
    team.say("mara", "lead handoff Initech to:@sam")
    reply = team.say("sam", "lead reject L-1 student project, no budget")
    assert reply.ok and "Rejected" in text_of(reply)
    assert team.lead(1).status == "rejected"
    notice = team.inbox("mara")[-1]
    assert notice.kind == "rejected" and "student project, no budget" in text_of(reply_of(notice))


def test_reject_needs_a_reason_and_changes_nothing_without_one(team: Team) -> None:
    team.say("mara", "lead handoff Initech to:@sam")
    reply = team.say("sam", "lead reject L-1")
    assert not reply.ok and "why" in text_of(reply).lower()
    assert team.lead(1).status == "handed_off"


def test_reassign_a_rejected_lead_hands_it_off_again(team: Team) -> None:
    team.say("mara", "lead handoff Initech to:@sam")
    team.say("sam", "lead reject L-1 wrong territory")
    reply = team.say("mara", "lead reassign L-1 to:@rita")
    assert reply.ok, text_of(reply)
    lead = team.lead(1)
    assert lead.status == "handed_off" and lead.owner_id == team.member("rita").id
    assert team.inbox("rita")[-1].kind == "handoff"
    assert team.say("rita", "lead accept L-1").ok
    assert team.events(1) == ["handoff", "reject", "reassign", "accept"]


def test_marketing_reassigns_a_rejected_lead_from_the_notice_with_one_click(team: Team) -> None:
    team.say("mara", "lead handoff Initech to:@sam")
    team.say("sam", "lead reject L-1 wrong territory")
    notice = team.inbox("mara")[-1]
    assert buttons_of(reply_of(notice)) == {"Reassign": "lead reassign L-1"}
    assert buttons_of(team.say("mara", "lead show L-1")) == {"Reassign": "lead reassign L-1"}
    assert buttons_of(team.say("sam", "lead show L-1")) == {}  # the rep who rejected it cannot reassign
    # the button's prompt answer follows its command, as every platform sends it
    assert team.say("mara", "lead reassign L-1 @rita", source_message=notice.id).ok
    assert team.lead(1).owner_id == team.member("rita").id and team.inbox("rita")[-1].kind == "handoff"
    # a DM's first line is its notification: it names the company
    assert reply_of(team.inbox("rita")[-1]).summary == "🤝 @Mara reassigned a lead to you: Initech."
    assert reply_of(team.inbox("sam")[0]).summary == "🤝 @Mara handed you a new lead: Initech."
    assert buttons_of(team.say("mara", "lead show L-1")) == {}  # handed off again: nothing left to reassign


def test_self_sourced_lead_is_owned_and_accepted_by_the_rep(team: Team) -> None:
    reply = team.say("rita", "lead add Umbrella Ltd email:ceo@umbrella.test note:met at trade fair")
    assert reply.ok, text_of(reply)
    lead = team.lead(1)
    assert (lead.status, lead.source, lead.owner_id) == ("accepted", "sales", team.member("rita").id)
    assert lead.marketer_id is None
    assert team.say("rita", "lead touch L-1").ok


def test_round_robin_routes_among_reps_in_turn(team: Team) -> None:
    owners = []
    for company in ("A", "B", "C", "D"):
        assert team.say("mara", f"lead handoff {company}").ok
    for number in range(1, 5):
        owners.append(team.lead(number).owner_id)
    rita, sam = team.member("rita").id, team.member("sam").id
    assert owners == [rita, sam, rita, sam]


def test_no_rep_means_unassigned_and_the_marketing_channel_is_told(team: Team) -> None:
    team.say("mara", "tandem settings marketing_channel #marketing")
    for who in ("rita", "sam"):
        assert team.say("mara", f"tandem role {who}@t-acme.test marketer").ok
    reply = team.say("mara", "lead handoff Lonely Inc")
    assert "unassigned" in text_of(reply)
    assert team.lead(1).status == "unassigned"
    with team.runtime.db.session() as s:
        from sqlmodel import select

        from storage.models import Outbox

        posts = s.exec(select(Outbox).where(Outbox.target_channel == "playground:#marketing")).all()
    assert len(posts) == 1 and "Lonely Inc" in text_of(from_json(posts[0].payload))
    assert buttons_of(from_json(posts[0].payload)) == {"Assign": "lead reassign L-1"}
    assert team.say("mara", "lead reassign L-1 rita@t-acme.test").ok and team.lead(1).status == "handed_off"


def test_lead_list_filters(team: Team) -> None:
    team.say("mara", "lead handoff Alpha to:@rita")
    team.say("mara", "lead handoff Beta to:@sam")
    team.say("mara", "lead handoff Gamma to:@rita")
    team.say("rita", "lead accept L-3")
    team.say("rita", "lead touch L-3")
    assert "(2)" in team.text("rita", "lead list mine")
    unworked = team.text("mara", "lead list unworked")
    assert "Alpha" in unworked and "Beta" in unworked and "Gamma" not in unworked
    assert "Alpha  🟡 Waiting to be accepted · @Rita" in unworked
    assert "Beta  🟡 Waiting to be accepted · @Sam" in unworked
    of_sam = team.text("mara", "lead list all owner:@sam")
    assert of_sam.startswith("All leads owned by Sam (1)") and "Beta" in of_sam and "Alpha" not in of_sam
    mine = team.text("sam", "lead list all")
    assert mine.startswith("All your leads (1)") and "Beta" in mine and "Alpha" not in mine  # reps see their own
    assert team.text("rita", "lead list unworked").startswith("Your unworked leads (1)")
    refused = team.say("rita", "lead list owner:@sam")
    assert not refused.ok and "Reps see their own leads" in text_of(refused)
    assert team.text("rita", "lead list all owner:@rita").startswith("All your leads (2)")


def test_lead_list_shows_twenty_newest_and_counts_the_rest(team: Team) -> None:
    for n in range(25):
        team.say("mara", f"lead handoff Company{n:02d} to:@rita")
    listed = team.text("mara", "lead list all")
    assert "Company24" in listed and "Company05" in listed and "Company04" not in listed
    assert "…and 5 more" in listed


def test_criteria_versions_keep_author_and_date(team: Team) -> None:
    assert "No qualified-lead criteria yet" in team.text("rita", "lead criteria")
    assert team.say("dana", "lead criteria set Budget confirmed and a decision maker involved").ok
    team.runtime.clock.advance(timedelta(days=3))  # type: ignore[attr-defined]
    assert team.say("dana", "lead criteria set Budget, decision maker, need within 6 months").ok
    shown = team.text("rita", "lead criteria")
    assert "version 2" in shown and "need within 6 months" in shown and "Dana" in shown
    assert "v1" in shown


def test_illegal_moves_are_refused_and_change_nothing(team: Team) -> None:
    team.say("mara", "lead handoff Acme to:@rita")
    assert "Accept L-1 first" in team.text("rita", "lead touch L-1")
    assert "only accepted leads can be won" in team.text("rita", "lead won L-1")
    team.say("rita", "lead reject L-1 duplicate of L-0")
    refused = team.say("rita", "lead won L-1")
    assert not refused.ok and "rejected" in text_of(refused)
    assert team.lead(1).status == "rejected"
    assert team.events(1) == ["handoff", "reject"]


def test_feedback_replaces_the_earlier_score_of_the_same_person(team: Team) -> None:
    team.say("mara", "lead handoff Acme to:@rita")
    team.say("rita", "lead feedback L-1 2 no-budget")
    assert "Updated your rating" in team.text("rita", "lead feedback L-1 4 great-fit")
    assert "4.0 / 5 (1 rating)" in team.text("mara", "lead show L-1")
    assert "not a score" in team.text("rita", "lead feedback L-1 9")


def test_a_button_is_a_command_and_works_by_typing(team: Team) -> None:
    team.say("mara", "lead handoff Acme to:@rita")
    team.say("rita", "lead accept L-1")
    card = team.say("rita", "lead show L-1")
    labels = buttons_of(card)
    assert labels["Log touch"] == "lead touch L-1"
    assert team.say("rita", labels["Log touch"] + " sent the deck").ok
    assert team.say("rita", labels["Stage → Approach"]).ok
    assert team.lead(1).stage == 1


def test_a_colon_word_in_a_note_stays_where_it_was_typed(team: Team) -> None:
    team.say("mara", "lead handoff Acme to:@rita")
    team.say("rita", "lead accept L-1")
    assert team.say("rita", "lead touch L-1 called re:pricing today, then sent the deck").ok
    assert "first touch: called re:pricing today, then sent the deck" in team.text("rita", "lead show L-1")


def test_an_unknown_campaign_names_the_ones_there_are(team: Team) -> None:
    assert "This workspace has no campaigns yet." in team.text("mara", "lead handoff Acme campaign:webinar")
    workspace_id = team.member("mara").workspace_id
    with team.runtime.db.session() as s:
        for number, name in enumerate(("Q4 Webinar", "Spring Expo"), start=1):
            s.add(Campaign(workspace_id=workspace_id, number=number, name=name, created_at=team.runtime.clock.now()))
    answer = team.text("mara", "lead handoff Acme campaign:summit")
    assert "no campaign called `summit`" in answer and "Campaigns here: “Q4 Webinar”, “Spring Expo”." in answer
    assert team.say("mara", "lead handoff Acme campaign:q4 to:@rita").ok  # a unique prefix is enough
    assert "Q4 Webinar" in team.text("rita", "lead show L-1")


def test_accepting_suggests_the_next_command_as_one_to_copy(team: Team) -> None:
    team.say("mara", "lead handoff Acme to:@rita")
    intro = team.say("rita", "lead accept L-1").blocks[0]
    assert isinstance(intro, Section)
    assert Code(text="lead touch L-1") in intro.text and "log your first touch with lead touch L-1." in text_of(
        Reply(blocks=(intro,))
    )


def test_an_accepted_lead_is_not_rejected_but_reported_lost(team: Team) -> None:
    team.say("mara", "lead handoff Acme to:@rita")
    team.say("rita", "lead accept L-1")
    refused = team.say("rita", "lead reject L-1 no budget after all")
    assert not refused.ok
    assert "L-1 is already accepted. To close it, report it lost: `lead lost L-1 <reason>`." in text_of(refused)
    team.say("rita", "lead stage L-1 qualification")
    refused = team.say("rita", "lead reject L-1")  # the state is the news, before the missing reason
    assert (
        "L-1 is already accepted (stage 2: qualification). To close it, report it lost: "
        "`lead lost L-1 <reason>`." in text_of(refused)
    )
    assert (team.lead(1).status, team.events(1)) == ("accepted", ["handoff", "accept", "stage"])
    assert [row.kind for row in team.inbox("mara")] == ["accepted"]  # marketing heard nothing more
    assert team.say("rita", "lead lost L-1 budget").ok


def test_clashing_feedback_tags_are_refused_with_the_reason(team: Team) -> None:
    team.say("mara", "lead handoff Acme to:@rita")
    refused = team.say("rita", "lead feedback L-1 3 great-fit no-budget")
    assert not refused.ok
    answer = text_of(refused)
    assert "`great-fit` says L-1 fits the criteria, but `no-budget` says it falls short" in answer
    assert "either positive (`great-fit`) or negative" in answer
    assert "`lead feedback L-1 3 great-fit budget only next year`" in answer
    assert "and `student` say it falls short" in team.text("rita", "lead feedback L-1 2 no-need student great-fit")
    assert team.events(1) == ["handoff"] and team.inbox("mara") == []
    assert "(1 rating)" not in team.text("mara", "lead show L-1")
    assert team.say("rita", "lead feedback L-1 2 no-budget student").ok  # negative tags go together


def test_a_marketer_lists_the_leads_they_handed_off(team: Team) -> None:
    empty = team.text("mara", "lead list handed")
    assert empty.startswith("Your hand-offs (0)") and "`lead handoff <company>`" in empty
    team.say("mara", "lead handoff Alpha to:@rita")
    team.say("mara", "lead handoff Beta to:@sam")
    team.say("dana", "lead handoff Gamma to:@rita")
    team.say("rita", "lead accept L-1")
    team.say("sam", "lead reject L-2 wrong territory")
    handed = team.text("mara", "lead list handed")
    assert handed.startswith("Your hand-offs (2)") and "Gamma" not in handed
    assert handed.index("L-2 Beta  ↩️ Rejected · @Sam") < handed.index("L-1 Alpha  🟢 Accepted · @Rita")  # newest first
    assert team.text("mara", "lead list handed owner:@rita").startswith("Your hand-offs owned by Rita (1)")


def test_a_marketers_empty_list_of_own_leads_points_to_their_hand_offs(team: Team) -> None:
    team.say("mara", "lead handoff Alpha to:@rita")
    mine = team.text("mara", "lead list mine")
    assert mine == "Your open leads (0)\nYou own no open leads. Your hand-offs: `lead list handed`"
    assert "lead list handed" not in team.text("dana", "lead list mine owner:@sam")  # a filter explains itself
    assert "lead list handed" not in team.text("sam", "lead list mine")  # reps hand nothing off
    assert "mine|handed|unworked|open|all" in team.text("rita", "lead list help")


def test_history_times_name_their_time_zone(team: Team) -> None:
    team.say("mara", "tandem settings timezone Europe/Berlin")
    team.say("mara", "lead handoff Acme to:@rita")  # Tuesday 10 March 2026, 10:00 UTC
    assert "Tue 10 Mar 11:00 CET @Mara handed off to Rita" in team.text("rita", "lead show L-1")
