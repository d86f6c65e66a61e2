"""`refine`: the coordinate search's steps, its recovery of the value that made the
"observed" series, and a search interrupted by Ctrl-C that continues without scoring a
set of values twice.

Runs use the small one-year corridor of conftest.py, whose only free value is the
river's detection (range 0 to 0.7, starting at 0.1).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from optuna.trial import TrialState
from typer.testing import CliRunner

from tumen.cli import app
from tumen.scenario.free import FreeParameter
from tumen.validation import calibrate as calibration
from tumen.validation.calibrate import CalibrationError
from tumen.validation.refine import refine, stepped

from .conftest import interrupted_at, observed_with, small_text
from .test_calibrate import OUTPUTS, study_trials

DETECTION = "parameters.crossing.detection"
TRUTH = 0.3


def free(low: float, high: float, log: bool = False, integer: bool = False) -> FreeParameter:
    return FreeParameter(path="x", value=low, low=low, high=high, log=log, integer=integer,
                         line=1, columns=(0, 1))


@pytest.mark.parametrize(
    ("parameter", "value", "step", "expected"),
    [
        (free(0.0, 0.8), 0.4, 0.25, 0.6),
        (free(0.0, 0.8), 0.4, -0.25, 0.2),
        (free(0.0, 0.8), 0.7, 0.25, 0.8),  # kept in the range
        (free(0.01, 1.0, log=True), 0.1, 0.5, 1.0),  # half the log range: x10
        (free(0.01, 1.0, log=True), 0.1, -0.25, 0.1 / 10**0.5),
        (free(1, 10, integer=True), 5, 0.01, 6),  # an integer moves by at least 1
        (free(1, 10, integer=True), 5, -0.5, 1),
    ],
)
def test_a_step_is_a_share_of_the_range(
    parameter: FreeParameter, value: float, step: float, expected: float
) -> None:
    assert stepped(parameter, value, step) == pytest.approx(expected)


@pytest.fixture(scope="module")
def observed() -> pd.DataFrame:
    return observed_with(small_text(departures=4.0), {DETECTION: TRUTH})


@pytest.fixture
def small_file(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(small_text(departures=4.0), encoding="utf-8")
    return path


def test_refinement_walks_to_the_value_that_made_the_observed_series(
    small_file: Path, tmp_path: Path, observed: pd.DataFrame
) -> None:
    """From 0.1, steps of 0.7/8 = 0.0875 reach 0.275 and 0.3625 around the truth of 0.3;
    halved steps then close in. Two seeds a set of values, as in the TPE test of
    test_calibrate.py, whose tolerance (three noise deviations, 0.05) applies here."""
    result = refine(small_file, tmp_path / "fit", sweeps=4, step=1 / 8, seeds=2, until=None,
                    observed=observed)
    found = result.best_values[DETECTION]
    assert abs(found - TRUTH) <= 0.05, found
    assert result.start is not None and result.best is not None
    assert result.best.loss < result.start.loss
    assert all((tmp_path / "fit" / name).is_file() for name in OUTPUTS)
    assert json.loads((tmp_path / "fit" / "best.json").read_text())["parameters"] == {
        DETECTION: found}
    # Each set of values is scored once: no two trials share them.
    values = [t.params[DETECTION] for t in study_trials(tmp_path / "fit")]
    assert len(values) == len(set(values)) == result.trials_run


def test_an_interrupted_refinement_continues_without_scoring_a_set_twice(
    small_file: Path, tmp_path: Path, observed: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = refine(small_file, tmp_path / "whole", sweeps=2, step=1 / 8, seeds=1, until=None,
                   observed=observed)
    real = calibration.evaluate
    monkeypatch.setattr(calibration, "evaluate", interrupted_at(3, real))
    out = tmp_path / "parts"
    with pytest.raises(KeyboardInterrupt):
        refine(small_file, out, sweeps=2, step=1 / 8, seeds=1, until=None, observed=observed)
    assert [t.state for t in study_trials(out)] == [TrialState.COMPLETE] * 2 + [TrialState.FAIL]
    monkeypatch.setattr(calibration, "evaluate", real)
    resumed = refine(small_file, out, sweeps=2, step=1 / 8, seeds=1, until=None,
                     observed=observed)
    assert (resumed.trials_before, resumed.trials_run) == (2, whole.trials_run - 2)
    assert resumed.best_values == whole.best_values
    assert resumed.best == whole.best


def test_bad_settings_are_refused(small_file: Path, tmp_path: Path) -> None:
    with pytest.raises(CalibrationError, match="sweeps must be at least 1"):
        refine(small_file, tmp_path / "fit", sweeps=0)
    with pytest.raises(CalibrationError, match="step must be above 0"):
        refine(small_file, tmp_path / "fit", sweeps=1, step=1.5)


def test_cli_refines_with_the_shipped_series(small_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "fit"
    result = CliRunner().invoke(app, [
        "calibrate", str(small_file), "--refine", "1", "--seeds", "1", "--until", "2001",
        "--workers", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert DETECTION in result.output
    assert all((out / name).is_file() for name in OUTPUTS)
    assert "0 before" in result.output
    again = CliRunner().invoke(app, [
        "calibrate", str(small_file), "--refine", "1", "--seeds", "1", "--until", "2001",
        "--workers", "1", "--out", str(out)])
    assert again.exit_code == 0, again.output
    assert "the search reuses them and runs at most" in again.output
    assert "0 trials run now" in again.output
