"""The compiled travel steps (`tumen.engine.travel_kernels`) on hand-made cases: the legs
and outcomes each escapee draws from her own stream, how arrivals are sorted, safe-house
placement, hand-offs and raids while waiting, and the counts and calendar kept exact."""

from __future__ import annotations

from typing import Any

import numpy as np

from tumen.engine import draws, travel_kernels
from tumen.engine.context import Context
from tumen.engine.luck import EscapeeLuck
from tumen.engine.population import NEVER
from tumen.engine.processes import travel
from tumen.engine.states import Channel, Pending, State
from tumen.scenario.compile import compile_scenario

from .conftest import BASE, LEG_DAYS, WAIT_DAYS, corridor_routes, merge, tiny
from .test_network import rescue_network

HIGHWAY = {"id": "highway", "from": "kunming", "to": "vientiane", "mode": "bus",
           "days": {"mean": LEG_DAYS["mekong"], "sd": 2}}


def context(seed: int = 5, **sections: Any) -> Context:
    """A fresh run of the tiny scenario (with `sections`) on its first day."""
    return Context(compile_scenario(tiny(**sections)), seed)


def place(ctx: Context, name: str) -> int:
    return ctx.world.graph.location_ids.index(name)


def route(ctx: Context, name: str) -> int:
    return ctx.world.graph.route_ids.index(name)


def people_at(ctx: Context, where: str, n: int, state: int = State.HIDING) -> np.ndarray:
    return ctx.add_escapees("test", state, place(ctx, where), n)


def same_streams(ctx: Context, rows: np.ndarray) -> EscapeeLuck:
    """Draws from the streams of `rows` as they stand, leaving the run's own untouched."""
    keys, counters, salt = ctx.streams()
    return EscapeeLuck(keys, counters.copy(), rows, int(salt))


def assert_counts_exact(ctx: Context) -> None:
    np.testing.assert_array_equal(ctx.pop.counts, ctx.pop.recount())


def test_each_leg_is_drawn_from_the_travellers_own_stream_and_woken_at_its_end() -> None:
    ctx = context(routes=corridor_routes(south={"days": {"sd": 2}, "risk": 0.5}))
    ctx.day = 3
    rows = people_at(ctx, "yanbian", 400)
    legs = np.full(rows.size, route(ctx, "south"))
    risk, hazard = ctx.router.risks(ctx.day)
    days, caught = same_streams(ctx, rows).leg_outcomes(legs, ctx.world.graph, risk, hazard)
    travel.start_legs(ctx, rows, legs)
    pop = ctx.pop
    assert (pop.state[rows] == State.TRAVELLING).all()
    assert (pop.leg[rows] == route(ctx, "south")).all()
    assert (pop.since[rows] == 3).all()
    np.testing.assert_array_equal(pop.wake[rows], 3 + days)
    np.testing.assert_array_equal(pop.pending[rows] == Pending.ARREST, caught)
    assert 0.35 < caught.mean() < 0.65
    assert days.std() > 0.5
    assert ctx.recorder.route_traffic[0, route(ctx, "south")] == rows.size
    assert_counts_exact(ctx)


def test_going_on_picks_the_routers_legs_and_returns_those_with_none_open() -> None:
    ctx = context(routes=[*BASE["routes"], HIGHWAY])
    ctx.day = 2
    at_kunming, at_seoul = people_at(ctx, "kunming", 300), people_at(ctx, "seoul", 5)
    rows = np.concatenate([at_kunming, at_seoul])
    luck = same_streams(ctx, rows)
    expected = ctx.router.next_legs(luck, ctx.pop.location[rows], ctx.day)
    stuck = travel.go_on(ctx, rows)
    np.testing.assert_array_equal(stuck, at_seoul)
    np.testing.assert_array_equal(ctx.pop.leg[at_kunming], expected[:at_kunming.size])
    assert {route(ctx, "mekong"), route(ctx, "highway")} == set(ctx.pop.leg[at_kunming])
    # The stuck drew their uniform too, and nothing else happened to them.
    np.testing.assert_array_equal(ctx.pop.drawn[at_seoul], 1)
    assert (ctx.pop.state[at_seoul] == State.HIDING).all()
    assert (ctx.pop.wake[at_seoul] == NEVER).all()
    assert_counts_exact(ctx)


def on_leg(ctx: Context, leg: str, n: int, intercepted: bool,
           channel: int = Channel.NONE) -> np.ndarray:
    """`n` escapees at the start of `leg`, travelling on it."""
    graph = ctx.world.graph
    source = graph.location_ids[graph.route_source[route(ctx, leg)]]
    rows = people_at(ctx, source, n, State.TRAVELLING)
    ctx.pop.leg[rows] = route(ctx, leg)
    ctx.pop.pending[rows] = Pending.ARREST if intercepted else Pending.REVIEW
    ctx.pop.channel[rows] = channel
    return rows


