"""Legs drawn ahead through places passed through: an escapee setting out draws at once
the legs she would draw on arriving at each place she passes through while nothing
dated changes, and is woken only where the chain ends. The runs must be exactly those
in which she is woken at every place: the only difference between the two is the
world's quiet windows (`World.quiet_until`), set here to "never quiet" to switch the
chains off."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any
from unittest import mock

import numpy as np
import pandas as pd
import pytest

from benchmarks import route_tumen
from tumen import api
from tumen.engine import kernels, luck_kernels
from tumen.engine.context import Context
from tumen.engine.processes import travel
from tumen.engine.routing import Router
from tumen.engine.states import Pending, State
from tumen.engine.world import World
from tumen.results import Results
from tumen.scenario import Scenario
from tumen.scenario.compile import compile_scenario

from .conftest import BASE, LEG_DAYS, busy_sections, merge, simulate_with_context, tiny
from .test_context import scale

# Two places in China between Yanbian and Kunming, passed through like Kunming itself.
NORTHEAST = [{"id": id_, "name": id_.title(), "kind": "transit", "country": "china",
              "lat": 0.0, "lon": 0.0, "pass_through": True}
             for id_ in ("shenyang", "beijing")]
NORTHEAST_LEGS = [
    {"id": "to_shenyang", "from": "yanbian", "to": "shenyang", "mode": "bus",
     "days": {"mean": 3.0, "sd": 1.0}, "risk": 0.02, "cost_usd": 20.0},
    {"id": "to_beijing", "from": "shenyang", "to": "beijing", "mode": "train",
     "days": {"mean": 4.0, "distribution": "geometric"}, "risk_per_day": 0.01,
     "cost_usd": 20.0},
    {"id": "to_kunming", "from": "beijing", "to": "kunming", "mode": "train",
     "days": {"mean": 5.0, "sd": 2.0}, "risk": 0.02, "cost_usd": 20.0},
]


def never_quiet(scenario: Scenario) -> World:
    """The compiled world with every day its own window: no leg is drawn ahead."""
    world = compile_scenario(scenario)
    return dataclasses.replace(world, quiet_until=np.arange(world.n_days))


def run_both(scenario: Scenario, seed: int) -> tuple[tuple[Results, Context], ...]:
    """The run with legs drawn ahead, and the same run woken at every place."""
    ahead = simulate_with_context(scenario, seed)
    with mock.patch.object(api, "compile_scenario", never_quiet):
        step_by_step = simulate_with_context(scenario, seed)
    return ahead, step_by_step


def busy_with_a_chain() -> Scenario:
    """The busy year of the engine tests with a way through Shenyang, Beijing and
    Kunming passed through (in China), a cohort setting out on it on day 0, Vientiane
    passed through too, and China's crackdown raised for four months (which changes
    the legs' risks and the route choice)."""
    sections = busy_sections()
    locations = [merge(spot, {"pass_through": spot["id"] in ("kunming", "vientiane")})
                 for spot in sections["locations"]]
    crackdown = scale("crackdown", "china", 104, 226, 1.5)
    return tiny(**merge(sections, {
        "locations": [*locations, *NORTHEAST],
        "routes": [*sections["routes"], *NORTHEAST_LEGS],
        "population": {"setting_out": [{"location": "yanbian", "count": 400}]},
        "timeline": [*sections["timeline"], crackdown],
    }))


STEPS = ("yanbian", "a1", "a2", "a3", "a4", "kunming")


def a_long_way_through_china() -> Scenario:
    """A cohort setting out from Yanbian on day 0 on a way through four places in China
    passed through, with a risky and a safe leg at each step; China's crackdown is cut
    from day 46 to 100 and doubled from day 130 to 170, which moves the choice between
    them. Nobody else asks for the route table, so the days it is rebuilt on (every 30
    days from its last build, when asked for) depend on the days legs are drawn for:
    a leg drawn ahead must count as the table asked for on its day."""
    places = [{"id": id_, "name": id_.title(), "kind": "transit", "country": "china",
               "lat": 0.0, "lon": 0.0, "pass_through": True} for id_ in STEPS[1:-1]]
    locations = [merge(spot, {"pass_through": spot["id"] == "kunming"})
                 for spot in BASE["locations"]]
    steps = [{"id": f"{kind}_{source}", "from": source, "to": target, "mode": "foot",
              "days": {"mean": 15.0, "distribution": "geometric"}, "risk": risk,
              "cost_usd": cost}
             for source, target in itertools.pairwise(STEPS)
             for kind, risk, cost in (("risky", 0.04, 0.0), ("safe", 0.01, 100.0))]
    routes = [leg for leg in BASE["routes"] if leg["id"] != "south"]
    return tiny(locations=[*locations, *places], routes=[*routes, *steps],
                population={"setting_out": [{"location": "yanbian", "count": 600}]},
                timeline=[scale("crackdown", "china", 46, 100, 0.25),
                          scale("crackdown", "china", 130, 170, 2.0)])


