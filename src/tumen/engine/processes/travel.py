"""Travel leg by leg: waiting in safe houses, hand-offs between cells, interception.

An escapee with a network (a rescue cell or a broker line) waits at each stop, in a
safe house of the cell that runs that stop if one has room, else in the open. When the
stop is run by another cell than the one that brought her, she is handed on: quickly
if the two cells know each other, slowly through a go-between if not, and a hand-off
can fail, leaving her alone where she is. Each leg may end in interception, with a
probability that crackdowns, border security and movement controls scale.

The per-escapee work is compiled (`tumen.engine.travel_kernels`); this module gathers
what the kernels need and hands the rows they sort out to the processes that own them.
"""

from __future__ import annotations

import functools
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from tumen.engine import kernels, luck_kernels, travel_kernels
from tumen.engine.border_kernels import days_spec
from tumen.engine.context import Context
from tumen.engine.processes import asylum, detention, hiding, raids, resettlement
from tumen.engine.states import Channel, State
from tumen.engine.world import LOCATION_KINDS
from tumen.scenario.schema import LocationKind

_ASYLUM = LOCATION_KINDS.index(LocationKind.ASYLUM)
_DESTINATION = LOCATION_KINDS.index(LocationKind.DESTINATION)
STUCK_REVIEW_DAYS = 30


def _trip(ctx: Context) -> tuple[np.ndarray, ...]:
    """Each escapee's leg, since when she is where she is, and what her wake-up is for."""
    return ctx.pop.leg, ctx.pop.since, ctx.pop.pending


def _onward(ctx: Context) -> tuple:
    """Today's route choice, and how far ahead legs may be drawn from today (see
    `travel_kernels`). Asked for only when someone sets out: the router rebuilds a stale
    table on the day it is next asked for, so asking on other days would change the run."""
    router, graph = ctx.router, ctx.world.graph
    table = router.table(ctx.day)
    straight_on = ctx.once("straight_on", lambda: graph.location_pass_through & ~np.isin(
        graph.location_kind, (_ASYLUM, _DESTINATION)))
    return (table.cumulative, table.routes, router.chain_until(ctx.day), graph.route_source,
            graph.route_target, straight_on, router.asked_ahead, table.only_leg)


def _legs_today(ctx: Context) -> tuple[np.ndarray, ...]:
    """Each route's risks today, its days, the counts of travellers on it by year, and
    the bounds of its geometric days (`luck_kernels.day_bounds`)."""
    graph = ctx.world.graph
    risk, hazard = ctx.router.risks(ctx.day)
    bounds = ctx.once("day_bounds", lambda: luck_kernels.day_bounds(graph.route_days_mean))
    return (risk, hazard, graph.route_days_geometric, graph.route_days_mean,
            graph.route_days_sd, *ctx.recorder.traffic_by_year(), *bounds)


def _rows(rows: np.ndarray) -> np.ndarray:
    """Rows as the kernels take them (one compiled version for every caller)."""
    return np.ascontiguousarray(rows, dtype=np.int64)


def enter_waiting(ctx: Context, rows: np.ndarray) -> None:
    """Escapees with a network stop where they are: hand-off, safe house, wait, risk."""
    if rows.size == 0:
        return
    pop, world, params = ctx.pop, ctx.world, ctx.params
    network, handoff = world.network, world.network_params
    failed = travel_kernels.wait_at_stops(
        ctx.streams(), _rows(rows), ctx.day, ctx.pop.move_arrays(), _trip(ctx),
        (pop.channel, pop.cell, pop.safe_house), network.running_cell,
        network.cell_knows_cell,
        (*days_spec(handoff.handoff_days_known), handoff.handoff_failure_known),
        (*days_spec(handoff.handoff_days_cutout), handoff.handoff_failure_cutout),
        ctx.houses.placement_arrays(), days_spec(params.travel.wait_days),
        (params.raids.waiting_arrest, params.travel.open_air_arrest_factor,
         world.inputs["crackdown"]),
        ctx.calendar.arrays(pop, rows.size))
    ctx.count("handoff_failures", failed.size)
    hiding.enter(ctx, failed)


def start_legs(ctx: Context, rows: np.ndarray, legs: np.ndarray) -> None:
    """Set out on `legs`; interception is decided now and happens on arrival."""
    if rows.size == 0:
        return
    rows, legs = _rows(rows), np.ascontiguousarray(legs)
    threads = chain_threads(rows.size)
    if threads > 1:
        _set_out_on_threads(ctx, rows, legs, threads)
        return
    travel_kernels.set_out(ctx.streams(), rows, legs, ctx.day, ctx.pop.move_arrays(),
                           _trip(ctx), _legs_today(ctx), _onward(ctx),
                           ctx.calendar.arrays(ctx.pop, rows.size))


