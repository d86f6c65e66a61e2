"""Scaling of sweeps: the same runs serially and on a local Dask cluster, in one
invocation, and the speed-up.

Run: `python -m benchmarks.ensemble_scaling [--runs 32] [--until YEAR] [--workers 2]`.
Both sweeps go through `tumen.ensemble.sweep.run_sweep` into a fresh run store each;
the serial one runs in this process, the parallel one on a `LocalCluster` of worker
processes, so the speed-up includes starting the cluster and moving results back. It
prints the wall times, the speed-up (target: 1.7x on 2 cores), the peak memory of each
worker process and the store's size per run, checks that both stores hold the same
results, and writes the figures with the machine description to
benchmarks/results/ensemble_scaling.json.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd

from benchmarks.machine import write_record
from tumen.ensemble.spec import seeds_sweep
from tumen.ensemble.store import MEASURES, RunStore
from tumen.ensemble.sweep import run_sweep

RESULTS = Path(__file__).parent / "results" / "ensemble_scaling.json"
TARGET = 1.7


def timed_sweep(runs: int, until: int | None, workers: int, folder: Path) -> float:
    """Wall time of a seeds sweep of the default scenario into a new store at `folder`."""
    sweep = seeds_sweep(runs, "korea-1998-2025", until=until, seed=0, name="scaling")
    store = RunStore(folder, create=True)
    started = time.perf_counter()
    run_sweep(sweep, store, workers=workers)
    return time.perf_counter() - started


def folder_mb(folder: Path) -> float:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file()) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=32, help="runs in each sweep (default 32)")
    parser.add_argument("--until", type=int, default=None, help="end year (default: 2025)")
    parser.add_argument("--workers", type=int, default=2, help="Dask workers (default 2)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        serial_store, parallel_store = Path(scratch) / "serial", Path(scratch) / "parallel"
        serial = timed_sweep(args.runs, args.until, 1, serial_store)
        print(f"serial: {args.runs} runs in {serial:.1f} s")
        parallel = timed_sweep(args.runs, args.until, args.workers, parallel_store)
        print(f"{args.workers} workers: {args.runs} runs in {parallel:.1f} s")
        compared = ["idx", "seed", "status", *MEASURES]
        serial_runs = RunStore(serial_store).runs()
        parallel_runs = RunStore(parallel_store).runs()
        pd.testing.assert_frame_equal(serial_runs[compared], parallel_runs[compared])
        worker_peak = float(parallel_runs["peak_rss_mb"].max())
        store_mb = folder_mb(parallel_store)
    speedup = serial / parallel
    print(f"speed-up {speedup:.2f}x (target {TARGET}x: {'met' if speedup >= TARGET else 'not met'})"
          f"; peak memory of a worker {worker_peak:.0f} MB; store {store_mb:.2f} MB, "
          f"{store_mb / args.runs * 1000:.0f} kB a run; serial and parallel results identical")
    record = {
        "runs": args.runs, "until": args.until, "workers": args.workers,
        "serial_s": serial, "parallel_s": parallel, "speedup": speedup, "target": TARGET,
        "worker_peak_rss_mb": worker_peak, "store_mb": store_mb,
    }
    write_record(RESULTS, record)


if __name__ == "__main__":
    main()
