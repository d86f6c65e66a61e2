"""Compiled kernels for the engine's bookkeeping: the wake-up calendar and state counts.

Both are loops over the few escapees touched at a time; in NumPy each call pays for a
dozen array operations whatever the number of rows, and the engine makes hundreds of
such calls a day. The calendar keeps, for each day, a doubly linked list of the
escapees to wake that day, threaded through two arrays of the population, so that
rescheduling someone unlinks her from her old day at once and a day's list holds
exactly the escapees due then.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from tumen.engine.luck_kernels import GREATEST_UNIFORM, LEAST_UNIFORM

# `due_next` of an escapee in no day's list (never scheduled, or taken off today).
UNLINKED = -2
# From one escapee due in this many on, a day's rows are found by a scan of the wake-up
# days in row order rather than by following the list (a jump in memory per escapee)
# and sorting. The scan reads memory in order and costs about as much as following and
# sorting one row in 64 (measured on the minimal route at 10^6 escapees, where a day's
# rows are 2-20% of all).
SCAN_FROM_ONE_IN = 64


@njit(cache=True)
def schedule(rows, when, heads, due_next, due_prev, wake, never, day_counts):
    """Wake each row on its day in `when`; days past the calendar mean never.
    `day_counts` keeps the length of each day's list."""
    n_days = heads.size
    for i in range(rows.size):
        row = rows[i]
        if due_next[row] != UNLINKED:
            following, before = due_next[row], due_prev[row]
            if before >= 0:
                due_next[before] = following
            else:
                heads[wake[row]] = following
            if following >= 0:
                due_prev[following] = before
            due_next[row] = UNLINKED
            day_counts[wake[row]] -= 1
        day = when[i]
        if day >= n_days:
            wake[row] = never
            continue
        wake[row] = day
        day_counts[day] += 1
        first = heads[day]
        due_next[row] = first
        due_prev[row] = -1
        if first >= 0:
            due_prev[first] = row
        heads[day] = row


@njit(cache=True)
def take_due(day, heads, due_next, wake, day_counts):
    """The rows due on `day`, in row order, taken off the calendar."""
    count = day_counts[day]
    rows = np.empty(count, dtype=np.int64)
    row = heads[day]
    heads[day] = -1
    day_counts[day] = 0
    if count * SCAN_FROM_ONE_IN < due_next.size:
        # The list holds the last scheduled first, so it is read into place from the
        # end: rows scheduled in row order need no sort.
        in_order = True
        for i in range(count - 1, -1, -1):
            rows[i] = row
            in_order &= i == count - 1 or row < rows[i + 1]
            following = due_next[row]
            due_next[row] = UNLINKED
            row = following
        if not in_order:
            rows.sort()
        return rows
    # Those in the day's list are exactly those whose wake-up is that day (a day is
    # taken once). Each row is written to the next free place and kept by moving on past
    # it when it is due: no branch to mispredict on a crowded day. The scan stops at the
    # last of them; one spare place takes the write after it.
    found = 0
    scanned = np.empty(count + 1, dtype=np.int64)
    for row in range(wake.size):
        if found == count:
            break
        scanned[found] = row
        found += wake[row] == day
    for row in scanned[:count]:
        due_next[row] = UNLINKED
    return scanned[:count]


@njit(inline="always")
def has_open_leg(cumulative, here):
    """Whether the route table's row for `here` has a leg open (a total above 0)."""
    return cumulative[here, cumulative.shape[1] - 1] != 0.0


@njit(inline="always")
def pick_leg(cumulative, routes, here, u):
    """The leg in `here`'s row of `routes` where `u` times the row total first falls
    below the running sum of probabilities (`draws.choose`), for a row with a leg open
    (`has_open_leg`; a uniform at the very top of the row, where rounding leaves nothing
    above it, takes the row's last open leg)."""
    width = cumulative.shape[1]
    drawn = u * cumulative[here, width - 1]
    column = 0
    for j in range(width):
        if drawn >= cumulative[here, j]:
            column += 1
    column = min(column, width - 1)
    while routes[here, column] < 0:
        column -= 1
    return routes[here, column]


