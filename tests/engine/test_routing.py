"""Route choice on a small graph worked out by hand: the corridor of the tiny scenario
plus a way through Mongolia.

With weights 1 per day, 0.01 per dollar and no risks, the legs cost: to_ford 3, across
1, south 4 + 2 (200 dollars), mekong 5, to_thailand 2, gobi 8, ub_flight 1 + 1 (100
dollars). Cost to go: Bangkok and Seoul 0 (terminal), Vientiane 2, Ulaanbaatar 2, Kunming
7, Yanbian min(6 + 7, 8 + 2) = 10, ford 11, origin 14.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from tumen.engine.draws import choose
from tumen.engine.routing import Router, build_table, effective_risk
from tumen.engine.world import World
from tumen.scenario.compile import compile_scenario

from .conftest import BASE, corridor_routes, merge, tiny

TEMPERATURE = 5.0
COST_TO_GO = {"origin": 14.0, "ford": 11.0, "yanbian": 10.0, "kunming": 7.0, "vientiane": 2.0,
              "bangkok": 0.0, "seoul": 0.0, "ulaanbaatar": 2.0}
# At Yanbian, south leads to a total of 13 and gobi to 10: a logit on the excess.
P_SOUTH = math.exp(-3 / TEMPERATURE) / (1 + math.exp(-3 / TEMPERATURE))

ULAANBAATAR = {"id": "ulaanbaatar", "name": "Ulaanbaatar", "kind": "third_country",
               "country": "mongolia", "lat": 0.0, "lon": 0.0}
MONGOLIA = [
    {"id": "gobi", "from": "yanbian", "to": "ulaanbaatar", "mode": "foot", "days": {"mean": 8}},
    {"id": "ub_flight", "from": "ulaanbaatar", "to": "seoul", "mode": "flight",
     "days": {"mean": 1}, "cost_usd": 100.0},
]


def world(timeline: list[dict] | None = None, **routes: dict) -> World:
    scenario = tiny(
        locations=[*BASE["locations"], ULAANBAATAR],
        routes=[*corridor_routes(**merge({"south": {"cost_usd": 200.0}}, routes)), *MONGOLIA],
        parameters={"travel": {"weight_days": 1.0, "weight_cost_per_usd": 0.01,
                               "weight_risk": 200.0, "choice_temperature": TEMPERATURE}},
        timeline=timeline or [],
    )
    return compile_scenario(scenario)


def where(w: World, location: str) -> int:
    return w.graph.location_ids.index(location)


def route(w: World, route_id: str) -> int:
    return w.graph.route_ids.index(route_id)


def test_cost_to_go_is_the_cheapest_way_to_asylum_or_destination() -> None:
    """Bellman-Ford over the open legs gives the hand-worked costs."""
    w = world()
    table = build_table(w, 0)
    for location, cost in COST_TO_GO.items():
        assert table.cost_to_go[where(w, location)] == pytest.approx(cost), location


def test_only_legs_that_bring_one_closer_are_offered_by_a_logit() -> None:
    """At Yanbian both ways lead closer and are offered by the logit on their excess
    cost; elsewhere the one way on; the Bangkok-Seoul flight brings no one closer."""
    w = world()
    table = build_table(w, 0)

    def offered(location: str) -> dict[str, float]:
        row = where(w, location)
        return {w.graph.route_ids[r]: p for r, p in
                zip(table.routes[row], table.probability[row], strict=True) if r >= 0}

    yanbian = offered("yanbian")
    assert set(yanbian) == {"south", "gobi"}
    assert yanbian["south"] == pytest.approx(P_SOUTH)
    assert yanbian["gobi"] == pytest.approx(1 - P_SOUTH)
    assert offered("origin") == {"to_ford": 1.0}
    assert offered("kunming") == {"mekong": 1.0}
    assert offered("bangkok") == {}
    assert offered("seoul") == {}


def test_the_table_names_the_leg_taken_where_only_one_is_offered() -> None:
    """Where one leg is offered it is taken whatever the uniform; where two are, or
    none, the table names none (chains then work out the uniform)."""
    w = world()
    table = build_table(w, 0)
    named = {location: table.only_leg[where(w, location)] for location in
             ("origin", "yanbian", "kunming", "bangkok")}
    assert named == {"origin": route(w, "to_ford"), "yanbian": -1,
                     "kunming": route(w, "mekong"), "bangkok": -1}


def test_probabilities_sum_to_one_wherever_there_is_a_way_on() -> None:
    """Each row is a distribution where the cost to go is finite and not terminal, and all
    zeros at the terminals."""
    w = world()
    table = build_table(w, 0)
    sums = table.probability.sum(axis=1)
    terminal = table.cost_to_go == 0
    np.testing.assert_allclose(sums[~terminal], 1.0)
    assert (sums[terminal] == 0).all()
    assert (table.probability >= 0).all()


def test_next_legs_are_drawn_in_proportion() -> None:
    """From Yanbian, south is taken with the logit probability (binomial, 5 sd)."""
    w = world()
    n = 20_000
    legs = Router(w).next_legs(np.random.default_rng(0), np.full(n, where(w, "yanbian")), 0)
    south = (legs == route(w, "south")).mean()
    assert set(legs.tolist()) == {route(w, "south"), route(w, "gobi")}
    assert abs(south - P_SOUTH) <= 5 * math.sqrt(P_SOUTH * (1 - P_SOUTH) / n)


def test_next_legs_are_the_legs_choose_draws_on_each_row() -> None:
    """The compiled pick gives, uniform for uniform, the leg `draws.choose` gives on each
    escapee's row of the table (-1 where the row is empty)."""
    closed = [{"start": "2001-01-01", "action": "close_route", "where": "mekong"}]
    w = world(closed)
    table = build_table(w, 0)
    locations = np.random.default_rng(5).integers(0, w.graph.n_locations, 5000)
    expected = table.routes[locations, choose(np.random.default_rng(6),
                                              table.probability[locations])]
    expected[table.probability[locations].sum(axis=1) == 0] = -1
    legs = Router(w).next_legs(np.random.default_rng(6), locations, 0)
    np.testing.assert_array_equal(legs, expected)
    assert (legs == -1).any() and len(set(legs.tolist())) > 3


