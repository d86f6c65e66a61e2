"""The dashboard in a real browser: offline, the map, the slider, a what-if, an upload, the
stored ensemble.

Every request the page makes is recorded; any not to 127.0.0.1 is blocked and fails the
test. Screenshots go to each test's tmp_path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest

pytest.importorskip("pytest_playwright", reason="browser tests need pytest-playwright")

from playwright.sync_api import Page, Request, Route, expect

from tumen.scenario import builtin_path

MAP_COUNTRIES = "#map .geo .layer.countries path"
MAP_TITLE = "#map .gtitle"
LOAD_TIMEOUT = 60_000  # the first page waits for the baseline run


@dataclass
class Traffic:
    """What the page asked for, and what went wrong."""

    requests: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


LOCAL = re.compile(r"^https?://127\.0\.0\.1[:/]")


@pytest.fixture
def traffic(page: Page) -> Traffic:
    """Record every request of `page`; block (and note) any not to 127.0.0.1.

    Only the others are routed through Python: intercepting every local request too
    would slow each page load by seconds.
    """
    log = Traffic()

    def block(route: Route) -> None:
        log.external.append(route.request.url)
        route.abort()

    def failed(request: Request) -> None:
        log.failed.append(f"{request.url}: {request.failure}")

    page.route(lambda url: not LOCAL.match(url), block)
    page.on("request", lambda request: log.requests.append(request.url))
    page.on("requestfailed", failed)
    page.on(
        "response",
        lambda r: log.failed.append(f"{r.url}: HTTP {r.status}") if r.status >= 400 else None,
    )
    page.on("pageerror", lambda error: log.errors.append(str(error)))
    page.set_default_timeout(30_000)
    return log


def open_dashboard(page: Page, url: str) -> None:
    """Load the page and wait until the map shows the baseline."""
    page.goto(url)
    page.wait_for_selector(MAP_COUNTRIES, state="attached", timeout=LOAD_TIMEOUT)
    expect(page.locator(MAP_TITLE)).to_contain_text("all years")


def route_widths(page: Page) -> list[str]:
    return page.eval_on_selector_all(
        "#map .scattergeo path.js-line", "paths => paths.map(p => p.style.strokeWidth)"
    )


def test_page_loads_offline_with_the_map(
    page: Page, traffic: Traffic, dashboard: str, tmp_path: Path
) -> None:
    open_dashboard(page, dashboard)
    page.wait_for_load_state("networkidle")
    expect(page.locator("#status")).to_contain_text("Baseline: korea-1998-2025")
    page.screenshot(path=tmp_path / "loaded.png", full_page=True)
    # Only local requests, none failed, the outlines among them.
    assert traffic.requests, "no request recorded"
    assert traffic.external == []
    assert {urlparse(url).hostname for url in traffic.requests} == {"127.0.0.1"}
    assert traffic.failed == []
    assert traffic.errors == []
    assert any(url.endswith("/topojson/asia_50m.json") for url in traffic.requests)
    # The map holds real country shapes, the legs and the places.
    outlines = page.eval_on_selector_all(
        MAP_COUNTRIES, "paths => paths.map(p => p.getAttribute('d') || '')"
    )
    assert outlines and max(len(d) for d in outlines) > 1000  # real borders, not a stub
    assert page.locator("#map .scattergeo path.js-line").count() >= 20  # the legs
    assert page.locator("#map .scattergeo path.point").count() >= 20  # the places
    # The charts are drawn.
    for chart in (
        "compare-chart",
        "chart-arrivals",
        "chart-stocks",
        "chart-arrests",
        "chart-money",
    ):
        assert page.locator(f"#{chart} .scatterlayer .trace").count() >= 1, chart


def test_time_slider_and_play_change_the_map(
    page: Page, traffic: Traffic, dashboard: str, tmp_path: Path
) -> None:
    open_dashboard(page, dashboard)
    before = route_widths(page)
    page.locator("#year [role=slider]").focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator(MAP_TITLE)).to_contain_text("1998")
    assert route_widths(page) != before
    page.screenshot(path=tmp_path / "year-1998.png")
    page.locator("#play").click()
    expect(page.locator(MAP_TITLE)).to_contain_text("1999")
    expect(page.locator("#play")).to_contain_text("Play")  # stopped at the last year
    assert traffic.external == [] and traffic.failed == []


def test_clicking_a_place_shows_its_traffic_and_stocks(
    page: Page, traffic: Traffic, dashboard: str, small_scenario, tmp_path: Path
) -> None:
    open_dashboard(page, dashboard)
    ids = [location.id for location in small_scenario.locations]
    point = page.locator("#map .scattergeo").last.locator("path.point").nth(ids.index("kunming"))
    box = point.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.click(x, y)
    panel = page.locator("#place")
    expect(panel).to_contain_text("Kunming")
    expect(panel).to_contain_text("In:")
    expect(panel).to_contain_text("Out:")
    expect(panel).to_contain_text("China on")
    expect(panel).to_contain_text("Hiding")
    page.screenshot(path=tmp_path / "place.png")
    assert traffic.external == [] and traffic.failed == []


def test_whatif_runs_in_the_background_and_updates_the_charts(
    page: Page, traffic: Traffic, dashboard: str, tmp_path: Path
) -> None:
    open_dashboard(page, dashboard)
    expect(page.locator("#compare-table")).not_to_contain_text("What-if")
    box = page.locator("#lever-crackdown input[type=number]")
    box.fill("5")
    box.press("Enter")
    page.locator("#lever-runs input, input#lever-runs").first.fill("2")
    page.locator("#lever-routes input[value=gobi]").check()
    page.locator("#run").click()
    expect(page.locator("#run-message")).to_contain_text("Started")
    page.locator("#run").click()  # a second request while the first runs
    expect(page.locator("#run-message")).to_contain_text("Busy")
    expect(page.locator("#job-status")).to_contain_text("Running what-if")
    # The page stays usable meanwhile: the map still follows the slider.
    page.locator("#year [role=slider]").focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator(MAP_TITLE)).to_contain_text("1998")
    page.screenshot(path=tmp_path / "running.png", full_page=True)
    expect(page.locator("#job-status")).to_contain_text("Done", timeout=90_000)
    table = page.locator("#compare-table")
    expect(table).to_contain_text("What-if, median of 2")
    expect(table).to_contain_text("crackdown ×5")
    expect(page.locator("#compare-chart")).to_contain_text("What-if: 5-95% of 2 runs")
    expect(page.locator("#view input[value=whatif]")).to_be_checked()
    expect(page.locator("#charts-note")).to_contain_text("Showing the what-if")
    expect(page.locator("#chart-arrivals")).to_contain_text("5-95% of 2 runs")
    changes = page.locator("#compare-table td.up, #compare-table td.down")
    assert changes.count() > 0  # a five-fold crackdown changes some total
    page.screenshot(path=tmp_path / "whatif.png", full_page=True)
    assert traffic.external == [] and traffic.failed == [] and traffic.errors == []


def test_the_stored_ensemble_is_drawn_beside_the_baseline(
    page: Page, traffic: Traffic, dashboard: str, tmp_path: Path
) -> None:
    """The run store given to the server (three runs) shows as a median and a band."""
    open_dashboard(page, dashboard)
    chart = page.locator("#compare-chart")
    expect(chart).to_contain_text("Stored ensemble (median)")
    expect(chart).to_contain_text("Stored ensemble: 5-95% of 3 runs")
    expect(page.locator(".card", has=chart)).to_contain_text("read from its run store")
    filled = chart.locator(".scatterlayer .trace .fills path")
    assert filled.count() >= 1  # the band is drawn, not only named in the legend
    page.screenshot(path=tmp_path / "stored-ensemble.png", full_page=True)
    assert traffic.external == [] and traffic.failed == [] and traffic.errors == []


def upload(page: Page, name: str, content: bytes) -> None:
    page.locator("#upload input[type=file]").set_input_files(
        files=[{"name": name, "mimeType": "text/yaml", "buffer": content}]
    )


def test_invalid_upload_shows_its_errors_and_runs_nothing(
    page: Page, traffic: Traffic, dashboard: str, tmp_path: Path
) -> None:
    open_dashboard(page, dashboard)
    status = page.locator("#job-status").inner_text()
    bad = b"name: broken\nperiod: {start: 2000-01-01, end: 1999-01-01}\nlocations: []\n"
    upload(page, "broken.yaml", bad)
    message = page.locator("#upload-message")
    expect(message).to_contain_text("nothing was run")
    expect(message).to_contain_text(re.compile(r"broken\.yaml:\d+: period"))
    expect(message).to_contain_text("required field missing")
    page.screenshot(path=tmp_path / "invalid-upload.png")
    expect(page.locator("#source")).to_contain_text("(the baseline)")

    crowded = re.sub(
        r"departures_per_day: \{value: [\d.]+, calibrate: \{[^}]*\}\}",
        "departures_per_day: 5000",
        builtin_path("korea-1998-2025").read_text(),
    )
    upload(page, "crowded.yaml", crowded.encode())
    expect(message).to_contain_text("departures_per_day: 5,000")

    upload(page, "huge.yaml", b"# padding\n" * 110_000)
    expect(message).to_contain_text("limited to 1 MB")

    upload(page, "copy.yaml", builtin_path("korea-1998-2025").read_bytes())
    expect(message).to_contain_text("Loaded copy.yaml")
    expect(page.locator("#source")).to_contain_text("Uploaded: korea-1998-2025")
    assert page.locator("#job-status").inner_text() == status  # no upload started a run
    assert traffic.external == [] and traffic.failed == []
