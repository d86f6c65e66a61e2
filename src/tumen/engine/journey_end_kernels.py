"""Compiled steps of the ends of journeys: raids on safe houses, arrest, detention in
third countries, jail in Thailand and arrival in the South (see `processes.raids`,
`detention`, `asylum` and `resettlement`).

As in `tumen.engine.border_kernels` (whose argument tuples these take), each is one
pass over the rows instead of a dozen NumPy calls, with each escapee's draws in the
order the model describes; the process books money and counts in Python.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from tumen.engine import kernels
from tumen.engine.border_kernels import draw_days, wake_after
from tumen.engine.luck_kernels import _next_uniform
from tumen.engine.states import Channel, Pending, State

_DETAINED_CHINA, _DETAINED_THIRD = State.DETAINED_CHINA, State.DETAINED_THIRD
_DETAINED_THAILAND = State.DETAINED_THAILAND
_ARRIVED_SK, _ARRIVED_US = State.ARRIVED_SK, State.ARRIVED_US
_NONE, _REVIEW = Channel.NONE, Pending.REVIEW
_WAITING = State.WAITING


@njit(inline="always")
def _free_place(row, safe_house, occupancy):
    """Free the place of an escapee leaving her safe house, if she has one."""
    if safe_house[row] >= 0:
        occupancy[safe_house[row]] -= 1


@njit(inline="always")
def _let_go(row, people, safe_house, pending):
    """Out of her safe house and network, with nothing pending: what arrest, jail and
    arrival have in common."""
    channel, cell = people[1], people[2]
    safe_house[row] = -1
    channel[row] = _NONE
    cell[row] = -1
    pending[row] = _REVIEW


@njit(cache=True)
def arrest(rows, day, streams, moves, people, funds, safe_house, occupancy, pending, china,
           holds):
    """Arrest escapees where they are: their funds are seized and their safe-house places
    freed; those in China (country `china`) are held there, the others in the third
    country, each for a term drawn from her place's `Days` spec in `holds` (China's,
    third countries'). Returns (wake-up days, money seized, arrests in China)."""
    location, location_country = moves[1], moves[2]
    leg, since = people[3], people[4]
    seized = 0.0
    in_china = np.empty(rows.size, dtype=np.bool_)
    for i in range(rows.size):
        row = rows[i]
        seized += funds[row]
        funds[row] = 0.0
        _free_place(row, safe_house, occupancy)
        _let_go(row, people, safe_house, pending)
        leg[row] = -1
        since[row] = day
        in_china[i] = location_country[location[row]] == china
    kernels.move(rows[in_china], _DETAINED_CHINA, kernels.STAY, *moves)
    kernels.move(rows[~in_china], _DETAINED_THIRD, kernels.STAY, *moves)
    wake = np.empty(rows.size, dtype=np.int64)
    for i in range(rows.size):
        hold = holds[0] if in_china[i] else holds[1]
        wake[i] = wake_after(day, draw_days(streams, rows[i], hold))
    return wake, seized, int(in_china.sum())


@njit(cache=True)
def jail(rows, day, streams, moves, people, safe_house, pending, occupancy, term,
         arrest_share):
    """Hold arrivals in Thailand, out of any safe house and network. Each is arrested
    for illegal entry with `arrest_share` (no draw when it is 1 or more) and jailed for
    a term drawn from the `Days` spec `term`; the others gave themselves up and are held
    until the next day. Returns (wake-up days, how many were arrested)."""
    keys, counters, salt = streams
    wake = np.empty(rows.size, dtype=np.int64)
    for i in range(rows.size):
        row = rows[i]
        _free_place(row, safe_house, occupancy)
        _let_go(row, people, safe_house, pending)
    kernels.move(rows, _DETAINED_THAILAND, kernels.STAY, *moves)
    arrested = 0
    for i in range(rows.size):
        row = rows[i]
        if arrest_share >= 1.0 or _next_uniform(keys, counters, row, salt) < arrest_share:
            wake[i] = wake_after(day, draw_days(streams, row, term))
            arrested += 1
        else:
            wake[i] = day + 1
    return wake, arrested


