"""The run store and the background jobs, without a browser."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import pandas as pd
import pytest

from tumen.dashboard.jobs import Busy, Job, JobRunner, _follow
from tumen.dashboard.levers import Levers, apply_levers
from tumen.dashboard.store import RunStore, save_results, scenario_key
from tumen.results import Results
from tumen.scenario.schema import Scenario


def assert_same(a: Results, b: Results) -> None:
    for name in ("annual", "route_flows", "locations", "ledger"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_dtype=False)
    pd.testing.assert_frame_equal(a.daily, b.daily, check_dtype=False)
    assert (a.scenario_name, a.seed) == (b.scenario_name, b.seed)
    assert a.invariants == b.invariants
    assert b.summary["totals"] == pytest.approx(a.summary["totals"])


def test_results_round_trip(small_results: Results, tmp_path: Path) -> None:
    save_results(small_results, tmp_path / "run")
    assert_same(small_results, Results.load(tmp_path / "run"))
    assert [p.name for p in tmp_path.iterdir()] == ["run"]  # no partial folder left


def test_store_paths_come_only_from_hashes(tmp_path: Path, small_scenario: Scenario) -> None:
    store = RunStore(tmp_path)
    key = scenario_key(small_scenario)
    assert store.run_dir(key, 3) == tmp_path.resolve() / key / "seed-3"
    for bad in ("../../etc", "/etc", key + "/..", "ABCDEF0123456789ABCD", ""):
        with pytest.raises(ValueError):
            store.run_dir(bad, 0)
    with pytest.raises(ValueError):
        store.run_dir(key, -1)
    changed = apply_levers(small_scenario, Levers(crackdown_china=2))
    assert scenario_key(changed) != key


def test_prune_keeps_recent_and_protected(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    keys = [f"{i:020x}" for i in range(5)]
    for age, key in enumerate(keys):
        (tmp_path / key).mkdir()
        stamp = time.time() - 1000 * (age + 1)
        os.utime(tmp_path / key, (stamp, stamp))
    (tmp_path / "not-a-run").mkdir()
    store.prune(keep=2, protect={keys[4]})
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted([keys[0], keys[1], keys[4], "not-a-run"])


def test_follow_reads_the_worker_protocol() -> None:
    job = Job(id="j", kind="what-if", label="x", key="k", seeds=(0,))
    lines = io.StringIO('progress 0.25\nnoise\nprogress 0.5\nfailed "ValueError: boom"\n')
    assert _follow(job, lines, ("failed", "died")) == ("failed", "ValueError: boom")
    assert job.fraction == 0.5
    assert _follow(job, io.StringIO("progress 1\ndone\n"), ("failed", "died")) == ("done", "")
    assert _follow(job, io.StringIO("progress 0.7\n"), ("failed", "died")) == ("failed", "died")


def wait(job: Job, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while job.state == "running" and time.monotonic() < deadline:
        time.sleep(0.1)


def test_one_job_at_a_time_then_cached(
    tmp_path: Path, small_scenario: Scenario, small_results: Results
) -> None:
    runner = JobRunner(RunStore(tmp_path))
    try:
        job = runner.submit("what-if", "test", small_scenario, (0,))
        assert job.state == "running"
        with pytest.raises(Busy, match="Busy: the what-if run \\(test\\) is in progress"):
            runner.submit("what-if", "second", small_scenario, (1,))
        wait(job)
        assert job.state == "done", job.message
        assert runner.running() is None
        (run,) = runner.results(job.id)
        assert_same(small_results, run)  # same seed, same run, bit for bit
        again = runner.submit("what-if", "again", small_scenario, (0,))
        assert again.state == "done" and again.message == "loaded from the run store"
    finally:
        runner.shutdown()


def test_a_failing_run_is_reported(tmp_path: Path, small_scenario: Scenario) -> None:
    runner = JobRunner(RunStore(tmp_path))
    # A store folder that cannot be written: the worker fails, the server carries on.
    key = scenario_key(small_scenario)
    (tmp_path / key).write_text("a file where the run folder should be")
    job = runner.submit("what-if", "doomed", small_scenario, (0,))
    wait(job)
    assert job.state == "failed"
    assert "Error" in job.message
    assert runner.results(job.id) is None
    assert runner.running() is None
