"""`tumen validate` end to end: a tiny scenario run for real, and hand-made ensembles run
through the run store as a real sweep would (only the simulation is replaced)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import tumen.api
from tumen.cli import app
from tumen.results import InvariantCheck

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
    """Replace each run of the ensemble by a hand-made one (`runs["make"](seed)`); returns
    the list of calls made, one per run actually simulated."""
    calls: list[dict] = []
    runs = {"make": perfect_run}

    def fake(scenario, seed=0, until=None, progress=None):
        calls.append({"seed": seed, "until": until})
        run = runs["make"](seed)
        sums = run.annual.sum()
        run.summary = {"totals": {"arrivals_sk": sums["arrivals_sk"], "arrivals_us": 0.0,
                                  "arrests_china": sums["arrests_china"], "cost_usd": 0.0,
                                  "safe_houses_compromised": 0.0}}
        return run

    monkeypatch.setattr(tumen.api, "simulate", fake)
    return calls, runs


def test_small_scenario_end_to_end(tmp_path: Path, small: Path) -> None:
    out = tmp_path / "v"
    result = invoke(small, "--runs", 2, "--workers", 1, "--out", out)
    assert result.exit_code == 0, result.output  # checks fail, the command does not
    assert sorted(p.name for p in out.iterdir()) == ["store", "validation.html",
                                                     "validation.json"]
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
    result = invoke(long_file, "--runs", 3, "--workers", 1, "--out", out, "--strict")
    assert result.exit_code == 0, result.output
    assert calls == [{"seed": seed, "until": None} for seed in (1, 2, 3)]
    report = json.loads((out / "validation.json").read_text())
    assert all(check["passed"] is not False for check in report["checks"])
    assert "FAIL" not in result.output and "0 failed" in result.output


def test_default_is_twenty_seeds_into_tumen_runs(tmp_path, monkeypatch, long_file,
                                                 fake_ensemble) -> None:
    calls, _ = fake_ensemble
    monkeypatch.chdir(tmp_path)
    assert invoke(long_file, "--workers", 1).exit_code == 0
    assert [call["seed"] for call in calls] == list(range(1, 21))
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
    result = invoke(long_file, "--runs", 1, "--workers", 1, "--out", tmp_path / "v")
    assert result.exit_code == 1
    assert "stocks_add_up" in result.output  # the run failed and says why
    assert not (tmp_path / "v" / "validation.json").exists()


def test_interrupted_then_run_again_finishes_the_same_ensemble(tmp_path, long_file,
                                                                fake_ensemble) -> None:
    """Ctrl-C during the third run keeps the first two in OUT/store; the same command
    again runs only the last two, and reports on all four."""
    calls, runs = fake_ensemble

    def interrupted(seed: int):
        if seed == 3:
            raise KeyboardInterrupt
        return perfect_run(seed)

    runs["make"] = interrupted
    out = tmp_path / "v"
    first = invoke(long_file, "--runs", 4, "--workers", 1, "--out", out)
    assert first.exit_code == 130 and "run the same command again" in first.output
    assert sorted(p.name for p in out.iterdir()) == ["store"]
    runs["make"] = perfect_run
    again = invoke(long_file, "--runs", 4, "--workers", 1, "--out", out)
    assert again.exit_code == 0, again.output
    assert [call["seed"] for call in calls] == [1, 2, 3, 3, 4]
    assert json.loads((out / "validation.json").read_text())["seeds"] == [1, 2, 3, 4]
    finished = invoke(long_file, "--runs", 4, "--workers", 1, "--out", out)
    assert finished.exit_code == 2 and "holds more than store/" in finished.output


def test_run_again_with_other_runs_is_refused(tmp_path, long_file, fake_ensemble) -> None:
    out = tmp_path / "v"
    (out / "store").mkdir(parents=True)
    assert invoke(long_file, "--runs", 2, "--workers", 1, "--out", out).exit_code == 0
    (out / "validation.json").unlink()
    (out / "validation.html").unlink()
    result = invoke(long_file, "--runs", 3, "--workers", 1, "--out", out)
    assert result.exit_code == 2 and "planned differently" in result.output


def sweep_seeds(scenario: Path, store: Path, *more: str | int):
    args = ["sweep", "--seeds", 3, "--scenario", scenario, "--out", store, "--workers", 1, *more]
    return runner.invoke(app, [str(arg) for arg in args], catch_exceptions=False)


def test_store_validates_a_seeds_sweep_without_running(tmp_path, long_file,
                                                      fake_ensemble) -> None:
    calls, _ = fake_ensemble
    store = tmp_path / "store"
    assert sweep_seeds(long_file, store, "--seed", 4).exit_code == 0
    simulated = len(calls)
    out = tmp_path / "v"
    result = invoke(long_file, "--store", store, "--out", out, "--strict")
    assert result.exit_code == 0, result.output
    assert len(calls) == simulated == 3  # nothing run again
    report = json.loads((out / "validation.json").read_text())
    assert report["seeds"] == [call["seed"] for call in calls]
    assert report["runs"] == 3 and report["scenario"] == "Test corridor"
    assert sorted(p.name for p in out.iterdir()) == ["validation.html", "validation.json"]


@pytest.mark.usefixtures("fake_ensemble")
def test_store_errors_name_the_problem(tmp_path, long_file, small) -> None:
    store = tmp_path / "store"

    def refused(*args: str | Path) -> str:
        result = invoke(*args)
        assert result.exit_code == 2, result.output
        return " ".join(result.output.split())

    assert "is not a run store" in refused(long_file, "--store", tmp_path / "none")
    assert sweep_seeds(long_file, store, "--until", 2001).exit_code == 0
    assert "no seeds sweep in" in refused(small, "--store", store)  # another scenario
    assert "ran until 2001, not until 2005" in refused(long_file, "--store", store,
                                                        "--sweep", "seeds-long",
                                                        "--until", 2005)
    assert "no sweep named 'other'" in refused(long_file, "--store", store, "--sweep", "other")
    assert "exclude each other" in refused(long_file, "--store", store, "--runs", 2)
    assert "--sweep needs --store" in refused(long_file, "--sweep", "seeds-long")
    assert sweep_seeds(long_file, store, "--until", 2002, "--resume").exit_code == 2
    assert not (tmp_path / "v").exists()
    found = invoke(long_file, "--store", store, "--out", tmp_path / "v")
    assert found.exit_code == 0, found.output  # --until taken from the sweep
    report = json.loads((tmp_path / "v" / "validation.json").read_text())
    assert report["period"] == ["1998-01-01", "2019-12-31"]  # the hand-made runs' days
