"""The compiled part of intake (see `processes.intake`): who among the day's referrals
the rescue budget covers, who among the broker contacts finds a line and can pay, and
which women the brokers sell; and the search for hidden escapees that brokers on credit
and families in the South reach. One pass over the few rows concerned, where NumPy made
a dozen calls of a few microseconds each."""

from __future__ import annotations

import numpy as np
from numba import njit

from tumen.engine import kernels
from tumen.engine.luck_kernels import _next_uniform
from tumen.engine.states import Channel, Pending, State

_RESCUE, _BROKER = Pending.RESCUE, Pending.BROKER
_BY_RESCUE, _BY_BROKER = Channel.RESCUE, Channel.BROKER
_TRAFFICKED, _HIDING, _SETTLED = State.TRAFFICKED, State.HIDING, State.SETTLED


@njit(cache=True)
def sell_some(rows, streams, woman, channel, people, sell_chance):
    """Brokers sell each woman they take with `sell_chance`; the others set out with the
    broker. Every row draws, man or woman. Returns (taken, sold); the sold are moved to
    trafficking and still to be scheduled."""
    keys, counters, salt = streams
    state, location, location_country, counts = people
    taken = np.empty(rows.size, dtype=np.int64)
    sold = np.empty(rows.size, dtype=np.int64)
    n_taken = n_sold = 0
    for row in rows:
        u = _next_uniform(keys, counters, row, salt)
        if woman[row] and u < sell_chance:
            kernels.move_row(row, _TRAFFICKED, -1, state, location, location_country, counts)
            sold[n_sold] = row
            n_sold += 1
        else:
            channel[row] = _BY_BROKER
            taken[n_taken] = row
            n_taken += 1
    return taken[:n_taken], sold[:n_sold]


@njit(cache=True)
def take(rows, streams, pending, funds, woman, channel, people, red_zone, costs, balance,
         fee, line_share, sell_chance):
    """The day's referrals and broker contacts among `rows` (in row order).

    Referrals are taken in turn while the running sum of their costs (`costs`: a rescue,
    the extra from the red zone, where `red_zone[location]`) stays within the network's
    `balance`. A contact finds a broker line with `line_share` and pays `fee` if she has
    it. Returns (rescued, unfunded, taken by brokers, not paying, sold, rescue spending).
    """
    keys, counters, salt = streams
    location = people[1]
    rescue_cost, red_zone_extra = costs
    rescued = np.empty(rows.size, dtype=np.int64)
    unfunded = np.empty(rows.size, dtype=np.int64)
    paying = np.empty(rows.size, dtype=np.int64)
    not_paying = np.empty(rows.size, dtype=np.int64)
    n_rescued = n_unfunded = n_paying = n_not_paying = 0
    running = spent = 0.0
    for row in rows:
        if pending[row] == _RESCUE:
            cost = rescue_cost + red_zone_extra * (1.0 if red_zone[location[row]] else 0.0)
            running += cost
            if running <= balance:
                spent += cost
                channel[row] = _BY_RESCUE
                rescued[n_rescued] = row
                n_rescued += 1
            else:
                unfunded[n_unfunded] = row
                n_unfunded += 1
        elif pending[row] == _BROKER:
            found = _next_uniform(keys, counters, row, salt) < line_share
            if found and funds[row] >= fee:
                funds[row] -= fee
                paying[n_paying] = row
                n_paying += 1
            else:
                not_paying[n_not_paying] = row
                n_not_paying += 1
    taken, sold = sell_some(paying[:n_paying], streams, woman, channel, people, sell_chance)
    return (rescued[:n_rescued], unfunded[:n_unfunded], taken, not_paying[:n_not_paying],
            sold, spent)


@njit(cache=True)
def add_hidden(found, rows, u, state, location, location_country, china, settled_reach):
    """`found` joined with those of `rows` hiding or settled in China and reached (`u`
    below 1, or below `settled_reach` for the settled), sorted and without repeats."""
    keep = np.empty(found.size + rows.size, dtype=np.int64)
    keep[:found.size] = found
    n = found.size
    for i in range(rows.size):
        row = rows[i]
        code = state[row]
        if code != _HIDING and code != _SETTLED:
            continue
        if location_country[location[row]] != china:
            continue
        if u[i] < (settled_reach if code == _SETTLED else 1.0):
            keep[n] = row
            n += 1
    return np.unique(keep[:n])