@njit(cache=True)
def third_country_fates(rows, day, streams, moves, deport_share, crackdown, deport_to,
                        china_hold):
    """Each escapee held in a third country draws whether she is deported to China (the
    base share times the crackdown where she is); the deported are handed over at their
    country's point (`deport_to`) and held there (a `Days` spec). Returns (the deported,
    their wake-up days, the released)."""
    keys, counters, salt = streams
    location, location_country = moves[1], moves[2]
    deported = np.empty(rows.size, dtype=np.bool_)
    for i in range(rows.size):
        row = rows[i]
        odds = deport_share * crackdown[location_country[location[row]]]
        deported[i] = _next_uniform(keys, counters, row, salt) < odds
    sent_back = rows[deported]
    points = deport_to[location[sent_back]].astype(np.int64)
    kernels.move(sent_back, _DETAINED_CHINA, points, *moves)
    wake = np.empty(sent_back.size, dtype=np.int64)
    for i in range(sent_back.size):
        wake[i] = wake_after(day, draw_days(streams, sent_back[i], china_hold))
    return sent_back, wake, rows[~deported]


@njit(cache=True)
def arrive(rows, places, day, streams, moves, people, safe_house, pending, woman, crossed,
           debt, us, recontact):
    """Land escapees at `places` (where they are if empty): in the United States (country
    `us`) or in South Korea, where each draws whether she re-contacts family (chance
    `recontact`). Returns (days since each crossed the river, debts repaid to brokers,
    [arrivals in South Korea, women among them, arrivals in the US, re-contacts])."""
    keys, counters, salt = streams
    state, location, location_country, by_state = moves
    leg = people[3]
    journeys = np.empty(rows.size, dtype=np.int32)
    repaid = 0.0
    korea = women = contacts = 0
    for i in range(rows.size):
        if i + kernels.PREFETCH_AHEAD < rows.size:
            kernels.prefetch(leg, rows[i + kernels.PREFETCH_AHEAD])
            kernels.prefetch(state, rows[i + kernels.PREFETCH_AHEAD])
        row = rows[i]
        _let_go(row, people, safe_house, pending)
        leg[row] = -1
        place = location[row] if places.size == 0 else places[i]
        journeys[i] = day - crossed[row]
        repaid += debt[row]
        debt[row] = 0.0
        if location_country[place] == us:
            kernels.move_row(row, _ARRIVED_US, place, state, location, location_country,
                             by_state)
            continue
        kernels.move_row(row, _ARRIVED_SK, place, state, location, location_country,
                         by_state)
        korea += 1
        women += woman[row]
        contacts += _next_uniform(keys, counters, row, salt) < recontact
    counts = np.array([korea, women, rows.size - korea, contacts])
    return journeys, repaid, counts


@njit(cache=True)
def waiting_with(found, stop_keys, room, state, safe_house, location, cell, n_cells):
    """Those waiting outside any safe house at the stops of `found`, other than them: at
    stop k (key location * (n_cells + 1) + cell + 1, `stop_keys[k]`), the first `room[k]`
    in row order (all if `room[k]` < 0). Returns them and their stop indices. One pass
    over the rows."""
    taken = np.zeros(stop_keys.size, dtype=np.int64)
    rows = np.empty(state.size, dtype=np.int64)
    stops = np.empty(state.size, dtype=np.int64)
    n = 0
    for row in range(state.size):
        if state[row] != _WAITING or safe_house[row] >= 0:
            continue
        key = location[row] * (n_cells + 1) + cell[row] + 1
        for k in range(stop_keys.size):
            if stop_keys[k] != key:
                continue
            if (room[k] < 0 or taken[k] < room[k]) and not np.any(found == row):
                rows[n] = row
                stops[n] = k
                n += 1
                taken[k] += 1
            break
    return rows[:n], stops[:n]


@njit(cache=True)
def raid_odds(occupancy, closed_until, day, house_location, location_country, crackdown,
              rate):
    """The occupied safe houses open on `day`, in order, and each one's chance of a raid
    that day: the base `rate` times the crackdown in its country."""
    houses = np.flatnonzero((occupancy > 0) & (closed_until <= day))
    odds = np.empty(houses.size)
    for i in range(houses.size):
        odds[i] = rate * crackdown[location_country[house_location[houses[i]]]]
    return houses, odds
