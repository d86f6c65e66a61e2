"""Determinism: the same scenario and seed give the same run, bit for bit; another seed
gives another run. The scenario is the busy one of conftest: a year in which every
process has work, about 1,500 escapees, a second or two a run."""

from __future__ import annotations

import pandas as pd
import pytest

import tumen
from tumen.results import Results

from .conftest import busy_sections, tiny


@pytest.fixture(scope="module")
def runs() -> dict[str, Results]:
    scenario = tiny(**busy_sections())
    return {
        "first": tumen.simulate(scenario, seed=11),
        "again": tumen.simulate(scenario, seed=11),
        "other": tumen.simulate(scenario, seed=12),
    }


@pytest.mark.parametrize("flow", [
    "departures", "chain_departures", "crossings", "caught_at_border", "arrests_china",
    "repatriations", "trafficked", "rescue_intakes", "broker_intakes", "credit_intakes",
    "raid_arrests", "detained_thailand", "arrivals_sk", "arrivals_us", "airlifted",
])
def test_every_process_has_something_to_compare(runs: dict[str, Results], flow: str) -> None:
    """Each of these flows happens in the run, so the comparisons below bite."""
    assert runs["first"].daily[flow].sum() > 0


@pytest.mark.parametrize("table", ["annual", "daily", "route_flows", "ledger"])
def test_the_same_seed_gives_identical_tables(runs: dict[str, Results], table: str) -> None:
    pd.testing.assert_frame_equal(getattr(runs["first"], table), getattr(runs["again"], table))


def test_the_same_seed_gives_the_same_summary(runs: dict[str, Results]) -> None:
    """Everything but the wall time is the same."""
    first, again = dict(runs["first"].summary), dict(runs["again"].summary)
    first.pop("wall_time_s")
    again.pop("wall_time_s")
    assert first == again


@pytest.mark.parametrize("table", ["annual", "daily", "ledger"])
def test_another_seed_gives_another_run(runs: dict[str, Results], table: str) -> None:
    first, other = getattr(runs["first"], table), getattr(runs["other"], table)
    assert first.shape == other.shape
    assert not first.equals(other)


def test_another_seed_draws_other_departures(runs: dict[str, Results]) -> None:
    """Departures are Poisson each day: another seed gives another day-by-day series."""
    first, other = runs["first"].daily["departures"], runs["other"].daily["departures"]
    assert (first != other).sum() > 100
