"""Compiled steps of travel (see `tumen.engine.processes.travel`): setting out on legs,
leaving stops, arriving, and settling in to wait at a stop.

In NumPy each step was dozens of array operations on the few dozen escapees due at a
time, each costing microseconds whatever its size; here each is a loop over those rows.
A kernel makes the same draws as the NumPy steps did, per escapee and in the same order,
so a run is unchanged. What other processes own (arrest, asylum, resettlement, hiding)
is left to them: the kernels return the rows bound there.

Arrays are passed in groups, as tuples:
- `streams`: (keys, counters, salt), every escapee's own random stream
  (`tumen.engine.luck_kernels`);
- `people`: (state, location, location_country, counts), what `kernels.move` keeps;
- `trip`: (leg, since, pending), each escapee's leg, since when she is where she is, and
  what her next wake-up is for;
- `ties`: (channel, cell, safe_house), who moves each escapee and where she stays;
- `calendar`: the wake-up calendar's arrays (`Context.Calendar.arrays`);
- `legs_today`: (risk, hazard, geometric, mean, sd, traffic, year_of_day, at_most,
  more_than), each route's interception risk and daily hazard today, its days, the
  counts of travellers by year and route with each day's index into them, and the
  bounds of its geometric days (`luck_kernels.day_bounds`);
- `onward`: (cumulative, routes, until, route_source, route_target, straight_on, asked,
  only_leg), today's route choice (`routing.RouteTable`), the last day up to which legs
  are drawn ahead (`routing.Router.chain_until`), each route's ends, which places
  travellers go straight on from (`pass_through`, not journey's end), the days the
  route table counts as asked for (`routing.Router.asked_ahead`) and the leg picked at
  each place whatever the uniform (`RouteTable.only_leg`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from tumen.engine import kernels, luck_kernels
from tumen.engine.luck_kernels import (
    _ONE,
    _days_to_event,
    _gamma_days_from,
    _guessed_day,
    _interception,
    _log_survival,
    _next_uniform,
    _spec_days,
    _strike,
    _table_day,
    _uniform,
)
from tumen.engine.states import Pending, State

_TRAVELLING, _WAITING = State.TRAVELLING, State.WAITING
_ARREST, _REVIEW = Pending.ARREST, Pending.REVIEW


@njit(cache=True)
def wake_after(rows, days, day, calendar):
    """Wake `rows` after their `days` (at least one), as `Context.wake_in` does."""
    when = np.empty(rows.size, dtype=np.int64)
    for i in range(rows.size):
        when[i] = day + max(1, days[i])
    kernels.schedule(rows, when, *calendar)


@njit(cache=True)
def set_out(streams, rows, legs, day, people, trip, legs_today, onward, calendar):
    """Put `rows` on `legs` from today, count them on their routes, draw what each leg
    brings (`luck_kernels._leg_outcome`: interception is decided now and happens on
    arrival) and wake each when she arrives or is stopped.

    An arrival at a place passed through is no event anyone else sees while nothing
    changes (`onward`: up to its last day, `Router.chain_until`), so the legs after it
    are drawn at once, leg after leg as she would draw them on arriving (`_chain_routes`),
    and she is woken only where the chain ends. Meanwhile she stands where her last leg
    began, on it since its first day, as if she had walked the ones before.

    In three steps, so that many escapees' chains can be drawn on several threads
    (`processes.travel`): `start_setting_out`, `draw_chains`, then `kernels.schedule`
    with the wake-up days the chains gave."""
    when = start_setting_out(rows, people)
    draw_chains(streams, rows, legs, 0, rows.size, day, trip, legs_today, onward,
                people, legs_today[5], onward[6], when)
    kernels.schedule(rows, when, *calendar)


@njit(cache=True)
def start_setting_out(rows, people):
    """Put `rows` on the way; returns the array of wake-up days `draw_chains` fills."""
    kernels.move(rows, _TRAVELLING, kernels.STAY, *people)
    return np.empty(rows.size, dtype=np.int64)


@njit(cache=True, nogil=True)
def draw_chains(streams, rows, legs, first, last, day, trip, legs_today, onward,
                people, traffic, asked, when):
    """The chains of `rows[first:last]` (see `set_out`), each drawn whole with her
    stream's place held in a register, counting travellers in `traffic` and the days
    the route table is asked for in `asked`, and each one's wake-up day in `when`. One
    who walked legs before the one she is woken on is stood where that leg begins: in
    the country she set out in, as a chain goes on only within one (`_chain_routes`),
    so the counts by state and country stay as they are. Writes only these rows' own
    values and `traffic` and `asked`, without Python's lock: other blocks of rows can be
    drawn at the same time on other threads, each with its own `traffic` and `asked`."""
    keys, counters, salt = streams
    leg, since, pending = trip
    location, location_country = people[1], people[2]
    route_source = onward[3]
    year_of_day, at_most, more_than = legs_today[6], legs_today[7], legs_today[8]
    cumulative, routes, until, route_target, only_leg = (
        onward[0], onward[1], onward[2], onward[4], onward[7])
    values, goes_on = _chain_routes(legs_today, onward, location_country)
    for i in range(first, last):
        row, route, start = rows[i], np.int64(legs[i]), day
        base, drawn = keys[row] ^ salt, np.uint64(counters[row])
        while True:
            # `luck_kernels._leg_outcome`, with geometric days read off their table.
            v = values[route]
            caught, drawn = _interception(base, drawn, v[0])
            if v[2] != 0.0:
                u = _uniform(base, drawn)
                drawn += _ONE
                guess = _guessed_day(u, v[8])
                length = _table_day(u, guess, at_most[route, guess],
                                    more_than[route, guess - 1], v[3])
            else:
                length, drawn = _gamma_days_from(base, drawn, v[6], v[7])
            length, caught, drawn = _strike(base, drawn, v[1], v[4], v[5], length, caught)
            traffic[year_of_day[start], route] += 1
            end = start + max(1, np.int64(length))
            if caught or end > until or not goes_on[route]:
                break
            # Drawn as `go_on` draws it on the day she gets there, which the route
            # table counts as asked for (`Router.asked_ahead`).
            asked[end] = True
            here = route_target[route]
            if only_leg[here] >= 0:  # the uniform is drawn, but need not be worked out
                route = only_leg[here]
            else:
                route = np.int64(kernels.pick_leg(cumulative, routes, here,
                                                  _uniform(base, drawn)))
            drawn += np.uint64(1)
            start = end
        counters[row] = np.uint32(drawn)
        leg[row] = route
        since[row] = start
        pending[row] = _ARREST if caught else _REVIEW
        when[i] = end
        if start > day:
            location[row] = route_source[route]


@njit(cache=True)
def _chain_routes(legs_today, onward, location_country):
    """What a chain reads of each route, worked out once a call rather than once a leg:
    the values `luck_kernels._leg_outcome` takes, side by side in one row (risk, hazard,
    1 if its days are geometric, the log-survivals of its days and of its hazard
    (`luck_kernels.leg_survivals`), the sure-miss bound, its days' mean and sd, and 1
    over the log-survival of its days, for `luck_kernels._guessed_day`); and
    whether an escapee not intercepted on it goes straight on from where it ends, if she
    gets there by the chain's last day (`onward[2]`), without being woken. She does
    where it ends at a place passed through in the country it began in (stocks are kept
    by country, day by day) with a leg open onward (checked before any draw: with none
    open she draws her uniform only when woken)."""
    risk, hazard, geometric, mean, sd = (
        legs_today[0], legs_today[1], legs_today[2], legs_today[3], legs_today[4])
    cumulative, route_source, route_target, straight_on = (
        onward[0], onward[3], onward[4], onward[5])
    geometric_survival, hazard_survival, sure_miss = luck_kernels.leg_survivals(hazard, mean)
    values = np.empty((risk.size, 9))
    goes_on = np.empty(risk.size, dtype=np.bool_)
    for route in range(risk.size):
        values[route, 0], values[route, 1] = risk[route], hazard[route]
        values[route, 2] = 1.0 if geometric[route] else 0.0
        values[route, 3], values[route, 4] = geometric_survival[route], hazard_survival[route]
        values[route, 5], values[route, 6], values[route, 7] = (
            sure_miss[route], mean[route], sd[route])
        values[route, 8] = 1.0 / geometric_survival[route]
        target = route_target[route]
        goes_on[route] = (straight_on[target]
                          and location_country[target] == location_country[route_source[route]]
                          and kernels.has_open_leg(cumulative, target))
    return values, goes_on


@njit(cache=True)
def draw_legs(streams, rows, here, onward):
    """The next leg of each escapee from the place `here`, drawn with a uniform from her
    stream on today's table (`routing.Router.next_legs`); -1 where no leg is open."""
    keys, counters, salt = streams
    u = luck_kernels.uniforms(keys, counters, rows, salt)
    return kernels.pick_legs(here, onward[0], onward[1], u)


