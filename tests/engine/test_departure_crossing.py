"""Leaving North Korea and crossing the river: the push factor, the guards, bribes, prison
and new attempts, and a river closed for a while."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tumen.engine.states import State

from .conftest import (
    LEG_DAYS,
    PRISON_DAYS,
    corridor_routes,
    engine_run,
    simulate,
    tiny,
    traffic,
)

# 2001-04-01 .. 2001-06-30 in day numbers (2001 is not a leap year).
WINDOW = slice(90, 181)
STOP_IN_JULY = {"start": "2001-07-01", "action": "scale", "input": "push", "where": "all",
                "value": 0.0}


def assert_poisson(count: int, mean: float, sds: float = 5.0) -> None:
    """`count` is within `sds` standard deviations of a Poisson `mean`."""
    assert abs(count - mean) <= sds * math.sqrt(mean), (count, mean)


@pytest.mark.parametrize("seed", [0, 1])
def test_departures_follow_the_push_factor_the_timeline_sets(seed: int) -> None:
    """3 a day, and 4 times as many while push is scaled by 4 from April to June: each
    period's count is Poisson with the rate times its length."""
    scale = {"start": "2001-04-01", "end": "2001-06-30", "action": "scale", "input": "push",
             "where": "north_korea", "value": 4.0}
    results = simulate(tiny(period={"end": "2001-09-30"}, population={"departures_per_day": 3.0},
                            timeline=[scale]), seed=seed)
    departures = results.daily["departures"].to_numpy()
    inside = int(departures[WINDOW].sum())
    outside = int(departures.sum()) - inside
    assert_poisson(inside, 3.0 * 4.0 * 91)
    assert_poisson(outside, 3.0 * (departures.size - 91))


def test_a_ramped_push_rises_linearly_to_its_value() -> None:
    """Ramped over 60 days to 5 times the baseline: day k of the event has the rate
    3 * (1 + 4 * min(k / 60, 1)); the first 60 days and the rest each match in total."""
    scale = {"start": "2001-04-01", "end": "2001-06-30", "action": "scale", "input": "push",
             "where": "north_korea", "value": 5.0, "ramp_days": 60}
    results = simulate(tiny(period={"end": "2001-06-30"}, population={"departures_per_day": 3.0},
                            timeline=[scale]), seed=2)
    departures = results.daily["departures"].to_numpy()[90:]
    k = np.arange(1, 92)
    rate = 3.0 * (1.0 + 4.0 * np.minimum(k / 60, 1.0))
    assert_poisson(int(departures[:60].sum()), rate[:60].sum())
    assert_poisson(int(departures[60:].sum()), rate[60:].sum())


def test_guards_who_catch_everyone_send_everyone_to_prison_and_home() -> None:
    """Detection 1 and no retry: nobody crosses; each escapee reaches the river, is jailed
    for the prison term and stays, so the stayed stock on day t is the departures of
    day t - (walk to the river + prison term) and before."""
    scenario = tiny(population={"departures_per_day": 2.0}, timeline=[STOP_IN_JULY],
                    parameters={"crossing": {"detection": 1.0}})
    results = simulate(scenario, seed=3)
    daily = results.daily
    n = int(daily["departures"].sum())
    assert n > 100
    assert daily["crossings"].sum() == 0
    assert daily["caught_at_border"].sum() == n
    assert traffic(results, "across") == 0
    lag = LEG_DAYS["to_ford"] + PRISON_DAYS
    stayed = daily["stock_stayed_nk"].to_numpy()
    np.testing.assert_array_equal(stayed[lag:], np.cumsum(daily["departures"])[:-lag])
    assert daily["stock_imprisoned_nk"].iloc[-1] == 0


def test_those_who_always_retry_never_stay_and_never_cross() -> None:
    """Detection 1 and retry 1: every term ends in a new attempt, and every attempt fails."""
    scenario = tiny(population={"departures_per_day": 2.0}, timeline=[STOP_IN_JULY],
                    parameters={"crossing": {"detection": 1.0, "retry": 1.0}})
    ctx = engine_run(scenario, seed=3)
    flows = ctx.recorder.flows
    n = int(flows["departures"].sum())
    assert flows["crossings"].sum() == 0
    assert flows["reattempts"].sum() > n
    assert flows["caught_at_border"].sum() >= flows["reattempts"].sum()
    assert ctx.recorder.stocks[-1, State.STAYED_NK].sum() == 0
    assert ctx.pop.attempts.max() >= 3


def test_with_no_guards_everyone_crosses() -> None:
    """Detection 0: everyone who reaches the river crosses it and hides in Yanbian."""
    results = simulate(tiny(population={"departures_per_day": 2.0}, timeline=[STOP_IN_JULY]),
                       seed=4)
    daily = results.daily
    n = int(daily["departures"].sum())
    assert daily["crossings"].sum() == n
    assert daily["caught_at_border"].sum() == 0
    assert daily["hidden_china"].iloc[-1] == n


def test_half_the_attempts_are_caught_with_detection_one_half() -> None:
    """Detection 0.5: the number caught is binomial with p = 0.5."""
    scenario = tiny(population={"departures_per_day": 4.0}, timeline=[STOP_IN_JULY],
                    parameters={"crossing": {"detection": 0.5}})
    daily = simulate(scenario, seed=5).daily
    caught, crossed = int(daily["caught_at_border"].sum()), int(daily["crossings"].sum())
    n = caught + crossed
    assert n == daily["departures"].sum()
    assert abs(caught - n / 2) <= 5 * math.sqrt(n / 4)


def test_a_bribe_buys_the_guards_off() -> None:
    """Detection 1, but a bribe removes all of it: those who carry the fee pay it and
    cross, and what they paid is booked as bribes; those who carry nothing are caught."""
    scenario = tiny(
        population={"departures_per_day": 3.0, "funds_share": 0.5},
        routes=corridor_routes(across={"cost_usd": 100.0}), timeline=[STOP_IN_JULY],
        parameters={"crossing": {"detection": 1.0, "bribe_effect": 1.0}},
    )
    results = simulate(scenario, seed=6)
    daily = results.daily
    crossed, caught = int(daily["crossings"].sum()), int(daily["caught_at_border"].sum())
    assert crossed + caught == daily["departures"].sum()
    assert abs(crossed - caught) <= 5 * math.sqrt((crossed + caught) / 4)
    ledger = results.ledger.groupby("account")["usd"].sum()
    assert ledger["bribes"] == pytest.approx(100.0 * crossed)


def test_escapees_stopped_by_a_closed_river_cross_it_once_it_reopens() -> None:
    """The river is closed in February and March. Nobody crosses then; those who reached it
    wait and, once it reopens, cross it (not the leg beyond) and hide in Yanbian."""
    closed = {"start": "2001-02-01", "end": "2001-03-31", "action": "close_route",
              "where": "across"}
    stop = {"start": "2001-03-01", "action": "scale", "input": "push", "where": "all",
            "value": 0.0}
    scenario = tiny(population={"departures_per_day": 2.0}, timeline=[closed, stop])
    results = simulate(scenario, seed=3)
    daily = results.daily
    n = int(daily["departures"].sum())
    assert daily["crossings"].to_numpy()[31:90].sum() == 0
    assert daily["crossings"].sum() == n
    assert traffic(results, "to_ford") == n
    assert traffic(results, "across") == n
    assert traffic(results, "south") == 0
    ctx = engine_run(scenario, seed=3)
    yanbian = ctx.world.graph.location_ids.index("yanbian")
    assert (ctx.pop.location == yanbian).all()
