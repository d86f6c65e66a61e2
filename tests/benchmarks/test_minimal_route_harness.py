"""The speed benchmarks still run, and every implementation of the minimal route model
still agrees with the exact expectations, at a tiny size (nothing here is timed)."""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import numpy as np
import pytest
from benchmarks.minimal_route_exact import (
    ARREST_HAZARD,
    MOVE_CHANCE,
    disagreements,
    expected,
    transition_matrix,
)

from benchmarks import __main__ as suite
from benchmarks import minimal_route, startup

AGENTS, DAYS = 2000, 60


def _installed(impl: str) -> bool:
    module = {"numpy": "numpy", "tumen": "tumen"}.get(impl, impl)
    return importlib.util.find_spec(module) is not None


@pytest.mark.parametrize("impl", minimal_route.IMPLEMENTATIONS)
def test_every_implementation_agrees_with_the_exact_expectations(impl: str) -> None:
    if not _installed(impl):
        pytest.skip(f"{impl} is not installed (pip install -e '.[bench]')")
    result = minimal_route.measure(impl, AGENTS, DAYS, seed=3)
    assert disagreements(AGENTS, DAYS, result.arrived, result.arrested) == []
    # Some are still on the way after 60 days: the totals are not trivially everyone.
    assert 0 < result.arrived + result.arrested < AGENTS
    assert result.wall_s > 0 and result.setup_s >= 0 and result.peak_bytes >= 0
    line = result.line()
    assert line.startswith(f"{impl} agents={AGENTS} days={DAYS} wall_s=")
    assert f"arrived={result.arrived} arrested={result.arrested} peak_rss_mb=" in line


@pytest.mark.parametrize("impl", ["tumen", "numpy"])
def test_the_same_seed_gives_the_same_totals(impl: str) -> None:
    prepare = minimal_route.preparer(impl)
    first, again = prepare(500, 40, 7)(), prepare(500, 40, 7)()
    assert first == again
    assert prepare(500, 40, 8)() != first


def test_exact_expectations_match_the_closed_form_once_everyone_is_done() -> None:
    """After many days nobody is still on the way: each of the 10 or 11 nodes before the
    last is left by arrest with probability h / (h + (1 - h) m)."""
    caught = ARREST_HAZARD / (ARREST_HAZARD + (1 - ARREST_HAZARD) * MOVE_CHANCE)
    arrive = 0.7 * (1 - caught) ** 11 + 0.3 * (1 - caught) ** 10
    done = expected(5000)
    assert math.isclose(done.arrived, arrive, rel_tol=1e-9)
    assert math.isclose(done.arrested, 1 - arrive, rel_tol=1e-9)
    assert expected(0).arrived == 0 and expected(0).arrested == 0
    rows = transition_matrix().sum(axis=1)
    np.testing.assert_allclose(rows[:-1], 1 - ARREST_HAZARD)
    assert rows[-1] == 1.0


def test_totals_off_by_more_than_sampling_error_are_named() -> None:
    exact = expected(DAYS)
    right = round(AGENTS * exact.arrived), round(AGENTS * exact.arrested)
    assert disagreements(AGENTS, DAYS, *right) == []
    problems = disagreements(AGENTS, DAYS, right[0] - 150, right[1] + 150)
    assert len(problems) == 2
    assert problems[0].startswith("arrived=") and "sd" in problems[0]