@njit(cache=True)
def go_on(streams, rows, day, people, trip, legs_today, onward, calendar):
    """Set `rows` out at once on a next leg from where they stand (`draw_legs`); returns
    those with no leg open, who stay."""
    location = people[1]
    here = np.empty(rows.size, dtype=np.int64)
    for i in range(rows.size):
        here[i] = location[rows[i]]
    legs = draw_legs(streams, rows, here, onward)
    leaving = legs >= 0
    set_out(streams, rows[leaving], legs[leaving], day, people, trip, legs_today, onward,
            calendar)
    return rows[~leaving]


@njit(cache=True)
def leave_stops(streams, rows, day, stuck_days, people, trip, legs_today, onward, calendar,
                safe_house, occupancy):
    """Those whose wait at a stop is over: the ones a raid is due for are returned, to be
    arrested; the others leave their safe house and set out on a next leg, or, with none
    open, stay and look again in `stuck_days`."""
    state, pending = people[0], trip[2]
    raided = pending[rows] == _ARREST
    moving_on = rows[~raided]
    stuck = go_on(streams, moving_on, day, people, trip, legs_today, onward, calendar)
    for row in moving_on:
        if state[row] == _TRAVELLING and safe_house[row] >= 0:
            occupancy[safe_house[row]] -= 1
            safe_house[row] = -1
    wake_after(stuck, np.full(stuck.size, stuck_days, dtype=np.int64), day, calendar)
    return rows[raided]


