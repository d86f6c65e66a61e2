"""The double-entry ledger: every flow moves money between two accounts, so the books
always sum to zero, and money in equals money out plus what is held."""

from __future__ import annotations

import numpy as np
import pytest

from tumen.engine.ledger import BALANCES, FLOWS, SINKS, SOURCES, Ledger

# Two years: days 0..364 are 2001, days 365..729 are 2002.
DAY_YEAR = np.repeat(np.array([2001, 2002], dtype=np.int16), 365)


def test_every_flow_runs_between_known_accounts() -> None:
    """Each account is exactly one of source, sink or balance, and every flow joins two
    different ones; money never flows into a source or out of a sink."""
    accounts = SOURCES + SINKS + BALANCES
    assert len(set(accounts)) == len(accounts)
    for flow, (source, target) in FLOWS.items():
        assert source in accounts and target in accounts and source != target, flow
        assert target not in SOURCES, flow
        assert source not in SINKS, flow


def test_a_booking_moves_money_from_one_account_to_the_other() -> None:
    """Donations leave the donors and reach the network; spending it moves it on."""
    ledger = Ledger(DAY_YEAR)
    ledger.book("donations", 1000.0, 3)
    ledger.book("rescue_costs", 400.0, 10)
    assert ledger.balance["donors"] == -1000.0
    assert ledger.balance["rescue_network"] == 600.0
    assert ledger.balance["rescue_spending"] == 400.0
    assert (ledger.money_in(), ledger.money_out(), ledger.held()) == (1000.0, 400.0, 600.0)


def test_the_books_close_whatever_is_booked() -> None:
    """Random bookings on every flow: the accounts sum to zero and in = out + held."""
    rng = np.random.default_rng(0)
    ledger = Ledger(DAY_YEAR)
    flows = sorted(FLOWS)
    for _ in range(2000):
        ledger.book(flows[rng.integers(len(flows))], float(rng.random() * 1e4),
                    int(rng.integers(730)))
    assert sum(ledger.balance.values()) == pytest.approx(0.0, abs=1e-6)
    assert ledger.money_in() == pytest.approx(ledger.money_out() + ledger.held())


def test_flows_are_summed_by_the_year_of_their_day() -> None:
    """A booking counts in its day's calendar year; the table has one row per year and
    flow, in the first year's numbering."""
    ledger = Ledger(DAY_YEAR)
    ledger.book("remittances", 10.0, 0)
    ledger.book("remittances", 5.0, 364)
    ledger.book("remittances", 7.0, 365)
    ledger.book("bribes", 0.0, 400)  # nothing to book
    assert ledger.by_year["remittances"].tolist() == [15.0, 7.0]
    table = ledger.table(2001)
    assert list(table.columns) == ["year", "account", "usd"]
    assert len(table) == 2 * len(FLOWS)
    rows = table[table["account"] == "remittances"]
    assert rows["year"].tolist() == [2001, 2002]
    assert rows["usd"].tolist() == [15.0, 7.0]
    assert table.loc[table["account"] == "bribes", "usd"].sum() == 0.0


def test_an_unknown_flow_is_an_error() -> None:
    """A misspelt flow must not be booked silently."""
    with pytest.raises(KeyError):
        Ledger(DAY_YEAR).book("donation", 1.0, 0)
