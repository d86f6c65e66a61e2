"""Arrest and what follows: interception on a leg, detention in China and repatriation
(paused while North Korea refuses returns), third countries, and the Thai backlog."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tumen.engine.processes.detention import HELD_REVIEW_DAYS
from tumen.engine.states import State

from .conftest import (
    HOLD_DAYS,
    JAIL_DAYS,
    LEG_DAYS,
    WAIT_DAYS,
    corridor_routes,
    engine_run,
    hiding_at,
    simulate,
    tiny,
)

RESCUED_ON_DAY_1 = {"hiding": {"referral": 1.0},
                    "finance": {"rescue_budget_usd_per_year": 1e8}}
# Rescued in Yanbian on day 1, the group waits at each stop and reaches Bangkok on this day.
IN_BANGKOK = (1 + WAIT_DAYS + LEG_DAYS["south"] + WAIT_DAYS + LEG_DAYS["mekong"] + WAIT_DAYS
              + LEG_DAYS["to_thailand"])
N = 40


def thai_group(flights: float, timeline: list[dict] | None = None, *, arrest_share: float = 1.0,
               size: int = N):
    """`size` escapees who all reach Bangkok on the same day and then wait for flights."""
    return tiny(period={"end": "2001-03-31"},
                population={"initial": [hiding_at("yanbian", size)]},
                parameters={**RESCUED_ON_DAY_1, "asylum": {"flights_per_day": flights,
                                                           "arrest_share": arrest_share}},
                timeline=timeline or [])


@pytest.mark.parametrize("flights", [1, 2, 3])
def test_the_thai_backlog_drains_at_the_flight_rate(flights: int) -> None:
    """The group is jailed on arrival; from the end of the term, `flights` a day fly to
    Seoul, so the backlog falls by that many a day until it is gone."""
    daily = simulate(thai_group(flights)).daily
    days = np.arange(len(daily))
    first_flight = IN_BANGKOK + JAIL_DAYS
    flown = np.clip(flights * (days - first_flight + 1), 0, N)
    expected = np.where(days < IN_BANGKOK, 0, N - flown)
    np.testing.assert_array_equal(daily["thai_backlog"].to_numpy(), expected)
    np.testing.assert_array_equal(np.cumsum(daily["arrivals_sk"].to_numpy()), flown)
    assert daily["detained_thailand"].sum() == N


def test_no_flights_while_thai_processing_stops() -> None:
    """Processing scaled to 0 for the ten days the term ends on: the backlog holds, then
    drains at 1 a day from the day after."""
    first_flight = IN_BANGKOK + JAIL_DAYS
    start, end = np.datetime64("2001-01-01") + np.array([first_flight, first_flight + 9])
    pause = {"start": str(start), "end": str(end), "action": "scale",
             "input": "thai_processing", "where": "thailand", "value": 0.0}
    daily = simulate(thai_group(1, [pause])).daily
    backlog = daily["thai_backlog"].to_numpy()
    assert (backlog[IN_BANGKOK : first_flight + 10] == N).all()
    np.testing.assert_array_equal(backlog[first_flight + 10 : first_flight + 10 + N],
                                  N - 1 - np.arange(N))


def test_those_not_arrested_in_thailand_queue_without_a_term() -> None:
    """With no arrests on entering Thailand nobody is jailed: the group queues the day
    after it arrives and flies from then on, a term earlier than when jailed."""
    daily = simulate(thai_group(2, arrest_share=0.0)).daily
    assert daily["detained_thailand"].sum() == 0
    flown = np.cumsum(daily["arrivals_sk"].to_numpy())
    assert flown[IN_BANGKOK] == 0
    np.testing.assert_array_equal(flown[IN_BANGKOK + 1 : IN_BANGKOK + 4], [2, 4, 6])
    assert flown[-1] == N


@pytest.mark.parametrize("scale", [0.0, 0.25, 0.5, 1.0])
def test_thai_arrests_follow_the_share_times_the_index(scale: float) -> None:
    """The share arrested is `arrest_share` times the `thai_arrests` index: a share of 1/2
    scaled by `scale`; the jailed count matches it within sampling error (binomial,
    four standard deviations) and everyone still flies out."""
    entered = 5 * N
    index = {"start": "2001-01-01", "end": "2001-03-31", "action": "scale",
             "input": "thai_arrests", "where": "thailand", "value": scale}
    daily = simulate(thai_group(50, [index], arrest_share=0.5, size=entered)).daily
    share = 0.5 * scale
    jailed = daily["detained_thailand"].sum()
    assert abs(jailed - share * entered) <= 4 * math.sqrt(entered * share * (1 - share))
    assert daily["arrivals_sk"].sum() == entered


def arrested_on_day_1(timeline: list[dict]):
    """N escapees hiding in Yanbian, all arrested on day 1 and held in China."""
    return tiny(population={"initial": [hiding_at("yanbian", N)]},
                parameters={"hiding": {"arrest_men": 1.0, "arrest_women": 1.0}},
                timeline=timeline)


def test_china_repatriates_after_the_holding_term() -> None:
    """Arrested on day 1 and held for the term, all are sent back on the same day."""
    daily = simulate(arrested_on_day_1([])).daily
    assert daily["arrests_china"].iloc[1] == N
    assert daily["repatriations"].iloc[1 + HOLD_DAYS] == N == daily["repatriations"].sum()
    assert daily["stock_stayed_nk"].iloc[-1] == N


def test_nobody_is_repatriated_while_returns_are_refused() -> None:
    """Repatriation scaled to 0 until day 99: those held are looked at again every 30 days
    and all sent back at the first look after returns resume, none before."""
    refused = {"start": "2001-01-01", "end": "2001-04-10", "action": "scale",
               "input": "repatriation", "where": "north_korea", "value": 0.0}
    daily = simulate(arrested_on_day_1([refused])).daily
    reopens = 100
    first_look = 1 + HOLD_DAYS
    sent_back = first_look + HELD_REVIEW_DAYS * math.ceil((reopens - first_look)
                                                          / HELD_REVIEW_DAYS)
    repatriations = daily["repatriations"].to_numpy()
    assert repatriations[:reopens].sum() == 0
    assert repatriations[sent_back] == N == repatriations.sum()
    held = daily["stock_detained_china"].to_numpy()
    assert (held[1:sent_back] == N).all()
    assert held[sent_back] == 0


def test_a_leg_intercepts_its_risk_times_the_crackdown() -> None:
    """The Yanbian-Kunming leg has risk 0.25 and China's crackdown is doubled: half the
    travellers are arrested where the leg ends (binomial), the others go on."""
    doubled = {"start": "2001-01-01", "action": "scale", "input": "crackdown",
               "where": "china", "value": 2.0}
    scenario = tiny(period={"end": "2001-01-31"}, routes=corridor_routes(south={"risk": 0.25}),
                    population={"initial": [hiding_at("yanbian", 400)]},
                    parameters=RESCUED_ON_DAY_1, timeline=[doubled])
    ctx = engine_run(scenario, seed=1)
    arrested = int(ctx.recorder.flows["arrests_china"].sum())
    assert abs(arrested - 200) <= 5 * math.sqrt(400 * 0.25)
    day = 1 + WAIT_DAYS + LEG_DAYS["south"]
    assert ctx.recorder.flows["arrests_china"][day] == arrested
    kunming = ctx.world.graph.location_ids.index("kunming")
    detained = ctx.pop.state == State.DETAINED_CHINA
    assert (ctx.pop.location[detained] == kunming).all()


@pytest.mark.parametrize("deport", [0.0, 1.0])
def test_a_third_country_releases_to_seoul_or_deports_to_china(deport: float) -> None:
    """Everyone is caught on arriving in Laos and held there for 20 days; then either all
    fly to Seoul, or all are handed back to China at Kunming (the last Chinese stop before
    Laos) and repatriated after the Chinese holding term."""
    scenario = tiny(period={"end": "2001-02-28"}, routes=corridor_routes(mekong={"risk": 1.0}),
                    population={"initial": [hiding_at("kunming", N)]},
                    parameters={**RESCUED_ON_DAY_1,
                                "detention": {"third_deport_to_china": deport}})
    ctx = engine_run(scenario)
    flows = ctx.recorder.flows
    caught = 1 + WAIT_DAYS + LEG_DAYS["mekong"]
    released = caught + 20  # third_hold_days
    assert flows["arrests_third"][caught] == N == flows["arrests_third"].sum()
    if deport == 0.0:
        assert flows["arrivals_sk"][released] == N == flows["arrivals_sk"].sum()
        assert flows["deported_to_china"].sum() == 0
    else:
        assert flows["deported_to_china"][released] == N
        assert flows["repatriations"][released + HOLD_DAYS] == N
        assert flows["arrivals_sk"].sum() == 0
