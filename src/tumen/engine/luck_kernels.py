"""Compiled kernels of the escapees' own random streams (see `tumen.engine.luck`).

Each draw advances the escapee's counter, so the n-th value she draws is the same
whoever else draws in between. Integer arithmetic is kept in unsigned 64 bits
throughout: Numba turns mixed signed and unsigned operands into floats.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_ONE = np.uint64(1)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53
# The least and the greatest uniform `_uniform` gives, from 53 bits all 0 and all 1; the
# greatest rounds to 1 itself (2**53 - 0.5 is not a float64), once in 2**53 draws.
LEAST_UNIFORM = 0.5 * _TO_UNIT
GREATEST_UNIFORM = (np.float64(2**53 - 1) + 0.5) * _TO_UNIT
# Below this sd a duration is taken as fixed: a gamma shape of (mean/sd)**2 would overflow.
NO_SPREAD = 1e-6
# Hazards are kept off 0 and 1, where the logarithms of the geometric diverge: a hazard of
# 0 waits some 1e300 days, past any cap; one of 1 comes the next day but once in 1e12.
NO_HAZARD = 1e-300
CERTAIN = 1.0 - 1e-12
LONGEST = 2147483647.0  # the longest wait an int32 holds


@njit(inline="always")
def _uniform(base, drawn):
    """The uniform in (0, 1] an escapee draws after `drawn` draws: splitmix64 of her
    `base` (her key xor the run's salt) and the count. Scalars only, so that a loop over
    one escapee's draws keeps her stream in registers."""
    value = base + (np.uint64(drawn) + _ONE) * _GOLDEN
    value = (value ^ (value >> np.uint64(30))) * _MIX1
    value = (value ^ (value >> np.uint64(27))) * _MIX2
    value = value ^ (value >> np.uint64(31))
    return (np.float64(value >> np.uint64(11)) + 0.5) * _TO_UNIT


@njit(inline="always")
def _next_uniform(keys, counters, row, salt):
    """The escapee's next uniform (`_uniform`), her counter advanced."""
    drawn = counters[row]
    counters[row] = drawn + np.uint32(1)
    return _uniform(keys[row] ^ salt, drawn)


@njit(cache=True)
def uniforms(keys, counters, rows, salt):
    """One uniform per row, from that escapee's stream."""
    out = np.empty(rows.size)
    for i in range(rows.size):
        out[i] = _next_uniform(keys, counters, rows[i], salt)
    return out


@njit(inline="always")
def _gamma_from(base, drawn, shape):
    """A gamma(shape, 1) variate by Marsaglia and Tsang's method (2000), with a normal
    from Box and Muller; shapes below 1 are boosted by U**(1/shape). Drawn from the
    stream `base` after `drawn` draws; returns (value, draws taken by then)."""
    boost = 1.0
    if shape < 1.0:
        boost = _uniform(base, drawn) ** (1.0 / shape)
        drawn += _ONE
        shape += 1.0
    d = shape - 1.0 / 3.0
    c = 1.0 / np.sqrt(9.0 * d)
    while True:
        radius = np.sqrt(-2.0 * np.log(_uniform(base, drawn)))
        z = radius * np.cos(2.0 * np.pi * _uniform(base, drawn + _ONE))
        drawn += np.uint64(2)
        v = 1.0 + c * z
        if v <= 0.0:
            continue
        v = v * v * v
        u = _uniform(base, drawn)
        drawn += _ONE
        if np.log(u) < 0.5 * z * z + d - d * v + d * np.log(v):
            return d * v * boost, drawn


@njit(inline="always")
def _gamma_days_from(base, drawn, mean, sd):
    """Whole days (at least 1, as a float) from a gamma of this mean and sd, drawn from
    the stream `base` after `drawn` draws; an sd at or below NO_SPREAD gives the mean
    itself, rounded, and draws nothing. Returns (days, draws taken by then)."""
    value = mean
    if sd > NO_SPREAD:
        value, drawn = _gamma_from(base, drawn, (mean / sd) ** 2)
        value = value * sd**2 / mean
    return max(1.0, np.rint(value)), drawn


@njit(inline="always")
def _gamma_day_count(keys, counters, row, salt, mean, sd):
    """`_gamma_days_from` on the escapee's stream, her counter advanced."""
    days, drawn = _gamma_days_from(keys[row] ^ salt, np.uint64(counters[row]), mean, sd)
    counters[row] = np.uint32(drawn)
    return days


@njit(cache=True)
def gamma_days(keys, counters, rows, salt, mean, sd):
    """Whole days (at least 1) per row from a gamma of the row's mean and sd."""
    out = np.empty(rows.size, dtype=np.int32)
    for i in range(rows.size):
        out[i] = _gamma_day_count(keys, counters, rows[i], salt, mean[i], sd[i])
    return out


@njit(cache=True)
def waiting_days(keys, counters, rows, salt, hazard, cap):
    """Days to the first event under each row's constant daily hazard, capped at the
    row's cap. Returns (days, whether the event comes within the cap)."""
    wait = np.empty(rows.size, dtype=np.int32)
    event = np.empty(rows.size, dtype=np.bool_)
    for i in range(rows.size):
        days = _days_to_event(keys, counters, rows[i], salt, _log_survival(hazard[i]))
        event[i] = days <= cap[i]
        wait[i] = np.int32(min(days, cap[i]))
    return wait, event


@njit(inline="always")
def _log_survival(hazard):
    """log(1 - h) of a daily hazard kept within [NO_HAZARD, CERTAIN]."""
    return np.log1p(-min(max(hazard, NO_HAZARD), CERTAIN))


@njit(inline="always")
def _days_to_event(keys, counters, row, salt, log_survival):
    """Days (at least 1, as a float, possibly huge) to the first event under a constant
    daily hazard, given log(1 - hazard), by inversion of the geometric: the first day k
    with (1 - h)**k <= u."""
    return _event_day(_next_uniform(keys, counters, row, salt), log_survival)


@njit(inline="always")
def _event_day(u, log_survival):
    """The day `_days_to_event` gives for the uniform `u`."""
    return max(np.ceil(np.log(u) / log_survival), 1.0)


@njit(inline="always")
def _geometric_days(u, log_survival):
    """The days of a geometric wait for the uniform `u`, capped at LONGEST."""
    return min(_event_day(u, log_survival), LONGEST)


# A geometric wait of up to TABLE_DAYS days can be read off a table of its bounds
# rather than worked out with a logarithm (`day_bounds`): in a chain of legs drawn at
# once, the logarithm was a third of the work. How far a uniform must be from a bound
# for the table to be sure: far more than the rounding of the logarithm, the division
# and the bound itself (about 1e-16 of the value each).
TABLE_DAYS = 64
BOUND_MARGIN = 1e-9


@njit(cache=True)
def day_bounds(mean):
    """For each route, the uniforms that surely give a geometric wait (daily chance
    1/mean, `_geometric_days`) of at most k days, for k up to TABLE_DAYS: those at or
    above `at_most[route, k]`; and those that surely give more than k: those below
    `more_than[route, k]`. Exactly, k days or fewer come of u >= (1 - 1/mean)**k; each
    bound is that, moved by BOUND_MARGIN. Every uniform gives more than 0 days."""
    log_survival = _survival_of(1.0 / mean)
    at_most = np.empty((mean.size, TABLE_DAYS + 1))
    more_than = np.empty((mean.size, TABLE_DAYS + 1))
    for route in range(mean.size):
        for day in range(TABLE_DAYS + 1):
            bound = np.exp(day * log_survival[route])
            at_most[route, day] = bound * (1.0 + BOUND_MARGIN)
            more_than[route, day] = bound * (1.0 - BOUND_MARGIN)
        more_than[route, 0] = np.inf
    return at_most, more_than


@intrinsic
def _bits_of(typing_context, value):
    """The 64 bits of a float, as an integer."""

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(64))

    return types.int64(types.float64), codegen


