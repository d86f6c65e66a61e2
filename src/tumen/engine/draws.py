"""Random draws the processes share: durations in whole days and waiting times.

Each takes a `Source`: a NumPy generator for draws about the world (how many leave
today, which house is raided), or `Context.luck(rows)` for draws about particular
escapees, one value each from her own stream.
"""

from __future__ import annotations

import numpy as np

from tumen.engine.luck import EscapeeLuck
from tumen.engine.luck_kernels import CERTAIN, LONGEST, NO_HAZARD, NO_SPREAD
from tumen.scenario.schema import Days

Source = np.random.Generator | EscapeeLuck


def gamma_days(rng: Source, mean: float | np.ndarray, sd: float | np.ndarray,
               size: int) -> np.ndarray:
    """Whole days (at least 1) from a gamma distribution with this mean and sd.

    A zero sd gives the mean itself, rounded; arrays of means and sds draw one each.
    """
    if size == 0:
        return np.empty(0, dtype=np.int32)
    if isinstance(rng, EscapeeLuck):
        return rng.gamma_days(mean, sd, size)
    if np.ndim(mean) == 0 and np.ndim(sd) == 0:
        if sd <= NO_SPREAD:
            return np.full(size, max(1, round(float(mean))), dtype=np.int32)
        values = rng.gamma((mean / sd) ** 2, sd**2 / mean, size)
    else:
        mean = np.broadcast_to(np.asarray(mean, dtype=np.float64), (size,))
        sd = np.broadcast_to(np.asarray(sd, dtype=np.float64), (size,))
        values = mean.copy()
        spread = sd > NO_SPREAD
        values[spread] = rng.gamma((mean[spread] / sd[spread]) ** 2, sd[spread] ** 2 / mean[spread])
    return np.maximum(1, np.rint(values)).astype(np.int32)


def geometric_days(rng: Source, mean: float | np.ndarray, size: int) -> np.ndarray:
    """Days (at least 1) until a daily chance of 1/`mean` first comes up."""
    chance = 1.0 / np.broadcast_to(np.asarray(mean, dtype=np.float64), (size,))
    return waiting_days(rng, chance, int(LONGEST))[0]


def days(rng: Source, spec: Days, size: int) -> np.ndarray:
    """Whole days drawn from a scenario `Days` distribution."""
    if spec.distribution == "geometric":
        return geometric_days(rng, spec.mean, size)
    return gamma_days(rng, spec.mean, spec.sd, size)


def waiting_days(rng: Source, hazard: np.ndarray, cap: int | np.ndarray) -> tuple[
        np.ndarray, np.ndarray]:
    """Days to the next event under a constant daily hazard, capped at `cap`.

    Drawing the wait once, rather than a coin each day, makes the cost follow events.
    Returns (days until the wake-up, whether an event happens then rather than a review).
    """
    # The geometric by inversion: the first day k with (1 - hazard)**k <= u, with hazards
    # kept off 0 and 1 (see luck_kernels).
    if isinstance(rng, EscapeeLuck):
        return rng.waiting_days(hazard, cap)
    hazard = np.clip(hazard, NO_HAZARD, CERTAIN)
    u = rng.random(hazard.size)
    wait = np.maximum(np.ceil(np.log(u) / np.log1p(-hazard)), 1.0)
    event = wait <= cap
    return np.minimum(wait, cap).astype(np.int32), event


def choose(rng: Source, weights: np.ndarray) -> np.ndarray:
    """One column index per row of `weights`, drawn in proportion to the row."""
    cumulative = np.cumsum(weights, axis=1)
    total = cumulative[:, -1:]
    u = rng.random(weights.shape[0])[:, None] * total
    return np.minimum((u >= cumulative).sum(axis=1), weights.shape[1] - 1)
