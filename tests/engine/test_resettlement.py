"""Resettlement and its feedback: remittances from those in touch with home, and savings
that pay brokers to bring relatives out."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest

from tumen.engine import ledger

from .conftest import FEE, engine_run, hiding_at, simulate, simulate_with_context, tiny

REMITTANCE = 1200.0
N = 60


def arrivals_in_january(recontact: float, **parameters: Any):
    """N escapees who reach Seoul in January 2001 (rescued on day 1), in a two-year run."""
    return tiny(
        period={"end": "2002-12-31"},
        population={"initial": [hiding_at("yanbian", N)]},
        parameters={"hiding": {"referral": 1.0},
                    "finance": {"rescue_budget_usd_per_year": 1e8},
                    "resettlement": {"recontact": recontact,
                                     "remittance_usd_per_year": REMITTANCE},
                    **parameters},
    )


def test_those_in_touch_remit_the_yearly_amount_each() -> None:
    """Recontact 1: all N send home the yearly remittance each, so 2002 (the first whole
    year in Seoul) brings N times it, up to the month money is sent in."""
    results = simulate(arrivals_in_january(1.0))
    annual = results.annual.set_index("year")
    assert annual.loc[2001, "arrivals_sk"] == N
    assert annual.loc[2002, "remittances_usd"] == pytest.approx(N * REMITTANCE, rel=31 / 365)
    assert annual.loc[2001, "remittances_usd"] == pytest.approx(N * REMITTANCE, rel=62 / 365)


def test_only_those_who_recontact_family_remit() -> None:
    """Recontact 0 sends nothing; at 0.5 the remittances follow those actually in touch."""
    nobody = simulate(arrivals_in_january(0.0))
    assert nobody.annual["remittances_usd"].sum() == 0.0
    half, ctx = simulate_with_context(arrivals_in_january(0.5), seed=3)
    in_touch = ctx.diaspora.in_contact
    assert 0 < in_touch < N
    remitted = half.annual.set_index("year").loc[2002, "remittances_usd"]
    assert remitted == pytest.approx(in_touch * REMITTANCE, rel=31 / 365)


def test_families_resettled_before_the_run_remit_every_day_of_it() -> None:
    """Families already in the South before the run are in touch from day 0: over the
    whole run they send exactly the yearly amount times the years."""
    scenario = tiny(period={"end": "2002-06-30"},
                    population={"resettled_before": N},
                    parameters={"resettlement": {"recontact": 1.0, "recontact_before": 1.0,
                                                 "remittance_usd_per_year": REMITTANCE}})
    results = simulate(scenario)
    days = len(results.daily)
    assert results.annual["remittances_usd"].sum() == pytest.approx(N * REMITTANCE * days / 365)


def chain_scenario(relatives: int, in_china_share: float = 0.0, broker_fee: float = FEE,
                   end: str = "2001-12-31"):
    """N families in touch from day 0 save 2,055 dollars a year each for relatives. The
    relatives who leave home are all caught at the river, so no arrival feeds the loop."""
    return tiny(
        period={"end": end},
        population={"resettled_before": N, "initial": [hiding_at("yanbian", 400)]},
        parameters={
            "crossing": {"detection": 1.0},
            "intake": {"broker_fee_usd": broker_fee},
            "resettlement": {"recontact": 1.0, "recontact_before": 1.0,
                             "chain_savings_usd_per_year": 2055.0,
                             "relatives_max": relatives, "chain_fee_usd": FEE,
                             "chain_in_china_share": in_china_share},
        },
    )


@pytest.mark.parametrize(("relatives", "expected"), [
    (5, int(N * 2055.0 // FEE)),  # the savings decide: 123,300 dollars at 1,000 each
    (1, N),  # each family has one relative left to bring out
])
def test_savings_pay_for_chain_escapes_from_home(relatives: int, expected: int) -> None:
    """A year's savings pay brokers for relatives to leave home, fee by fee, up to the
    relatives families have."""
    results = simulate(chain_scenario(relatives))
    assert results.daily["chain_departures"].sum() == expected
    chain = results.ledger.groupby("account")["usd"].sum()["chain_funding"]
    assert chain == pytest.approx(expected * FEE)


def test_savings_reach_relatives_already_hiding_in_china() -> None:
    """All relatives paid for are in China: each gets the broker fee, and no one leaves
    home; what the escapees hold is exactly what was sent."""
    results, ctx = simulate_with_context(chain_scenario(5, in_china_share=1.0))
    funded = int(results.daily["chain_funded_in_china"].sum())
    assert funded == N * 2055.0 // FEE
    assert results.daily["chain_departures"].sum() == 0
    assert ctx.pop.funds.sum() == pytest.approx(funded * FEE)


def test_relatives_are_never_paid_for_with_money_not_yet_saved() -> None:
    """When a broker from China costs more than one from home, the mix of relatives drawn
    could cost more than the savings; the savings must never go below zero."""
    lowest = [0.0]
    book = ledger.Ledger.book

    def watched(self: ledger.Ledger, flow: str, usd: float, day: int) -> None:
        book(self, flow, usd, day)
        lowest[0] = min(lowest[0], self.balance["resettled_savings"])

    with mock.patch.object(ledger.Ledger, "book", watched):
        for seed in range(3):
            ctx = engine_run(chain_scenario(5, in_china_share=0.5, broker_fee=3 * FEE), seed)
            assert ctx.recorder.flows["chain_funded_in_china"].sum() > 0
    assert lowest[0] >= -1e-6


def test_near_free_brokers_bring_every_relative_out_at_the_first_settlement() -> None:
    """Fees of 1e-320 dollars: the savings could pay for more relatives than any number can
    hold, so all the relatives families have leave at once, on the first settlement day."""
    scenario = tiny(
        population={"resettled_before": N},
        parameters={"crossing": {"detection": 1.0},
                    "intake": {"broker_fee_usd": 1e-320},
                    "resettlement": {"recontact": 1.0, "recontact_before": 1.0,
                                     "chain_savings_usd_per_year": 10.0,
                                     "relatives_max": 1, "chain_fee_usd": 1e-320,
                                     "chain_in_china_share": 0.5}})
    daily = simulate(scenario).daily
    first = int(daily["chain_departures"].to_numpy().nonzero()[0][0])
    assert daily["chain_departures"].iloc[first] == N == daily["chain_departures"].sum()
