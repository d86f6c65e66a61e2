"""The per-process profile of the default scenario accounts for the whole run."""

from __future__ import annotations

import pytest

import tumen
from benchmarks import process_profile
from tumen.api import cut_at
from tumen.engine.simulate import processes_for, run
from tumen.scenario.compile import compile_scenario


def test_every_process_is_timed_and_the_parts_add_up_to_the_run() -> None:
    record = process_profile.profile(1998, seed=1)
    rows = {row["process"]: row for row in record["processes"]}
    world = compile_scenario(cut_at(tumen.load_scenario("korea-1998-2025"), 1998))
    assert {process.name for process in processes_for(world)} < set(rows)
    assert len(rows) == len(processes_for(world)) + 1
    assert sum(row["seconds"] for row in rows.values()) == pytest.approx(
        record["wall_s"], abs=0.01 * len(rows))
    assert sum(row["share"] for row in rows.values()) == pytest.approx(1.0, abs=0.01)
    assert all(row["seconds"] >= 0 for row in rows.values())


def test_timing_the_processes_leaves_the_run_unchanged() -> None:
    """The timed run is the engine's own: the same results as without the timers."""
    scenario = cut_at(tumen.load_scenario("korea-1998-2025"), 1998)
    world = compile_scenario(scenario)
    tally: dict[str, float] = {}
    timed = [process_profile.Timed(process, tally) for process in processes_for(world)]
    tally.update(dict.fromkeys((process.name for process in timed), 0.0))
    plain, wrapped = run(world, 2), run(compile_scenario(scenario), 2, order=timed)
    n = len(plain.pop)
    assert len(wrapped.pop) == n
    assert plain.pop.state[:n].tolist() == wrapped.pop.state[:n].tolist()
    assert all(seconds > 0 for seconds in tally.values())