@intrinsic
def _float_of(typing_context, bits):
    """The float whose 64 bits are `bits`."""

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return types.float64(types.int64), codegen


_MANTISSA = np.int64((1 << 52) - 1)
_EXPONENT_OF_ONE = np.int64(1023)
_LN2 = float(np.log(2.0))
# ln(1 + t) for t in [0, 1) by a cubic, within 1e-3 (a least-squares fit).
_LOG1P_CUBIC = (0.0009250321113056853, 0.9797534129748494, -0.3935358023019218,
                0.10668473260369177)


@njit(inline="always")
def _rough_log(u):
    """ln(u) within about 1e-3, from the exponent of `u` and a cubic in its mantissa:
    enough to guess a geometric wait, far cheaper than the logarithm."""
    bits = _bits_of(u)
    exponent = np.float64((bits >> 52) - _EXPONENT_OF_ONE)
    t = _float_of((bits & _MANTISSA) | (_EXPONENT_OF_ONE << 52)) - 1.0
    c0, c1, c2, c3 = _LOG1P_CUBIC
    return exponent * _LN2 + (c0 + t * (c1 + t * (c2 + t * c3)))


@njit(inline="always")
def _guessed_day(u, per_log_survival):
    """The day `_geometric_days` gives for `u`, from `_rough_log` (`per_log_survival`:
    1 / log(1 - 1/mean)), kept within 1..TABLE_DAYS - 1: right for all but about 1 in
    1,500 uniforms, the others being a day off, or past the table. Kept within the
    table as a float, before it becomes an integer: the guess for a wait of a huge mean
    is past what an integer holds."""
    day = min(max(np.ceil(_rough_log(u) * per_log_survival), 1.0), TABLE_DAYS - 1.0)
    return np.int64(day)