@njit(cache=True)
def arrive(rows, people, trip, channel, route_source, route_target, location_kind,
           pass_through, asylum_kind, destination_kind, no_channel):
    """Land each escapee where her leg ends (where it began if she was stopped on the
    way to a destination: at an embassy gate, at the airport) and sort them by what
    comes next. Returns, in row order: the arrested (stopped anywhere but on entering
    an asylum country, where every arrival is held anyway), those
    reaching asylum, those reaching a destination, those at a pass-through place, and,
    of the rest, those alone and those with a network."""
    leg, pending = trip[0], trip[2]
    state, location, location_country, counts = people
    # 0 arrested, 1 asylum, 2 destination, 3 passing through, 4 alone, 5 with a network.
    group = np.empty(rows.size, dtype=np.int64)
    sizes = np.zeros(6, dtype=np.int64)
    for i in range(rows.size):
        if i + kernels.PREFETCH_AHEAD < rows.size:
            kernels.prefetch(leg, rows[i + kernels.PREFETCH_AHEAD])
            kernels.prefetch(state, rows[i + kernels.PREFETCH_AHEAD])
        row = rows[i]
        route = leg[row]
        target = route_target[route]
        intercepted = pending[row] == _ARREST
        place = target
        if intercepted and location_kind[target] == destination_kind:
            place = route_source[route]
        kernels.move_row(row, _TRAVELLING, place, state, location, location_country,
                         counts)
        kind = location_kind[place]
        if intercepted and kind != asylum_kind:
            group[i] = 0
        elif kind == asylum_kind:
            group[i] = 1
        elif kind == destination_kind:
            group[i] = 2
        elif pass_through[place]:
            group[i] = 3
        elif channel[row] == no_channel:
            group[i] = 4
        else:
            group[i] = 5
        sizes[group[i]] += 1
    # The groups one after the other in one array, each in row order.
    starts = np.zeros(7, dtype=np.int64)
    starts[1:] = np.cumsum(sizes)
    filled = starts[:6].copy()
    ordered = np.empty(rows.size, dtype=np.int64)
    for i in range(rows.size):
        g = group[i]
        ordered[filled[g]] = rows[i]
        filled[g] += 1
    return (ordered[starts[0]:starts[1]], ordered[starts[1]:starts[2]],
            ordered[starts[2]:starts[3]], ordered[starts[3]:starts[4]],
            ordered[starts[4]:starts[5]], ordered[starts[5]:starts[6]])


