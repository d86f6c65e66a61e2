"""The distance measures on series worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from tumen.validation.metrics import annual_series, ard, ensemble_ard, interval

from .conftest import make_results, per_year


def test_ard_by_hand() -> None:
    # |110-100| + |180-200| + |300-300| = 30 over 600 observed.
    assert ard([110, 180, 300], [100, 200, 300]) == pytest.approx(0.05)
    assert ard([100, 200], [100, 200]) == 0.0
    assert ard([0, 0], [50, 150]) == pytest.approx(1.0)


def test_ard_skips_years_missing_on_either_side() -> None:
    # Only the middle pair is known on both sides: |90-100| / 100.
    assert ard([np.nan, 90, 5], [40, 100, np.nan]) == pytest.approx(0.1)


@pytest.mark.parametrize(
    ("simulated", "observed", "message"),
    [
        ([1, 2, 3], [1, 2], "differ in length"),
        ([np.nan, 1], [1, np.nan], "no year"),
        ([1, 2], [0, 0], "sum to zero"),
    ],
)
def test_ard_errors(simulated, observed, message) -> None:
    with pytest.raises(ValueError, match=message):
        ard(simulated, observed)


def test_interval_by_hand() -> None:
    values = np.arange(1, 101)  # 1..100: linear quantiles at 5% and 95%
    assert interval(values) == pytest.approx((5.95, 95.05))
    assert interval(values, 0.5) == pytest.approx((25.75, 75.25))
    assert interval([7.0]) == (7.0, 7.0)


@pytest.mark.parametrize("level", [0, 1, 1.5, -0.1])
def test_interval_level_must_lie_in_0_1(level) -> None:
    with pytest.raises(ValueError, match="level"):
        interval([1, 2, 3], level)


def test_interval_of_nothing() -> None:
    with pytest.raises(ValueError, match="at least one"):
        interval([])


def _run(seed: int, arrivals: dict[int, float], women: dict[int, float]):
    return make_results("2000-01-01", "2003-12-31", seed,
                        daily={"arrivals_sk": per_year(arrivals),
                               "arrivals_sk_women": per_year(women)})


def test_annual_series_one_column_per_run_and_derived_share() -> None:
    one = _run(1, {2000: 100, 2001: 200, 2002: 0, 2003: 50}, {2000: 50, 2001: 150, 2003: 25})
    two = _run(2, {2000: 300, 2001: 100, 2002: 10, 2003: 50}, {2000: 150, 2001: 50, 2003: 50})
    arrivals = annual_series([one, two], "arrivals_sk")
    assert list(arrivals.columns) == [1, 2]
    assert list(arrivals.index) == [2000, 2001, 2002, 2003]
    assert arrivals.loc[2001].tolist() == [200, 100]
    share = annual_series([one, two], "women_share")
    assert share.loc[2001].tolist() == [0.75, 0.5]
    assert math.isnan(share.loc[2002, 1])  # no arrivals: no share, not a division by zero
    assert share.loc[2002, 2] == 0.0


def test_ensemble_ard_of_the_mean_and_pooled_share() -> None:
    one = _run(1, {2000: 100, 2001: 200, 2002: 0, 2003: 50}, {2000: 50, 2001: 150, 2003: 25})
    two = _run(2, {2000: 300, 2001: 100, 2002: 10, 2003: 50}, {2000: 150, 2001: 50, 2003: 50})
    observed = pd.DataFrame({"year": [1999, 2000, 2001, 2002],
                             "arrivals_sk": [10, 200, 100, np.nan],
                             "women_share": [np.nan, 0.5, 0.5, 0.5]})
    # Means 200, 150, 5 against 200, 100, NaN: |0| + |50| over 300 observed (2002 unknown,
    # 1999 outside the runs).
    assert ensemble_ard([one, two], observed, "arrivals_sk", (1999, 2003)) == pytest.approx(
        50 / 300)
    # Only 2000-2001 asked for: the same pairs.
    assert ensemble_ard([one, two], observed, "arrivals_sk", (2000, 2001)) == pytest.approx(
        50 / 300)
    # Pooled shares: 200/400 = 0.5, 200/300 = 2/3, 0/10 = 0; against 0.5 each.
    expected = (0 + 1 / 6 + 0.5) / 1.5
    assert ensemble_ard([one, two], observed, "women_share", (2000, 2002)) == pytest.approx(
        expected)


def test_ensemble_ard_with_no_year_in_the_runs() -> None:
    run = _run(1, {2000: 1}, {})
    observed = pd.DataFrame({"year": [1998, 1999], "arrivals_sk": [10, 20]})
    with pytest.raises(ValueError, match="no year"):
        ensemble_ard([run], observed, "arrivals_sk", (1998, 1999))
