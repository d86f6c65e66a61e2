"""`tumen validate` end to end: a tiny scenario run for real, and hand-made ensembles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tumen.cli import app
from tumen.results import InvariantCheck
from tumen.validation import ensemble

from .conftest import perfect_run, scenario_text

runner = CliRunner()


def invoke(*args: str | Path):
    return runner.invoke(app, ["validate", *(str(arg) for arg in args)], catch_exceptions=False)


@pytest.fixture(scope="module")
def small(tmp_path_factory, valid_text: str) -> Path:
    """The small scenario of tests/conftest.py over 2005-2006 (about a second a run)."""
    path = tmp_path_factory.mktemp("scenario") / "small.yaml"
    path.write_text(scenario_text(valid_text, "2005-01-01", "2006-12-31"), encoding="utf-8")
    return path


@pytest.fixture
def long_file(tmp_path: Path, valid_text: str) -> Path:
    """The small scenario over 1998-2019 with 876 resettled before it, as a file."""
    path = tmp_path / "long.yaml"
    path.write_text(scenario_text(valid_text, "1998-01-01", "2019-12-31", 876), encoding="utf-8")
    return path


@pytest.fixture
def fake_ensemble(monkeypatch):
    """Replace the ensemble by hand-made runs; returns the list of calls made."""
    calls: list[dict] = []
    runs = {"make": perfect_run}

    def fake(scenario, seeds, until=None, workers=1, on_done=None):
        seeds = list(seeds)
        calls.append({"seeds": seeds, "until": until, "workers": workers})
        for done in range(1, len(seeds) + 1):
            on_done(done, len(seeds))
        return [runs["make"](seed) for seed in seeds]

    monkeypatch.setattr(ensemble, "run_ensemble", fake)
    return calls, runs


def test_small_scenario_end_to_end(tmp_path: Path, small: Path) -> None:
    out = tmp_path / "v"
    result = invoke(small, "--runs", 2, "--workers", 1, "--out", out)
    assert result.exit_code == 0, result.output  # checks fail, the command does not
    assert sorted(p.name for p in out.iterdir()) == ["validation.html", "validation.json"]
    assert not any(p.name.endswith(".partial") for p in tmp_path.iterdir())
    report = json.loads((out / "validation.json").read_text())
    assert report["runs"] == 2 and report["seeds"] == [1, 2]
    assert report["period"] == ["2005-01-01", "2006-12-31"]
    checks = {check["name"]: check for check in report["checks"]}
    # Nobody was resettled before a run that starts in 2005 with a few departures a day.
    cumulative = checks["cumulative_arrivals_2006"]
    assert cumulative["passed"] is False and cumulative["simulated_mean"] < 8000
    assert len(cumulative["interval_90"]) == 2
    for name in ("remittances_2018", "cumulative_arrivals_2019", "broker_fee_per_client_2009",
                 "hidden_in_china_2000_2006"):
        assert checks[name]["passed"] is None and checks[name]["reason"], name
    assert checks["thai_detentions_2006"]["passed"] is not None
    arrivals = report["series"][0]
    assert arrivals["years"] == [2005, 2006] and arrivals["ard"] is not None
    assert "FAIL" in result.output and "cumulative_arrivals_2006" in result.output
    assert "n/a" in result.output


def test_strict_fails_on_a_failed_check(tmp_path: Path, small: Path) -> None:
    out = tmp_path / "v"
    result = invoke(small, "--runs", 2, "--workers", 1, "--out", out, "--strict")
    assert result.exit_code == 1
    assert (out / "validation.json").exists()  # written all the same


def test_until_leaves_later_years_not_measured(tmp_path: Path, small: Path) -> None:
    out = tmp_path / "v"
    assert invoke(small, "--runs", 1, "--workers", 1, "--out", out, "--until", 2005).exit_code == 0
    report = json.loads((out / "validation.json").read_text())
    checks = {check["name"]: check for check in report["checks"]}
    assert checks["thai_detentions_2006"]["passed"] is None
    assert "2005-12-31" in checks["thai_detentions_2006"]["reason"]
    assert checks["thai_detentions_2005"]["passed"] is not None
    assert report["series"][0]["years"] == [2005, 2005]


def test_strict_passes_when_everything_passes(tmp_path, long_file, fake_ensemble) -> None:
    calls, _ = fake_ensemble
    out = tmp_path / "v"
    result = invoke(long_file, "--runs", 3, "--workers", 2, "--out", out, "--strict")
    assert result.exit_code == 0, result.output
    assert calls == [{"seeds": [1, 2, 3], "until": None, "workers": 2}]
    report = json.loads((out / "validation.json").read_text())
    assert all(check["passed"] is not False for check in report["checks"])
    assert "FAIL" not in result.output and "0 failed" in result.output


def test_default_is_twenty_seeds_into_tumen_runs(tmp_path, monkeypatch, long_file,
                                                 fake_ensemble) -> None:
    calls, _ = fake_ensemble
    monkeypatch.chdir(tmp_path)
    assert invoke(long_file).exit_code == 0
    assert calls[0]["seeds"] == list(range(1, 21))
    (folder,) = (tmp_path / "tumen-runs").iterdir()
    assert folder.name.startswith("Test-corridor-validate20-")
    assert (folder / "validation.json").exists() and (folder / "validation.html").exists()


def test_out_not_empty_is_refused_before_running(tmp_path, small, fake_ensemble) -> None:
    calls, _ = fake_ensemble
    (tmp_path / "v").mkdir()
    (tmp_path / "v" / "keep.txt").write_text("mine")
    result = invoke(small, "--out", tmp_path / "v")
    assert result.exit_code == 2 and calls == []
    assert (tmp_path / "v" / "keep.txt").read_text() == "mine"


def test_until_before_the_start_is_refused(tmp_path, small, fake_ensemble) -> None:
    result = invoke(small, "--until", 2000, "--out", tmp_path / "v")
    assert result.exit_code == 2 and fake_ensemble[0] == []


def test_a_failed_invariant_exits_1(tmp_path, long_file, fake_ensemble) -> None:
    _, runs = fake_ensemble

    def broken(seed: int):
        run = perfect_run(seed)
        run.invariants = [InvariantCheck("stocks_add_up", False, "lost someone")]
        return run

    runs["make"] = broken
    result = invoke(long_file, "--runs", 1, "--out", tmp_path / "v")
    assert result.exit_code == 1
    report = json.loads((tmp_path / "v" / "validation.json").read_text())
    assert report["invariants_passed"] is False
