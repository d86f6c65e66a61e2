"""A sweep on an existing Dask cluster, given by its scheduler's address."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tumen.ensemble.spec import seeds_sweep
from tumen.ensemble.store import MEASURES, RunStore
from tumen.ensemble.sweep import run_sweep

from .conftest import UNTIL


def test_an_existing_cluster_by_its_address_gives_the_serial_runs_and_stays_up(
    scenario_file: Path, tmp_path: Path
) -> None:
    from dask.distributed import Client, LocalCluster

    sweep = seeds_sweep(3, str(scenario_file), until=UNTIL, seed=8)
    run_sweep(sweep, RunStore(tmp_path / "serial", create=True))
    with LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=":0") as cluster:
        run_sweep(sweep, RunStore(tmp_path / "remote", create=True),
                  scheduler=cluster.scheduler_address)
        with Client(cluster.scheduler_address) as client:  # not ours to close: still up
            assert len(client.scheduler_info()["workers"]) == 1
    columns = ["idx", "seed", "status", *MEASURES]
    serial, remote = RunStore(tmp_path / "serial"), RunStore(tmp_path / "remote")
    assert (serial.runs()["status"] == "done").all()
    pd.testing.assert_frame_equal(serial.runs()[columns], remote.runs()[columns])
    pd.testing.assert_frame_equal(serial.export(), remote.export())
