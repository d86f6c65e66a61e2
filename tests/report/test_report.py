"""Tests of the report: figures on a small synthetic run, and the offline HTML page."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from plotly.offline import get_plotlyjs

from tumen.data import observed_arrivals
from tumen.report import figures
from tumen.report.html import write_report
from tumen.results import ANNUAL_COLUMNS, Results

STATES = [
    "approaching",
    "imprisoned_nk",
    "hiding",
    "settled",
    "trafficked",
    "travelling",
    "waiting",
    "detained_china",
    "detained_third",
    "detained_thailand",
    "arrived_sk",
    "arrived_us",
    "stayed_nk",
    "died",
]
FLOWS = ("departures", "arrests_china", "repatriations", "arrivals_sk")
YEARS = (2010, 2011, 2012)
NAME = 'Test <Tumen> & "co"'
LEGS = (
    ("hoeryong", "yanji"),
    ("yanji", "kunming"),
    ("kunming", "vientiane"),
    ("vientiane", "bangkok"),
    ("bangkok", "seoul"),
)


@pytest.fixture
def results() -> Results:
    """Three years of a made-up run over six places and one route."""
    rng = np.random.default_rng(0)
    locations = pd.DataFrame(
        {
            "id": ["hoeryong", "yanji", "kunming", "vientiane", "bangkok", "seoul"],
            "name": ["Hoeryong", "Yanji", "Kunming", "Vientiane", "Bangkok", "Seoul"],
            "kind": ["crossing", "city", "city", "city", "city", "destination"],
            "country": ["KP", "CN", "CN", "LA", "TH", "KR"],
            "lat": [42.44, 42.90, 25.04, 17.97, 13.75, 37.57],
            "lon": [129.75, 129.51, 102.71, 102.63, 100.50, 126.98],
        }
    )
    route_flows = pd.DataFrame(
        [
            {"year": year, "route": "mekong", "source": s, "target": t, "travellers": travellers}
            for year in YEARS
            for s, t in LEGS
            # The last leg is empty in 2010, to check that an empty leg draws no line.
            for travellers in [0 if (year, t) == (2010, "seoul") else 10 * (year - 2008)]
        ]
    )
    dates = pd.date_range("2010-01-01", "2012-12-31", freq="D")
    daily = pd.DataFrame({"date": dates})
    for state in STATES:
        daily[f"stock_{state}"] = rng.integers(0, 50, len(dates))
    for flow in FLOWS:
        daily[flow] = rng.integers(0, 5, len(dates))
    annual = pd.DataFrame({column: np.arange(3) * 10 + 5 for column in ANNUAL_COLUMNS})
    annual["year"] = YEARS
    annual["arrivals_sk_women"] = annual["arrivals_sk"] // 2
    ledger = pd.DataFrame(
        [
            {"year": year, "account": account, "usd": 1000.0 * i}
            for year in YEARS
            for i, account in enumerate(["donations", "rescue_costs", "broker_fees"])
        ]
    )
    summary = {
        "scenario": NAME,
        "seed": 7,
        "totals": {"arrivals_sk": 12345, "cost_usd": 2.5e6},
        "invariants": [
            {"name": "people conserved", "passed": True, "detail": "0 lost"},
            {"name": "no <negative> stocks", "passed": False, "detail": "stock < 0 on day 3"},
        ],
    }
    return Results(NAME, 7, annual, daily, route_flows, locations, ledger, summary=summary)


def _line_traces(fig: go.Figure) -> list:
    return [trace for trace in fig.data if trace.mode == "lines"]


def test_flow_map_draws_places_and_legs_with_a_year_slider(results: Results) -> None:
    fig = figures.flow_map(results)
    markers = [trace for trace in fig.data if trace.mode == "markers"]
    assert len(markers) == 1
    assert list(markers[0].lat) == list(results.locations["lat"])
    assert len(_line_traces(fig)) == len(LEGS)
    assert fig.layout.geo.scope == "asia"
    assert fig.layout.geo.resolution == 50
    assert [frame.name for frame in fig.frames] == ["all years", *map(str, YEARS)]
    assert len(fig.layout.sliders[0].steps) == len(YEARS) + 1


def test_flow_map_of_one_year_widths_follow_travellers(results: Results) -> None:
    fig = figures.flow_map(results, year=2010)
    assert not fig.frames
    widths = {trace.name: trace.line.width for trace in _line_traces(fig)}
    assert widths["bangkok → seoul"] == 0
    assert widths["hoeryong → yanji"] > 0
    # 2012 carries three times 2010's travellers, so its legs are drawn wider.
    later = {
        trace.name: trace.line.width for trace in _line_traces(figures.flow_map(results, 2012))
    }
    assert later["hoeryong → yanji"] > widths["hoeryong → yanji"]


def test_arrivals_chart_compares_with_observed(results: Results) -> None:
    fig = figures.arrivals_chart(results)
    observed = [trace for trace in fig.data if trace.name == "Observed"]
    assert len(observed) == 2
    assert list(observed[0].x) == list(observed_arrivals()["year"])
    simulated_share = [trace for trace in fig.data if trace.name == "Simulated"][1]
    expected = results.annual["arrivals_sk_women"] / results.annual["arrivals_sk"]
    assert np.allclose(simulated_share.y, expected)


def test_stocks_chart_counts_every_state_once(results: Results) -> None:
    fig = figures.stocks_chart(results)
    stacked = sum(np.asarray(trace.y) for trace in fig.data)
    every_state = results.daily[[f"stock_{state}" for state in STATES]].sum(axis=1)
    assert np.array_equal(stacked, every_state.to_numpy())


def test_arrests_chart_sums_months(results: Results) -> None:
    fig = figures.arrests_chart(results)
    assert [trace.name for trace in fig.data] == ["Arrested in China", "Repatriated"]
    assert len(fig.data[0].x) == 36
    assert sum(fig.data[0].y) == results.daily["arrests_china"].sum()
    assert sum(fig.data[1].y) == results.daily["repatriations"].sum()


def test_money_chart_has_one_line_per_account(results: Results) -> None:
    fig = figures.money_chart(results)
    assert sorted(trace.name for trace in fig.data) == ["broker_fees", "donations", "rescue_costs"]


def test_missing_column_is_named(results: Results) -> None:
    results.daily = results.daily.drop(columns="stock_died")
    with pytest.raises(KeyError, match="stock_died"):
        figures.stocks_chart(results)


def test_report_is_one_offline_page(results: Results, tmp_path: Path) -> None:
    path = write_report(results, tmp_path / "out" / "report.html")
    page = path.read_text(encoding="utf-8")
    plotly_js = get_plotlyjs()
    assert page.count(plotly_js) == 1
    assert page.index("window.PlotlyGeoAssets") < page.index(plotly_js)
    assert '"asia_50m": {"type":"Topology"' in page
    # Outside plotly.js's own code nothing names a URL, so nothing can be fetched.
    ours = page.replace(plotly_js, "")
    assert "http" not in ours
    assert "topojsonURL" not in ours
    assert not re.search(r"<(script|img|iframe)[^>]*\bsrc=|<link\b", ours, re.IGNORECASE)
    assert page.count("<html") == 1 and page.count("</html>") == 1
    assert NAME not in page
    assert "Test &lt;Tumen&gt; &amp; &quot;co&quot;" in page
    assert "no &lt;negative&gt; stocks" in page and "FAILED" in page
    assert "12,345" in page
    assert "Natural Earth" in page


def test_report_in_a_directory_is_named_report_html(results: Results, tmp_path: Path) -> None:
    assert write_report(results, tmp_path) == tmp_path / "report.html"


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_map_draws_countries_offline_in_chromium(results: Results, tmp_path: Path) -> None:
    """Open the page as file:// with every host unresolvable: countries must still draw."""
    path = write_report(results, tmp_path / "report.html")
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--virtual-time-budget=10000",
        "--dump-dom",
        path.resolve().as_uri(),
    ]
    dom = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True).stdout
    geo = dom[dom.index('id="chart-map"') :]
    # plotly.js draws all country borders as one path in the geo subplot's countries layer.
    assert '<g class="layer countries"><path d="M' in geo


def test_an_ensemble_draws_the_median_and_the_band_of_its_runs(results: Results,
                                                               tmp_path: Path) -> None:
    """Three runs whose arrivals are 1x, 2x and 3x the synthetic run's: the median is the
    2x run, the band lies between the 5th and 95th percentiles across them."""
    annuals = [results.annual.assign(arrivals_sk=results.annual["arrivals_sk"] * k)
               for k in (1, 2, 3)]
    fig = figures.ensemble_chart({"Simulated": annuals}, "arrivals_sk", "Arrivals")
    high, low, median = fig.data[0], fig.data[1], fig.data[2]
    base = results.annual["arrivals_sk"].to_numpy()
    np.testing.assert_allclose(median.y, 2 * base)
    np.testing.assert_allclose(high.y, 2.9 * base)
    np.testing.assert_allclose(low.y, 1.1 * base)
    assert low.fill == "tonexty" and "5-95% of 3 runs" in low.name
    page = write_report(results, tmp_path / "report.html", ensemble=annuals).read_text()
    assert "Ensemble of 3 runs" in page
    assert page.count('id="ensemble-') == 3
    single = write_report(results, tmp_path / "one.html").read_text()
    assert "Ensemble of" not in single
