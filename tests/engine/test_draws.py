"""The shared random draws: gamma durations, waiting times under a hazard, and choices in
proportion to weights. Statistical checks use fixed seeds and bounds of several sds."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tumen.engine.draws import choose, gamma_days, waiting_days


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


@pytest.mark.parametrize(("mean", "sd"), [(50.0, 10.0), (180.0, 90.0), (30.0, 30.0)])
def test_gamma_days_have_the_mean_and_sd_asked_for(mean: float, sd: float) -> None:
    """Whole days from a gamma of this mean and sd: rounding moves them by a fraction of a
    day at most, well inside the bounds for 200,000 draws."""
    values = gamma_days(rng(), mean, sd, 200_000)
    assert values.dtype == np.int32
    assert values.min() >= 1
    assert abs(values.mean() - mean) < 5 * sd / math.sqrt(values.size) + 0.05
    assert values.std() == pytest.approx(sd, rel=0.02)


def test_gamma_days_per_row_take_each_rows_mean_and_sd() -> None:
    """Arrays of means and sds draw one value each from its own distribution."""
    mean = np.repeat([10.0, 100.0], 100_000)
    sd = np.repeat([2.0, 20.0], 100_000)
    values = gamma_days(rng(1), mean, sd, mean.size)
    for part, (m, s) in enumerate([(10.0, 2.0), (100.0, 20.0)]):
        chunk = values[part * 100_000 : (part + 1) * 100_000]
        assert chunk.mean() == pytest.approx(m, rel=0.01)
        assert chunk.std() == pytest.approx(s, rel=0.03)


def test_gamma_days_with_no_spread_are_the_rounded_mean_and_at_least_one() -> None:
    """sd 0 gives the mean itself, rounded, never below one day, for scalars and arrays."""
    assert gamma_days(rng(), 6.4, 0.0, 3).tolist() == [6, 6, 6]
    assert gamma_days(rng(), 0.3, 0.0, 2).tolist() == [1, 1]
    mixed = gamma_days(rng(), np.array([3.0, 7.6, 0.2]), np.array([0.0, 0.0, 0.0]), 3)
    assert mixed.tolist() == [3, 8, 1]
    some_spread = gamma_days(rng(), np.array([4.0, 50.0]), np.array([0.0, 5.0]), 2)
    assert some_spread[0] == 4
    assert gamma_days(rng(), 5.0, 1.0, 0).size == 0


def test_waiting_days_without_hazard_is_a_review_at_the_cap() -> None:
    """A zero hazard never brings an event: the wake-up is the end of the window."""
    wait, event = waiting_days(rng(), np.zeros(5), 30)
    assert wait.tolist() == [30] * 5
    assert not event.any()


def test_waiting_days_with_certain_hazard_is_tomorrow() -> None:
    """A hazard of 1 (or more, clipped) brings the event on the first day."""
    wait, event = waiting_days(rng(), np.array([1.0, 3.0]), 30)
    assert wait.tolist() == [1, 1]
    assert event.all()


@pytest.mark.parametrize(("p", "cap"), [(0.01, 30), (0.05, 365), (0.2, 5)])
def test_waiting_days_is_geometric_cut_at_the_cap(p: float, cap: int) -> None:
    """An event within the window comes with probability 1 - (1 - p)^cap, on day k with
    probability p (1 - p)^(k - 1); without one the wake-up is the cap, flagged no event."""
    n = 100_000
    wait, event = waiting_days(rng(2), np.full(n, p), cap)
    assert wait.min() >= 1
    assert wait.max() <= cap
    assert (wait[~event] == cap).all()
    share = 1.0 - (1.0 - p) ** cap
    assert abs(event.mean() - share) <= 5 * math.sqrt(share * (1 - share) / n)
    first = p
    assert abs((wait[event] == 1).mean() * event.mean() - first) <= 5 * math.sqrt(first / n)


def test_choose_follows_the_weights_of_each_row() -> None:
    """Each row's choice falls on a column in proportion to that row's weights; columns
    of weight 0 are never chosen, wherever they are."""
    weights = np.array([[1.0, 0.0, 3.0, 0.0], [0.0, 0.0, 0.0, 2.0], [0.2, 0.3, 0.0, 0.5]])
    n = 50_000
    rows = np.repeat(weights, n, axis=0)
    picks = choose(rng(3), rows).reshape(3, n)
    for row, w in enumerate(weights):
        share = np.bincount(picks[row], minlength=4) / n
        expected = w / w.sum()
        assert (share[expected == 0] == 0).all()
        bound = 5 * np.sqrt(expected * (1 - expected) / n)
        assert (np.abs(share - expected) <= bound + 1e-12).all(), (share, expected)


def test_choose_with_unnormalised_weights() -> None:
    """Weights need not sum to 1: only their ratios matter."""
    picks = choose(rng(4), np.repeat([[10.0, 30.0]], 40_000, axis=0))
    assert abs(picks.mean() - 0.75) <= 5 * math.sqrt(0.75 * 0.25 / 40_000)
