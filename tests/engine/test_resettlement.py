"""Resettlement and its feedback: remittances from those in touch with home, and savings
that pay brokers to bring relatives out."""

from __future__ import annotations

import math
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


FAMILIES = 1000
SAVINGS = 2055.0


def chain_scenario(relatives: int, in_china_share: float = 0.0, broker_fee: float = FEE,
                   end: str = "2001-12-31", savings: float = SAVINGS, chain_fee: float = FEE,
                   hidden: int = 400, families: int = N, security: float = 1.0,
                   broker_deterrence: float = 0.0):
    """`families` in touch from day 0 save `savings` dollars a year on average for
    relatives. The relatives who leave home are all caught at the river, so no arrival
    feeds the loop. `security` is North Korea's border security over the whole run."""
    fence = {"start": "2001-01-01", "end": end, "action": "scale", "input": "border_security",
             "where": "north_korea", "value": security}
    return tiny(
        period={"end": end},
        population={"resettled_before": families, "initial": [hiding_at("yanbian", hidden)]},
        timeline=[fence] if security != 1.0 else [],
        parameters={
            "crossing": {"detection": 1.0, "broker_deterrence": broker_deterrence},
            "intake": {"broker_fee_usd": broker_fee},
            "resettlement": {"recontact": 1.0, "recontact_before": 1.0,
                             "chain_savings_usd_per_year": savings,
                             "relatives_max": relatives, "chain_fee_usd": chain_fee,
                             "chain_in_china_share": in_china_share},
        },
    )


def expected_chain(relatives: int, fee: float, savings: float = SAVINGS,
                   found: float = 1.0) -> float:
    """Relatives brought out in a year: a share exp(-fee / savings) of the families with
    relatives left bring one each a year if their broker `found` a line, and a family's
    relatives run out as they come, so relatives left decay as exp(-able * t / relatives)
    and a year brings FAMILIES * relatives * (1 - exp(-able / relatives))."""
    able = found * math.exp(-fee / savings) if savings > 0 else 0.0
    return FAMILIES * relatives * (1 - math.exp(-able / relatives))


@pytest.mark.parametrize("relatives", [20, 1])
def test_families_who_can_afford_the_fee_pay_for_relatives_to_leave_home(relatives: int) -> None:
    results = simulate(chain_scenario(relatives, families=FAMILIES))
    departures = int(results.daily["chain_departures"].sum())
    expected = expected_chain(relatives, FEE)
    assert abs(departures - expected) <= 5 * math.sqrt(expected), (departures, expected)
    chain = results.ledger.groupby("account")["usd"].sum()["chain_funding"]
    assert chain == pytest.approx(departures * FEE)


def test_dearer_brokers_price_families_out() -> None:
    """Doubling the fee leaves only the families whose savings cover twice as much:
    exp(-2F/S) instead of exp(-F/S)."""
    cheap = simulate(chain_scenario(20, families=FAMILIES)).daily["chain_departures"].sum()
    dear = simulate(chain_scenario(20, families=FAMILIES, chain_fee=2 * FEE))
    dear_count = int(dear.daily["chain_departures"].sum())
    expected = expected_chain(20, 2 * FEE)
    assert abs(dear_count - expected) <= 5 * math.sqrt(expected)
    assert dear_count < 0.75 * cheap


@pytest.mark.parametrize(("savings", "fee", "able"), [(0.0, FEE, 0.0), (10.0, 1e-320, 1.0)])
def test_no_savings_bring_nobody_and_free_brokers_everyone_once_a_year(
        savings: float, fee: float, able: float) -> None:
    results = simulate(chain_scenario(1, families=FAMILIES, savings=savings, chain_fee=fee,
                                      broker_fee=fee))
    departures = int(results.daily["chain_departures"].sum())
    expected = FAMILIES * (1 - math.exp(-able))
    assert abs(departures - expected) <= 5 * math.sqrt(max(expected, 1.0))
    if able == 0.0:
        assert departures == 0


def test_savings_reach_relatives_already_hiding_in_china() -> None:
    """All relatives paid for are in China: each gets the broker fee, and no one leaves
    home; what the escapees hold is exactly what was sent."""
    results, ctx = simulate_with_context(
        chain_scenario(20, in_china_share=1.0, families=FAMILIES, hidden=5000))
    funded = int(results.daily["chain_funded_in_china"].sum())
    expected = expected_chain(20, FEE)
    assert abs(funded - expected) <= 5 * math.sqrt(expected)
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


@pytest.mark.parametrize(("grant", "share"), [(2 * FEE, 0.5), (FEE / 2, 0.0)])
def test_arrivals_spend_their_grant_on_a_relative_when_it_covers_the_fee(
        grant: float, share: float) -> None:
    """With no savings, only the grant can pay: half the arrivals (all in touch) send for
    a relative at once when the grant covers the fee, and none when it does not. The
    relatives are all caught at the river, so the loop stops there."""
    scenario = tiny(
        period={"end": "2002-12-31"},
        population={"initial": [hiding_at("yanbian", 2000)]},
        parameters={"hiding": {"referral": 1.0},
                    "crossing": {"detection": 1.0},
                    "finance": {"rescue_budget_usd_per_year": 1e8},
                    "resettlement": {"recontact": 1.0, "chain_savings_usd_per_year": 0.0,
                                     "chain_fee_usd": FEE, "chain_in_china_share": 0.0,
                                     "relatives_max": 2, "grant_usd": grant,
                                     "grant_chain_share": 0.5}},
    )
    results = simulate(scenario)
    arrivals = int(results.annual["arrivals_sk"].sum())
    sent = int(results.daily["chain_departures"].sum())
    expected = arrivals * share
    assert arrivals > 1000
    assert abs(sent - expected) <= 5 * math.sqrt(max(expected * (1 - share), 1.0)), (sent, expected)
    flows = results.ledger.groupby("account")["usd"].sum()
    assert flows.get("grant_set_aside", 0.0) == pytest.approx(sent * FEE)
    assert flows.get("chain_funding", 0.0) == pytest.approx(sent * FEE)
