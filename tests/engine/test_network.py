"""The networks: safe houses and raids on them, what a caught cell gives away, hand-offs
between cells, and legs closed by the timeline."""

from __future__ import annotations

import numpy as np
import pytest

from tumen.engine.states import State
from tumen.scenario import Scenario

from .conftest import (
    BASE,
    JOURNEY_DAYS,
    engine_run,
    hiding_at,
    merge,
    simulate,
    simulate_with_context,
    tiny,
    traffic,
)

RAID_DAY = 10  # 2001-01-11
CLOSURE_DAYS = 100  # network.closure_days of the tiny scenario


def rescue_network(north_knows_south: bool = False, south_knows_north: bool = False,
                   capacity: int = 50) -> dict:
    """Two rescue cells, one running Yanbian and one Kunming, with a safe house each."""
    return {
        "cells": [
            {"id": "cell_north", "operator": "rescue", "segment": ["yanbian"],
             "knows_cells": ["cell_south"] if north_knows_south else []},
            {"id": "cell_south", "operator": "rescue", "segment": ["kunming"],
             "knows_cells": ["cell_north"] if south_knows_north else []},
        ],
        "safe_houses": [
            {"id": "house_north", "location": "yanbian", "cell": "cell_north",
             "capacity": capacity},
            {"id": "house_south", "location": "kunming", "cell": "cell_south",
             "capacity": capacity},
        ],
    }


def sheltered(network: dict, yanbian: int, kunming: int, end: str = "2001-01-31",
              timeline: tuple[dict, ...] = (), parameters: dict | None = None) -> Scenario:
    """Escapees hiding in Yanbian and Kunming, all rescued on day 1 and then waiting 100
    days in the safe house of the cell running their town."""
    rescued = {"hiding": {"referral": 1.0},
               "finance": {"rescue_budget_usd_per_year": 1e8},
               "travel": {"wait_days": {"mean": 100}}}
    return tiny(
        period={"end": end},
        network=network,
        population={"initial": [hiding_at("yanbian", yanbian), hiding_at("kunming", kunming)]},
        parameters=merge(rescued, parameters or {}),
        timeline=list(timeline),
    )


def raid(where: str) -> dict:
    return {"start": "2001-01-11", "action": "raid", "where": where}


HOUSE_NORTH, HOUSE_SOUTH = 0, 1


def test_a_full_safe_house_leaves_the_others_waiting_in_the_open() -> None:
    """Capacity 20 for 30 escapees: 20 wait inside, 10 outside."""
    ctx = engine_run(sheltered(rescue_network(capacity=20), 30, 0, end="2001-01-05"))
    waiting = ctx.pop.state == State.WAITING
    assert waiting.sum() == 30
    assert (ctx.pop.safe_house[waiting] == HOUSE_NORTH).sum() == 20
    assert ctx.houses.occupancy.tolist() == [20, 0]


def test_a_raid_event_arrests_everyone_waiting_there_and_closes_the_house() -> None:
    """All 30 waiting in Yanbian are arrested on the day of the raid; the house is counted
    as compromised and closed for the closure term."""
    scenario = sheltered(rescue_network(), 30, 0, timeline=[raid("yanbian")])
    results, ctx = simulate_with_context(scenario)
    daily = results.daily
    assert daily["raid_arrests"].sum() == 30 == daily["raid_arrests"].iloc[RAID_DAY]
    assert daily["arrests_china"].iloc[RAID_DAY] == 30
    assert daily["safe_house_raids"].sum() == 1
    assert daily["safe_houses_compromised"].sum() == 1
    assert daily["stock_waiting"].iloc[RAID_DAY - 1] == 30
    assert daily["stock_waiting"].iloc[RAID_DAY] == 0
    assert ctx.houses.closed_until[HOUSE_NORTH] == RAID_DAY + CLOSURE_DAYS
    assert ctx.houses.occupancy.tolist() == [0, 0]


def test_police_raiding_every_occupied_house_catch_those_inside_only() -> None:
    """Raid rate 1 a day: the house is raided the day it fills; the 10 in the open are not
    in it and go on waiting."""
    scenario = sheltered(rescue_network(capacity=20), 30, 0,
                         parameters={"raids": {"rate_per_house_day": 1.0}})
    ctx = engine_run(scenario)
    flows = ctx.recorder.flows
    assert flows["safe_house_raids"].sum() == 1 == flows["safe_house_raids"][1]
    assert flows["raid_arrests"].sum() == 20
    assert (ctx.pop.state == State.WAITING).sum() == 10
    assert ctx.houses.closed_until[HOUSE_NORTH] == 1 + CLOSURE_DAYS


