"""Run a sweep's missing runs, in this process or on Dask, and record each in the store.

Only this process writes the store; workers return each run's outcome. Dask runs on a
`LocalCluster` of processes (one worker per core by default) or on an existing cluster
given by its scheduler's address. A run that fails (a value the scenario refuses, an
error in the run) is recorded with its error and the sweep goes on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING

from tumen.ensemble import interrupts
from tumen.ensemble.spec import PlannedRun, Sweep
from tumen.ensemble.store import RunOutcome, RunStore

if TYPE_CHECKING:
    from tumen.results import Results
    from tumen.scenario.schema import Scenario

# Called after each stored run with (finished, failed, in all), counting earlier ones.
OnProgress = Callable[[int, int, int], None]


@lru_cache(maxsize=8)
def _base(source: str) -> Scenario:
    """A scenario loaded once per process, however many runs use it."""
    from tumen.scenario import load_scenario

    return load_scenario(source)


def execute(run: PlannedRun, until: int | None) -> RunOutcome:
    """Simulate one planned run; its error, as text, if it fails."""
    from tumen.api import simulate
    from tumen.scenario.load import with_values

    started = time.perf_counter()
    try:
        scenario = _base(run.scenario)
        if run.values:
            scenario = with_values(scenario, run.values)
        results = simulate(scenario, seed=run.seed, until=until)
        if not results.passed:
            failed = [check.name for check in results.invariants if not check.passed]
            raise RuntimeError(f"invariants failed: {', '.join(failed)}")
        return outcome_of(run, results, scenario, started)
    except Exception as exc:  # recorded with the run, so that the sweep goes on
        message = f"{type(exc).__name__}: {exc}"
        return RunOutcome(run, time.perf_counter() - started, peak_rss_mb(), error=message)


def outcome_of(run: PlannedRun, results: Results, scenario: Scenario,
               started: float) -> RunOutcome:
    """What the store keeps of a finished run: its summary measures, annual series, and
    the record validation reads (each stylized fact's measure and the days it covers)."""
    from tumen.analysis.compare import measures_of
    from tumen.validation.facts import Inputs
    from tumen.validation.record import record_of

    record = record_of(results, Inputs.of(scenario))
    return RunOutcome(run, time.perf_counter() - started, peak_rss_mb(),
                      measures=measures_of(results), annual=results.annual,
                      period=record.period, facts=record.facts)


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB (Linux counts in kB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_sweep(sweep: Sweep, store: RunStore, *, workers: int = 1,
              scheduler: str | None = None, resume: bool = False,
              on_progress: OnProgress | None = None,
              on_dashboard: Callable[[str], None] | None = None) -> None:
    """Run every run of `sweep` not yet in `store` and record each as it finishes.

    Args:
        workers: processes on a local Dask cluster; 1 (with no scheduler) runs serially
            in this process.
        scheduler: address of an existing Dask scheduler (`tcp://host:port`).
        resume: continue a sweep already in the store, running only the missing runs.
        on_progress: called after each run with (finished, failed, in all).
        on_dashboard: given the Dask dashboard's address when one is up.
    """
    finished = store.begin(sweep, resume=resume)
    pending = [run for run in sweep.runs if run.index not in finished]
    stored = store.runs(sweep.name)
    done, failed = len(finished), int((stored["status"] == "failed").sum())
    total = len(sweep.runs)
    if on_progress is not None:
        on_progress(done, failed, total)
    if not pending:
        return
    if workers == 1 and scheduler is None:
        outcomes: Iterable[RunOutcome] = (execute(run, sweep.until) for run in pending)
        _store_all(sweep, store, outcomes, done, failed, on_progress)
        return
    with _dask_client(workers, scheduler) as client:
        if on_dashboard is not None and client.dashboard_link:
            on_dashboard(client.dashboard_link)
        # Closed here, while the client is up: its unfinished runs are cancelled even
        # when an interrupt comes between two outcomes.
        with closing(_on_dask(client, pending, sweep.until)) as outcomes:
            _store_all(sweep, store, outcomes, done, failed, on_progress)


def _store_all(sweep: Sweep, store: RunStore, outcomes: Iterable[RunOutcome], done: int,
               failed: int, on_progress: OnProgress | None) -> None:
    for outcome in outcomes:
        store.record(sweep.name, outcome)
        done += 1
        failed += outcome.failed
        if on_progress is not None:
            on_progress(done, failed, len(sweep.runs))


def _on_dask(client, pending: list[PlannedRun], until: int | None) -> Iterator[RunOutcome]:
    """Outcomes as the cluster finishes them; unfinished runs are cancelled on exit."""
    from dask.distributed import as_completed

    futures = client.map(execute, pending, until=until, pure=False)
    try:
        for future in as_completed(futures):
            yield future.result()
    finally:
        client.cancel(futures)


@contextmanager
def _dask_client(workers: int, scheduler: str | None) -> Iterator:
    """A Dask client on an existing scheduler, or on a local cluster it starts and stops."""
    import logging

    from dask.distributed import Client, LocalCluster

    if scheduler is not None:
        with Client(scheduler) as client:
            yield client
        return
    with interrupts.ignored():
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=":0", silence_logs=logging.ERROR)
    with cluster, Client(cluster) as client:
        yield client
