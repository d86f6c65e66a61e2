"""validation.json and validation.html from hand-made runs."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest
from plotly.offline import get_plotlyjs

from tumen.data import observed_arrivals
from tumen.validation.facts import FACTS
from tumen.validation.validate import SERIES, failures, validate, write_validation

from .conftest import perfect_run

CHECK_KEYS = {"name", "description", "source", "observed", "simulated_mean", "interval_90",
              "tolerance", "passed"}
SERIES_KEYS = {"name", "years", "ard", "threshold", "passed", "by_year"}
YEAR_KEYS = {"year", "observed", "mean", "median", "p5", "p95"}


def test_schema_of_a_perfect_ensemble(scenario) -> None:
    report = validate([perfect_run(1), perfect_run(2)], scenario, version="9.9")
    assert report["scenario"] == scenario.name
    assert report["runs"] == 2 and report["seeds"] == [1, 2] and report["version"] == "9.9"
    assert [check["name"] for check in report["checks"]] == [fact.name for fact in FACTS]
    for check in report["checks"]:
        assert set(check) >= CHECK_KEYS, check["name"]
        assert {"text", "low", "high"} <= set(check["tolerance"])
        assert check["passed"] is not False, check["name"]
    assert [s["name"] for s in report["series"]] == ["arrivals", "women_share"]
    arrivals, women = report["series"]
    assert set(arrivals) >= SERIES_KEYS
    assert arrivals["years"] == [1998, 2015] and arrivals["threshold"] == 0.15
    assert women["years"] == [2000, 2015] and women["threshold"] == 0.10
    assert arrivals["ard"] == pytest.approx(0.0) and arrivals["passed"] is True
    assert women["ard"] == pytest.approx(0.0, abs=1e-12) and women["passed"] is True
    assert failures(report) == []
    # Every year of the run, with the observation where there is one.
    rows = {row["year"]: row for row in arrivals["by_year"]}
    assert sorted(rows) == list(range(1998, 2020))
    assert all(set(row) == YEAR_KEYS for row in rows.values())
    assert rows[2009]["observed"] == 2914 and rows[2009]["mean"] == pytest.approx(2914)
    assert rows[2019]["observed"] is None and rows[2019]["p95"] == pytest.approx(1047)
    assert {row["year"]: row for row in women["by_year"]}[1998]["observed"] is None
    json.dumps(report, allow_nan=False)  # plain JSON, no NaN


def test_series_ard_against_the_observations(scenario) -> None:
    runs = [perfect_run(1, scale=1.1), perfect_run(2, scale=1.3)]
    report = validate(runs, scenario)
    arrivals, women = report["series"]
    # Every year 20% too high on average: the ARD is 0.2, above the 0.15 threshold.
    assert arrivals["ard"] == pytest.approx(0.2) and arrivals["passed"] is False
    rows = {row["year"]: row for row in arrivals["by_year"]}
    assert rows[2009]["mean"] == pytest.approx(2914 * 1.2)
    assert rows[2009]["median"] == pytest.approx(2914 * 1.2)
    assert rows[2009]["p5"] == pytest.approx(2914 * (1.1 + 0.05 * 0.2))
    assert women["ard"] == pytest.approx(0.0, abs=1e-12)  # shares unchanged by scaling
    assert "arrivals" in failures(report)


def test_series_not_measured_outside_the_observed_years(scenario) -> None:
    run = perfect_run(1)
    late = dataclasses.replace(run, daily=run.daily[run.daily["date"] >= "2016-01-01"],
                               annual=run.annual[run.annual["year"] >= 2016])
    report = validate([late], scenario)
    for series in report["series"]:
        assert series["ard"] is None and series["passed"] is None and series["years"] is None
        assert "no year" in series["reason"]
    by_name = {check["name"]: check for check in report["checks"]}
    assert by_name["thai_detentions_2005"]["passed"] is None
    assert "2016-01-01" in by_name["thai_detentions_2005"]["reason"]


def test_series_are_the_shipped_ones() -> None:
    observed = observed_arrivals()
    for series in SERIES:
        assert series.observed in observed.columns


def test_write_validation_json_and_offline_page(scenario, tmp_path) -> None:
    report = validate([perfect_run(1, scale=2.0), perfect_run(2)], scenario)
    paths = write_validation(report, tmp_path / "out")
    assert json.loads(paths["json"].read_text()) == report
    page = paths["html"].read_text(encoding="utf-8")
    plotly_js = get_plotlyjs()
    assert page.count(plotly_js) == 1
    # Outside plotly.js's own code nothing names a URL, so nothing can be fetched.
    ours = page.replace(plotly_js, "")
    assert "http" not in ours
    assert not re.search(r"<(script|img|iframe)[^>]*\bsrc=|<link\b", ours, re.IGNORECASE)
    assert page.count('class="plotly-graph-div"') == 2
    assert 'id="chart-arrivals"' in page and 'id="chart-women_share"' in page
    # One row per check, marked; the failed ones are those the JSON says.
    marks = re.findall(r'<td class="result">(passed|FAILED|not measured)</td>', page)
    assert len(marks) == len(FACTS) + len(SERIES)
    assert marks.count("FAILED") == len(failures(report)) > 0
    assert marks.count("not measured") == 1