@pytest.mark.parametrize(
    ("disclosure", "north_knows_south", "on_compromise", "compromised", "arrested"),
    [
        (1.0, True, 1.0, 2, 18),  # north gives the south's house away; it is raided too
        (1.0, True, 0.0, 2, 10),  # given away, but only closed: its guests are sent off
        (0.0, True, 1.0, 1, 10),  # caught cells give nothing away
        (1.0, False, 1.0, 1, 10),  # north knows nothing of the south
    ],
)
def test_a_caught_cell_gives_away_the_houses_of_cells_it_knows(
        disclosure: float, north_knows_south: bool, on_compromise: float, compromised: int,
        arrested: int) -> None:
    """A raid on the north cell's house in Yanbian (10 inside) compromises the south cell's
    house in Kunming (8 inside) only when the north cell knows the south one and talks."""
    network = {**rescue_network(north_knows_south=north_knows_south),
               "disclosure_probability": disclosure, "raid_on_compromise": on_compromise}
    scenario = sheltered(network, 10, 8, end="2001-01-12", timeline=[raid("yanbian")])
    ctx = engine_run(scenario)
    flows = ctx.recorder.flows
    assert flows["safe_houses_compromised"].sum() == compromised
    assert flows["raid_arrests"].sum() == arrested
    south_closed = ctx.houses.closed_until[HOUSE_SOUTH] == RAID_DAY + CLOSURE_DAYS
    assert south_closed == (compromised == 2)
    in_south = (ctx.pop.safe_house == HOUSE_SOUTH) & (ctx.pop.state == State.WAITING)
    assert in_south.sum() == (8 if compromised == 1 else 0)
    assert ctx.houses.occupancy[HOUSE_SOUTH] == in_south.sum()
    assert (ctx.pop.state == State.WAITING).sum() == 18 - arrested


def test_knowledge_runs_one_way() -> None:
    """The north cell knows the south one, not the reverse: raiding Kunming compromises only
    the south's house, however talkative its cell."""
    network = {**rescue_network(north_knows_south=True), "disclosure_probability": 1.0,
               "raid_on_compromise": 1.0}
    ctx = engine_run(sheltered(network, 10, 8, end="2001-01-12", timeline=[raid("kunming")]))
    assert ctx.recorder.flows["safe_houses_compromised"].sum() == 1
    assert ctx.recorder.flows["raid_arrests"].sum() == 8
    assert ctx.houses.closed_until.tolist() == [0, RAID_DAY + CLOSURE_DAYS]


def broker_lines(knows: bool) -> dict:
    """Two broker cells: one runs Yanbian, the other Kunming and on."""
    return {
        "cells": [
            {"id": "line_north", "operator": "broker", "segment": ["yanbian"],
             "knows_cells": ["line_south"] if knows else []},
            {"id": "line_south", "operator": "broker", "segment": ["kunming", "vientiane"]},
        ],
        "safe_houses": [],
    }


STOP_IN_FEBRUARY = [{"start": "2001-02-01", "action": "scale", "input": "push", "where": "all",
                     "value": 0.0}]


def handed_off(knows: bool, failure_known: float, failure_cutout: float):
    """Departures who carry the broker fee and are handed from one line to the other."""
    network = {**broker_lines(knows), "handoff_failure_known": failure_known,
               "handoff_failure_cutout": failure_cutout}
    return tiny(network=network, timeline=STOP_IN_FEBRUARY,
                population={"departures_per_day": 3.0, "funds_share": 1.0},
                parameters={"hiding": {"broker_contact": 1.0}})


@pytest.mark.parametrize(("knows", "delay"), [
    (True, BASE["network"]["handoff_days_known"]["mean"]),
    (False, BASE["network"]["handoff_days_cutout"]["mean"]),
])
def test_a_hand_off_adds_its_delay_to_the_journey(knows: bool, delay: int) -> None:
    """Cells that know each other hand over in a day, strangers through a go-between in
    three: arrivals are the departures of the journey plus that many days earlier."""
    results = simulate(handed_off(knows, 0.0, 0.0), seed=1)
    daily = results.daily
    lag = JOURNEY_DAYS + delay
    departures, arrivals = daily["departures"].to_numpy(), daily["arrivals_sk"].to_numpy()
    assert departures.sum() > 50
    np.testing.assert_array_equal(arrivals[lag:], departures[:-lag])
    assert daily["handoff_failures"].sum() == 0


