"""The run store: a folder with a DuckDB database of runs and a Parquet file per run for
its annual series.

Layout: `runs.duckdb` (tables `sweeps`: name and plan; `runs`: one row per finished
run, with its summary measures, first and last simulated day, and each stylized fact's
measure as JSON, which validation reads) and `series/<sweep>/run-<index>.parquet`. A
run is recorded in two steps: its series file is written under a temporary name and
renamed (atomic on one file system), then its row is inserted in one statement. A run
is finished when, and only when, its row exists: a process killed at any moment leaves
at worst a series file without a row, which the run's next attempt replaces. Each write
opens the database and closes it again, so that `tumen runs list` can read the store
while a sweep is filling it.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tumen.ensemble import interrupts
from tumen.ensemble.spec import PlannedRun, Sweep

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

DATABASE = "runs.duckdb"
MEASURES = ("arrivals", "arrests", "safe_houses_compromised", "journey_days",
            "cost_per_arrival")

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS sweeps (name TEXT PRIMARY KEY, until INTEGER, plan TEXT);
CREATE TABLE IF NOT EXISTS runs (
    sweep TEXT, idx INTEGER, scenario TEXT, parameters TEXT, seed BIGINT, status TEXT,
    error TEXT, wall_s DOUBLE, peak_rss_mb DOUBLE,
    {", ".join(f"{name} DOUBLE" for name in MEASURES)},
    finished_at TIMESTAMP DEFAULT current_timestamp, PRIMARY KEY (sweep, idx)
);
ALTER TABLE runs ADD COLUMN IF NOT EXISTS first_day TEXT;
ALTER TABLE runs ADD COLUMN IF NOT EXISTS last_day TEXT;
ALTER TABLE runs ADD COLUMN IF NOT EXISTS facts TEXT;
"""


class StoreError(Exception):
    """A store that cannot be used as asked (wrong folder, a different sweep)."""


@dataclass(frozen=True)
class RunOutcome:
    """What a run sends back to be stored: its measures and series, or its error."""

    run: PlannedRun
    wall_s: float
    peak_rss_mb: float = 0.0  # the worker process's peak memory when the run ended
    measures: dict[str, float] | None = None
    annual: pd.DataFrame | None = None
    period: tuple[str, str] | None = None  # first and last simulated day
    facts: dict[str, float | str] | None = None  # see tumen.validation.record
    error: str | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None


