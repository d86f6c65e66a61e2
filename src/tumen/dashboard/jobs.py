"""Background simulations: one job at a time, each in its own worker process, polled.

A full run takes about a minute; in a separate process it neither blocks the web server
nor competes with it for the GIL, and a run that fails or dies cannot take the page down.
The worker (`python -m tumen.dashboard.worker`) is a plain subprocess, so it works
whatever the main module is; it writes its runs into the run store and reports progress
on its standard output, one line at a time.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import tumen
from tumen.dashboard.store import RunStore, scenario_json, scenario_key
from tumen.results import Results
from tumen.scenario.schema import Scenario

MAX_MESSAGE = 4000


class Busy(RuntimeError):
    """Raised by `JobRunner.submit` while another job runs."""


@dataclass
class Job:
    """One request for runs of a scenario; `state` is running, done or failed."""

    id: str
    kind: str
    label: str
    key: str
    seeds: tuple[int, ...]
    started: float = field(default_factory=time.monotonic)
    state: str = "running"
    message: str = ""
    fraction: float = 0.0
    finished: float | None = None

    @property
    def elapsed(self) -> float:
        return (self.finished or time.monotonic()) - self.started


class JobRunner:
    """Starts jobs, one at a time, and keeps the last few results in memory."""

    def __init__(self, store: RunStore, kept: int = 3) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        self._running: Job | None = None
        self._process: subprocess.Popen[str] | None = None
        self._results: OrderedDict[str, list[Results]] = OrderedDict()
        self._kept = kept
        self._ids = itertools.count(1)

    def submit(self, kind: str, label: str, scenario: Scenario, seeds: tuple[int, ...]) -> Job:
        """Start runs of `scenario` for `seeds`, or raise `Busy` if a job is running."""
        key = scenario_key(scenario)
        with self._lock:
            if self._running is not None:
                running = self._running
                raise Busy(
                    f"Busy: the {running.kind} run ({running.label}) is in progress, "
                    f"{running.fraction:.0%} done. Try again when it has finished."
                )
            job = Job(id=f"job-{next(self._ids)}", kind=kind, label=label, key=key, seeds=seeds)
            self._jobs[job.id] = job
            if all(self.store.has(key, seed) for seed in seeds):
                self.store.touch(key)
                self._finish(job, "done", "loaded from the run store")
                return job
            request = {
                "scenario": scenario_json(scenario),
                "key": key,
                "seeds": list(seeds),
                "root": str(self.store.root),
            }
            process = subprocess.Popen(
                [sys.executable, "-m", "tumen.dashboard.worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                env=_worker_env(),
                start_new_session=True,  # Ctrl-C stops the server, which stops the worker
            )
            self._running, self._process = job, process
        threading.Thread(target=self._watch, args=(job, process, request), daemon=True).start()
        return job

    def _watch(self, job: Job, process: subprocess.Popen[str], request: dict) -> None:
        """Feed the worker its request, follow its progress, then mark the job done or failed."""
        state, message = "failed", "the simulation process stopped unexpectedly"
        try:
            assert process.stdin is not None and process.stdout is not None
            process.stdin.write(json.dumps(request))
            process.stdin.close()
            state, message = _follow(job, process.stdout, (state, message))
        except OSError as error:
            message = f"the simulation process could not be started: {error}"
        code = process.wait()
        if state == "done" and code != 0:
            state, message = "failed", f"the simulation process exited with {code}"
        with self._lock:
            self._finish(job, state, message)
            self._running, self._process = None, None

    def _finish(self, job: Job, state: str, message: str) -> None:
        job.state, job.message, job.finished = state, message, time.monotonic()
        job.fraction = 1.0 if state == "done" else job.fraction

    def get(self, job_id: str | None) -> Job | None:
        return self._jobs.get(job_id) if job_id else None

    def running(self) -> Job | None:
        return self._running

    def results(self, job_id: str | None) -> list[Results] | None:
        """The runs of a finished job, loaded from the store once and then kept in memory."""
        job = self.get(job_id)
        if job is None or job.state != "done":
            return None
        with self._lock:
            if job.id in self._results:
                self._results.move_to_end(job.id)
                return self._results[job.id]
        try:
            runs = self.store.load(job.key, job.seeds)
        except FileNotFoundError:  # pruned from the store since; run it again
            return None
        with self._lock:
            self._results[job.id] = runs
            while len(self._results) > self._kept:
                self._results.popitem(last=False)
        return runs

    def shutdown(self) -> None:
        """Stop a running worker (used when the server stops)."""
        with self._lock:
            process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()


def _worker_env() -> dict[str, str]:
    """The server's environment, with this copy of tumen first on the worker's path."""
    env = dict(os.environ)
    package_root = str(Path(tumen.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
    return env


def _follow(job: Job, lines: IO[str], outcome: tuple[str, str]) -> tuple[str, str]:
    """Read the worker's lines: `progress <fraction>`, then `done` or `failed <json text>`."""
    for line in lines:
        word, _, rest = line.strip().partition(" ")
        if word == "progress":
            try:
                job.fraction = min(max(float(rest), 0.0), 1.0)
            except ValueError:
                continue
        elif word == "done":
            outcome = ("done", "")
        elif word == "failed":
            try:
                outcome = ("failed", str(json.loads(rest))[:MAX_MESSAGE])
            except ValueError:
                outcome = ("failed", rest[:MAX_MESSAGE])
    return outcome