@pytest.mark.parametrize(("knows", "failure_known", "failure_cutout"), [
    (False, 0.0, 1.0),
    (True, 1.0, 0.0),
])
def test_failed_hand_offs_leave_everyone_alone_where_they_are(
        knows: bool, failure_known: float, failure_cutout: float) -> None:
    """When every hand-off fails, nobody goes past Kunming: each escapee is left hiding
    there without money for another broker."""
    results, ctx = simulate_with_context(handed_off(knows, failure_known, failure_cutout), 2)
    daily = results.daily
    n = int(daily["departures"].sum())
    assert daily["handoff_failures"].sum() == n
    assert traffic(results, "south") == n
    assert traffic(results, "mekong") == 0
    assert daily["arrivals_sk"].sum() == 0
    kunming = ctx.world.graph.location_ids.index("kunming")
    assert (ctx.pop.location == kunming).all()
    assert (ctx.pop.state == State.HIDING).all()


def test_a_closed_leg_carries_nobody_and_travellers_take_the_other_way() -> None:
    """Two legs lead from Kunming to Vientiane. While the shorter one is closed (all of
    2002) it carries nobody and everyone takes the other; in 2001 both are used."""
    highway = {"id": "highway", "from": "kunming", "to": "vientiane", "mode": "bus",
               "days": {"mean": 6}}
    closed = {"start": "2002-01-01", "end": "2002-12-31", "action": "close_route",
              "where": "mekong"}
    scenario = tiny(period={"end": "2002-12-31"}, routes=[*BASE["routes"], highway],
                    population={"departures_per_day": 1.0, "funds_share": 1.0},
                    parameters={"hiding": {"broker_contact": 1.0}}, timeline=[closed])
    results = simulate(scenario, seed=3)
    flows = results.route_flows.set_index(["year", "route"])["travellers"]
    assert flows[(2001, "mekong")] > 0
    assert flows[(2001, "highway")] > 0
    assert flows[(2002, "mekong")] == 0
    assert flows[(2002, "highway")] > 0
    # All who went south went on one way or the other, but those still on the way or
    # waiting in Kunming at the end.
    onward = traffic(results, "mekong") + traffic(results, "highway")
    last = results.daily.iloc[-1]
    still_there = last["stock_travelling"] + last["stock_waiting"]
    assert 0 <= traffic(results, "south") - onward <= still_there


@pytest.mark.parametrize(("group_size", "raids"), [(4, [4, 4, 2]), (0, [10])])
def test_police_who_find_someone_waiting_outside_catch_her_group(
        group_size: int, raids: list[int]) -> None:
    """20 wait in the house and 10 outside. Those outside are found at 0.1 a day, those
    inside at 0.0001 (none is, in this run): each find outside is a raid on the group's
    hideout that catches her and others of her cell waiting outside with her, up to
    `group_size` (0: all). The house is not raided and nobody inside is caught."""
    scenario = sheltered(rescue_network(capacity=20), 30, 0, parameters={
        "raids": {"rate_per_house_day": 0.0, "waiting_arrest": 1e-4, "group_size": group_size},
        "travel": {"open_air_arrest_factor": 1000.0}})
    flows = engine_run(scenario, seed=3).recorder.flows
    by_day = flows["raid_arrests"][flows["raid_arrests"] > 0]
    assert by_day.tolist() == raids
    assert flows["hideout_raids"].sum() == len(raids)
    assert flows["arrests_china"].sum() == 10
    assert flows["safe_house_raids"].sum() == 0


def test_police_who_find_someone_in_a_safe_house_raid_it() -> None:
    """Found inside (at 0.01 a day each, none outside): the house is raided, everyone in
    it caught, and it closes; those outside go on waiting."""
    scenario = sheltered(rescue_network(capacity=20), 30, 0, parameters={
        "raids": {"rate_per_house_day": 0.0, "waiting_arrest": 0.01, "group_size": 4},
        "travel": {"open_air_arrest_factor": 0.0}})
    ctx = engine_run(scenario, seed=3)
    flows = ctx.recorder.flows
    assert flows["safe_house_raids"].sum() == 1
    assert flows["raid_arrests"].sum() == 20 == flows["arrests_china"].sum()
    assert flows["hideout_raids"].sum() == 0
    assert (ctx.pop.state == State.WAITING).sum() == 10
    assert ctx.houses.closed_until[HOUSE_NORTH] > 0