@pytest.mark.parametrize(("name", "scenario", "seed"), [
    ("minimal route", route_tumen.scenario(3000, 150), 4),
    ("busy year with a chain", busy_with_a_chain(), 1),
    ("busy year with a chain", busy_with_a_chain(), 2),
    ("a long way through China", a_long_way_through_china(), 1),
    ("a long way through China", a_long_way_through_china(), 2),
])
def test_drawing_legs_ahead_changes_no_table(name: str, scenario: Scenario, seed: int) -> None:
    (ahead, ctx), (step_by_step, ctx_step) = run_both(scenario, seed)
    assert all(check.passed for check in ahead.invariants), name
    pd.testing.assert_frame_equal(ahead.daily, step_by_step.daily)
    pd.testing.assert_frame_equal(ahead.annual, step_by_step.annual)
    pd.testing.assert_frame_equal(ahead.route_flows, step_by_step.route_flows)
    pd.testing.assert_frame_equal(ahead.ledger, step_by_step.ledger)
    # Legs were drawn ahead in one run and not in the other.
    assert ctx.router.asked_ahead.sum() > 10
    assert not ctx_step.router.asked_ahead.any()
    np.testing.assert_array_equal(ctx.pop.drawn, ctx_step.pop.drawn)


def test_a_day_a_leg_was_drawn_ahead_for_counts_as_asked_for_then() -> None:
    """The table asked for on day 0, on day 30 ahead of time and on day 50 is the one
    asked for on days 0, 30 and 50: rebuilt on day 30 (a month on), with the risks of
    before China's crackdown is cut on day 46, and standing on day 50; asked for on day
    50 alone, it would be rebuilt then."""
    world = compile_scenario(a_long_way_through_china())
    ahead, every_day, skipped = Router(world), Router(world), Router(world)
    for router in (ahead, every_day, skipped):
        router.table(0)
    ahead.asked_ahead[30] = True
    every_day.table(30)
    a1 = world.graph.location_ids.index("a1")
    assert ahead.table(50).routes[a1, 0] == world.graph.route_ids.index("risky_a1")
    share = {name: float(router.table(50).probability[a1, 0])
             for name, router in (("ahead", ahead), ("every day", every_day),
                                  ("skipped", skipped))}
    assert share["ahead"] == share["every day"] == pytest.approx(0.269, abs=1e-3)
    assert share["skipped"] == pytest.approx(0.475, abs=1e-3)
    assert ahead.chain_until(50) == every_day.chain_until(50) == 59
    assert skipped.chain_until(50) == 100


# --- quiet windows on hand-made timelines (the tiny scenario's 365 days) -------------

def quiet(*timeline: dict[str, Any]) -> np.ndarray:
    return compile_scenario(tiny(timeline=list(timeline))).quiet_until


def day(n: int) -> str:
    return str(pd.Timestamp("2001-01-01") + pd.Timedelta(days=n))[:10]


def test_with_nothing_dated_the_window_runs_to_the_last_day() -> None:
    np.testing.assert_array_equal(quiet(), np.full(365, 364))


def test_a_scale_event_opens_a_window_on_its_first_day_and_the_day_after_its_last() -> None:
    until = quiet(scale("movement", "laos", 10, 20, 2.0))
    assert until[0] == until[9] == 9
    assert until[10] == until[20] == 20
    assert until[21] == until[364] == 364


def test_each_day_of_a_ramp_is_its_own_window() -> None:
    """Over five days of ramp the value moves every day, reaching its level on the fifth."""
    event = merge(scale("crackdown", "china", 10, 20, 2.0), {"ramp_days": 5})
    until = quiet(event)
    assert until[9] == 9
    np.testing.assert_array_equal(until[10:14], np.arange(10, 14))
    assert until[14] == until[20] == 20


