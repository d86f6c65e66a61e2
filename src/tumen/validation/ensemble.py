"""Run one scenario with many seeds, on several processes when asked.

Validation and calibration both need ensembles; results come back in seed order
whatever order the processes finish in, so an ensemble is the same serial or parallel.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed

from tumen.api import simulate
from tumen.results import Results
from tumen.scenario.schema import Scenario

RunDone = Callable[[int, int], None]


def default_workers() -> int:
    """One process per core."""
    return max(1, os.cpu_count() or 1)


def run_ensemble(
    scenario: Scenario,
    seeds: Sequence[int],
    until: int | None = None,
    workers: int = 1,
    on_done: RunDone | None = None,
) -> list[Results]:
    """Simulate `scenario` once per seed; results in the order of `seeds`.

    Args:
        scenario: a validated scenario.
        seeds: one run per seed.
        until: end every run at the close of this year.
        workers: processes to use; 1 runs in this process.
        on_done: called with (runs finished, runs in all) after each run.
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    seeds = list(seeds)
    results: dict[int, Results] = {}
    if workers == 1 or len(seeds) == 1:
        for i, seed in enumerate(seeds):
            results[i] = simulate(scenario, seed=seed, until=until)
            if on_done is not None:
                on_done(i + 1, len(seeds))
        return [results[i] for i in range(len(seeds))]
    with ProcessPoolExecutor(max_workers=min(workers, len(seeds))) as pool:
        futures = {
            pool.submit(simulate, scenario, seed, until): i for i, seed in enumerate(seeds)
        }
        try:
            for done, future in enumerate(as_completed(futures), start=1):
                results[futures[future]] = future.result()
                if on_done is not None:
                    on_done(done, len(seeds))
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return [results[i] for i in range(len(seeds))]