def arrive(ctx: Context, rows: np.ndarray) -> tuple[np.ndarray, ...]:
    graph, pop = ctx.world.graph, ctx.pop
    return travel_kernels.arrive(
        rows, (pop.state, pop.location, pop.location_country, pop.counts),
        (pop.leg, pop.since, pop.pending), pop.channel, graph.route_source,
        graph.route_target, graph.location_kind, graph.location_pass_through,
        travel._ASYLUM, travel._DESTINATION, Channel.NONE)


def test_arrivals_are_sorted_by_where_their_leg_ends_and_whether_they_were_stopped() -> None:
    locations = [merge(spot, {"pass_through": True}) if spot["id"] == "vientiane" else spot
                 for spot in BASE["locations"]]
    ctx = context(locations=locations)
    stopped_south = on_leg(ctx, "south", 2, intercepted=True)
    alone = on_leg(ctx, "south", 2, intercepted=False)
    guided = on_leg(ctx, "south", 2, intercepted=False, channel=Channel.RESCUE)
    passing = on_leg(ctx, "mekong", 2, intercepted=False)
    # Stopped entering Thailand is the detention every arrival there goes through.
    into_thailand = on_leg(ctx, "to_thailand", 1, intercepted=True)
    flown = on_leg(ctx, "flight", 2, intercepted=False)
    # Stopped at the airport: held where the flight would have left, Bangkok (asylum).
    stopped_at_airport = on_leg(ctx, "flight", 1, intercepted=True)
    rows = np.arange(len(ctx.pop))
    groups = arrive(ctx, rows)
    expected = (stopped_south, np.concatenate([into_thailand, stopped_at_airport]), flown,
                passing, alone, guided)
    for got, want in zip(groups, expected, strict=True):
        np.testing.assert_array_equal(got, np.sort(want))
    location = ctx.pop.location
    assert (location[np.concatenate([stopped_south, alone, guided])] == place(ctx, "kunming")).all()
    assert (location[passing] == place(ctx, "vientiane")).all()
    assert (location[stopped_at_airport] == place(ctx, "bangkok")).all()
    assert (location[flown] == place(ctx, "seoul")).all()
    assert (ctx.pop.state == State.TRAVELLING).all()
    assert_counts_exact(ctx)


def waiting_context(capacity: int = 2, timeline: tuple[dict, ...] = (),
                    **parameters: Any) -> Context:
    """The tiny scenario with a rescue cell and safe house in Yanbian and in Kunming."""
    network = merge(rescue_network(capacity=capacity), parameters.pop("network", {}))
    return context(network=network, parameters=parameters, timeline=list(timeline))


def with_cell(ctx: Context, rows: np.ndarray, cell: str) -> np.ndarray:
    ctx.pop.channel[rows] = Channel.RESCUE
    ctx.pop.cell[rows] = ctx.world.network.cell_ids.index(cell)
    return rows


def test_those_stopping_fill_their_cells_house_in_row_order_then_wait_in_the_open() -> None:
    ctx = waiting_context(capacity=2)
    ctx.day = 4
    rows = with_cell(ctx, people_at(ctx, "kunming", 3, State.TRAVELLING), "cell_south")
    travel.enter_waiting(ctx, rows)
    pop, house = ctx.pop, ctx.world.network.house_ids.index("house_south")
    np.testing.assert_array_equal(pop.safe_house[rows], [house, house, -1])
    assert ctx.houses.occupancy[house] == 2
    assert (pop.state[rows] == State.WAITING).all()
    assert (pop.wake[rows] == 4 + WAIT_DAYS).all()
    assert (pop.pending[rows] == Pending.REVIEW).all()
    assert_counts_exact(ctx)


def test_a_hand_off_through_a_go_between_delays_the_wait_or_fails() -> None:
    ctx = waiting_context()
    rows = with_cell(ctx, people_at(ctx, "kunming", 4, State.TRAVELLING), "cell_north")
    travel.enter_waiting(ctx, rows)
    cutout = BASE["network"]["handoff_days_cutout"]["mean"]
    assert (ctx.pop.wake[rows] == WAIT_DAYS + cutout).all()
    assert (ctx.pop.cell[rows] == ctx.world.network.cell_ids.index("cell_south")).all()

    ctx = waiting_context(network={"handoff_failure_cutout": 1.0})
    rows = with_cell(ctx, people_at(ctx, "kunming", 4, State.TRAVELLING), "cell_north")
    travel.enter_waiting(ctx, rows)
    assert (ctx.pop.state[rows] == State.HIDING).all()
    assert (ctx.pop.cell[rows] == -1).all()
    assert ctx.recorder.flows["handoff_failures"][0] == 4
    assert (ctx.houses.occupancy == 0).all()
    assert_counts_exact(ctx)


