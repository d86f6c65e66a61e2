"""A whole journey when nothing is left to chance: departure, river, hiding, intake, three
stops with a network, Thai jail and the flight, each taking a known number of days."""

from __future__ import annotations

import numpy as np
import pytest

from .conftest import FEE, FROM_CROSSING_DAYS, JOURNEY_DAYS, simulate, tiny, traffic

# Departures only in the first weeks, so that everyone is in Seoul by the end of the year.
FIRST_WEEKS = [{"start": "2001-02-01", "action": "scale", "input": "push", "where": "all",
                "value": 0.0}]
CHANNELS = {
    # Everyone carries exactly the broker's fee and meets a broker the day after crossing.
    "broker": {
        "population": {"departures_per_day": 3.0, "funds_share": 1.0},
        "parameters": {"hiding": {"broker_contact": 1.0}},
    },
    # Everyone is referred to a rescue network, whose budget is ample, the day after.
    "rescue": {
        "population": {"departures_per_day": 3.0},
        "parameters": {"hiding": {"referral": 1.0},
                       "finance": {"rescue_budget_usd_per_year": 1e7}},
    },
}


@pytest.mark.parametrize("channel", sorted(CHANNELS))
def test_each_escapee_arrives_exactly_a_worked_out_number_of_days_after_leaving(
        channel: str) -> None:
    """With sd-0 durations and no risks, arrivals on day d are exactly the departures of
    day d - JOURNEY_DAYS, and the median time from crossing to arrival is the hand-worked one."""
    results = simulate(tiny(timeline=FIRST_WEEKS, **CHANNELS[channel]), seed=4)
    daily = results.daily
    departures, arrivals = daily["departures"].to_numpy(), daily["arrivals_sk"].to_numpy()
    assert departures.sum() > 50
    assert (arrivals[:JOURNEY_DAYS] == 0).all()
    np.testing.assert_array_equal(arrivals[JOURNEY_DAYS:], departures[:-JOURNEY_DAYS])
    assert results.annual["median_journey_days"].iloc[0] == FROM_CROSSING_DAYS


@pytest.mark.parametrize("channel", sorted(CHANNELS))
def test_every_leg_of_the_corridor_carries_each_escapee_once(channel: str) -> None:
    """Route flows count each traveller once per leg, the walk to the river included; the
    Bangkok-Seoul flight is not a leg travelled but the asylum process's flights."""
    results = simulate(tiny(timeline=FIRST_WEEKS, **CHANNELS[channel]), seed=5)
    n = int(results.daily["departures"].sum())
    for route in ("to_ford", "across", "south", "mekong", "to_thailand"):
        assert traffic(results, route) == n, route
    assert results.summary["totals"]["arrivals_sk"] == n


def test_brokers_are_paid_and_rescues_paid_for() -> None:
    """The broker fee moves from the escapees to the brokers; a rescue costs the network."""
    broker = simulate(tiny(timeline=FIRST_WEEKS, **CHANNELS["broker"]), seed=6)
    n = int(broker.daily["broker_intakes"].sum())
    assert n == broker.daily["departures"].sum()
    ledger = broker.ledger.groupby("account")["usd"].sum()
    assert ledger["own_savings"] == pytest.approx(n * FEE)
    assert ledger["broker_fees"] == pytest.approx(n * FEE)
    assert broker.annual["cost_usd"].sum() == pytest.approx(n * FEE)

    rescue = simulate(tiny(timeline=FIRST_WEEKS, **CHANNELS["rescue"]), seed=6)
    n = int(rescue.daily["rescue_intakes"].sum())
    assert n == rescue.daily["departures"].sum()
    ledger = rescue.ledger.groupby("account")["usd"].sum()
    assert ledger["rescue_costs"] == pytest.approx(n * FEE)
    assert ledger["broker_fees"] == 0.0


def test_a_broker_takes_only_those_who_can_pay() -> None:
    """Carrying half the fee, nobody is taken on and everyone stays hiding in Yanbian."""
    half = tiny(timeline=FIRST_WEEKS, population={"departures_per_day": 3.0,
                                                  "funds_share": 1.0,
                                                  "funds_usd": {"mean": FEE / 2}},
                parameters={"hiding": {"broker_contact": 1.0}})
    results = simulate(half, seed=7)
    n = int(results.daily["departures"].sum())
    assert n > 50
    assert results.daily["broker_intakes"].sum() == 0
    assert results.annual["hidden_china"].iloc[-1] == n
    assert traffic(results, "south") == 0


def test_brokers_who_sell_women_take_only_the_men_on() -> None:
    """With exploitation 1, every woman a broker takes is trafficked instead of moved on."""
    scenario = tiny(timeline=FIRST_WEEKS, population=CHANNELS["broker"]["population"],
                    parameters={"hiding": {"broker_contact": 1.0},
                                "intake": {"broker_exploitation_women": 1.0}})
    results = simulate(scenario, seed=8)
    daily = results.daily
    n = int(daily["departures"].sum())
    women, men = int(daily["trafficked"].sum()), int(daily["broker_intakes"].sum())
    assert women + men == n
    assert 0 < women < n
    assert daily["arrivals_sk"].sum() == men
    assert daily["arrivals_sk_women"].sum() == 0
    assert results.annual["stock_trafficked"].iloc[-1] == women