def test_a_closed_leg_is_avoided_from_the_day_it_closes() -> None:
    """Mongolia closed from day 10: Yanbian's cost to go becomes 13, and everyone goes
    south, from that very day."""
    closed = {"start": "2001-01-11", "end": "2001-03-01", "action": "close_route",
              "where": "gobi"}
    w = world([closed])
    router = Router(w)
    yanbian = np.full(1000, where(w, "yanbian"))
    rng = np.random.default_rng(1)
    assert (router.next_legs(rng, yanbian, 9) == route(w, "gobi")).any()
    assert router.table(10).cost_to_go[where(w, "yanbian")] == pytest.approx(13.0)
    assert (router.next_legs(rng, yanbian, 10) == route(w, "south")).all()
    assert (router.next_legs(rng, yanbian, 59) == route(w, "south")).all()
    assert (router.next_legs(rng, yanbian, 60) == route(w, "gobi")).any()


def test_stuck_where_no_open_leg_leads_on() -> None:
    """With both ways out of Yanbian closed, Yanbian and everything behind it has no way
    on: -1 for the next leg; Kunming still has its way."""
    closed = [{"start": "2001-01-01", "action": "close_route", "where": leg}
              for leg in ("south", "gobi")]
    w = world(closed)
    table = build_table(w, 0)
    stuck = [where(w, name) for name in ("origin", "ford", "yanbian")]
    assert np.isinf(table.cost_to_go[stuck]).all()
    assert (table.probability[stuck] == 0).all()
    legs = Router(w).next_legs(np.random.default_rng(2), np.array([*stuck, where(w, "kunming")]),
                               5)
    assert legs.tolist() == [-1, -1, -1, route(w, "mekong")]


def test_risk_raises_a_legs_cost() -> None:
    """Risk 0.005 on the Mekong leg adds 200 * 0.005 = 1: Kunming's cost to go is 8 and the
    south way from Yanbian totals 14 against Mongolia's 10."""
    w = world(mekong={"risk": 0.005})
    table = build_table(w, 0)
    assert table.cost_to_go[where(w, "kunming")] == pytest.approx(8.0)
    row = where(w, "yanbian")
    south = table.probability[row][table.routes[row] == route(w, "south")][0]
    assert south == pytest.approx(math.exp(-4 / TEMPERATURE) / (1 + math.exp(-4 / TEMPERATURE)))


def test_a_leg_to_a_place_farther_from_the_goal_is_not_offered() -> None:
    """Risk 0.02 on the Mekong leg makes Kunming 11 from the goal, farther than Yanbian
    (10): the south leg no longer brings anyone closer, so all go through Mongolia."""
    w = world(mekong={"risk": 0.02})
    table = build_table(w, 0)
    assert table.cost_to_go[where(w, "kunming")] == pytest.approx(11.0)
    row = where(w, "yanbian")
    offered = table.routes[row][table.probability[row] > 0].tolist()
    assert offered == [route(w, "gobi")]


def test_effective_risk_follows_crackdown_movement_and_border_security() -> None:
    """Crackdown in the country a leg enters, movement controls in the one it leaves, and
    border security on legs that cross a border multiply the leg's risk, up to 1."""
    timeline = [
        {"start": "2001-02-01", "action": "scale", "input": "crackdown", "where": "laos",
         "value": 2.0},
        {"start": "2001-02-01", "action": "scale", "input": "movement", "where": "china",
         "value": 1.5},
        {"start": "2001-02-01", "action": "scale", "input": "border_security", "where": "laos",
         "value": 2.0},
        {"start": "2001-02-01", "action": "scale", "input": "border_security",
         "where": "china", "value": 3.0},
    ]
    w = world(timeline, south={"risk": 0.1}, mekong={"risk": 0.1}, across={"risk": 0.5})
    legs = np.array([route(w, "south"), route(w, "mekong"), route(w, "across")])
    np.testing.assert_allclose(effective_risk(w, legs, 0), [0.1, 0.1, 0.5])
    # south stays in China: only movement; mekong enters Laos: all three; the river
    # enters China from the North: border security 3 makes 1.5, cut to 1.
    np.testing.assert_allclose(effective_risk(w, legs, 40), [0.15, 0.6, 1.0])