@njit(cache=True)
def hand_off(streams, rows, location, ties, running_cell, knows, known, cutout):
    """Each escapee stopping is taken on by the cell that runs the stop for her operator
    (her own if none does). A hand-off to another cell takes days and may fail: `known`
    and `cutout` are (geometric, mean, sd, failure) between cells that know each other
    or not. Draws, per escapee: the delay (if handed off), then a uniform for failure.
    Returns the new cells, the delays and whether each hand-off failed."""
    keys, counters, salt = streams
    channel, cell = ties[0], ties[1]
    new_cells = np.empty(rows.size, dtype=np.int64)
    delay = np.zeros(rows.size, dtype=np.int64)
    failed = np.zeros(rows.size, dtype=np.bool_)
    for i in range(rows.size):
        row = rows[i]
        running = running_cell[location[row], channel[row]]
        new = running if running >= 0 else cell[row]
        new_cells[i] = new
        old = cell[row]
        moving = old >= 0 and new >= 0 and old != new
        spec = known if moving and knows[old, new] else cutout
        if moving:
            delay[i] = _spec_days(keys, counters, row, salt, spec[0], spec[1], spec[2])
        lost = _next_uniform(keys, counters, row, salt) < spec[3]
        failed[i] = moving and lost
    return new_cells, delay, failed


@njit(cache=True)
def wait_at_stops(streams, rows, day, people, trip, ties, running_cell, knows, known,
                  cutout, places, wait, arrest, calendar):
    """Escapees with a network stop where they are: they are handed on (`hand_off`);
    those whose hand-off failed are returned, to hide alone. The others wait with their
    new cells, in the first safe house of the cell there with room
    (`kernels.place_in_houses`, `places` being its arrays after the day), else in the
    open. Each draws her wait (`wait`: geometric, mean, sd), added to the hand-off
    delay, then the day a raid would find her under the daily hazard `arrest`: (per-day
    hazard, factor in the open, crackdown by country and day); she is woken then if it
    comes first."""
    keys, counters, salt = streams
    location, location_country = people[1], people[2]
    leg, since, pending = trip
    cell, safe_house = ties[1], ties[2]
    offsets, houses_at, n_cells, closed_until, capacity, occupancy = places
    hazard, open_air_factor, crackdown = arrest
    new_cells, delay, failed = hand_off(streams, rows, location, ties, running_cell, knows,
                                        known, cutout)
    staying, cells, delay = rows[~failed], new_cells[~failed], delay[~failed]
    kernels.move(staying, _WAITING, kernels.STAY, *people)
    here = np.empty(staying.size, dtype=np.int64)
    for i in range(staying.size):
        row = staying[i]
        cell[row] = cells[i]
        leg[row] = -1
        since[row] = day
        here[i] = location[row]
    houses = kernels.place_in_houses(here, cells, day, offsets, houses_at, n_cells,
                                     closed_until, capacity, occupancy)
    days = np.empty(staying.size, dtype=np.int64)
    for i in range(staying.size):
        row = staying[i]
        safe_house[row] = houses[i]
        stay = _spec_days(keys, counters, row, salt, wait[0], wait[1], wait[2]) + delay[i]
        open_air = open_air_factor if houses[i] < 0 else 1.0
        daily = hazard * crackdown[location_country[here[i]], day] * open_air
        raid = _days_to_event(keys, counters, row, salt, _log_survival(daily))
        arrested = raid < stay
        pending[row] = _ARREST if arrested else _REVIEW
        days[i] = np.int64(raid) if arrested else np.int64(stay)
    wake_after(staying, days, day, calendar)
    return rows[failed]
