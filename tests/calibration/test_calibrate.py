"""`calibrate`: the objective, the study kept in SQLite and continued, the outputs, and
the recovery of a value that made the "observed" series.

Runs use the small one-year corridor of conftest.py (about half a second a run), one
seed per trial, and an observed frame made of simulated runs or the shipped series.
"""

from __future__ import annotations

import json
from pathlib import Path

import optuna
import pandas as pd
import pytest
from optuna.trial import TrialState
from typer.testing import CliRunner

from tumen.cli import app
from tumen.scenario import load_scenario, parse_scenario
from tumen.validation import calibrate as calibration
from tumen.validation.calibrate import (
    STUDY_NAME,
    CalibrationError,
    calibrate,
    evaluate,
    objective_years,
)

from .conftest import DETECTION_MARKER, interrupted_at, observed_with, small_text

OUTPUTS = ("study.db", "best.json", "top10.csv", "posterior.json", "calibrated.yaml")


def study_trials(out: Path) -> list[optuna.trial.FrozenTrial]:
    study = optuna.load_study(study_name=STUDY_NAME, storage=f"sqlite:///{out / 'study.db'}")
    return study.trials


@pytest.fixture(scope="module")
def observed() -> pd.DataFrame:
    """What the small scenario gives with the guards catching 30%."""
    return observed_with(small_text(), {"parameters.crossing.detection": 0.3})


def test_objective_years_follow_the_observed_frame_and_the_run() -> None:
    scenario = parse_scenario(small_text()).model_copy()
    period = scenario.period.model_copy(update={"end": pd.Timestamp("2003-12-31").date()})
    scenario = scenario.model_copy(update={"period": period})
    frame = pd.DataFrame({"year": [1999, 2000, 2001, 2002], "arrivals": 1, "women_share": 0.5})
    assert objective_years(scenario, frame, None) == (2001, 2002)
    assert objective_years(scenario, frame, 2001) == (2001, 2001)
    assert objective_years(scenario, frame[frame["year"] >= 2002], 2015) == (2002, 2002)
    with pytest.raises(CalibrationError, match="do not overlap"):
        objective_years(scenario, frame[frame["year"] < 2001], None)


def test_the_objective_is_lowest_near_the_values_that_made_the_data() -> None:
    """Each part of the loss answers to its own parameter: arrivals to detection, the
    women's share to the share of women among those who leave (0.5 in the made data).
    Two seeds of about 900 arrivals each put the women's share within 0.012 (one standard
    deviation) of the truth, so an ARD of 0.1 (0.05 absolute) is some four deviations
    away; the changed values move each part by 0.3 or more."""
    text = small_text(departures=4.0)
    scenario = parse_scenario(text)
    truth = {"parameters.crossing.detection": 0.3}
    observed = observed_with(text, truth)
    seeds = [1, 2]
    at_truth = evaluate(scenario, truth, observed, seeds, None)
    too_strict = evaluate(scenario, {"parameters.crossing.detection": 0.6}, observed, seeds, None)
    fewer = {**truth, "population.women_share": 0.2}
    fewer_women = evaluate(scenario, fewer, observed, seeds, None)
    assert at_truth.loss == pytest.approx(at_truth.arrivals_ard + at_truth.women_share_ard)
    assert at_truth.arrivals_ard < 0.1 < 0.3 < too_strict.arrivals_ard
    assert at_truth.women_share_ard < 0.1 < 0.3 < fewer_women.women_share_ard
    assert fewer_women.arrivals_ard == pytest.approx(at_truth.arrivals_ard, abs=0.1)


def test_a_study_continues_and_runs_only_the_missing_trials(
    small_file: Path, tmp_path: Path, observed: pd.DataFrame
) -> None:
    out = tmp_path / "fit"
    seen: list[tuple[int, int]] = []
    first = calibrate(
        small_file, out, 2, seeds=1, until=None, observed=observed,
        on_trial=lambda done, total, best: seen.append((done, total)),
    )  # fmt: skip
    assert (first.trials_before, first.trials_run, first.complete) == (0, 2, 2)
    assert seen == [(0, 2), (1, 2), (2, 2)]
    assert all((out / name).is_file() for name in OUTPUTS)
    trials = study_trials(out)
    assert len(trials) == 2
    # Trial 0 is the file as written.
    assert trials[0].params == {"parameters.crossing.detection": 0.1}
    assert first.start is not None and first.start.loss == trials[0].value

    second = calibrate(small_file, out, 5, seeds=1, until=None, observed=observed)
    assert (second.trials_before, second.trials_run, second.complete) == (2, 3, 5)
    assert len(study_trials(out)) == 5
    assert [t.number for t in study_trials(out)] == [0, 1, 2, 3, 4]

    third = calibrate(small_file, out, 4, seeds=1, until=None, observed=observed)
    assert (third.trials_before, third.trials_run) == (5, 0)
    assert len(study_trials(out)) == 5


