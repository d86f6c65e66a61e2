"""Geometric days read off a table of bounds (as a chain of legs draws them) are the
days the logarithm gives, for every uniform: drawn at random, and within a few units in
the last place of every bound, where rounding could tell them apart."""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit

from tumen.engine.luck_kernels import (
    TABLE_DAYS,
    _geometric_days,
    _guessed_day,
    _survival_of,
    _table_day,
    day_bounds,
)

MEANS = [1.0, 1.0001, 1.5, 2.0, 5.0, 7.3, 30.0, 365.0, 1e5, 1e20, 1e300]


@njit
def differences(uniforms, mean):
    """How many of `uniforms` get other days from the table than from the logarithm, and
    how many the table settles without the logarithm."""
    at_most, more_than = day_bounds(np.array([mean]))
    log_survival = _survival_of(np.array([1.0 / mean]))[0]
    differ = settled = 0
    for u in uniforms:
        guess = _guessed_day(u, 1.0 / log_survival)
        days = _table_day(u, guess, at_most[0, guess], more_than[0, guess - 1], log_survival)
        differ += days != _geometric_days(u, log_survival)
        settled += at_most[0, guess] <= u < more_than[0, guess - 1]
    return differ, settled


def near_every_bound(mean: float, steps: int = 300) -> np.ndarray:
    """Uniforms within `steps` units in the last place above and below each day's
    exact bound (1 - 1/mean)**k."""
    log_survival = _survival_of(np.array([1.0 / mean]))[0]
    bounds = np.exp(np.arange(TABLE_DAYS + 2) * log_survival)
    near = [bounds]
    for direction in (2.0, -1.0):
        values = bounds.copy()
        for _ in range(steps):
            values = np.nextafter(values, direction)
            near.append(values)
    uniforms = np.concatenate(near)
    return uniforms[(uniforms > 0.0) & (uniforms <= 1.0)]


@pytest.mark.parametrize("mean", MEANS)
def test_table_days_are_the_logarithms_days_near_every_bound(mean: float) -> None:
    differ, _ = differences(near_every_bound(mean), mean)
    assert differ == 0


def random_uniforms(seed: int, n: int = 200_000) -> np.ndarray:
    """Uniforms as escapees draw them (53 random bits), and the extremes."""
    rng = np.random.default_rng(seed)
    uniforms = (rng.integers(0, 2**53, n).astype(np.float64) + 0.5) * 2.0**-53
    return np.concatenate([uniforms, [1.0, 0.5, 0.25, 2.0**-54]])


@pytest.mark.parametrize("mean", MEANS)
def test_table_days_are_the_logarithms_days_for_random_uniforms(mean: float) -> None:
    differ, _ = differences(random_uniforms(int(mean * 1000)), mean)
    assert differ == 0


@pytest.mark.parametrize("mean", [1.5, 5.0, 7.3, 30.0])
def test_the_table_settles_almost_every_wait_within_it(mean: float) -> None:
    """The guess is a day off for about 1 uniform in 1,500 at a mean of 5 (more for
    long waits, where days lie closer together in the logarithm); those, and waits past
    the table, are worked out."""
    uniforms = random_uniforms(7)
    _, settled = differences(uniforms, mean)
    within_table = 1.0 - (1.0 - 1.0 / mean) ** (TABLE_DAYS - 1)
    assert settled >= 0.98 * within_table * uniforms.size