def test_a_route_closure_ends_a_window_on_either_side() -> None:
    until = quiet({"start": day(30), "end": day(59), "action": "close_route", "where": "mekong"})
    assert until[0] == until[29] == 29
    assert until[30] == until[59] == 59
    assert until[60] == 364


@pytest.mark.parametrize("action", ["airlift", "raid"])
def test_a_one_off_event_opens_a_window_on_its_day(action: str) -> None:
    event = {"start": day(50), "action": action, "where": "vientiane"}
    if action == "airlift":
        event["target"] = "seoul"
    until = quiet(event)
    assert until[0] == until[49] == 49
    assert until[50] == 364


# --- where a chain ends, on the tiny corridor with fixed leg days ---------------------

START = 3
AT_KUNMING = START + LEG_DAYS["south"]
AT_VIENTIANE = AT_KUNMING + LEG_DAYS["mekong"]


def corridor(timeline: list[dict] | None = None, **south: Any) -> Context:
    """A run of the tiny corridor on day START, Kunming passed through (and Vientiane,
    in another country)."""
    locations = [merge(spot, {"pass_through": spot["id"] in ("kunming", "vientiane")})
                 for spot in BASE["locations"]]
    routes = [merge(leg, south) if leg["id"] == "south" else leg for leg in BASE["routes"]]
    ctx = Context(compile_scenario(tiny(locations=locations, routes=routes,
                                        timeline=timeline or [])), seed=3)
    ctx.day = START
    return ctx


def set_out_south(ctx: Context, n: int) -> np.ndarray:
    """`n` escapees setting out from Yanbian on the south leg today."""
    graph = ctx.world.graph
    rows = ctx.add_escapees("test", State.TRAVELLING, graph.location_ids.index("yanbian"), n)
    travel.start_legs(ctx, rows, np.full(n, graph.route_ids.index("south")))
    return rows


def where(ctx: Context, rows: np.ndarray) -> tuple[set, set, set, set, set]:
    """Each traveller's place, leg, its first day, what she is woken for and when."""
    graph, pop = ctx.world.graph, ctx.pop
    return ({graph.location_ids[i] for i in pop.location[rows]},
            {graph.route_ids[i] for i in pop.leg[rows]}, set(pop.since[rows].tolist()),
            set(pop.pending[rows].tolist()), set(pop.wake[rows].tolist()))


def test_a_chain_goes_through_kunming_and_ends_where_the_country_changes() -> None:
    ctx = corridor()
    rows = set_out_south(ctx, 5)
    assert where(ctx, rows) == ({"kunming"}, {"mekong"}, {AT_KUNMING}, {Pending.REVIEW},
                                {AT_VIENTIANE})
    # Per escapee: south's interception, the uniform choosing mekong, mekong's.
    assert (ctx.pop.drawn[rows] == 3).all()
    traffic = ctx.recorder.route_traffic[0]
    assert traffic[ctx.world.graph.route_ids.index("mekong")] == 5
    assert ctx.router.asked_ahead[AT_KUNMING] and ctx.router.asked_ahead.sum() == 1
    np.testing.assert_array_equal(ctx.pop.counts, ctx.pop.recount())


def test_an_interception_ends_the_chain() -> None:
    ctx = corridor(risk=1.0)
    rows = set_out_south(ctx, 5)
    assert where(ctx, rows) == ({"yanbian"}, {"south"}, {START}, {Pending.ARREST},
                                {AT_KUNMING})
    assert (ctx.pop.drawn[rows] == 1).all()


def test_with_no_leg_open_onward_the_chain_ends_before_drawing() -> None:
    closed = {"start": "2001-01-01", "action": "close_route", "where": "mekong"}
    ctx = corridor([closed])
    rows = set_out_south(ctx, 5)
    assert where(ctx, rows) == ({"yanbian"}, {"south"}, {START}, {Pending.REVIEW},
                                {AT_KUNMING})
    assert (ctx.pop.drawn[rows] == 1).all()
    assert not ctx.router.asked_ahead.any()


