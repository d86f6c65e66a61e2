"""Chains of legs drawn on several threads: when many escapees set out at once
(`travel_kernels.PARALLEL_FROM` or more), their chains are drawn in blocks of rows
shared among Numba's threads, each block counting its travellers and the days it asks
the route table for apart. Each escapee draws from her own stream, so the run must be
the one in which the same escapees set out in small batches drawn on the calling
thread alone, and the same whatever the number of threads."""

from __future__ import annotations

from unittest import mock

import numba
import numpy as np
import pandas as pd
import pytest

from benchmarks import route_tumen
from tumen.engine import simulate, travel_kernels
from tumen.engine.context import Context
from tumen.results import Results
from tumen.scenario import Scenario
from tumen.scenario.load import with_values

from .conftest import simulate_with_context
from .test_legs_ahead import busy_with_a_chain

COHORT = 12_000
SMALL_BATCH = 1_000


def run(scenario: Scenario, seed: int, batch: int, threads: int) -> tuple[Results, Context]:
    """The run with the day-0 cohort set out in batches of `batch` on `threads` threads."""
    before = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        with mock.patch.object(simulate, "SETTING_OUT_BATCH", batch):
            return simulate_with_context(scenario, seed)
    finally:
        numba.set_num_threads(before)


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
def test_chains_drawn_in_blocks_are_those_drawn_in_small_batches(
        name: str, scenario: Scenario, seed: int) -> None:
    assert SMALL_BATCH < travel_kernels.PARALLEL_FROM <= COHORT <= simulate.SETTING_OUT_BATCH
    in_blocks = run(scenario, seed, simulate.SETTING_OUT_BATCH, numba.config.NUMBA_NUM_THREADS)
    assert in_blocks[1].router.asked_ahead.sum() > 10, name
    assert_same_run(in_blocks, run(scenario, seed, SMALL_BATCH, 1))


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="one thread only here")
def test_the_run_is_the_same_on_one_thread_and_on_all() -> None:
    name, scenario, seed = SCENARIOS[0]
    big = simulate.SETTING_OUT_BATCH
    assert_same_run(run(scenario, seed, big, numba.config.NUMBA_NUM_THREADS),
                    run(scenario, seed, big, 1))
