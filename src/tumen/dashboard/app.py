"""The dashboard server: `create_app` builds it, `serve` runs it (the `tumen serve` command).

It listens on 127.0.0.1 unless told otherwise, serves everything the page needs itself
(Dash's scripts and the country outlines shipped with the report), and starts the
baseline run in the background on first start if the run store does not hold it yet.
"""

from __future__ import annotations

import ipaddress
import logging
import signal
import sys
import threading
from importlib import resources
from pathlib import Path

from dash import Dash
from flask import Response

from tumen.dashboard.callbacks import register
from tumen.dashboard.ensemble import StoredEnsemble
from tumen.dashboard.jobs import JobRunner
from tumen.dashboard.layout import INDEX_STRING, build_layout
from tumen.dashboard.state import BASELINE_SEED, DashboardState
from tumen.dashboard.store import RunStore
from tumen.scenario import load_scenario
from tumen.scenario.schema import Scenario

DEFAULT_SCENARIO = "korea-1998-2025"
DEFAULT_STORE = Path("tumen-runs") / "dashboard"
TOPOJSON_PATH = "/topojson/"
GEO_FILE = "asia_50m.json"  # the only outline file the flow map (scope asia, 1:50m) reads
MAX_REQUEST_BYTES = 4 * 1024 * 1024  # a 1 MB scenario as base64 in JSON, with room to spare


def create_app(scenario: Scenario | str = DEFAULT_SCENARIO, store: Path = DEFAULT_STORE,
               stored: StoredEnsemble | None = None) -> Dash:
    """A dashboard whose baseline is `scenario` (a Scenario or a built-in's name), runs in
    `store`, with the ensemble `stored` (read from a run store) drawn beside its runs.

    The baseline run starts at once in the background unless the store holds it; the
    server's state is at `app.server.extensions["tumen"]`.
    """
    if isinstance(scenario, str):
        scenario = load_scenario(scenario)
    runner = JobRunner(RunStore(store))
    label = f"{scenario.name}, seed {BASELINE_SEED}"
    baseline = runner.submit("baseline", label, scenario, (BASELINE_SEED,))
    state = DashboardState(scenario=scenario, runner=runner, baseline_job=baseline,
                           stored=stored)

    app = Dash(
        __name__,
        title="Tumen dashboard",
        update_title=None,
        serve_locally=True,
        # A folder that does not exist: nothing from the working directory is ever served.
        assets_folder=str(Path(__file__).with_name("no-assets")),
        include_assets_files=False,
    )
    app.index_string = INDEX_STRING
    app.server.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    app.server.extensions["tumen"] = state
    outlines = resources.files("tumen.report").joinpath("geo", GEO_FILE).read_bytes()

    @app.server.route(app.get_relative_path(TOPOJSON_PATH + GEO_FILE))
    def topojson() -> Response:
        """The shipped outlines, so plotly never asks its CDN for them."""
        return Response(
            outlines,
            mimetype="application/json",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    topojson_url = app.get_relative_path(TOPOJSON_PATH)
    app.layout = lambda: build_layout(state, topojson_url)
    register(app, state)
    return app


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(
    host: str = "127.0.0.1",
    port: int = 8050,
    store: Path = DEFAULT_STORE,
    scenario: Scenario | str = DEFAULT_SCENARIO,
    stored: StoredEnsemble | None = None,
) -> None:
    """Run the dashboard until interrupted; prints its address first."""
    app = create_app(scenario, store, stored)
    state: DashboardState = app.server.extensions["tumen"]
    shown_host = f"[{host}]" if ":" in host else host
    print(f"Tumen dashboard: http://{shown_host}:{port}/  (Ctrl-C to stop)", flush=True)
    if not _is_loopback(host):
        print(
            f"Listening on {host}: anyone who can reach this address can run simulations.",
            flush=True,
        )
    if state.baseline_job.state == "running":
        print(
            f"Computing the baseline run of {state.scenario.name} in the background; "
            "the page shows its progress.",
            flush=True,
        )
    print(f"Runs are kept in {state.runner.store.root}", flush=True)
    if stored is not None:
        print(f"Beside them: {stored.label}, {len(stored.annuals)} runs", flush=True)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per poll
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop the worker on `kill`
    try:
        app.run(host=host, port=port, debug=False)
    finally:
        state.runner.shutdown()
