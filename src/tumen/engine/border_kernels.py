"""Compiled daily steps of the North Korean side: departures, the river and prison.

Each step is one pass over the escapees due, drawing from each person's own stream in
the order the model describes (see `processes.departure`, `crossing`, `punishment`);
in NumPy the same work is dozens of array operations on a few rows, each costing
microseconds whatever its size. A step returns the days to wake its rows and the
money and counts to book, which the process books in Python.

Arguments come in tuples that keep related arrays together: `streams` (identity keys,
draws taken, the run's salt), `moves` (state, location, each location's country, counts
by state and country, as `kernels.move` takes them), `table` (running sums of the
route table's probabilities and its legs, as `kernels.pick_legs` takes them), `lengths`
(each route's geometric flag, mean and sd of days) and a `Days` spec (geometric flag,
mean, sd; see `days_spec`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from tumen.engine import kernels
from tumen.engine.luck_kernels import (
    _gamma_day_count,
    _leg_length,
    _next_uniform,
    _spec_days,
    _survival_of,
    uniforms,
)
from tumen.engine.population import Population
from tumen.engine.states import Channel, State
from tumen.engine.world import Graph
from tumen.scenario.schema import Days

# Those with no way out today look again after this many days.
SEALED_REVIEW_DAYS = 30
# State and channel codes as plain globals, which compiled code reads as constants.
_APPROACHING, _IMPRISONED_NK = State.APPROACHING, State.IMPRISONED_NK
_STAYED_NK, _DIED = State.STAYED_NK, State.DIED
_NONE, _BROKER = Channel.NONE, Channel.BROKER
NEVER = np.iinfo(np.int64).max  # a wake-up day past any calendar's end
# What happens to each escapee who meets the guards at the river.
_CROSSES, _DIES, _JAILED = 0, 1, 2


def people(pop: Population) -> tuple[np.ndarray, ...]:
    """Where an escapee comes from and how she travels: origin, channel, cell, leg and
    since when she is where she is."""
    return pop.origin, pop.channel, pop.cell, pop.leg, pop.since


def days_spec(spec: Days) -> tuple[bool, float, float]:
    """A scenario `Days` distribution as the tuple the kernels take."""
    return spec.distribution == "geometric", float(spec.mean), float(spec.sd)


def route_lengths(graph: Graph) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each route's days distribution as the tuple the kernels take."""
    return graph.route_days_geometric, graph.route_days_mean, graph.route_days_sd


@njit(cache=True)
def draw_days(streams, row, spec):
    """Whole days from a `Days` spec for one escapee, drawn as `draws.days` draws them."""
    keys, counters, salt = streams
    geometric, mean, sd = spec
    return np.int64(_spec_days(keys, counters, row, salt, geometric, mean, sd))


@njit(cache=True)
def wake_after(day, delay):
    """The day `delay` days after `day`, at least the next (as `Context.wake_in`)."""
    return day + max(1, delay)


@njit(cache=True)
def new_escapees(rows, origins, streams, woman, child, origin, prepaid, funds, shares,
                 savings, prepaid_usd):
    """Sex, age and money of new escapees; returns the savings they bring.

    Each draws whether she is a woman, then a child (`shares` holds both shares), then,
    unless a broker is prepaid (`prepaid_usd` > 0), whether she carries savings (the
    share in `savings`) and how much (a gamma of its mean and sd, drawn by all).
    """
    keys, counters, salt = streams
    women_share, child_share = shares
    funds_share, mean, sd = savings
    brought = 0.0
    for i in range(rows.size):
        row = rows[i]
        origin[row] = origins[i]
        woman[row] = _next_uniform(keys, counters, row, salt) < women_share
        child[row] = _next_uniform(keys, counters, row, salt) < child_share
        if prepaid_usd > 0:
            prepaid[row] = True
            funds[row] = prepaid_usd
            continue
        carries = _next_uniform(keys, counters, row, salt) < funds_share
        amount = np.float64(np.int32(_gamma_day_count(keys, counters, row, salt, mean, sd)))
        funds[row] = amount if carries else 0.0
        brought += funds[row]
    return brought


@njit(cache=True)
def set_off(rows, day, streams, table, lengths, location, leg, since, traffic):
    """Each escapee draws her leg towards a crossing from where she is, then its days;
    returns the day each wakes. With no open leg she waits a month (drawing the days of
    leg 0 all the same)."""
    keys, counters, salt = streams
    cumulative, routes = table
    geometric, mean, sd = lengths
    u = uniforms(keys, counters, rows, salt)
    legs = kernels.pick_legs(location[rows], cumulative, routes, u)
    survival = _survival_of(1.0 / mean)
    wake = np.empty(rows.size, dtype=np.int64)
    for i in range(rows.size):
        row, chosen = rows[i], legs[i]
        leg[row] = chosen
        since[row] = day
        drawn = max(chosen, 0)
        length = _leg_length(keys, counters, row, salt, geometric[drawn], survival[drawn],
                             mean[drawn], sd[drawn])
        if chosen >= 0:
            traffic[chosen] += 1
            wake[i] = wake_after(day, np.int64(np.int32(length)))
        else:
            wake[i] = wake_after(day, SEALED_REVIEW_DAYS)
    return wake