def test_a_study_refuses_other_settings(
    small_file: Path, tmp_path: Path, observed: pd.DataFrame
) -> None:
    out = tmp_path / "fit"
    calibrate(small_file, out, 1, seeds=1, until=None, observed=observed)
    with pytest.raises(CalibrationError, match=r"other seeds \(seeds=1\)"):
        calibrate(small_file, out, 2, seeds=2, until=None, observed=observed)
    wider = tmp_path / "wider.yaml"
    wider.write_text(small_text().replace("high: 0.7", "high: 0.9"), encoding="utf-8")
    with pytest.raises(CalibrationError, match="other free_parameters"):
        calibrate(wider, out, 2, seeds=1, until=None, observed=observed)
    assert len(study_trials(out)) == 1


def test_outputs_agree_with_the_study(
    small_file: Path, tmp_path: Path, observed: pd.DataFrame
) -> None:
    out = tmp_path / "fit"
    result = calibrate(small_file, out, 4, seeds=1, until=None, observed=observed, seed=3)
    trials = [t for t in study_trials(out) if t.state == TrialState.COMPLETE]
    best = min(trials, key=lambda t: t.value)
    summary = json.loads((out / "best.json").read_text())
    assert summary["loss"] == best.value == result.best.loss
    assert summary["trial"] == best.number == result.best_trial
    assert summary["parameters"] == best.params == result.best_values
    assert summary["start"] == {"parameters.crossing.detection": 0.1}
    assert summary["loss"] == pytest.approx(summary["arrivals_ard"] + summary["women_share_ard"])
    assert summary["years"] == {"arrivals": [2001, 2001], "women_share": [2001, 2001]}
    top = pd.read_csv(out / "top10.csv")
    assert len(top) == 4
    assert list(top["loss"]) == sorted(t.value for t in trials)
    assert (
        top["parameters.crossing.detection"].iloc[0] == best.params["parameters.crossing.detection"]
    )
    posterior = json.loads((out / "posterior.json").read_text())["parameters.crossing.detection"]
    values = top["parameters.crossing.detection"]
    assert posterior["mean"] == pytest.approx(values.mean())
    assert posterior["sd"] == pytest.approx(values.std())
    assert (posterior["min"], posterior["max"], posterior["n"]) == (values.min(), values.max(), 4)


def test_calibrated_yaml_keeps_comments_and_markers_and_loads(
    tmp_path: Path, observed: pd.DataFrame
) -> None:
    """The search starts from 0.7, the far end of its range from the truth (0.3): any
    value the sampler tries below about 0.65 fits better, so the best value differs from
    the start and exactly one line of the file changes."""
    path = tmp_path / "small.yaml"
    path.write_text(small_text(marker=DETECTION_MARKER.replace("0.1,", "0.7,")), encoding="utf-8")
    out = tmp_path / "fit"
    result = calibrate(path, out, 3, seeds=1, until=None, observed=observed)
    original = path.read_text().splitlines()
    calibrated = (out / "calibrated.yaml").read_text().splitlines()
    differing = [i for i, (a, b) in enumerate(zip(original, calibrated, strict=True)) if a != b]
    assert len(differing) == 1
    line = calibrated[differing[0]]
    assert "# guards at the river, free" in line and "calibrate: {low: 0.0, high: 0.7}" in line
    assert "# Source: made up." in calibrated and "# Who leaves" in calibrated
    again = load_scenario(out / "calibrated.yaml")
    best = result.best_values["parameters.crossing.detection"]
    assert again.parameters.crossing.detection == pytest.approx(best, rel=1e-5)
    assert [p.path for p in again.free_parameters] == ["parameters.crossing.detection"]
    # It can be calibrated again, starting from the best value.
    follow = calibrate(out / "calibrated.yaml", tmp_path / "again", 1, seeds=1, until=None,
                       observed=observed)  # fmt: skip
    assert follow.start_values == {"parameters.crossing.detection": pytest.approx(best, rel=1e-5)}


def test_values_the_scenario_refuses_fail_their_trial_and_the_study_goes_on(
    tmp_path: Path, observed: pd.DataFrame
) -> None:
    """A range reaching past what the schema allows: women's shares above 1 are refused."""
    text = small_text().replace(
        "women_share: 0.5", "women_share: {value: 0.5, calibrate: {low: 0.4, high: 3.0}}"
    )
    path = tmp_path / "wide.yaml"
    path.write_text(text, encoding="utf-8")
    result = calibrate(path, tmp_path / "fit", 6, seeds=1, until=None, observed=observed)
    trials = study_trials(tmp_path / "fit")
    failed = [t for t in trials if t.state == TrialState.FAIL]
    assert len(trials) == 6 and result.trials_run == 6
    assert failed and result.failed == len(failed)
    for trial in failed:
        assert trial.params["population.women_share"] > 1
        assert "population.women_share: must be <= 1" in trial.user_attrs["error"]
    assert result.complete == 6 - len(failed) >= 1