@njit(inline="always")
def _table_day(u, day, at_most, more_than, log_survival):
    """`_geometric_days(u, log_survival)`: the guess `day` (`_guessed_day`) when `u` lies
    surely between its bounds (`day_bounds`: `at_most` that day's, `more_than` the day
    before's), else worked out. The same days either way, for every uniform."""
    if at_most <= u < more_than:
        return np.float64(day)
    return _geometric_days(u, log_survival)


@njit(inline="always")
def _spec_days(keys, counters, row, salt, geometric, mean, sd):
    """Whole days (as a float) from a scenario time, as `draws.days` draws them:
    geometric with a daily chance of 1/mean (capped at LONGEST), or gamma."""
    if geometric:
        return _geometric_days(_next_uniform(keys, counters, row, salt),
                               _log_survival(1.0 / mean))
    return _gamma_day_count(keys, counters, row, salt, mean, sd)


@njit(inline="always")
def _leg_length(keys, counters, row, salt, geometric, geometric_survival, mean, sd):
    """Days of a leg: geometric with a daily chance of 1/mean (whose log-survival is
    given) where `geometric`, else gamma. The leg's values come as numbers rather than
    as arrays and an index: each array handed to an inlined function with branches
    costs compiled code a reference count, an atomic operation, per call."""
    if geometric:
        return _geometric_days(_next_uniform(keys, counters, row, salt), geometric_survival)
    return _gamma_day_count(keys, counters, row, salt, mean, sd)


@njit(cache=True)
def _survival_of(hazard):
    """log(1 - h) of each route's daily hazard, computed once rather than per escapee."""
    out = np.empty(hazard.size)
    for route in range(hazard.size):
        out[route] = _log_survival(hazard[route])
    return out


# Legs of at most this many days can tell from the uniform alone, most of the time, that
# the hazard on the way does not strike within them (`_sure_misses`).
SURE_MISS_DAYS = 64
# How far below the bound a uniform must be: far more than the rounding of the
# logarithm, the division and the bound itself (about 1e-16 each).
SURE_MISS_MARGIN = 1.0 - 1e-9


