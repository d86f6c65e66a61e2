"""validation.html: one self-contained page of a validation report, readable offline.

The page is drawn from the report dictionary alone (what validation.json holds), so it
can be redrawn from the JSON without the runs. plotly.js is inlined as in the run report
(`tumen.report.html`), whose style sheet and colours it shares.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

import plotly.graph_objects as go

from tumen.report.figures import OBSERVED_COLOUR, SIMULATED_COLOUR, TEMPLATE
from tumen.report.html import standalone_page

EXTRA_CSS = """
tr.passed td.result { color: #1a7f37; font-weight: 600; }
tr.failed td.result { color: #c62828; font-weight: 600; }
tr.unmeasured td { color: #777; }
td.small { font-size: .85rem; color: #555; }
"""
BAND_FILL = "rgba(31, 119, 180, 0.2)"


def band_chart(series: dict[str, Any], percent: bool = False) -> go.Figure:
    """The ensemble's 5-95% band and median per year against the observations."""
    rows = series["by_year"]
    years = [row["year"] for row in rows]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=years, y=[row["p95"] for row in rows], mode="lines",
                             line={"width": 0}, showlegend=False, hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=years, y=[row["p5"] for row in rows], mode="lines",
                             line={"width": 0}, fill="tonexty", fillcolor=BAND_FILL,
                             name="Simulated, 5-95% of runs", hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=years, y=[row["median"] for row in rows], mode="lines+markers",
                             name="Simulated, median", line={"color": SIMULATED_COLOUR},
                             marker={"color": SIMULATED_COLOUR, "size": 5}))
    seen = [row for row in rows if row["observed"] is not None]
    fig.add_trace(go.Scatter(x=[row["year"] for row in seen],
                             y=[row["observed"] for row in seen], mode="markers",
                             name="Observed", marker={"color": OBSERVED_COLOUR, "size": 9}))
    ard = series["ard"]
    title = series["description"]
    if ard is not None:
        years_used = series["years"]
        title += f" (ARD {ard:.3f} over {years_used[0]}-{years_used[1]})"
    fig.update_layout(template=TEMPLATE, title=title, height=420, hovermode="x unified",
                      xaxis={"tickformat": "d"})
    if percent:
        fig.update_yaxes(title_text="women", tickformat=".0%", range=[0, 1])
    else:
        fig.update_yaxes(title_text="people", rangemode="tozero")
    return fig


def _value(value: float | None, unit: str = "") -> str:
    """A number for the table, as a percentage for shares."""
    if value is None:
        return ""
    if unit == "share":
        return f"{value:.1%}"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _result(passed: bool | None) -> tuple[str, str]:
    """CSS class and label of a pass mark."""
    if passed is None:
        return "unmeasured", "not measured"
    return ("passed", "passed") if passed else ("failed", "FAILED")


def checks_table(checks: list[dict[str, Any]]) -> str:
    """The checks as an HTML table: fact, observed, measured, mean, interval, tolerance."""
    rows = []
    for item in checks:
        css, label = _result(item["passed"])
        unit = item.get("unit", "")
        spread = item["interval_90"]
        interval = (f"{_value(spread[0], unit)} to {_value(spread[1], unit)}"
                    if spread else "")
        detail = item["reason"] or ""
        rows.append(
            f'<tr class="{css}"><td>{escape(item["description"])}</td>'
            f'<td>{escape(item["observed"])}</td>'
            f'<td class="small">{escape(item["measured"])}</td>'
            f'<td class="num">{escape(_value(item["simulated_mean"], unit))}</td>'
            f'<td class="num">{escape(interval)}</td>'
            f'<td class="small">{escape(item["tolerance"]["text"])}</td>'
            f'<td class="result">{label}</td>'
            f'<td class="small">{escape(item["source"])}{"; " if detail else ""}'
            f"{escape(detail)}</td></tr>"
        )
    head = ("<tr><th>fact</th><th>observed</th><th>what is measured</th><th>mean</th>"
            "<th>90% of runs</th><th>tolerance</th><th>result</th><th>source, note</th></tr>")
    return f"<table>{head}{''.join(rows)}</table>"


def series_table(series: list[dict[str, Any]]) -> str:
    """The ARD of each series against its threshold."""
    rows = []
    for item in series:
        css, label = _result(item["passed"])
        years = f"{item['years'][0]}-{item['years'][1]}" if item["years"] else ""
        ard = "" if item["ard"] is None else f"{item['ard']:.3f}"
        rows.append(
            f'<tr class="{css}"><td>{escape(item["description"])}</td><td>{years}</td>'
            f'<td class="num">{ard}</td><td class="num">{item["threshold"]:.2f}</td>'
            f'<td class="result">{label}</td>'
            f'<td class="small">{escape(item["reason"] or "")}</td></tr>'
        )
    head = ("<tr><th>series</th><th>years</th><th>ARD</th><th>threshold</th>"
            "<th>result</th><th>note</th></tr>")
    return f"<table>{head}{''.join(rows)}</table>"


def write_page(report: dict[str, Any], path: Path) -> Path:
    """Write the page for `report` (the dictionary of validation.json) to `path`."""
    charts = []
    for item in report["series"]:
        fig = band_chart(item, percent=item["name"] == "women_share")
        div = fig.to_html(full_html=False, include_plotlyjs=False,
                          div_id=f"chart-{item['name']}", config={"displaylogo": False})
        charts.append(f'<section class="chart">{div}</section>')
    name = escape(str(report["scenario"]))
    seeds = report["seeds"]
    seed_text = f"{seeds[0]}-{seeds[-1]}" if len(seeds) > 1 else str(seeds[0])
    failed = sum(item["passed"] is False for item in report["checks"] + report["series"])
    unmeasured = sum(item["passed"] is None for item in report["checks"])
    invariants = ("" if report.get("invariants_passed", True) else
                  '<p class="meta"><strong>An invariant failed in at least one run: '
                  "this is a bug.</strong></p>")
    body = f"""<header>
<h1>Tumen validation: {name}</h1>
<p class="meta">{report["runs"]} runs (seeds {escape(seed_text)}) of
<strong>{name}</strong>, {escape(" to ".join(report.get("period", [])))}, Tumen
{escape(str(report["version"]))}: {failed} failed, {unmeasured} of
{len(report["checks"])} facts not measured. The band holds the middle 90% of runs.</p>
{invariants}
</header>
{"".join(charts)}
<h2>Observed series</h2>
{series_table(report["series"])}
<h2>Stylized facts</h2>
<p class="how">Each fact passes when the mean over the runs lies within its tolerance.
A fact whose years lie outside the run is not measured, not failed.</p>
{checks_table(report["checks"])}"""
    page = standalone_page(f"Tumen validation: {name}", body, EXTRA_CSS)
    path.write_text(page, encoding="utf-8")
    return path