def test_the_end_of_a_quiet_window_ends_the_chain_and_the_traveller_goes_on_when_woken(
) -> None:
    ctx = corridor([scale("movement", "thailand", AT_KUNMING - 1, 300, 2.0)])
    rows = set_out_south(ctx, 5)
    assert where(ctx, rows) == ({"yanbian"}, {"south"}, {START}, {Pending.REVIEW},
                                {AT_KUNMING})
    ctx.day = AT_KUNMING
    ctx.due = ctx.calendar.due(ctx.pop, ctx.day)
    travel.Travel().step(ctx)
    assert where(ctx, rows) == ({"kunming"}, {"mekong"}, {AT_KUNMING}, {Pending.REVIEW},
                                {AT_VIENTIANE})
    assert (ctx.pop.drawn[rows] == 3).all()


def test_a_leg_is_picked_exactly_where_its_row_has_one_open() -> None:
    """A uniform at the very top of a row takes its last open leg, never none: -1 only
    for a row with no leg open, the one case a chain stops at before drawing."""
    cumulative = np.array([[0.25, 1.0, 1.0], [0.0, 0.0, 0.0]])
    routes = np.array([[4, 7, -1], [-1, -1, -1]], dtype=np.int32)
    locations = np.array([0, 0, 0, 1])
    legs = kernels.pick_legs(locations, cumulative, routes, np.array([0.1, 0.5, 1.0, 0.5]))
    assert legs.tolist() == [4, 7, 7, -1]


def test_a_place_with_one_leg_to_pick_gives_it_whatever_the_uniform() -> None:
    """`only_legs` lets a chain skip working out a uniform it would not use: where it
    names a leg, `pick_leg` gives that leg for the least and greatest uniforms and any
    between; where two legs can be picked, or none is open, it names none."""
    rng = np.random.default_rng(5)
    # The fourth row's second leg has no chance but the greatest uniform (1 itself)
    # reaches it, as it reaches the last open leg of any row.
    probability = np.array([[0.0, 1.0, 0.0], [0.3, 0.7, 0.0], [0.0, 0.0, 0.0],
                            [1.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    cumulative = np.cumsum(probability, axis=1)
    routes = np.array([[-1, 2, -1], [3, 4, -1], [-1, -1, -1], [5, -1, -1], [5, 6, -1],
                       [7, 8, 9]], dtype=np.int32)
    only = kernels.only_legs(cumulative, routes)
    assert only.tolist() == [2, -1, -1, 5, -1, 9]
    u = np.concatenate([[luck_kernels.LEAST_UNIFORM, luck_kernels.GREATEST_UNIFORM],
                        rng.random(2000)])
    assert set(kernels.pick_legs(np.full(u.size, 4), cumulative, routes, u).tolist()) == {5, 6}
    for here in (0, 3, 5):
        picked = kernels.pick_legs(np.full(u.size, here), cumulative, routes, u)
        assert set(picked.tolist()) == {only[here]}
    assert set(kernels.pick_legs(np.full(u.size, 1), cumulative, routes, u).tolist()) == {3, 4}


def _unshift(value: int, shift: int) -> int:
    """The x with x ^ (x >> shift) == value, in 64 bits."""
    x, step = value, shift
    while step < 64:
        x ^= value >> step
        step += shift
    return x


def _key_giving(bits: int) -> int:
    """The key whose first draw (salt 0) is the 64-bit `bits`: splitmix64 run backwards."""
    mask = (1 << 64) - 1
    x = _unshift(bits, 31)
    x = _unshift(x * pow(int(luck_kernels._MIX2), -1, 1 << 64) & mask, 27)
    x = _unshift(x * pow(int(luck_kernels._MIX1), -1, 1 << 64) & mask, 30)
    return (x - int(luck_kernels._GOLDEN)) & mask


def test_the_least_and_greatest_uniforms_are_those_the_streams_give() -> None:
    """The bounds `only_legs` tests are the draws of 53 bits all 0 and all 1 (the
    greatest is 1 itself), and no draw lies outside them."""
    keys = np.array([_key_giving(0), _key_giving((1 << 64) - 1), *range(10_000)],
                    dtype=np.uint64)
    draws = luck_kernels.uniforms(keys, np.zeros(keys.size, dtype=np.uint32),
                                  np.arange(keys.size, dtype=np.int64), np.uint64(0))
    assert draws[0] == luck_kernels.LEAST_UNIFORM
    assert draws[1] == luck_kernels.GREATEST_UNIFORM == 1.0
    assert draws.min() == draws[0] and draws.max() == draws[1]
