"""`lead won <id> [amount] [reason]` (SPEC §3): a plausible amount is kept to the cent and answered formatted;
a word that starts like a number but is no plausible amount is refused with the forms accepted, never taken
as the reason."""

from __future__ import annotations

import pytest

from tests.bot.conftest import Team, text_of


@pytest.fixture
def accepted(team: Team) -> Team:
    """L-1 Acme, accepted by Rita."""
    assert team.say("mara", "lead handoff Acme to:@rita").ok
    assert team.say("rita", "lead accept L-1").ok
    return team


def test_a_won_amount_keeps_its_cents_and_the_answer_shows_it(accepted: Team) -> None:
    reply = accepted.say("rita", "lead won L-1 25,000.50 signed after the demo")
    assert reply.ok and text_of(reply) == "🏆 Congratulations! L-1 Acme is won, for 25,000.50."
    lead = accepted.lead(1)
    assert (lead.status, lead.amount, lead.outcome_reason) == ("won", 25_000.50, "signed after the demo")
    shown = accepted.text("rita", "lead show L-1")
    assert "Amount: 25,000.50" in shown and "won: 25,000.50 · signed after the demo" in shown


@pytest.mark.parametrize(
    ("said", "amount", "shown"),
    [("$25k", 25_000, "25,000"), ("1.2m", 1_200_000, "1,200,000"), ("€1,234.56", 1_234.56, "1,234.56")],
)
def test_short_and_symbol_forms_are_read(accepted: Team, said: str, amount: float, shown: str) -> None:
    assert f"is won, for {shown}." in accepted.text("rita", f"lead won L-1 {said}")
    assert accepted.lead(1).amount == amount and accepted.lead(1).outcome_reason is None


@pytest.mark.parametrize(
    ("said", "why"),
    [
        ("-500", "Amounts are positive"),
        ("1e99", "Scientific notation"),
        ("0", "zero amount"),
        ("2000000000000", "more than 1,000,000,000,000"),
        ("1.234,56", "Use a dot for cents"),
        ("25,000.5.0", "is not an amount"),
    ],
)
def test_an_implausible_amount_is_refused_and_nothing_changes(accepted: Team, said: str, why: str) -> None:
    reply = accepted.say("rita", f"lead won L-1 {said} great quarter")
    answer = text_of(reply)
    assert not reply.ok and why in answer, answer
    assert "Write amounts like 25000, 25,000.50, $25k or 1.2m" in answer and "Usage: lead won <id>" in answer
    lead = accepted.lead(1)
    assert (lead.status, lead.amount, lead.outcome_reason) == ("accepted", None, None)
    assert accepted.inbox("mara")[-1].kind == "accepted"  # marketing was not told of a win


def test_a_reason_that_starts_with_a_number_goes_in_quotes(accepted: Team) -> None:
    refused = accepted.text("rita", "lead won L-1 3rd demo did it")
    assert "`3rd` can't be the amount" in refused and 'lead won L-1 "3rd demo did it"' in refused
    reply = accepted.say("rita", 'lead won L-1 "3rd demo did it"')
    assert reply.ok and text_of(reply).endswith("is won.")
    assert (accepted.lead(1).amount, accepted.lead(1).outcome_reason) == (None, "3rd demo did it")


def test_a_won_with_only_a_reason_records_no_amount(accepted: Team) -> None:
    assert accepted.say("rita", "lead won L-1 signed, renewal in a year").ok
    assert (accepted.lead(1).amount, accepted.lead(1).outcome_reason) == (None, "signed, renewal in a year")
