"""Chains of legs drawn on several threads: when many escapees set out at once
(`travel.THREADED_FROM` or more), their chains are drawn in blocks of rows, a few per
thread (`travel.BLOCKS_PER_THREAD`), each block counting its travellers and the days it
asks the route table for apart. Each escapee draws from her own stream, so the run must
be the one drawn on one thread, whatever the number of threads and blocks."""

from __future__ import annotations

import multiprocessing
import threading
from multiprocessing.connection import Connection
from unittest import mock

import numpy as np
import pandas as pd
import pytest

from benchmarks import route_tumen
from tumen.engine import simulate
from tumen.engine.context import Context
from tumen.engine.processes import travel
from tumen.results import Results
from tumen.scenario import Scenario
from tumen.scenario.load import with_values

from .conftest import simulate_with_context
from .test_legs_ahead import busy_with_a_chain

COHORT = 12_000


def run(scenario: Scenario, seed: int, threads: int,
        blocks_per_thread: int = travel.BLOCKS_PER_THREAD) -> tuple[Results, Context]:
    """The run with large cohorts' chains drawn on `threads` threads."""
    with mock.patch.object(travel, "chain_threads",
                           lambda n: threads if n >= travel.THREADED_FROM else 1), \
            mock.patch.object(travel, "BLOCKS_PER_THREAD", blocks_per_thread):
        return simulate_with_context(scenario, seed)


def assert_same_run(one: tuple[Results, Context], other: tuple[Results, Context]) -> None:
    (results, ctx), (other_results, other_ctx) = one, other
    assert all(check.passed for check in results.invariants)
    for table in ("daily", "annual", "route_flows", "ledger"):
        pd.testing.assert_frame_equal(getattr(results, table), getattr(other_results, table))
    for field in ("drawn", "state", "location", "leg", "since", "wake"):
        np.testing.assert_array_equal(getattr(ctx.pop, field), getattr(other_ctx.pop, field))
    np.testing.assert_array_equal(ctx.router.asked_ahead, other_ctx.router.asked_ahead)


# The minimal route over two calendar years (travellers are counted by year), and the
# busy year of the engine tests, whose chains through China end where China's
# crackdown changes and whose route table is rebuilt on days legs are drawn for.
SCENARIOS = [
    ("minimal route", route_tumen.scenario(COHORT, 400), 5),
    ("busy year with a chain",
     with_values(busy_with_a_chain(), {"population.setting_out[0].count": COHORT}), 1),
]


@pytest.mark.parametrize(("name", "scenario", "seed"), SCENARIOS)
def test_chains_drawn_in_blocks_on_threads_are_those_drawn_on_one(
        name: str, scenario: Scenario, seed: int) -> None:
    assert travel.THREADED_FROM <= COHORT <= simulate.SETTING_OUT_BATCH
    one = run(scenario, seed, 1)
    assert one[1].router.asked_ahead.sum() > 10, name
    for threads, blocks_per_thread in ((2, 1), (2, 4), (3, 4)):
        assert_same_run(run(scenario, seed, threads, blocks_per_thread), one)


def test_large_cohorts_are_drawn_on_every_core_from_the_main_thread_only() -> None:
    assert travel.chain_threads(travel.THREADED_FROM - 1) == 1
    cores = travel.chain_threads(travel.THREADED_FROM)
    assert cores >= 1
    found: list[int] = []
    worker = threading.Thread(target=lambda: found.append(
        travel.chain_threads(travel.THREADED_FROM)))
    worker.start()
    worker.join()
    assert found == [1]


def _pools_in_child(pipe: Connection) -> None:
    pipe.send(travel._pool.cache_info().currsize)


def test_the_threads_are_kept_from_cohort_to_cohort_but_not_across_a_fork() -> None:
    """The pool is made once per number of threads; a child process forked with it
    (a Dask worker, say) starts without it, since its threads did not come along."""
    assert travel._pool(2) is travel._pool(2)
    assert travel._pool.cache_info().currsize >= 1
    context = multiprocessing.get_context("fork")
    ours, theirs = context.Pipe()
    child = context.Process(target=_pools_in_child, args=(theirs,))
    child.start()
    child.join(timeout=60)
    assert child.exitcode == 0
    assert ours.recv() == 0