@njit(cache=True)
def only_legs(cumulative, routes):
    """For each place, the leg `pick_leg` gives there whatever the uniform, -1 where it
    depends on the uniform or no leg is open: the leg picked only grows with the
    uniform, so it is the same for every uniform if it is for the least and the
    greatest (`luck_kernels.LEAST_UNIFORM`, `GREATEST_UNIFORM`). A chain of legs need
    not work out a uniform it would not use."""
    legs = np.full(cumulative.shape[0], -1, dtype=np.int64)
    for here in range(cumulative.shape[0]):
        if has_open_leg(cumulative, here):
            least = pick_leg(cumulative, routes, here, LEAST_UNIFORM)
            if least == pick_leg(cumulative, routes, here, GREATEST_UNIFORM):
                legs[here] = least
    return legs


@njit(cache=True)
def pick_legs(locations, cumulative, routes, u):
    """For each escapee, the leg `pick_leg` draws with her `u` in her location's row;
    -1 exactly where the row has no leg open."""
    legs = np.empty(locations.size, dtype=routes.dtype)
    for i in range(locations.size):
        here = locations[i]
        legs[i] = pick_leg(cumulative, routes, here, u[i]) if has_open_leg(cumulative, here) \
            else -1
    return legs


@njit(cache=True)
def still_due(rows, wanted, state, wake, day, counts):
    """Of `rows`, those in a wanted state whose wake-up is still `day` (not yet handled),
    and those still due in any state. With nobody in a wanted state (`counts` by state
    and country), none, without looking at the rows: a process whose states are empty
    costs nothing a day."""
    anyone = False
    for code in range(wanted.size):
        if wanted[code] and counts[code].any():
            anyone = True
    if not anyone:
        return np.empty(0, dtype=np.int64), rows
    keep = np.empty(rows.size, dtype=np.int64)
    remaining = np.empty(rows.size, dtype=np.int64)
    count = left = 0
    for row in rows:
        if wake[row] == day:
            remaining[left] = row
            left += 1
            if wanted[state[row]]:
                keep[count] = row
                count += 1
    return keep[:count], remaining[:left]


# `move`'s places for "where they are": an empty array.
STAY = np.empty(0, dtype=np.int64)


@njit(inline="always")
def move_row(row, new_state, place, state, location, location_country, counts):
    """Put one escapee into `new_state`, at `place` unless it is negative, and keep the
    counts by state and country exact."""
    counts[state[row], location_country[location[row]]] -= 1
    state[row] = new_state
    if place >= 0:
        location[row] = place
    counts[new_state, location_country[location[row]]] += 1


@njit(cache=True)
def move(rows, new_state, new_location, state, location, location_country, counts):
    """Put rows into `new_state`, at `new_location` unless it is empty (`STAY`), and
    keep the counts by state and country exact."""
    moves = new_location.size > 0
    for i in range(rows.size):
        place = new_location[i] if moves else -1
        move_row(rows[i], new_state, place, state, location, location_country, counts)


@njit(cache=True)
def place_in_houses(locations, cells, day, offsets, houses_at, n_cells, closed_until,
                    capacity, occupancy):
    """For each escapee, the first open house with room of her cell where she is (-1 if
    none), filling houses in order; see `tumen.engine.safehouses.SafeHouses`."""
    houses = np.full(locations.size, -1, dtype=np.int16)
    n_keys = offsets.size - 1
    for i in range(locations.size):
        if cells[i] < 0:
            continue
        key = locations[i] * n_cells + cells[i]
        if key >= n_keys:
            continue
        for j in range(offsets[key], offsets[key + 1]):
            house = houses_at[j]
            if closed_until[house] <= day and occupancy[house] < capacity[house]:
                houses[i] = house
                occupancy[house] += 1
                break
    return houses
