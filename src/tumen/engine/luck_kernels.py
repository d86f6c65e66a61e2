"""Compiled kernels of the escapees' own random streams (see `tumen.engine.luck`).

Each draw advances the escapee's counter, so the n-th value she draws is the same
whoever else draws in between. Integer arithmetic is kept in unsigned 64 bits
throughout: Numba turns mixed signed and unsigned operands into floats.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_ONE = np.uint64(1)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53


@njit(inline="always")
def _next_uniform(keys, counters, row, salt):
    """The escapee's next uniform in (0, 1): splitmix64 of her key, the salt and count."""
    drawn = counters[row]
    counters[row] = drawn + np.uint32(1)
    value = (keys[row] ^ salt) + (np.uint64(drawn) + _ONE) * _GOLDEN
    value = (value ^ (value >> np.uint64(30))) * _MIX1
    value = (value ^ (value >> np.uint64(27))) * _MIX2
    value = value ^ (value >> np.uint64(31))
    return (np.float64(value >> np.uint64(11)) + 0.5) * _TO_UNIT


@njit(cache=True)
def uniforms(keys, counters, rows, salt):
    """One uniform per row, from that escapee's stream."""
    out = np.empty(rows.size)
    for i in range(rows.size):
        out[i] = _next_uniform(keys, counters, rows[i], salt)
    return out


@njit(inline="always")
def _standard_gamma(keys, counters, row, salt, shape):
    """A gamma(shape, 1) variate by Marsaglia and Tsang's method (2000), with a normal
    from Box and Muller; shapes below 1 are boosted by U**(1/shape)."""
    boost = 1.0
    if shape < 1.0:
        boost = _next_uniform(keys, counters, row, salt) ** (1.0 / shape)
        shape += 1.0
    d = shape - 1.0 / 3.0
    c = 1.0 / np.sqrt(9.0 * d)
    while True:
        radius = np.sqrt(-2.0 * np.log(_next_uniform(keys, counters, row, salt)))
        z = radius * np.cos(2.0 * np.pi * _next_uniform(keys, counters, row, salt))
        v = 1.0 + c * z
        if v <= 0.0:
            continue
        v = v * v * v
        u = _next_uniform(keys, counters, row, salt)
        if np.log(u) < 0.5 * z * z + d - d * v + d * np.log(v):
            return d * v * boost


@njit(cache=True)
def gamma_days(keys, counters, rows, salt, mean, sd, fixed_below):
    """Whole days (at least 1) per row from a gamma of the row's mean and sd; an sd at
    or below `fixed_below` gives the mean itself, rounded, and draws nothing."""
    out = np.empty(rows.size, dtype=np.int32)
    for i in range(rows.size):
        value = mean[i]
        if sd[i] > fixed_below:
            shape = (mean[i] / sd[i]) ** 2
            value = _standard_gamma(keys, counters, rows[i], salt, shape) * sd[i] ** 2 / mean[i]
        out[i] = max(1, np.rint(value))
    return out


@njit(cache=True)
def waiting_days(keys, counters, rows, salt, hazard, cap, lowest, highest):
    """Days to the first event under each row's constant daily hazard, by inversion of
    the geometric (the first day k with (1 - hazard)**k <= u), capped at the row's cap;
    hazards are clipped to [lowest, highest]. Returns (days, whether the event comes
    within the cap)."""
    wait = np.empty(rows.size, dtype=np.int32)
    event = np.empty(rows.size, dtype=np.bool_)
    for i in range(rows.size):
        h = min(max(hazard[i], lowest), highest)
        u = _next_uniform(keys, counters, rows[i], salt)
        days = max(np.ceil(np.log(u) / np.log1p(-h)), 1.0)
        event[i] = days <= cap[i]
        wait[i] = np.int32(min(days, cap[i]))
    return wait, event