def go_on(ctx: Context, rows: np.ndarray) -> np.ndarray:
    """Set out at once on a next leg from where they stand; returns those with none open."""
    rows = _rows(rows)
    if chain_threads(rows.size) == 1:
        return travel_kernels.go_on(ctx.streams(), rows, ctx.day, ctx.pop.move_arrays(),
                                    _trip(ctx), _legs_today(ctx), _onward(ctx),
                                    ctx.calendar.arrays(ctx.pop, rows.size))
    legs = travel_kernels.draw_legs(ctx.streams(), rows, ctx.pop.location[rows].astype(np.int64),
                                    _onward(ctx))
    leaving = legs >= 0
    start_legs(ctx, rows[leaving], legs[leaving])
    return rows[~leaving]


# From this many escapees setting out at once (a cohort on day 0), their chains of legs
# are drawn in blocks of rows on a thread per core; fewer are drawn at once on the
# calling thread.
THREADED_FROM = 4096


def chain_threads(n: int) -> int:
    """How many threads draw the chains of `n` escapees setting out at once: one below
    THREADED_FROM, and one off the main thread (on a Dask worker or in a user's pool of
    threads, where runs already share the cores); else one per core."""
    if n < THREADED_FROM or threading.current_thread() is not threading.main_thread():
        return 1
    cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    return len(cores) if cores else os.cpu_count() or 1


# Blocks of rows per thread: a thread whose core is taken for a while by other work
# (the host's, on a shared machine) leaves more of the blocks to the others.
BLOCKS_PER_THREAD = 4


@functools.cache
def _pool(threads: int) -> ThreadPoolExecutor:
    """Threads kept for drawing chains: a cohort comes in batches
    (`simulate.SETTING_OUT_BATCH`), and starting threads for each cost as much as a
    tenth of its drawing."""
    return ThreadPoolExecutor(threads, thread_name_prefix="tumen-chains")


# A child process forked from one with the pool has the pool but none of its threads.
os.register_at_fork(after_in_child=_pool.cache_clear)


def _set_out_on_threads(ctx: Context, rows: np.ndarray, legs: np.ndarray,
                        threads: int) -> None:
    """`travel_kernels.set_out` with the chains drawn on `threads` threads, in
    BLOCKS_PER_THREAD blocks of rows each, each block counting its travellers and the
    days it asks the route table for apart, added up after. Each escapee draws from her
    own stream, so the run is the one drawn on one thread."""
    people, trip, legs_today, onward = ctx.pop.move_arrays(), _trip(ctx), _legs_today(ctx), \
        _onward(ctx)
    traffic, asked = legs_today[5], onward[6]
    when = travel_kernels.start_setting_out(rows, people)
    blocks = threads * BLOCKS_PER_THREAD
    bounds = np.linspace(0, rows.size, blocks + 1).astype(np.int64)
    traffic_of = np.zeros((blocks, *traffic.shape), dtype=traffic.dtype)
    asked_of = np.zeros((blocks, asked.size), dtype=bool)

    def draw(block: int) -> None:
        travel_kernels.draw_chains(
            ctx.streams(), rows, legs, bounds[block], bounds[block + 1], ctx.day, trip,
            legs_today, onward, people, traffic_of[block], asked_of[block], when)

    list(_pool(threads).map(draw, range(blocks)))
    traffic += traffic_of.sum(axis=0)
    asked |= asked_of.any(axis=0)
    kernels.schedule(rows, when, *ctx.calendar.arrays(ctx.pop, rows.size))


class Travel:
    """Moves on those whose wait is over and lands those whose leg ends today."""

    name = "travel"

    def step(self, ctx: Context) -> None:
        self._leave_stops(ctx, ctx.due_in(State.WAITING))
        self._arrive(ctx, ctx.due_in(State.TRAVELLING))

    @staticmethod
    def _leave_stops(ctx: Context, rows: np.ndarray) -> None:
        """Those a raid was due for are arrested; the others leave on a next leg, or, with
        none open, look again later."""
        if rows.size == 0:
            return
        arrested = travel_kernels.leave_stops(
            ctx.streams(), rows, ctx.day, STUCK_REVIEW_DAYS, ctx.pop.move_arrays(), _trip(ctx),
            _legs_today(ctx), _onward(ctx), ctx.calendar.arrays(ctx.pop, rows.size),
            ctx.pop.safe_house,
            ctx.houses.occupancy)
        raids.raid_stops(ctx, arrested)

    @staticmethod
    def _arrive(ctx: Context, rows: np.ndarray) -> None:
        """Land those whose leg ends today; at a pass-through place they go straight on."""
        if rows.size == 0:
            return
        pop, graph = ctx.pop, ctx.world.graph
        arrested, at_asylum, home, through, alone, guided = travel_kernels.arrive(
            rows, ctx.pop.move_arrays(), _trip(ctx), pop.channel, graph.route_source,
            graph.route_target, graph.location_kind, graph.location_pass_through, _ASYLUM,
            _DESTINATION, Channel.NONE)
        detention.arrest(ctx, arrested)
        asylum.enter(ctx, at_asylum)
        resettlement.arrive(ctx, home)
        if through.size:
            stuck = go_on(ctx, through)
            on_own = pop.channel[stuck] == Channel.NONE
            alone = np.concatenate([alone, stuck[on_own]])
            guided = np.concatenate([guided, stuck[~on_own]])
        hiding.enter(ctx, alone)
        enter_waiting(ctx, guided)
