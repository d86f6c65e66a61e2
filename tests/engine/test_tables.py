"""The run's tables from its recorder: what is worked out there rather than counted."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from tumen.engine.tables import _median_of_whole_days

whole_days = arrays(np.int32, st.integers(1, 40), elements=st.integers(-30, 3000))


@given(st.lists(whole_days, min_size=1, max_size=6))
def test_the_median_journey_is_the_median_of_all_the_days_taken(
        parts: list[np.ndarray]) -> None:
    """Counted by days taken, day by day's arrivals, it is what `np.median` gives of
    them all: the middle value, or halfway between the two middle ones."""
    assert _median_of_whole_days(parts) == float(np.median(np.concatenate(parts)))


def test_the_median_of_a_few_journeys_far_apart_is_the_median_too() -> None:
    """Days so far apart that counting them would take more room than the days
    themselves are taken as they are."""
    parts = [np.array([0, 10**9], dtype=np.int64), np.array([7], dtype=np.int64)]
    assert _median_of_whole_days(parts) == 7.0
    assert _median_of_whole_days(parts[:1]) == 5e8
