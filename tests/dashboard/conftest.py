"""Fixtures of the dashboard tests: a small run, and a dashboard server in a subprocess.

The server's baseline is the default scenario cut at the end of 1999 (two simulated
years, a few seconds), with a run store in a temporary folder, and beside it a stored
ensemble: a run store holding three runs made from the small run. Browser tests drive
Debian's Chromium through Playwright and are skipped when it is not installed.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tumen.results import Results
from tumen.scenario import load_scenario
from tumen.scenario.schema import Scenario

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
UNTIL = 1999
SERVER = """
import sys
from pathlib import Path
from tumen.api import cut_at
from tumen.dashboard.app import serve
from tumen.dashboard.ensemble import stored_ensemble
from tumen.scenario import load_scenario

scenario = cut_at(load_scenario("korea-1998-2025"), int(sys.argv[3]))
serve(port=int(sys.argv[1]), store=Path(sys.argv[2]), scenario=scenario,
      stored=stored_ensemble(Path(sys.argv[4])))
"""
ENSEMBLE_SCALES = (0.5, 1.0, 2.0)  # arrivals of the stored runs, against the small run's


@pytest.fixture(scope="session")
def small_scenario() -> Scenario:
    """The default scenario, 1998-1999."""
    from tumen.api import cut_at

    return cut_at(load_scenario("korea-1998-2025"), UNTIL)


@pytest.fixture(scope="session")
def small_results(small_scenario: Scenario) -> Results:
    """One run of the small scenario (seed 0), shared by the tests that need real results."""
    from tumen.api import simulate

    return simulate(small_scenario, seed=0)


def write_ensemble(folder: Path, results: Results, scales: tuple[float, ...],
                   name: str = "ensemble", values: dict | None = None) -> None:
    """A run store in `folder` holding the sweep `name`: one run per scale, each the
    small run with its arrivals in South Korea multiplied by the scale."""
    from tumen.ensemble.spec import PlannedRun, Sweep
    from tumen.ensemble.store import RunOutcome, RunStore

    runs = [PlannedRun(index, "korea-1998-2025", values or {}, index)
            for index in range(len(scales))]
    store = RunStore(folder, create=True)
    store.begin(Sweep(name, UNTIL, runs), resume=False)
    for run, scale in zip(runs, scales, strict=True):
        annual = results.annual.assign(arrivals_sk=results.annual["arrivals_sk"] * scale)
        store.record(name, RunOutcome(run, 1.0, annual=annual))


@pytest.fixture(scope="session")
def ensemble_writer():
    """`write_ensemble`, for the tests (a test folder is not a package to import from)."""
    return write_ensemble


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def dashboard(tmp_path_factory: pytest.TempPathFactory, small_results: Results) -> Iterator[str]:
    """The URL of a dashboard started in a subprocess on a free port of 127.0.0.1."""
    folder = tmp_path_factory.mktemp("dashboard")
    write_ensemble(folder / "ensemble", small_results, ENSEMBLE_SCALES)
    port = free_port()
    log = (folder / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(port), str(folder / "store"), str(UNTIL),
         str(folder / "ensemble")],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            log.close()
            pytest.fail(f"the dashboard did not start:\n{(folder / 'server.log').read_text()}")
        time.sleep(0.2)
    yield url
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """pytest-playwright's launch arguments, pointed at Debian's Chromium (no download)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(
            f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)"
        )
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS,
        "headless": True,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": {"width": 1500, "height": 1000}}
