"""Compiled kernels for the engine's bookkeeping: the wake-up calendar and state counts.

Both are loops over the few escapees touched at a time; in NumPy each call pays for a
dozen array operations whatever the number of rows, and the engine makes hundreds of
such calls a day.

The calendar keeps, for each day, the rows scheduled for it in a list of fixed-size
chunks drawn from one pool. Scheduling appends the row to its day's list and sets her
`wake`; an earlier entry of hers on another day is left in place, stale, and skipped
when that day is taken, since her `wake` no longer names it. A day's rows are thus read
from consecutive places in memory, rather than by a jump per escapee along a list
threaded through the population, and rescheduling costs no more than scheduling.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

from tumen.engine.luck_kernels import GREATEST_UNIFORM, LEAST_UNIFORM

# Rows per chunk of a day's list: one jump in memory per chunk when a day is taken.
CHUNK = 32


@njit(cache=True)
def schedule(rows, when, wake, never, entries, chunk_next, first, last, filled, free):
    """Wake each row on its day in `when`; days past the calendar mean never. Appends
    each row to her day's list (`first` and `last` chunk of each day, `filled` its
    entries) with chunks taken from the pool's free list (`free`: its first chunk and
    how many it holds; `Context.Calendar` keeps enough there for any call)."""
    n_days = first.size
    for i in range(rows.size):
        row = rows[i]
        day = when[i]
        if day >= n_days:
            wake[row] = never
            continue
        wake[row] = day
        count = filled[day]
        slot = count % CHUNK
        if slot == 0:
            chunk = free[0]
            if chunk < 0:
                raise RuntimeError("the wake-up calendar ran out of chunks")
            free[0] = chunk_next[chunk]
            free[1] -= 1
            chunk_next[chunk] = -1
            if count == 0:
                first[day] = chunk
            else:
                chunk_next[last[day]] = chunk
            last[day] = chunk
        entries[last[day] * CHUNK + slot] = row
        filled[day] = count + 1


@intrinsic
def prefetch(typing_context, array, index):
    """Start loading the cache line of `array[index]` now, for a read a little later: in
    a loop over rows spread across memory, the loads of the next rows are then under way
    while this one is worked on (the processor issues only so many of its own)."""

    def codegen(context, builder, signature, args):
        array_type = signature.args[0]
        view = context.make_array(array_type)(context, builder, args[0])
        address = cgutils.get_item_pointer(context, builder, array_type, view, [args[1]],
                                           wraparound=False)
        byte_pointer, word = ir.IntType(8).as_pointer(), ir.IntType(32)
        function = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.VoidType(), [byte_pointer, word, word, word]),
            "llvm.prefetch.p0i8")
        # A read (0), kept in every level of cache (3), of data (1).
        builder.call(function, [builder.bitcast(address, byte_pointer), word(0), word(3),
                                word(1)])
        return context.get_dummy_value()

    return types.void(array, index), codegen


# How many rows ahead `prefetch` asks for: far enough for a load from memory to arrive.
PREFETCH_AHEAD = 16


@njit(cache=True)
def take_due(day, wake, entries, chunk_next, first, last, filled, free):
    """The rows due on `day`, each once, in row order, taken off the calendar: the
    entries of the day's list whose `wake` is still that day. The day's chunks go back
    to the pool."""
    count = filled[day]
    rows = np.empty(count, dtype=np.int64)
    chunk = first[day]
    for start in range(0, count, CHUNK):
        base = chunk * CHUNK
        for j in range(min(CHUNK, count - start)):
            rows[start + j] = entries[base + j]
        following = chunk_next[chunk]
        chunk_next[chunk] = free[0]
        free[0] = chunk
        free[1] += 1
        chunk = following
    first[day], last[day], filled[day] = -1, -1, 0
    # Each row's `wake` is the first read of her record today: asked for ahead.
    found = 0
    for i in range(count):
        if i + PREFETCH_AHEAD < count:
            prefetch(wake, rows[i + PREFETCH_AHEAD])
        row = rows[i]
        if wake[row] == day:  # stale entries are rare: a branch seldom mispredicted
            rows[found] = row
            found += 1
    # Rows scheduled at one time are in row order; those scheduled later for the day
    # (or twice for it) follow out of order: few, usually, so they alone are sorted.
    ordered = 1
    while ordered < found and rows[ordered] > rows[ordered - 1]:
        ordered += 1
    if ordered >= found:
        return rows[:found]
    return _merge_once(rows[:ordered], np.sort(rows[ordered:found]))


@njit(cache=True)
def _merge_once(first, second):
    """The rows of two ascending arrays, each row once, in order."""
    merged = np.empty(first.size + second.size, dtype=np.int64)
    i = j = n = 0
    while i < first.size or j < second.size:
        if j == second.size or (i < first.size and first[i] <= second[j]):
            row = first[i]
            i += 1
        else:
            row = second[j]
            j += 1
        if n == 0 or merged[n - 1] != row:
            merged[n] = row
            n += 1
    return merged[:n]


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
    for i in range(rows.size):
        if i + PREFETCH_AHEAD < rows.size:
            prefetch(wake, rows[i + PREFETCH_AHEAD])
            prefetch(state, rows[i + PREFETCH_AHEAD])
        row = rows[i]
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
def recount(state, location, location_country, n_states, n_countries):
    """Counts by state and country, row by row, in one pass over the population and no
    temporary arrays; a state outside 0..n_states - 1 is left out (and reported by
    `invariants.one_state_each`)."""
    counts = np.zeros((n_states, n_countries), dtype=np.int64)
    for row in range(state.size):
        code = state[row]
        if 0 <= code < n_states:
            counts[code, location_country[location[row]]] += 1
    return counts


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