def test_a_certain_raid_finds_those_waiting_the_next_day() -> None:
    ctx = waiting_context(raids={"waiting_arrest": 1.0})
    rows = with_cell(ctx, people_at(ctx, "kunming", 5, State.TRAVELLING), "cell_south")
    travel.enter_waiting(ctx, rows)
    assert (ctx.pop.pending[rows] == Pending.ARREST).all()
    assert (ctx.pop.wake[rows] == 1).all()


def test_draws_while_waiting_do_not_depend_on_who_else_stops() -> None:
    """Each escapee's wait and raid come from her own stream: stopping with others or
    alone, she wakes on the same day for the same reason."""
    parameters = {"travel": {"wait_days": {"mean": 10, "sd": 6}}, "raids": {"waiting_arrest": 0.05}}

    def stop(chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ctx = waiting_context(capacity=100, **parameters)
        rows = with_cell(ctx, people_at(ctx, "kunming", 60, State.TRAVELLING), "cell_south")
        travel.enter_waiting(ctx, rows[chosen])
        return ctx.pop.wake[chosen], ctx.pop.pending[chosen]

    everyone = np.arange(60)
    wake, pending = stop(everyone)
    odd_wake, odd_pending = stop(everyone[1::2])
    np.testing.assert_array_equal(wake[1::2], odd_wake)
    np.testing.assert_array_equal(pending[1::2], odd_pending)
    assert len(set(wake.tolist())) > 5
    assert 0 < (pending == Pending.ARREST).sum() < 60


def test_leaving_a_stop_frees_the_house_and_a_raid_due_means_arrest() -> None:
    ctx = waiting_context(capacity=10)
    rows = with_cell(ctx, people_at(ctx, "kunming", 6, State.TRAVELLING), "cell_south")
    travel.enter_waiting(ctx, rows)
    ctx.pop.pending[rows[:2]] = Pending.ARREST
    ctx.day = WAIT_DAYS
    ctx.due = ctx.calendar.due(ctx.pop, ctx.day)
    travel.Travel._leave_stops(ctx, ctx.due_in(State.WAITING))
    pop = ctx.pop
    assert (pop.state[rows[:2]] == State.DETAINED_CHINA).all()
    assert (pop.state[rows[2:]] == State.TRAVELLING).all()
    assert (pop.leg[rows[2:]] == route(ctx, "mekong")).all()
    assert (pop.wake[rows[2:]] == WAIT_DAYS + LEG_DAYS["mekong"]).all()
    assert (pop.safe_house[rows] == -1).all()
    assert (ctx.houses.occupancy == 0).all()
    assert_counts_exact(ctx)


def test_with_no_leg_open_those_waiting_stay_and_look_again_later() -> None:
    closed = {"start": "2001-01-01", "end": "2001-12-31", "action": "close_route",
              "where": "mekong"}
    ctx = waiting_context(capacity=10, timeline=(closed,))
    rows = with_cell(ctx, people_at(ctx, "kunming", 3, State.TRAVELLING), "cell_south")
    travel.enter_waiting(ctx, rows)
    ctx.day = WAIT_DAYS
    ctx.due = ctx.calendar.due(ctx.pop, ctx.day)
    travel.Travel._leave_stops(ctx, ctx.due_in(State.WAITING))
    pop = ctx.pop
    assert (pop.state[rows] == State.WAITING).all()
    assert (pop.wake[rows] == WAIT_DAYS + travel.STUCK_REVIEW_DAYS).all()
    assert (pop.safe_house[rows] >= 0).all()
    assert ctx.houses.occupancy.sum() == 3


def test_a_stop_draws_as_the_shared_draw_functions_do_with_geometric_times() -> None:
    """Hand-off delay, failure, wait and raid, drawn in this order from each escapee's
    stream, as `tumen.engine.draws` draws them for a time given as geometric."""
    geometric = {"distribution": "geometric"}
    ctx = waiting_context(
        capacity=1000, network={"handoff_days_cutout": {"mean": 3, **geometric}},
        travel={"wait_days": {"mean": 4, **geometric}}, raids={"waiting_arrest": 0.05})
    rows = with_cell(ctx, people_at(ctx, "kunming", 300, State.TRAVELLING), "cell_north")
    luck, params = same_streams(ctx, rows), ctx.world.parameters
    delay = draws.days(luck, ctx.world.network_params.handoff_days_cutout, rows.size)
    luck.random(rows.size)  # the hand-off's failure
    wait = draws.days(luck, params.travel.wait_days, rows.size) + delay
    hazard = params.raids.waiting_arrest * ctx.input("crackdown", ctx.country_of(rows))
    raid, _ = draws.waiting_days(luck, hazard, int(wait.max()))
    travel.enter_waiting(ctx, rows)
    arrested = raid < wait
    np.testing.assert_array_equal(ctx.pop.pending[rows] == Pending.ARREST, arrested)
    np.testing.assert_array_equal(ctx.pop.wake[rows], np.where(arrested, raid, wait))
    assert 0 < arrested.sum() < rows.size
    assert delay.std() > 1
