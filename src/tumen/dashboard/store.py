"""The run store: finished runs on disk, keyed by the scenario they ran and their seed.

It is the only place the dashboard writes. Folder names come from a hash of the
scenario and an integer seed, never from anything a page sends, so no request can name
a path. A repeated what-if (or the baseline on the next start) loads instead of running.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import time
from pathlib import Path

from tumen.results import Results
from tumen.scenario.schema import Scenario

_KEY = re.compile(r"^[0-9a-f]{20}$")
DONE_MARK = "summary.json"  # written last: a run folder without it is incomplete


def scenario_json(scenario: Scenario) -> str:
    """The scenario as the JSON a run is keyed on (aliases kept, so it validates back)."""
    return scenario.model_dump_json(by_alias=True)


def scenario_key(scenario: Scenario) -> str:
    """A short hash naming the scenario's folder in the store."""
    return hashlib.sha256(scenario_json(scenario).encode()).hexdigest()[:20]


def save_results(results: Results, run_dir: Path) -> None:
    """Write a run into `run_dir` whole or not at all: into a side folder, then renamed."""
    partial = run_dir.with_name(f".{run_dir.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    results.save(partial)
    shutil.rmtree(run_dir, ignore_errors=True)
    partial.rename(run_dir)


class RunStore:
    """Runs under `root/<scenario key>/seed-<n>/`, plus the scenario as `scenario.json`."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()

    def run_dir(self, key: str, seed: int) -> Path:
        if not _KEY.match(key) or not isinstance(seed, int) or seed < 0:
            raise ValueError(f"not a run of the store: {key!r}, seed {seed!r}")
        return self.root / key / f"seed-{seed}"

    def has(self, key: str, seed: int) -> bool:
        return (self.run_dir(key, seed) / DONE_MARK).is_file()

    def load(self, key: str, seeds: tuple[int, ...]) -> list[Results]:
        return [Results.load(self.run_dir(key, seed)) for seed in seeds]

    def prepare(self, key: str, scenario_text: str) -> None:
        """Create the scenario's folder before a run, so an unwritable store fails at once."""
        folder = self.root / key
        self.run_dir(key, 0)  # checks the key
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "scenario.json").write_text(scenario_text)

    def save(self, key: str, scenario_text: str, results: Results) -> None:
        self.prepare(key, scenario_text)
        save_results(results, self.run_dir(key, results.seed))

    def prune(self, keep: int, protect: set[str]) -> None:
        """Delete all but the `keep` most recently used scenarios (and the protected ones)."""
        if not self.root.is_dir():
            return
        folders = [p for p in self.root.iterdir() if p.is_dir() and _KEY.match(p.name)]
        folders.sort(key=lambda p: p.stat().st_mtime, reverse=True)
        for folder in folders[keep:]:
            if folder.name not in protect:
                shutil.rmtree(folder, ignore_errors=True)

    def touch(self, key: str) -> None:
        """Mark a scenario as just used, so pruning keeps it."""
        folder = self.root / key
        if _KEY.match(key) and folder.is_dir():
            now = time.time()
            os.utime(folder, (now, now))
