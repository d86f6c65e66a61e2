"""Each escapee's own random stream, so that the same person meets the same luck in two
scenarios unless a change touches her (common random numbers for paired comparisons).

An escapee is minted an identity key from who created her, on which day and in what
order that day; her draws are a counter-based stream: the n-th uniform is a 64-bit hash
of (her key, the run's seed, n). Nothing about her draws depends on how many others were
drawn before her, unlike one shared generator, where a single extra draw shifts every
later one. The kernels are compiled with Numba: a hash per draw in a loop costs about as
much as NumPy's own generator, and the gamma sampler (Marsaglia and Tsang's method)
needs a loop per person anyway.
"""

from __future__ import annotations

import zlib

import numpy as np
from numba import njit

from tumen.engine import luck_kernels
from tumen.engine.world import Graph

_GOLDEN = 0x9E3779B97F4A7C15
_MASK = (1 << 64) - 1


def mix64(value: int) -> int:
    """The splitmix64 finaliser on a Python integer (for keys and salts, off the hot path)."""
    value &= _MASK
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK
    return value ^ (value >> 31)


def salt_for(seed: int) -> int:
    """The run-wide part of every escapee's stream."""
    return mix64(seed * _GOLDEN + 1)


def identity_keys(origin: str, day: int, first: int, count: int) -> np.ndarray:
    """Keys of `count` escapees created by `origin` on `day`, numbered from `first` that day.

    The same origin, day and number give the same key in any scenario and any seed.
    """
    base = mix64((zlib.crc32(origin.encode()) << 32) ^ (day & 0xFFFFFFFF))
    return _mixed_keys(np.uint64(base), np.uint64(first), count)


@njit(cache=True)
def _mixed_keys(base, first, count):
    """`mix64` of `base` + n * golden for the `count` numbers n after `first`, in one
    compiled pass (unsigned arithmetic wraps, as intended)."""
    keys = np.empty(count, dtype=np.uint64)
    for i in range(count):
        value = base + (first + np.uint64(i + 1)) * np.uint64(_GOLDEN)
        value = (value ^ (value >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        value = (value ^ (value >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        keys[i] = value ^ (value >> np.uint64(31))
    return keys


def per_row(value: float | np.ndarray, size: int, dtype: type = np.float64) -> np.ndarray:
    """`value` as a contiguous array of one entry per row (a scalar repeated)."""
    if isinstance(value, np.ndarray) and value.shape == (size,):
        return np.ascontiguousarray(value, dtype=dtype)
    if isinstance(value, np.ndarray):
        return np.ascontiguousarray(np.broadcast_to(value, (size,)), dtype=dtype)
    return np.full(size, value, dtype=dtype)


class EscapeeLuck:
    """Draws for a fixed set of escapees, one value each, from their own streams.

    It answers `random(n)` like a NumPy generator, so the shared draw functions
    (`tumen.engine.draws`) take either; `n` must be the number of escapees.
    """

    def __init__(self, keys: np.ndarray, counters: np.ndarray, rows: np.ndarray, salt: int):
        self._keys, self._counters = keys, counters
        self._rows = _as_rows(rows)
        self._salt = np.uint64(salt)

    def _check(self, size: int) -> None:
        if size != self._rows.size:
            raise ValueError(f"{size} draws asked of {self._rows.size} escapees' streams")

    def random(self, size: int) -> np.ndarray:
        """One uniform in (0, 1] per escapee."""
        self._check(size)
        return luck_kernels.uniforms(self._keys, self._counters, self._rows, self._salt)

    def gamma_days(self, mean: float | np.ndarray, sd: float | np.ndarray,
                   size: int) -> np.ndarray:
        """Whole days per escapee from a gamma of her mean and sd, in one compiled pass
        (see `tumen.engine.draws.gamma_days`)."""
        self._check(size)
        return luck_kernels.gamma_days(*self._streams(), per_row(mean, size),
                                       per_row(sd, size))

    def waiting_days(self, hazard: float | np.ndarray,
                     cap: int | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Days to each escapee's next event under her daily hazard, capped, in one
        compiled pass (see `tumen.engine.draws.waiting_days`)."""
        size = self._rows.size
        return luck_kernels.waiting_days(*self._streams(), per_row(hazard, size),
                                         per_row(cap, size, np.int64))

    def leg_outcomes(self, legs: np.ndarray, graph: Graph, risk: np.ndarray,
                     hazard: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Days and interception of each escapee's leg, given each route's interception
        `risk` and daily `hazard` on the way (see `luck_kernels.leg_outcomes`)."""
        self._check(legs.size)
        return luck_kernels.leg_outcomes(*self._streams(), _as_rows(legs),
                                         np.ascontiguousarray(risk, dtype=np.float64),
                                         np.ascontiguousarray(hazard, dtype=np.float64),
                                         graph.route_days_geometric, graph.route_days_mean,
                                         graph.route_days_sd)

    def _streams(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.uint64]:
        return self._keys, self._counters, self._rows, self._salt


def _as_rows(values: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(values, dtype=np.int64)