@njit(cache=True)
def imprison(rows, day, streams, moves, people, prison):
    """Escapees held at their home province for a prison term (a `Days` spec, drawn
    now); `people` holds origin, channel, cell, leg and since. Returns wake-up days."""
    origin, channel, cell, leg, since = people
    kernels.move(rows, _IMPRISONED_NK, origin[rows].astype(np.int64), *moves)
    wake = np.empty(rows.size, dtype=np.int64)
    for i in range(rows.size):
        row = rows[i]
        channel[row] = _NONE
        cell[row] = -1
        leg[row] = -1
        since[row] = day
        wake[i] = wake_after(day, draw_days(streams, row, prison))
    return wake


@njit(cache=True)
def _meet_the_guards(rows, into_china, streams, money, guards):
    """Each escapee at an open river pays the guards if she can (`money`: funds,
    prepaid, each route's cost; `guards`: fee scale, brokers' bribe share, detection,
    bribe effect, death), then draws whether she is caught and whether the caught die.
    Returns (each one's fate, the bribes paid)."""
    keys, counters, salt = streams
    funds, prepaid, route_cost = money
    fee_scale, bribe_share, detection, bribe_effect, death = guards
    fate = np.full(rows.size, _CROSSES, dtype=np.int8)
    bribes = 0.0
    for i in range(rows.size):
        row = rows[i]
        bribe = route_cost[into_china[i]] * fee_scale
        if prepaid[row]:
            bribe = funds[row] * bribe_share
        pays = bribe > 0 and funds[row] >= bribe
        if pays:
            funds[row] -= bribe
            bribes += bribe
        odds = min(max(detection * (1.0 - bribe_effect * (1.0 if pays else 0.0)), 0.0), 1.0)
        caught = _next_uniform(keys, counters, row, salt) < odds
        dies = _next_uniform(keys, counters, row, salt) < death
        if caught:
            fate[i] = _DIES if dies else _JAILED
    return fate, bribes


@njit(cache=True)
def cross_river(rows, day, streams, table, lengths, moves, people, crossed, money, guards,
                prison, traffic):
    """The river for those due at it (see `processes.crossing`).

    Those with no leg yet set off from home first. The rest reach their crossing point
    and draw a leg into China; if none is open they wait there a month (keeping the leg
    that led there, to try this crossing again). The others meet the guards (see
    `_meet_the_guards`); the caught who live go to prison (`people`: origin, channel,
    cell, leg, since), the dead lose their money. Those who cross go on with their
    broker, if prepaid, who takes what the guards left. Returns (rows to wake, their
    days, rows crossing, their legs into China, money as [bribes, seized, broker fees],
    [deaths, caught alive]).
    """
    leg, since, channel = people[3], people[4], people[1]
    funds, prepaid = money[0], money[1]
    woken = np.empty(rows.size, dtype=np.int64)
    wake = np.empty(rows.size, dtype=np.int64)
    waiting, rows = rows[leg[rows] < 0], rows[leg[rows] >= 0]
    woken[:waiting.size] = waiting
    wake[:waiting.size] = set_off(waiting, day, streams, table, lengths, moves[1], leg, since,
                                  traffic)
    n_woken = waiting.size
    points = money[3][leg[rows]].astype(np.int64)
    kernels.move(rows, _APPROACHING, points, *moves)
    u = uniforms(streams[0], streams[1], rows, streams[2])
    into_china = kernels.pick_legs(points, table[0], table[1], u)
    sealed = rows[into_china < 0]
    woken[n_woken:n_woken + sealed.size] = sealed
    wake[n_woken:n_woken + sealed.size] = wake_after(day, SEALED_REVIEW_DAYS)
    n_woken += sealed.size
    rows, into_china = rows[into_china >= 0], into_china[into_china >= 0]
    fate, bribes = _meet_the_guards(rows, into_china, streams, money[:3], guards)
    booked = np.array([bribes, 0.0, 0.0])
    died = rows[fate == _DIES]
    for row in died:
        booked[1] += funds[row]
        funds[row] = 0.0
    kernels.move(died, _DIED, kernels.STAY, *moves)
    woken[n_woken:n_woken + died.size] = died
    wake[n_woken:n_woken + died.size] = NEVER
    n_woken += died.size
    caught = rows[fate == _JAILED]
    woken[n_woken:n_woken + caught.size] = caught
    wake[n_woken:n_woken + caught.size] = imprison(caught, day, streams, moves, people, prison)
    n_woken += caught.size
    crossing = rows[fate == _CROSSES]
    for row in crossing:
        channel[row] = _BROKER if prepaid[row] else _NONE
        if prepaid[row]:
            booked[2] += funds[row]
            funds[row] = 0.0
        crossed[row] = day
    counts = np.array([died.size, caught.size])
    return woken[:n_woken], wake[:n_woken], crossing, into_china[fate == _CROSSES], booked, counts


@njit(cache=True)
def end_terms(rows, day, streams, moves, attempts, prepaid, leg, retry, retry_wait):
    """At the end of her prison term each escapee draws whether she tries again (with
    chance `retry`): if so she sets out for the river anew, on her own, after a wait (a
    `Days` spec); if not she stays for good. Returns (wake-up days, those trying again)."""
    keys, counters, salt = streams
    again = np.empty(rows.size, dtype=np.bool_)
    wake = np.full(rows.size, NEVER, dtype=np.int64)
    for i in range(rows.size):
        row = rows[i]
        again[i] = _next_uniform(keys, counters, row, salt) < retry
        if again[i]:
            attempts[row] += 1
            prepaid[row] = False
            leg[row] = -1
            wake[i] = wake_after(day, draw_days(streams, row, retry_wait))
    kernels.move(rows[~again], _STAYED_NK, kernels.STAY, *moves)
    kernels.move(rows[again], _APPROACHING, kernels.STAY, *moves)
    return wake, int(again.sum())
