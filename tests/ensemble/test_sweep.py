"""Sweeps and the run store: the same results serial or on a Dask cluster, nothing lost or
stored twice when a sweep is killed and resumed, failures recorded, exports complete."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tumen.cli import app
from tumen.ensemble.spec import load_sweep, seeds_sweep
from tumen.ensemble.store import MEASURES, RunStore, StoreError
from tumen.ensemble.sweep import run_sweep

from .conftest import UNTIL, sweep_file

COMPARED = ["idx", "seed", "status", *MEASURES]


def stored(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    store = RunStore(folder)
    return store.runs()[COMPARED], store.export()


def test_serial_and_a_two_worker_cluster_store_the_same_runs(scenario_file: Path,
                                                             tmp_path: Path) -> None:
    sweep = seeds_sweep(4, str(scenario_file), until=UNTIL, seed=5)
    run_sweep(sweep, RunStore(tmp_path / "serial", create=True), workers=1)
    dashboards: list[str] = []
    run_sweep(sweep, RunStore(tmp_path / "dask", create=True), workers=2,
              on_dashboard=dashboards.append)
    serial, dask = stored(tmp_path / "serial"), stored(tmp_path / "dask")
    assert len(serial[0]) == 4 and (serial[0]["status"] == "done").all()
    assert serial[0]["arrests"].nunique() > 1  # the seeds differ, so the check bites
    pd.testing.assert_frame_equal(serial[0], dask[0])
    pd.testing.assert_frame_equal(serial[1], dask[1])
    assert dashboards and dashboards[0].startswith("http")


def sweep_command(scenario_file: Path, store: Path, *more: str) -> list[str]:
    return [sys.executable, "-m", "tumen", "sweep", "--seeds", "6", "--scenario",
            str(scenario_file), "--until", str(UNTIL), "--out", str(store), "--workers", "1",
            *more]


def wait_for_runs(process: subprocess.Popen, store: Path, count: int) -> None:
    """Wait until the sweep has written `count` runs' series (a run's row, written after
    its series, makes it stored); the sweep must still be running."""
    series = store / "series" / "seeds-corridor"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if series.exists() and len(list(series.glob("run-*.parquet"))) >= count:
            break
        time.sleep(0.05)
    assert process.poll() is None, "the sweep ended before it could be stopped"


def test_ctrl_c_on_a_cluster_sweep_keeps_what_is_finished_and_prints_no_traceback(
        scenario_file: Path, tmp_path: Path) -> None:
    """Ctrl-C reaches every process of the command (the terminal signals the whole
    group): the workers leave it to the sweep, which stops with 130, keeps the finished
    runs, says how to resume, and leaves no traceback behind."""
    store = tmp_path / "interrupted"
    command = [*sweep_command(scenario_file, store)[:-2], "--workers", "2"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    wait_for_runs(process, store, 2)  # the second's series: the first is recorded whole
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr and "--resume" in stderr
    assert 1 <= len(RunStore(store).runs()) < 6


def test_a_sweep_killed_midway_and_resumed_has_every_run_once(scenario_file: Path,
                                                              tmp_path: Path) -> None:
    """SIGKILL once two runs are stored, then --resume: the store holds the six runs,
    each once, equal to those of a sweep never interrupted."""
    store = tmp_path / "killed"
    process = subprocess.Popen(sweep_command(scenario_file, store), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    wait_for_runs(process, store, 2)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    partial = RunStore(store).runs()
    assert 1 <= len(partial) < 6

    resumed = subprocess.run(sweep_command(scenario_file, store, "--resume"),
                             capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    whole = seeds_sweep(6, str(scenario_file), until=UNTIL)
    run_sweep(whole, RunStore(tmp_path / "whole", create=True))
    runs, export = stored(store)
    assert runs["idx"].tolist() == list(range(6))
    pd.testing.assert_frame_equal(runs, stored(tmp_path / "whole")[0])
    pd.testing.assert_frame_equal(export, stored(tmp_path / "whole")[1])


def test_a_failing_run_is_recorded_and_the_sweep_goes_on(scenario_file: Path,
                                                          tmp_path: Path) -> None:
    spec = sweep_file(tmp_path, scenario_file, "bad-values", UNTIL, """\
vary:
  grid:
    parameters.crossing.detection: [0.2, 1.5, 0.3]
""")
    store = RunStore(tmp_path / "store", create=True)
    run_sweep(load_sweep(spec), store)
    runs = store.runs()
    assert runs["status"].tolist() == ["done", "failed", "done"]
    error = runs["error"].iloc[1]
    assert "parameters.crossing.detection" in error and "1.5" in error
    assert runs[list(MEASURES)].iloc[1].isna().all()
    assert store.export()["run"].unique().tolist() == [0, 2]


def test_export_has_a_row_per_run_and_year_with_the_values_set(scenario_file: Path,
                                                               tmp_path: Path) -> None:
    spec = sweep_file(tmp_path, scenario_file, "two-values", 2002, """\
seeds: 2
vary:
  grid:
    parameters.crossing.detection: [0.1, 0.3]
""")
    store = tmp_path / "store"
    result = CliRunner().invoke(app, ["sweep", str(spec), "--out", str(store), "--workers", "1"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "export.csv"
    result = CliRunner().invoke(app, ["runs", "export", str(store), "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert len(table) == 4 * 3
    assert table.groupby("run")["year"].apply(list).tolist() == [[2000, 2001, 2002]] * 4
    assert table.groupby("run")["parameters.crossing.detection"].first().tolist() == [
        0.1, 0.1, 0.3, 0.3]
    annual_columns = RunStore(store).series("two-values", 0).drop(columns="run").columns
    assert list(table.columns) == ["sweep", "run", "seed", "parameters.crossing.detection",
                                   *annual_columns]
    shown = CliRunner().invoke(app, ["runs", "show", str(store), "3"])
    assert shown.exit_code == 0 and "0.3" in shown.output and "arrivals" in shown.output


def test_a_store_refuses_to_run_a_sweep_twice_or_resume_another_plan(scenario_file: Path,
                                                                     tmp_path: Path) -> None:
    store = RunStore(tmp_path / "store", create=True)
    run_sweep(seeds_sweep(2, str(scenario_file), until=UNTIL), store)
    with pytest.raises(StoreError, match="--resume"):
        run_sweep(seeds_sweep(2, str(scenario_file), until=UNTIL), store)
    with pytest.raises(StoreError, match="planned differently"):
        run_sweep(seeds_sweep(3, str(scenario_file), until=UNTIL), store, resume=True)
    run_sweep(seeds_sweep(2, str(scenario_file), until=UNTIL), store, resume=True)
    assert len(store.runs()) == 2
    with pytest.raises(StoreError, match="not a run store"):
        RunStore(tmp_path / "elsewhere")
