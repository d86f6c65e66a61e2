"""Mechanisms that tie the flows to the diaspora and the border: guards deter departures
and thin the brokers' lines at the river, broker and rescue lines are scarce while few
have resettled, women earn less in hiding, and only part of those resettled before the
run are in touch with family."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tumen.engine.states import State

from .conftest import FEE, engine_run, hiding_at, simulate, simulate_with_context, tiny
from .test_departure_crossing import WINDOW, assert_poisson
from .test_resettlement import FAMILIES, chain_scenario, expected_chain


def test_border_security_deters_departures_by_its_elasticity() -> None:
    """Security 4 from April to June with deterrence 0.5 halves the departure rate there
    (4 ** -0.5); elsewhere security is 1 and the rate is the baseline."""
    fence = {"start": "2001-04-01", "end": "2001-06-30", "action": "scale",
             "input": "border_security", "where": "north_korea", "value": 4.0}
    results = simulate(tiny(period={"end": "2001-09-30"}, population={"departures_per_day": 6.0},
                            parameters={"crossing": {"deterrence": 0.5}}, timeline=[fence]))
    departures = results.daily["departures"].to_numpy()
    inside = int(departures[WINDOW].sum())
    assert_poisson(inside, 6.0 * 0.5 * 91)
    assert_poisson(int(departures.sum()) - inside, 6.0 * (departures.size - 91))


def test_without_deterrence_security_leaves_departures_alone() -> None:
    fence = {"start": "2001-04-01", "end": "2001-06-30", "action": "scale",
             "input": "border_security", "where": "north_korea", "value": 4.0}
    results = simulate(tiny(period={"end": "2001-09-30"}, population={"departures_per_day": 6.0},
                            timeline=[fence]))
    assert_poisson(int(results.daily["departures"].to_numpy()[WINDOW].sum()), 6.0 * 91)


def _broker_intakes(resettled_before: int, lines: float) -> int:
    """Broker intakes over 90 days from 5,000 hiding who can all pay, contacting brokers at
    0.1% a day."""
    scenario = tiny(
        period={"end": "2001-03-31"},
        population={"departures_per_day": 0.0, "initial": [hiding_at("yanbian", 5000)],
                    "resettled_before": resettled_before},
        parameters={"hiding": {"broker_contact": 0.001, "earnings_usd_per_day": FEE},
                    "intake": {"broker_lines_resettled": lines}},
    )
    return int(simulate(scenario).annual["broker_intakes"].sum())


def test_broker_lines_are_scarce_while_few_have_resettled() -> None:
    """With a quarter of the resettled population that fills every line, about a quarter
    of the contacts find one (those who do not try again later, so a bit more than a
    quarter of intakes over a short window)."""
    full = _broker_intakes(2500, 0.0)
    quarter = _broker_intakes(2500, 10_000.0)
    assert full > 300
    assert 0.17 <= quarter / full <= 0.35, (quarter, full)
    assert _broker_intakes(2500, 2500.0) == full  # enough resettled: every line is open


def test_women_earn_the_given_fraction_of_mens_wages_in_hiding() -> None:
    scenario = tiny(
        population={"departures_per_day": 0.0, "initial": [hiding_at("yanbian", 6000)]},
        parameters={"hiding": {"earnings_usd_per_day": 2.0, "earnings_women_factor": 0.25}},
    )
    ctx = engine_run(scenario)
    pop = ctx.pop
    hidden = np.flatnonzero(pop.state[: len(pop)] == State.HIDING)
    women = pop.woman[hidden]
    ratio = pop.funds[hidden][women].mean() / pop.funds[hidden][~women].mean()
    assert abs(ratio - 0.25) < 0.03, ratio


def test_the_diaspora_counts_those_resettled_before_and_during_the_run() -> None:
    """Every arrival in the South joins the resettled population; of those resettled
    before the run, `recontact_before` are in touch with family."""
    scenario = tiny(
        population={"departures_per_day": 2.0, "funds_share": 1.0, "resettled_before": 4000},
        parameters={"resettlement": {"recontact_before": 0.3},
                    "hiding": {"broker_contact": 0.05}},
    )
    results, ctx = simulate_with_context(scenario)
    arrivals = int(results.annual["arrivals_sk"].sum())
    assert arrivals > 0
    assert ctx.diaspora.resettled == 4000 + arrivals
    assert abs(ctx.diaspora.in_contact - 1200) <= 5 * np.sqrt(4000 * 0.3 * 0.7)



@pytest.mark.parametrize(("security", "elasticity", "found"),
                         [(4.0, 0.5, 0.5), (4.0, 0.0, 1.0), (1.0, 2.0, 1.0)])
def test_guards_thin_the_broker_lines_for_relatives_at_home(
        security: float, elasticity: float, found: float) -> None:
    """Security 4 with broker deterrence 0.5 lets half the relatives paid for from home
    find a line (4 ** -0.5); the others stay to be paid for later. Without deterrence, or
    at the baseline security, every one finds a line."""
    scenario = chain_scenario(20, families=FAMILIES, security=security,
                              broker_deterrence=elasticity)
    departures = int(simulate(scenario).daily["chain_departures"].sum())
    expected = expected_chain(20, FEE, found=found)
    assert abs(departures - expected) <= 5 * math.sqrt(expected), (departures, expected)


def test_rescue_networks_raise_only_what_their_lines_can_carry() -> None:
    """With a quarter of the resettled population that opens every line, and nobody
    arriving, the networks raise a quarter of their budget."""
    budget = 40_000.0
    scenario = tiny(population={"resettled_before": 1000},
                    parameters={"intake": {"broker_lines_resettled": 4000.0},
                                "finance": {"rescue_budget_usd_per_year": budget}})
    results = simulate(scenario)
    assert results.annual["arrivals_sk"].sum() == 0
    donations = results.ledger.groupby("account")["usd"].sum()["donations"]
    assert donations == pytest.approx(budget / 4 * len(results.daily) / 365)