def test_ctrl_c_keeps_the_trials_done_and_the_next_call_continues(
    small_file: Path, tmp_path: Path, observed: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "fit"
    real = calibration.evaluate
    monkeypatch.setattr(calibration, "evaluate", interrupted_at(3, real))
    with pytest.raises(KeyboardInterrupt):
        calibrate(small_file, out, 5, seeds=1, until=None, observed=observed)
    trials = study_trials(out)
    assert [t.state for t in trials] == [TrialState.COMPLETE] * 2 + [TrialState.FAIL]
    assert trials[2].user_attrs == {"interrupted": True}
    assert json.loads((out / "best.json").read_text())["trial"] in (0, 1)
    monkeypatch.setattr(calibration, "evaluate", real)
    resumed = calibrate(small_file, out, 5, seeds=1, until=None, observed=observed)
    assert (resumed.trials_before, resumed.trials_run, resumed.complete) == (2, 3, 5)


def test_a_trial_left_running_by_a_killed_call_is_failed_and_run_again(
    small_file: Path, tmp_path: Path, observed: pd.DataFrame
) -> None:
    out = tmp_path / "fit"
    calibrate(small_file, out, 1, seeds=1, until=None, observed=observed)
    study = optuna.load_study(study_name=STUDY_NAME, storage=f"sqlite:///{out / 'study.db'}")
    study.ask()  # as a process killed in the middle of a trial leaves it
    assert study_trials(out)[-1].state == TrialState.RUNNING
    result = calibrate(small_file, out, 2, seeds=1, until=None, observed=observed)
    assert (result.trials_before, result.trials_run, result.complete) == (1, 1, 2)
    states = [t.state for t in study_trials(out)]
    assert states == [TrialState.COMPLETE, TrialState.FAIL, TrialState.COMPLETE]


def test_nothing_to_calibrate_is_an_error(
    small_file: Path, tmp_path: Path, observed: pd.DataFrame
) -> None:
    path = tmp_path / "plain.yaml"
    path.write_text(small_text(marker="detection: 0.1"), encoding="utf-8")
    with pytest.raises(CalibrationError, match="no free parameters"):
        calibrate(path, tmp_path / "fit", 3, seeds=1, until=None, observed=observed)
    with pytest.raises(CalibrationError, match="lacks the columns"):
        calibrate(small_file, tmp_path / "fit", 3, observed=observed[["year"]])
    with pytest.raises(CalibrationError, match="do not overlap"):
        calibrate(small_file, tmp_path / "fit", 3, observed=observed.assign(year=1990))


def test_calibration_recovers_the_value_that_made_the_observed_series(
    tmp_path: Path,
) -> None:
    """The guards caught 30% at the river in the runs that made the "observed" series;
    calibration starts from 10% with its own seeds (1, 2) and a 20-trial budget, and
    must land within 0.05 of the truth. Arrivals over the year are about 900 a run with
    a sampling noise near 3%; with the observed series averaged over four runs and the
    trials over two, the arrivals differ by about 2.4% for noise alone, which moves the
    best estimate by about 0.017 (arrivals scale with 1 - detection): 0.05 is three such
    deviations. Detection does not touch the women's share, so only the arrivals part
    of the loss must fall."""
    truth = 0.3
    text = small_text(departures=4.0)
    observed = observed_with(text, {"parameters.crossing.detection": truth})
    path = tmp_path / "small.yaml"
    path.write_text(text, encoding="utf-8")
    result = calibrate(path, tmp_path / "fit", 20, seeds=2, until=None, observed=observed)
    found = result.best_values["parameters.crossing.detection"]
    assert abs(found - truth) <= 0.05, found
    assert result.start is not None and result.best is not None
    assert result.best.arrivals_ard < result.start.arrivals_ard / 4
    posterior = json.loads((tmp_path / "fit" / "posterior.json").read_text())
    assert abs(posterior["parameters.crossing.detection"]["mean"] - truth) <= 0.1


# ---- the command line -----------------------------------------------------------------


def test_cli_calibrates_against_the_shipped_series_and_continues(
    small_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "fit"
    args = ["calibrate", str(small_file), "--trials", "2", "--seeds", "1", "--until", "2001",
            "--workers", "1", "--out", str(out)]  # fmt: skip
    runner = CliRunner()
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "2 trials run now, 0 before" in first.output
    assert "parameters.crossing.detection" in first.output
    assert all((out / name).is_file() for name in OUTPUTS)
    # The shipped series has 583 arrivals in 2001, 49.4% of them women.
    summary = json.loads((out / "best.json").read_text())
    assert summary["years"] == {"arrivals": [2001, 2001], "women_share": [2001, 2001]}
    second = runner.invoke(app, [*args[:3], "3", *args[4:]])
    assert second.exit_code == 0, second.output
    assert "2 trials already in" in second.output
    assert "running 1 more to reach 3" in second.output
    assert len(study_trials(out)) == 3


def test_cli_says_what_is_missing(tmp_path: Path) -> None:
    plain = tmp_path / "plain.yaml"
    plain.write_text(small_text(marker="detection: 0.1"), encoding="utf-8")
    result = CliRunner().invoke(app, ["calibrate", str(plain), "--out", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "has no free parameters" in result.output
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        small_text(marker="detection: {value: 0.9, calibrate: {low: 0.0, high: 0.7}}"),
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["calibrate", str(broken)])
    assert result.exit_code == 2
    assert "parameters.crossing.detection.value: must lie within" in result.output