class RunStore:
    """One store folder; created on first use."""

    def __init__(self, folder: str | Path, *, create: bool = False):
        self.folder = Path(folder)
        if self.folder.exists() and not self.folder.is_dir():
            raise StoreError(f"{self.folder} is a file, not a run store folder")
        if not create and not (self.folder / DATABASE).exists():
            raise StoreError(f"{self.folder} is not a run store (no {DATABASE} in it)")
        self.folder.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute(_SCHEMA)

    @contextmanager
    def _connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        import duckdb

        db = duckdb.connect(str(self.folder / DATABASE), read_only=read_only)
        try:
            yield db
        finally:
            db.close()

    def begin(self, sweep: Sweep, *, resume: bool) -> set[int]:
        """Register `sweep`; the indices of its runs already finished.

        Without `resume`, a sweep of the same name must not be in the store; with it,
        the stored plan must be this sweep's, run for run.
        """
        plan = json.dumps([_describe(run) for run in sweep.runs])
        with self._connect() as db:
            stored = db.execute("SELECT plan, until FROM sweeps WHERE name = ?",
                                [sweep.name]).fetchone()
            if stored is None:
                db.execute("INSERT INTO sweeps VALUES (?, ?, ?)", [sweep.name, sweep.until, plan])
                return set()
            if not resume:
                raise StoreError(f"{self.folder} already holds a sweep named {sweep.name!r}; "
                                 "add --resume to finish it, or choose another --out")
            if stored != (plan, sweep.until):
                raise StoreError(f"the sweep {sweep.name!r} in {self.folder} was planned "
                                 "differently (other scenario, end year, values, seeds or "
                                 "count); resume it with the same file and options")
            rows = db.execute("SELECT idx FROM runs WHERE sweep = ?", [sweep.name]).fetchall()
        return {index for (index,) in rows}

    def record(self, sweep: str, outcome: RunOutcome) -> None:
        """Store one finished run: its series file first, then its row. Ctrl-C waits
        until both are written."""
        with interrupts.deferred():
            self._write(sweep, outcome)

    def _write(self, sweep: str, outcome: RunOutcome) -> None:
        run = outcome.run
        if outcome.annual is not None:
            folder = self.folder / "series" / _safe(sweep)
            folder.mkdir(parents=True, exist_ok=True)
            final = folder / f"run-{run.index}.parquet"
            partial = folder / f".run-{run.index}.parquet.partial"
            outcome.annual.assign(run=run.index).to_parquet(partial, index=False)
            os.replace(partial, final)
        measures = outcome.measures or {}
        first, last = outcome.period or (None, None)
        facts = None if outcome.facts is None else json.dumps(outcome.facts)
        row = [sweep, run.index, run.scenario, json.dumps(run.values), run.seed,
               "failed" if outcome.failed else "done", outcome.error, outcome.wall_s,
               outcome.peak_rss_mb, *(measures.get(name) for name in MEASURES), first, last,
               facts]
        columns = ", ".join(["sweep", "idx", "scenario", "parameters", "seed", "status",
                             "error", "wall_s", "peak_rss_mb", *MEASURES, "first_day",
                             "last_day", "facts"])
        with self._connect() as db:
            db.execute(f"INSERT INTO runs ({columns}) VALUES "
                       f"({', '.join('?' * len(row))})", row)

    def runs(self, sweep: str | None = None) -> pd.DataFrame:
        """The runs table (of one sweep, or all), in sweep and index order."""
        where, args = ("WHERE sweep = ?", [sweep]) if sweep else ("", [])
        with self._connect(read_only=True) as db:
            return db.execute(f"SELECT * FROM runs {where} ORDER BY sweep, idx", args).df()

    def sweeps(self) -> pd.DataFrame:
        """Each sweep with its planned, finished and failed runs."""
        with self._connect(read_only=True) as db:
            return db.execute("""
                SELECT s.name AS sweep, s.until, json_array_length(s.plan) AS planned,
                       count(r.idx) AS finished,
                       count(r.idx) FILTER (WHERE r.status = 'failed') AS failed
                FROM sweeps s LEFT JOIN runs r ON r.sweep = s.name
                GROUP BY s.name, s.until, s.plan ORDER BY s.name""").df()

    def planned(self, sweep: str) -> Sweep | None:
        """The sweep as it was planned, or None if the store holds no sweep of that name."""
        with self._connect(read_only=True) as db:
            stored = db.execute("SELECT until, plan FROM sweeps WHERE name = ?",
                                [sweep]).fetchone()
        if stored is None:
            return None
        until, plan = stored
        runs = [PlannedRun(index=run["index"], scenario=run["scenario"], values=run["values"],
                           seed=run["seed"]) for run in json.loads(plan)]
        return Sweep(name=sweep, until=until, runs=runs)

    def series(self, sweep: str, index: int) -> pd.DataFrame:
        """The annual series of one finished run."""
        import pandas as pd

        path = self.folder / "series" / _safe(sweep) / f"run-{index}.parquet"
        if not path.exists():
            raise StoreError(f"no series for run {index} of {sweep!r} (not run, or failed)")
        return pd.read_parquet(path)

    def export(self, sweep: str | None = None) -> pd.DataFrame:
        """One row per finished run and year: sweep, run index, seed, the values set
        (a column each), then the columns of annual.csv."""
        import pandas as pd

        runs = self.runs(sweep)
        frames = []
        for row in runs[runs["status"] == "done"].itertuples():
            annual = self.series(row.sweep, row.idx).drop(columns="run")
            values = json.loads(row.parameters)
            head = {"sweep": row.sweep, "run": row.idx, "seed": row.seed, **values}
            frames.append(pd.concat([pd.DataFrame([head] * len(annual)), annual], axis=1))
        if not frames:
            return pd.DataFrame(columns=["sweep", "run", "seed"])
        return pd.concat(frames, ignore_index=True)


def _describe(run: PlannedRun) -> dict[str, Any]:
    return {"index": run.index, "scenario": run.scenario, "values": run.values,
            "seed": run.seed}


def _safe(name: str) -> str:
    """A sweep name as a folder name."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "sweep"
