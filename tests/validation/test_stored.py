"""Validation read from a run store equals validation of the same runs in memory."""

from __future__ import annotations

from pathlib import Path

import pytest

from tumen.ensemble.spec import given_seeds_sweep
from tumen.ensemble.store import RunOutcome, RunStore, StoreError
from tumen.ensemble.sweep import run_sweep
from tumen.scenario import load_scenario
from tumen.validation.ensemble import run_ensemble
from tumen.validation.stored import stored_records
from tumen.validation.validate import validate, validate_records

from .conftest import perfect_run, scenario_text

SEEDS = [3, 1]


@pytest.fixture
def scenario_file(tmp_path: Path, valid_text: str) -> Path:
    """The small scenario over 2001-2005, with 876 resettled before it, as a file: some
    arrivals in South Korea, and a few facts measured."""
    path = tmp_path / "five-years.yaml"
    path.write_text(scenario_text(valid_text, "2001-01-01", "2005-12-31", 876))
    return path


def test_the_store_gives_the_report_of_the_same_runs_in_memory(scenario_file: Path,
                                                                tmp_path: Path) -> None:
    sweep = given_seeds_sweep(SEEDS, str(scenario_file), name="validation")
    store = RunStore(tmp_path / "store", create=True)
    run_sweep(sweep, store, workers=1)
    scenario = load_scenario(scenario_file)
    from_store = validate_records(stored_records(store, sweep), scenario.name)
    in_memory = validate(run_ensemble(scenario, SEEDS), scenario)
    assert from_store == in_memory
    assert from_store["seeds"] == SEEDS
    measured = [check for check in from_store["checks"] if check["simulated_mean"] is not None]
    assert len(measured) >= 3  # the comparison covers measured facts, not only reasons
    assert all(check["runs_measured"] <= len(SEEDS) for check in measured)
    for series in from_store["series"]:  # arrivals, and the women's share of them
        assert series["ard"] is not None
        assert any(year["mean"] for year in series["by_year"])


def test_a_store_without_fact_values_is_refused(tmp_path: Path) -> None:
    """Runs stored without the facts (as by a version before they were kept)."""
    sweep = given_seeds_sweep([1], "korea-1998-2025", name="old")
    store = RunStore(tmp_path / "store", create=True)
    store.begin(sweep, resume=False)
    store.record("old", RunOutcome(sweep.runs[0], 1.0, annual=perfect_run(1).annual))
    with pytest.raises(StoreError, match="without the facts"):
        stored_records(store, sweep)


def test_a_sweep_not_finished_is_refused(tmp_path: Path) -> None:
    sweep = given_seeds_sweep([1, 2], "korea-1998-2025", name="half")
    store = RunStore(tmp_path / "store", create=True)
    store.begin(sweep, resume=False)
    store.record("half", RunOutcome(sweep.runs[0], 1.0, error="ValueError: no"))
    with pytest.raises(StoreError, match="missing 1 of its 2 runs"):
        stored_records(store, sweep)
