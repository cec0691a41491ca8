"""A campaign is named by `C-<n>`, its name or a unique prefix of it, in any case (SPEC §3), whatever the
letters: the lookup is a query, and `%` or `_` typed into a name are only letters."""

from __future__ import annotations

from sqlalchemy import event

from storage.models import Campaign
from tests.bot.conftest import Team


def _campaigns(team: Team, *names: str) -> None:
    workspace_id = team.member("mara").workspace_id
    with team.runtime.db.session() as s:
        for number, name in enumerate(names, start=1):
            s.add(Campaign(workspace_id=workspace_id, number=number, name=name, created_at=team.runtime.clock.now()))


def campaign_of(team: Team, number: int) -> str:
    shown = team.text("mara", f"lead show L-{number}")
    return shown.split("Campaign: ")[1].split(" |")[0].split("\n")[0]


def test_a_campaign_is_found_by_exact_name_unique_prefix_or_number_in_any_case(team: Team) -> None:
    _campaigns(team, "Q4 Webinar", "Q4 Webinar Replay", "Über Summit", "Spring Expo")
    typed_and_found = (
        ('"q4 webinar"', "Q4 Webinar"),  # exact beats the longer name it is a prefix of
        ('"Q4 WEBINAR R"', "Q4 Webinar Replay"),
        ("über", "Über Summit"),
        ('"ÜBER S"', "Über Summit"),
        ("C-4", "Spring Expo"),
        ("spr", "Spring Expo"),
    )
    for number, (typed, expected) in enumerate(typed_and_found, start=1):
        assert team.say("mara", f"lead handoff Company{number} campaign:{typed} to:@rita").ok, typed
        assert campaign_of(team, number) == expected, typed


def test_an_ambiguous_prefix_names_the_campaigns_it_matches(team: Team) -> None:
    _campaigns(team, "Q4 Webinar", "Q4 Roadshow", "Spring Expo")
    answer = team.text("mara", "lead handoff Acme campaign:q4")
    assert "`q4` matches several campaigns: “Q4 Webinar”, “Q4 Roadshow”. Type more of the name." in answer


def test_wildcards_typed_in_a_campaign_name_match_only_themselves(team: Team) -> None:
    _campaigns(team, "Spring Expo", "100% Growth", "Q4_Webinar")
    assert "no campaign called `%`" in team.text("mara", "lead handoff Acme campaign:%")
    assert "no campaign called `_`" in team.text("mara", "lead handoff Acme campaign:_")
    assert "no campaign called `Q4_W_`" in team.text("mara", "lead handoff Acme campaign:Q4_W_")
    assert team.say("mara", "lead handoff Acme campaign:100% to:@rita").ok
    assert campaign_of(team, 1) == "100% Growth"
    assert team.say("mara", "lead handoff Beta campaign:q4_ to:@rita").ok
    assert campaign_of(team, 2) == "Q4_Webinar"


def test_an_unknown_campaign_lists_five_names_and_reads_no_more(team: Team) -> None:
    _campaigns(team, *(f"Campaign {n}" for n in range(1, 201)))
    statements: list[str] = []

    def capture(_conn, _cursor, statement, _parameters, _context, _many):  # type: ignore[no-untyped-def]
        if "FROM campaign" in statement:
            statements.append(statement)

    event.listen(team.runtime.db.engine, "before_cursor_execute", capture)
    try:
        answer = team.text("mara", "lead handoff Acme campaign:summit")
    finally:
        event.remove(team.runtime.db.engine, "before_cursor_execute", capture)
    assert (
        "no campaign called `summit`. Campaigns here: “Campaign 1”, “Campaign 2”, “Campaign 3”, "
        "“Campaign 4”, “Campaign 5”, …." in answer
    )
    assert len(statements) == 3 and all("LIMIT" in statement for statement in statements), statements