def test_wrong_totals_fail_the_command_loudly(monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """A fast wrong answer does not count: exit status 1 and a message, result line last."""
    monkeypatch.setattr(minimal_route, "preparer",
                        lambda impl: lambda agents, days, seed: lambda: (agents, 0))
    status = minimal_route.main(["--impl", "numpy", "--agents", "1000", "--days", "30"])
    out, err = capsys.readouterr()
    assert status == 1
    assert "WRONG: numpy disagrees with the exact expectations: arrived=1000" in err
    assert out.splitlines()[-1].startswith("numpy agents=1000 days=30 wall_s=")


def test_bad_arguments_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        minimal_route.main(["--impl", "numpy", "--agents", "0", "--days", "30"])
    assert info.value.code == 2
    assert "--agents and --days must be at least 1" in capsys.readouterr().err
    with pytest.raises(ValueError, match="unknown implementation 'netlogo'; choose one of"):
        minimal_route.preparer("netlogo")


def test_suite_runs_each_size_in_its_own_process_and_writes_the_table(tmp_path: Path) -> None:
    status = suite.main(["--sizes", "300,600", "--days", "20", "--only", "tumen,numpy",
                         "--repeats", "2", "--out", str(tmp_path)])
    assert status == 0
    record = json.loads((tmp_path / "minimal_route.json").read_text())
    rows = record["rows"]
    assert [(row["impl"], row["agents"]) for row in rows] == [
        ("tumen", 300), ("numpy", 300), ("tumen", 600), ("numpy", 600)]
    assert all(row["status"] == "ok" for row in rows)
    assert all(row["runs"] == 2 and row["slowest_s"] >= row["wall_s"] for row in rows)
    assert [row["ratio_to_tumen"] for row in rows if row["impl"] == "tumen"] == [1.0, 1.0]
    assert record["machine"]["cores"] and "load average" in record["load_before"]
    table = (tmp_path / "minimal_route.md").read_text()
    assert "| 600 | numpy |" in table


def test_the_fastest_of_the_runs_counts_and_a_failed_run_stops_them(
        monkeypatch: pytest.MonkeyPatch) -> None:
    walls = iter([3.0, 1.0, 2.0, 4.0, None])

    def next_run(impl: str, agents: int, days: int, seed: int, timeout: float) -> suite.Row:
        wall = next(walls)
        return suite.Row(impl, agents, days, "ok" if wall else "failed", wall_s=wall,
                         setup_s=0.5, note=f"after {wall}")

    monkeypatch.setattr(suite, "run_one", next_run)
    row = suite.run_repeated("numpy", 100, 5, 0, 60.0, repeats=3)
    assert (row.status, row.wall_s, row.slowest_s, row.runs) == ("ok", 1.0, 3.0, 3)
    assert row.note == "after 1.0"
    failed = suite.run_repeated("numpy", 100, 5, 0, 60.0, repeats=3)
    assert (failed.status, failed.wall_s, failed.note) == ("failed", None, "after None")


def test_suite_skips_a_reference_estimated_over_the_budget(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A reference is skipped at the size where its time, grown from the size before,
    would pass the budget, and at every size after; Tumen is always run."""
    small = suite.Row("mesa", 1000, 10, "ok", wall_s=2.0, setup_s=1.0)
    assert suite.estimate_s(small, 100_000) == pytest.approx(300.0)
    assert suite.estimate_s(None, 100_000) is None

    def one_second_per_thousand(impl: str, agents: int, days: int, seed: int,
                                timeout: float) -> suite.Row:
        return suite.Row(impl, agents, days, "ok", wall_s=agents / 1000, setup_s=0.0)

    monkeypatch.setattr(suite, "run_one", one_second_per_thousand)
    rows = suite.run_all((1000, 10_000, 100_000), 5, 0, ("tumen", "mesa"), budget_s=60.0)
    status = [(row.impl, row.agents, row.status) for row in rows]
    assert status == [("tumen", 1000, "ok"), ("mesa", 1000, "ok"), ("tumen", 10_000, "ok"),
                      ("mesa", 10_000, "ok"), ("tumen", 100_000, "ok"),
                      ("mesa", 100_000, "skipped")]
    assert rows[-1].note == "estimated 100 s from N=10,000 (budget 60 s)"


def test_startup_harness_runs_and_import_stays_light(tmp_path: Path) -> None:
    """The start-up harness measures every command (its targets are reported, not
    asserted: timings here are under load); `import tumen` loads no heavy library."""
    out = tmp_path / "startup.json"
    startup.main(["--repeats", "1", "--out", str(out)])
    record = json.loads(out.read_text())
    assert set(record["commands"]) == set(startup.COMMANDS)
    assert all(row["best_s"] > 0 for row in record["commands"].values())
    assert record["heavy_imports"] == []


@pytest.mark.parametrize("days", [1, 365, 366])
def test_starsim_takes_exactly_the_days_asked(days: int) -> None:
    """Starsim's own clock must step once a day for `days` days (its run checks)."""
    if not _installed("starsim"):
        pytest.skip("starsim is not installed (pip install -e '.[bench]')")
    arrived, arrested = minimal_route.preparer("starsim")(50, days, 0)()
    assert 0 <= arrived + arrested <= 50
