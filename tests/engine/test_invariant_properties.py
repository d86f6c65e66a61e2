"""Invariants as properties: over random small scenarios (rates, hazards, budgets,
capacities, what cells know, closures, raids and airlifts), nobody is lost or counted
twice and every dollar is booked."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tumen.engine.ledger import BALANCES, FLOWS, SINKS, SOURCES
from tumen.engine.population import NEVER
from tumen.engine.states import STATE_NAMES, TERMINAL_STATES, State
from tumen.scenario.schema import Input

from .conftest import (
    CELLS,
    HOUSES,
    LEGS,
    RICH_LOCATIONS,
    busy_sections,
    simulate_with_context,
    tiny,
)

START = dt.date(2001, 1, 1)
PLACES = ["all", "north_korea", "china", "laos", "mongolia", "thailand", "south_korea"]
# Inputs read for one country only (the loader refuses a scale anywhere else).
READ_FOR = {"push": "north_korea", "broker_fees": "north_korea", "repatriation": "north_korea",
            "rescue_budget": "south_korea", "thai_processing": "thailand",
            "thai_arrests": "thailand"}


def rate(high: float) -> st.SearchStrategy[float]:
    return st.floats(0.0, high, allow_nan=False)


def days(high: float) -> st.SearchStrategy[dict[str, float]]:
    sd = st.one_of(st.just(0.0), st.floats(0.01, high / 2))
    return st.fixed_dictionaries({"mean": st.floats(1.0, high), "sd": sd})


@st.composite
def events(draw: st.DrawFn, n_days: int) -> dict[str, Any]:
    first = draw(st.integers(0, n_days - 1))
    last = draw(st.integers(first, n_days - 1))
    start, end = str(START + dt.timedelta(first)), str(START + dt.timedelta(last))
    action = draw(st.sampled_from(["scale", "scale", "close_route", "raid", "airlift"]))
    if action == "scale":
        name = draw(st.sampled_from([name.value for name in Input]))
        places = ["all", READ_FOR[name]] if name in READ_FOR else PLACES
        return {"start": start, "end": end, "action": "scale", "input": name,
                "where": draw(st.sampled_from(places)), "value": draw(st.floats(0.0, 4.0)),
                "ramp_days": draw(st.integers(0, 60))}
    if action == "close_route":
        where = st.sampled_from([leg[0] for leg in LEGS] + ["yanbian", "kunming", *PLACES])
        return {"start": start, "end": end, "action": "close_route", "where": draw(where)}
    where = draw(st.sampled_from(["yanbian", "kunming", "vientiane", "ulaanbaatar"]))
    if action == "raid":
        return {"start": start, "action": "raid", "where": where}
    return {"start": start, "action": "airlift", "where": where,
            "target": draw(st.sampled_from(["seoul", "washington"]))}


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """A random small scenario as the sections merged into the tiny one."""
    n_days = draw(st.integers(30, 400))
    routes = [
        {"id": id_, "from": source, "to": target, "mode": mode, "days": draw(days(8.0)),
         "cost_usd": draw(rate(300.0)), "risk": draw(rate(0.3))}
        for id_, source, target, mode in LEGS
    ]
    cells = [
        {"id": id_, "operator": operator, "segment": segment,
         "knows_cells": draw(st.lists(st.sampled_from(sorted(CELLS)), unique=True))}
        for id_, (operator, segment) in CELLS.items()
    ]
    houses = [
        {"id": f"house_{i}", "location": location, "cell": cell,
         "capacity": draw(st.integers(1, 15))}
        for i, (location, cell) in enumerate(HOUSES)
    ]
    initial = [
        {"location": location, "count": draw(st.integers(0, 150)),
         "settled_share": draw(rate(0.6)), "trafficked_share": draw(rate(0.3))}
        for location in ("yanbian", "kunming")
    ]
    return {
        "period": {"end": str(START + dt.timedelta(n_days - 1))},
        "locations": RICH_LOCATIONS,
        "routes": routes,
        "network": {
            "handoff_days_known": draw(days(4.0)), "handoff_days_cutout": draw(days(10.0)),
            "handoff_failure_known": draw(rate(0.5)), "handoff_failure_cutout": draw(rate(1.0)),
            "disclosure_probability": draw(rate(1.0)), "closure_days": draw(days(120.0)),
            "raid_on_compromise": draw(rate(1.0)), "cells": cells, "safe_houses": houses,
        },
        "population": {
            "departures_per_day": draw(rate(5.0)), "women_share": draw(rate(1.0)),
            "funds_share": draw(rate(1.0)), "funds_usd": draw(days(3000.0)),
            "initial": initial, "resettled_before": draw(st.integers(0, 40)),
        },
        "parameters": {
            "crossing": {"detection": draw(rate(1.0)), "bribe_effect": draw(rate(1.0)),
                         "death": draw(rate(0.1)), "prison_days": draw(days(60.0)),
                         "retry": draw(rate(1.0)), "retry_wait_days": draw(days(60.0))},
            "hiding": {"arrest_men": draw(rate(0.02)), "arrest_women": draw(rate(0.02)),
                       "trafficking_women": draw(rate(0.02)),
                       "trafficking_men": draw(rate(0.005)), "referral": draw(rate(0.05)),
                       "settle": draw(rate(0.02)), "settled_hazard_factor": draw(rate(1.0)),
                       "trafficked_escape": draw(rate(0.02)),
                       "earnings_usd_per_day": draw(rate(10.0)),
                       "broker_contact": draw(rate(0.2)),
                       "review_days": draw(st.integers(1, 400))},
            "intake": {"rescue_cost_usd": draw(rate(3000.0)),
                       "red_zone_extra_usd": draw(rate(2000.0)),
                       "broker_fee_usd": draw(rate(3000.0)),
                       "broker_exploitation_women": draw(rate(1.0)),
                       "broker_bribe_share": draw(rate(1.0)),
                       "credit_markup": draw(st.floats(1.0, 3.0)),
                       "credit_clients_per_family_year": draw(rate(3.0))},
            # At least the days weigh something: all-zero weights are refused by the schema.
            "travel": {"weight_days": draw(st.floats(0.01, 2.0)),
                       "weight_cost_per_usd": draw(rate(0.02)),
                       "weight_risk": draw(rate(300.0)),
                       "choice_temperature": draw(st.floats(0.5, 20.0)),
                       "wait_days": draw(days(20.0)),
                       "open_air_arrest_factor": draw(rate(5.0))},
            "raids": {"rate_per_house_day": draw(rate(0.1)),
                      "waiting_arrest": draw(rate(0.02))},
            "detention": {"china_hold_days": draw(days(15.0)),
                          "third_hold_days": draw(days(30.0)),
                          "third_deport_to_china": draw(rate(1.0))},
            "asylum": {"jail_days": draw(days(30.0)), "flights_per_day": draw(rate(5.0)),
                       "us_share": draw(rate(1.0))},
            "resettlement": {"recontact": draw(rate(1.0)),
                             "remittance_usd_per_year": draw(rate(3000.0)),
                             "chain_savings_usd_per_year": draw(rate(5000.0)),
                             "relatives_max": draw(st.integers(0, 3)),
                             "chain_in_china_share": draw(rate(1.0)),
                             "chain_fee_usd": draw(rate(6000.0))},
            "finance": {"rescue_budget_usd_per_year": draw(rate(1e6))},
        },
        "timeline": draw(st.lists(events(n_days), max_size=4)),
    }


def check_run(sections: dict[str, Any], seed: int) -> None:
    """Run one scenario and check every property; fail with what broke."""
    results, ctx = simulate_with_context(tiny(**sections), seed)
    pop, daily = ctx.pop, results.daily

    # The run's own checks.
    failed = [check for check in results.invariants if not check.passed]
    assert not failed, failed

    # Stocks add up every day to those present at the start plus all who left home since.
    initial = sum(group["count"] for group in sections["population"]["initial"])
    entered = np.cumsum(daily["departures"] + daily["chain_departures"])
    stocks = daily[[column for column in daily if column.startswith("stock_")]].sum(axis=1)
    np.testing.assert_array_equal(stocks.to_numpy(), initial + entered.to_numpy())
    assert len(pop) == initial + entered.iloc[-1]
    flows = daily.drop(columns="date")
    assert (flows.to_numpy() >= 0).all()

    # Nobody leaves a terminal state; nobody counted twice on arrival.
    for state in TERMINAL_STATES:
        assert (np.diff(daily[f"stock_{STATE_NAMES[state].lower()}"].to_numpy()) >= 0).all(), state
    for flow, state in (("arrivals_sk", State.ARRIVED_SK), ("arrivals_us", State.ARRIVED_US)):
        arrived = int((pop.state == state).sum())
        assert daily[flow].sum() == arrived == daily[f"stock_{STATE_NAMES[state].lower()}"].iloc[-1]
    journeys = sum(taken.size for _, taken in ctx.recorder.journeys)
    assert journeys == daily["arrivals_sk"].sum() + daily["arrivals_us"].sum()

    # Nobody is left behind by the calendar: every wake-up inside the run was dealt with.
    assert (pop.wake == NEVER).all()

    # Money: in = out + held, per account kind, and the escapees hold what the books say.
    ledger = ctx.ledger
    tolerance = 1e-6 * max(1.0, ledger.money_in())
    assert abs(ledger.money_in() - ledger.money_out() - ledger.held()) <= tolerance
    assert abs(sum(ledger.balance.values())) <= tolerance
    assert all(ledger.balance[name] <= tolerance for name in SOURCES)
    assert all(ledger.balance[name] >= -tolerance for name in SINKS + BALANCES)
    assert abs(pop.funds.sum() - ledger.balance["escapees"]) <= tolerance
    assert (pop.funds >= -1e-9).all()
    booked = results.ledger.groupby("account")["usd"].sum()
    for name in SINKS:
        into = sum(booked[flow] for flow, (_, target) in FLOWS.items() if target == name)
        out_of = sum(booked[flow] for flow, (source, _) in FLOWS.items() if source == name)
        assert abs(into - out_of - ledger.balance[name]) <= tolerance, name

    # Safe houses hold exactly those waiting inside them, within their capacity.
    in_house = pop.safe_house >= 0
    assert (pop.state[in_house] == State.WAITING).all()
    inside = np.bincount(pop.safe_house[in_house], minlength=ctx.houses.occupancy.size)
    np.testing.assert_array_equal(ctx.houses.occupancy, inside)
    assert (ctx.houses.occupancy <= ctx.world.network.house_capacity).all()


# Runs take up to a second, so examples are few and failures are not shrunk (which could
# take minutes); the falsifying example is printed whole and replays with its seed.
@settings(max_examples=25, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow])
@given(sections=scenarios(), seed=st.integers(0, 2**32 - 1))
def test_invariants_hold_in_random_small_scenarios(sections: dict[str, Any], seed: int) -> None:
    """Every check passes whatever the rates, hazards, budgets, capacities and events."""
    check_run(sections, seed)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_invariants_hold_in_a_busy_scenario(seed: int) -> None:
    """A fixed scenario where every process has work: the same checks, always run."""
    check_run(busy_sections(), seed)