@njit(cache=True)
def _sure_misses(log_survival):
    """For each route, a uniform below which the day `_event_day` gives is past
    SURE_MISS_DAYS: u < (1 - h)**64 means log(u) / log(1 - h) > 64, so a leg of at most
    64 days is not struck, and the logarithm need not be taken (the margin covers every
    rounding, so the day decided is the one the logarithm would give)."""
    out = np.empty(log_survival.size)
    for route in range(log_survival.size):
        out[route] = np.exp(SURE_MISS_DAYS * log_survival[route]) * SURE_MISS_MARGIN
    return out


@njit(inline="always")
def _leg_outcome(base, drawn, risk, hazard, geometric, geometric_survival, hazard_survival,
                 sure_miss, mean, sd):
    """What one leg brings, drawn from the stream `base` after `drawn` draws, in this
    order: whether it ends in interception (`_interception`), its days, and the day the
    hazard on the way strikes if within the leg (`_strike`). The leg's values come as
    numbers: an array handed to an inlined function with branches costs compiled code
    an atomic reference count a call. Returns (days, intercepted, draws taken by then).
    A chain of legs draws the same, with days from a table (`travel_kernels`)."""
    caught, drawn = _interception(base, drawn, risk)
    if geometric:
        length = _geometric_days(_uniform(base, drawn), geometric_survival)
        drawn += _ONE
    else:
        length, drawn = _gamma_days_from(base, drawn, mean, sd)
    return _strike(base, drawn, hazard, hazard_survival, sure_miss, length, caught)


@njit(inline="always")
def _interception(base, drawn, risk):
    """Whether a leg ends in interception: a uniform against its `risk`. Returns (that,
    draws taken by then)."""
    # A uniform is above 0: with no risk it cannot fall below it, so it is skipped
    # (the count still moves on past it, and later draws are the same).
    return risk > 0.0 and _uniform(base, drawn) < risk, drawn + _ONE


@njit(inline="always")
def _strike(base, drawn, hazard, hazard_survival, sure_miss, length, caught):
    """With a daily `hazard` on the way, the day it first strikes if within the leg's
    `length` (she is then intercepted, that day). Returns (days, intercepted, draws taken
    by then)."""
    if hazard > 0.0:
        u = _uniform(base, drawn)
        drawn += _ONE
        if length > SURE_MISS_DAYS or u >= sure_miss:
            strikes = _event_day(u, hazard_survival)
            if strikes <= length:
                caught, length = True, strikes
    return length, caught, drawn


@njit(cache=True)
def leg_survivals(hazard, mean):
    """What `_leg_outcome` takes per route, worked out once rather than per leg: the
    log-survival of each route's geometric days and of its hazard, and the uniform below
    which the hazard cannot strike within a short leg (`_sure_misses`)."""
    hazard_survival = _survival_of(hazard)
    return _survival_of(1.0 / mean), hazard_survival, _sure_misses(hazard_survival)


@njit(cache=True)
def leg_outcomes(keys, counters, rows, salt, legs, risk, hazard, geometric, mean, sd):
    """What each escapee setting out on her leg meets (`_leg_outcome`).
    Returns (days, intercepted)."""
    geometric_survival, hazard_survival, sure_miss = leg_survivals(hazard, mean)
    days = np.empty(rows.size, dtype=np.int32)
    intercepted = np.empty(rows.size, dtype=np.bool_)
    for i in range(rows.size):
        row, leg = rows[i], legs[i]
        length, caught, drawn = _leg_outcome(
            keys[row] ^ salt, np.uint64(counters[row]), risk[leg], hazard[leg], geometric[leg],
            geometric_survival[leg], hazard_survival[leg], sure_miss[leg], mean[leg], sd[leg])
        counters[row] = np.uint32(drawn)
        days[i] = np.int32(length)
        intercepted[i] = caught
    return days, intercepted
