"""Escapees setting out on day 0, places passed through without stopping, geometric leg
times and a daily hazard on the way: the scenario options that write the speed
benchmark's minimal route model (benchmarks/minimal_route.yaml) in Tumen's terms."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tumen.scenario import ScenarioError

from .conftest import JAIL_DAYS, LEG_DAYS, corridor_routes, simulate, tiny

COHORT = 300
THROUGH = ("yanbian", "kunming", "vientiane")


def _cohort(pass_through: bool, **sections: object) -> object:
    """`COHORT` escapees setting out from Yanbian on day 0, the stops passed through or not."""
    locations = [
        {**loc, "pass_through": pass_through and loc["id"] in THROUGH}
        for loc in tiny().model_dump(by_alias=True, mode="json")["locations"]
    ]
    return tiny(locations=locations,
                population={"setting_out": [{"location": "yanbian", "count": COHORT}]},
                **sections)


def test_a_cohort_passing_through_arrives_on_the_worked_out_day() -> None:
    """Legs of fixed length, no stop on the way: all reach Bangkok on the day the legs add
    up to and land in Seoul after the Thai jail term; nobody ever hides."""
    results = simulate(_cohort(pass_through=True), seed=2)
    daily = results.daily
    in_bangkok = LEG_DAYS["south"] + LEG_DAYS["mekong"] + LEG_DAYS["to_thailand"]
    arrivals = daily["arrivals_sk"].to_numpy()
    assert arrivals[in_bangkok + JAIL_DAYS] == COHORT
    assert arrivals.sum() == COHORT
    assert (daily["hidden_china"] == 0).all()
    assert results.summary["escapees_simulated"] == COHORT


def test_without_pass_through_the_cohort_stops_and_hides() -> None:
    """The same cohort with ordinary stops hides at its first stop (no hazard moves it on)."""
    results = simulate(_cohort(pass_through=False), seed=2)
    assert results.daily["arrivals_sk"].sum() == 0
    assert results.daily["hidden_china"].iloc[-1] == COHORT


@pytest.mark.parametrize("seed", [1, 2])
def test_daily_hazard_on_a_geometric_leg_catches_its_competing_share(seed: int) -> None:
    """On a geometric leg (a daily chance m of moving on) with a daily hazard h that strikes
    first, a share h / (h + (1 - h) m) is caught on the way; the rest go on."""
    hazard, mean = 0.05, 5.0
    geometric = {"days": {"mean": mean, "distribution": "geometric"}, "risk_per_day": hazard}
    scenario = _cohort(pass_through=True, routes=corridor_routes(south=geometric))
    results = simulate(scenario, seed=seed)
    caught = int(results.daily["arrests_china"].sum())
    move = 1.0 / mean
    share = hazard / (hazard + (1.0 - hazard) * move)
    sd = math.sqrt(COHORT * share * (1.0 - share))
    assert abs(caught - COHORT * share) < 4.5 * sd
    assert caught + results.daily["arrivals_sk"].sum() == COHORT
    again = simulate(scenario, seed=seed)
    np.testing.assert_array_equal(again.daily["arrests_china"], results.daily["arrests_china"])


def test_geometric_leg_times_have_the_given_mean() -> None:
    """A geometric leg of mean 4 days, no hazard: arrivals spread with that mean."""
    geometric = {"days": {"mean": 4.0, "distribution": "geometric"}}
    results = simulate(_cohort(pass_through=True, routes=corridor_routes(south=geometric)),
                       seed=3)
    arrivals = results.daily["arrivals_sk"].to_numpy()
    fixed = LEG_DAYS["mekong"] + LEG_DAYS["to_thailand"] + JAIL_DAYS
    days = np.repeat(np.arange(arrivals.size), arrivals) - fixed
    assert days.min() >= 1
    assert abs(days.mean() - 4.0) < 4.5 * math.sqrt(12.0 / COHORT)  # variance (1-p)/p^2


@pytest.mark.parametrize(("days", "message"), [
    ({"mean": 0.5, "distribution": "geometric"}, "a geometric time has a mean of at least 1"),
    ({"mean": 5, "sd": 2, "distribution": "geometric"}, "leave sd out"),
    ({"mean": 5, "distribution": "poisson"}, "distribution"),
])
def test_bad_geometric_times_are_refused(days: dict, message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        tiny(routes=corridor_routes(south={"days": days}))


def test_setting_out_from_the_journeys_end_is_refused() -> None:
    with pytest.raises(ScenarioError, match=r"setting_out\[0\]\.location.*'seoul'"):
        tiny(population={"setting_out": [{"location": "seoul", "count": 1}]})
