"""The compiled daily step of those hiding in China (see `processes.hiding`).

Six hazards per person from her state, sex, the crackdown where she is and whether she
can pay a broker; the thinning draw that decides whether her candidate event is real;
the event itself; and the draw of her next candidate under a bound for the window
ahead. In NumPy this was a few dozen array operations on the few dozen people due on a
day, each costing microseconds whatever its size; here it is one pass per day.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from tumen.engine import kernels
from tumen.engine.luck_kernels import _days_to_event, _log_survival, _next_uniform
from tumen.engine.states import Pending, State

# Columns of the hazard matrix, in this order.
ARREST, TRAFFICKING, SETTLE, ESCAPE, REFERRAL, BROKER, RETURN = range(7)
N_EVENTS = 7
# The order of the rates in the parameter vector the kernels take.
RATE_NAMES = ("arrest_men", "arrest_women", "trafficking_men", "trafficking_women", "settle",
              "trafficked_escape", "referral", "broker_contact", "settled_hazard_factor",
              "earnings_usd_per_day", "earnings_women_factor", "return_home",
              "settle_men_factor")
_EARNINGS, _WOMEN_EARN, _RETURN_HOME, _SETTLE_MEN = 9, 10, 11, 12

_HIDING, _SETTLED, _TRAFFICKED = State.HIDING, State.SETTLED, State.TRAFFICKED
_HOME = State.STAYED_NK
_EVENT, _REVIEW = Pending.EVENT, Pending.REVIEW
_RESCUE, _BROKER = Pending.RESCUE, Pending.BROKER


@njit(inline="always")
def _fill_hazards(out, code, female, crackdown, can_pay, rates):
    """Daily hazard of each event for one person, into `out`. Those settled into
    long-term hiding face all but settling, escape and meeting a broker at the settled
    factor; men settle at their factor of women's hazard; the trafficked cannot be
    trafficked again, settle, meet a broker or go home, but may escape."""
    out[:] = 0.0
    damped = 1.0 if code == _HIDING else rates[8]
    out[ARREST] = (rates[1] if female else rates[0]) * crackdown * damped
    if code != _TRAFFICKED:
        out[TRAFFICKING] = (rates[3] if female else rates[2]) * damped
        if can_pay:
            out[BROKER] = rates[7]
        out[RETURN] = rates[_RETURN_HOME] * damped
    else:
        out[ESCAPE] = rates[5]
    if code == _HIDING:
        out[SETTLE] = rates[4] * (1.0 if female else rates[_SETTLE_MEN])
    out[REFERRAL] = rates[6] * damped


@njit(inline="always")
def _daily_earnings(female, rates):
    """What one person earns a day in hiding (see `processes.hiding.daily_earnings`)."""
    return rates[_EARNINGS] * (rates[_WOMEN_EARN] if female else 1.0)


@njit(cache=True)
def hazards(rows, state, woman, crackdown, can_pay, rates):
    """Daily hazard of each event for each row: float [rows, N_EVENTS]."""
    out = np.zeros((rows.size, N_EVENTS))
    for i in range(rows.size):
        row = rows[i]
        _fill_hazards(out[i], state[row], woman[row], crackdown[i], can_pay[i], rates)
    return out


@njit(cache=True)
def schedule(rows, day, window, pop_arrays, luck, calendar, crackdown_ahead, lowest_fee,
             rates):
    """Draw each row's next candidate event, or the end of the window, from a bound on
    her summed hazards over the window (the largest crackdown ahead where she is, a
    broker if her savings could reach the lowest fee ahead), and wake her then."""
    state, woman, location, location_country, funds, pending, hazard_bound = pop_arrays
    keys, counters, salt = luck
    rate = np.empty(N_EVENTS)
    when = np.empty(rows.size, dtype=np.int64)
    for i in range(rows.size):
        row = rows[i]
        female = woman[row]
        reachable = funds[row] + _daily_earnings(female, rates) * window
        country = location_country[location[row]]
        _fill_hazards(rate, state[row], female, crackdown_ahead[country, day],
                      reachable >= lowest_fee, rates)
        bound = 0.0
        for event in range(N_EVENTS):
            bound += rate[event]
        days = _days_to_event(keys, counters, row, salt, _log_survival(bound))
        hazard_bound[row] = bound
        pending[row] = _EVENT if days <= window else _REVIEW
        when[i] = day + max(1, np.int64(min(days, window)))
    kernels.schedule(rows, when, *calendar)


@njit(cache=True)
def step(rows, day, window, pop_arrays, since, origin, counts, luck, calendar, crackdown,
         crackdown_ahead, fee, lowest_fee, rates):
    """One day of hiding for the rows due: wages since the last wake-up, then, by
    thinning, whether the candidate event is real (probability true hazard / bound) and
    which one it is. Referrals and broker contacts stay due for intake today; the
    arrested are returned for detention; those going home are back at their origin for
    good; everyone else is scheduled again.

    Returns (wages earned, rows arrested, how many trafficked, settled, gone home).
    """
    state, woman, location, location_country, funds, pending, hazard_bound = pop_arrays
    keys, counters, salt = luck
    wake, never = calendar[0], calendar[1]
    rate = np.empty(N_EVENTS)
    cumulative = np.empty(N_EVENTS)
    arrested = np.empty(rows.size, dtype=np.int64)
    again = np.empty(rows.size, dtype=np.int64)
    n_arrested = n_again = n_trafficked = n_settled = n_home = 0
    earned = 0.0
    for i in range(rows.size):
        row = rows[i]
        female, code = woman[row], state[row]
        if code != _TRAFFICKED:
            wages = _daily_earnings(female, rates) * (day - since[row])
            funds[row] += wages
            earned += wages
        since[row] = day
        country = location_country[location[row]]
        _fill_hazards(rate, code, female, crackdown[country, day], funds[row] >= fee, rates)
        total = 0.0
        for event in range(N_EVENTS):
            total += rate[event]
            cumulative[event] = total
        real = _next_uniform(keys, counters, row, salt) * hazard_bound[row] < total
        if pending[row] != _EVENT or not real:
            again[n_again] = row
            n_again += 1
            continue
        drawn = _next_uniform(keys, counters, row, salt) * total
        event = 0
        for j in range(N_EVENTS):
            if drawn >= cumulative[j]:
                event += 1
        event = min(event, N_EVENTS - 1)
        if event == ARREST:
            arrested[n_arrested] = row
            n_arrested += 1
            continue
        if event == REFERRAL:
            pending[row] = _RESCUE
            continue
        if event == BROKER:
            pending[row] = _BROKER
            continue
        if event == RETURN:
            kernels.move_row(row, _HOME, origin[row], state, location, location_country,
                             counts)
            wake[row] = never
            n_home += 1
            continue
        new_state = _HIDING
        if event == TRAFFICKING:
            new_state = _TRAFFICKED
            n_trafficked += 1
        elif event == SETTLE:
            new_state = _SETTLED
            n_settled += 1
        kernels.move_row(row, new_state, -1, state, location, location_country, counts)
        again[n_again] = row
        n_again += 1
    schedule(again[:n_again], day, window, pop_arrays, luck, calendar, crackdown_ahead,
             lowest_fee, rates)
    return earned, arrested[:n_arrested], n_trafficked, n_settled, n_home
