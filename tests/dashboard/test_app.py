"""The server without a browser: what it serves, what it refuses, and what it leaves alone."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest
from dash import Dash

from tumen.dashboard import panels
from tumen.dashboard.app import _is_loopback, create_app
from tumen.dashboard.ensemble import stored_ensemble
from tumen.dashboard.state import DashboardState
from tumen.dashboard.store import RunStore, scenario_json, scenario_key
from tumen.ensemble import store as run_store
from tumen.report import figures
from tumen.results import Results
from tumen.scenario.schema import Scenario


@pytest.fixture
def app(tmp_path: Path, small_scenario: Scenario, small_results: Results) -> Iterator[Dash]:
    """A dashboard whose baseline is already in its store, so no worker starts."""
    store = RunStore(tmp_path / "store")
    store.save(scenario_key(small_scenario), scenario_json(small_scenario), small_results)
    app = create_app(small_scenario, tmp_path / "store")
    yield app
    app.server.extensions["tumen"].runner.shutdown()


def test_baseline_loads_from_the_store(app: Dash) -> None:
    state: DashboardState = app.server.extensions["tumen"]
    assert state.baseline_job.state == "done"
    assert state.baseline_job.message == "loaded from the run store"
    assert state.baseline() is not None


def test_serves_the_shipped_outlines_and_nothing_else(app: Dash) -> None:
    client = app.server.test_client()
    response = client.get("/topojson/asia_50m.json")
    assert response.status_code == 200
    shipped = resources.files("tumen.report").joinpath("geo", "asia_50m.json").read_bytes()
    assert response.data == shipped
    assert json.loads(response.data)["type"] == "Topology"
    # Unknown paths get Dash's page (it routes every path to it) or an error, never a file.
    for path, marker in (
        ("/topojson/world_110m.json", b'"Topology"'),
        ("/topojson/../../pyproject.toml", b"[project]"),
        ("/assets/../app.py", b"def create_app"),
        ("/assets/pyproject.toml", b"[project]"),
        ("/_dash-component-suites/tumen/dashboard/app.py", b"def create_app"),
        ("/_dash-component-suites/dash/../../tumen/dashboard/app.py", b"def create_app"),
    ):
        response = client.get(path)  # Dash answers 500 for an unknown component library
        assert response.status_code in (200, 400, 404, 500), path
        assert marker not in response.data, path
    assert client.get("/").status_code == 200


def test_large_requests_are_refused(app: Dash) -> None:
    client = app.server.test_client()
    body = b"x" * (5 * 1024 * 1024)
    response = client.post(
        "/_dash-update-component", data=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413


def test_loopback_detection() -> None:
    assert _is_loopback("127.0.0.1") and _is_loopback("::1") and _is_loopback("localhost")
    assert not _is_loopback("0.0.0.0") and not _is_loopback("192.168.1.2")


def test_import_tumen_does_not_import_dash() -> None:
    code = (
        "import sys, tumen; tumen.load_scenario('korea-1998-2025'); "
        "import tumen.report.figures; print('dash' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_map_figure_tags_every_point_with_its_place(small_results: Results) -> None:
    fig = panels.map_figure(small_results, 1999)
    ids = set(small_results.locations["id"])
    assert list(fig.data[-1].customdata) == list(small_results.locations["id"])
    ends = {tag for trace in fig.data[:-1] for tag in trace.customdata}
    assert ends and ends <= ids
    assert not fig.frames and not fig.layout.sliders
    assert "1999" in fig.layout.title.text


def test_place_panel_and_totals(small_results: Results) -> None:
    text = str(panels.place_panel(small_results, "yanbian", 1999))
    flows = small_results.route_flows
    inbound = flows[(flows["target"] == "yanbian") & (flows["year"] == 1999)]["travellers"].sum()
    assert f"In: {inbound:,.0f}" in text
    assert "China on 31 Dec 1999" in text and "Hiding" in text
    assert "Click a place" in str(panels.place_panel(small_results, "nowhere", None))
    table = str(panels.totals_table(small_results, [small_results, small_results]))
    assert "What-if, median of 2" in table
    assert "+0%" not in table and "Td(children='0%', className='')" in table
    assert panels.year_slider(small_results) == (1997, 1999, {1997: "All", 1998: "1998",
                                                              1999: "1999"})  # fmt: skip


def test_ensemble_chart_draws_median_and_band(small_results: Results) -> None:
    runs = []
    for scale in (1.0, 2.0, 3.0, 4.0):
        annual = small_results.annual.copy()
        annual["arrivals_sk"] = annual["arrivals_sk"] * scale
        runs.append(annual)
    fig = figures.arrivals_ensemble_chart({"Baseline": runs[:1], "What-if": runs})
    names = [trace.name for trace in fig.data]
    assert names[0] == "Baseline" and "What-if: 5-95% of 4 runs" in names
    assert "What-if (median)" in names and names[-1] == "Observed"
    band = next(t for t in fig.data if t.name == "What-if: 5-95% of 4 runs")
    median = next(t for t in fig.data if t.name == "What-if (median)")
    base = small_results.annual["arrivals_sk"].to_numpy()
    assert list(median.y) == pytest.approx(list(base * 2.5))
    assert list(band.y) == pytest.approx(list(base * 1.15))  # 5th percentile of 1..4
    assert band.fill == "tonexty"
    observed_years = set(fig.data[-1].x)
    assert observed_years <= {1998, 1999}  # the observed series is cut to the run's years


def test_a_stored_ensemble_is_drawn_beside_the_runs(small_results: Results, tmp_path: Path,
                                                    ensemble_writer) -> None:
    ensemble_writer(tmp_path / "runs", small_results, (3.0, 1.0, 2.0))
    stored = stored_ensemble(tmp_path / "runs")
    assert stored.label == "Stored ensemble" and len(stored.annuals) == 3
    fig = panels.compare_chart(small_results, [small_results] * 2, stored)
    names = [trace.name for trace in fig.data]
    assert names[0] == "Baseline" and "What-if: 5-95% of 2 runs" in names
    band = next(t for t in fig.data if t.name == "Stored ensemble: 5-95% of 3 runs")
    median = next(t for t in fig.data if t.name == "Stored ensemble (median)")
    base = small_results.annual["arrivals_sk"].to_numpy()
    assert list(median.y) == pytest.approx(list(base * 2.0))
    assert list(band.y) == pytest.approx(list(base * 1.1))  # 5th percentile of 1, 2, 3


def test_a_stored_ensemble_is_one_seeds_sweep_with_runs(small_results: Results, tmp_path: Path,
                                                        ensemble_writer) -> None:
    with pytest.raises(run_store.StoreError, match="not a run store"):
        stored_ensemble(tmp_path / "none")
    run_store.RunStore(tmp_path / "empty", create=True)
    with pytest.raises(run_store.StoreError, match="holds 0 sweeps; fill it with tumen sweep"):
        stored_ensemble(tmp_path / "empty")
    ensemble_writer(tmp_path / "two", small_results, (1.0,), name="a")
    ensemble_writer(tmp_path / "two", small_results, (1.0, 2.0), name="b")
    with pytest.raises(run_store.StoreError, match=r"2 sweeps \(a, b\); name one with --sweep"):
        stored_ensemble(tmp_path / "two")
    assert len(stored_ensemble(tmp_path / "two", "b").annuals) == 2
    with pytest.raises(run_store.StoreError, match="no sweep named 'c'"):
        stored_ensemble(tmp_path / "two", "c")
    ensemble_writer(tmp_path / "grid", small_results, (1.0, 2.0),
                   values={"parameters.crossing.detection": 0.2})
    with pytest.raises(run_store.StoreError, match="varies more than the seed"):
        stored_ensemble(tmp_path / "grid")


def test_serve_refuses_a_bad_store_before_starting(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from tumen.cli import app as cli

    result = CliRunner().invoke(cli, ["serve", "--store", str(tmp_path / "none")])
    assert result.exit_code == 2 and "not a run store" in result.output
    result = CliRunner().invoke(cli, ["serve", "--sweep", "x"])
    assert result.exit_code == 2 and "--sweep needs --store" in result.output
