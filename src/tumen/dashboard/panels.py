"""Pieces of the page computed from results: the map for a year, a place's panel, the totals.

Pure functions of `Results` (no Dash state), so they are tested without a server. The
figures themselves come from `tumen.report.figures`; this only adapts them to the page.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from dash import html

from tumen.dashboard.ensemble import StoredEnsemble
from tumen.report import figures
from tumen.results import Results

ALL_YEARS = "All"

# The stocks that are in one country, by the country of the place clicked. Stocks of people
# on the move (travelling, waiting) are spread over the route and are not listed.
COUNTRY_STOCKS: dict[str, tuple[tuple[str, str], ...]] = {
    "north_korea": (
        ("stock_approaching", "On the way to the border"),
        ("stock_imprisoned_nk", "Imprisoned after capture or return"),
        ("stock_stayed_nk", "Gave up and stayed (so far)"),
    ),
    "china": (
        ("stock_hiding", "Hiding"),
        ("stock_settled", "Settled (married, working)"),
        ("stock_trafficked", "Trafficked"),
        ("stock_detained_china", "Detained by Chinese police"),
    ),
    "thailand": (
        ("stock_detained_thailand", "In Thai immigration detention"),
        ("thai_backlog", "Waiting for a flight to Seoul"),
    ),
    "south_korea": (("stock_arrived_sk", "Arrived in South Korea (so far)"),),
    "united_states": (("stock_arrived_us", "Arrived in the United States (so far)"),),
}
THIRD_COUNTRY_STOCKS = (("stock_detained_third", "Detained in third countries (all of them)"),)


def years_of(results: Results) -> list[int]:
    return [int(year) for year in results.annual["year"]]


def year_slider(results: Results) -> tuple[int, int, dict[int, str]]:
    """Slider range and marks: one step before the first year stands for all years.

    Short runs mark every year; long ones mark round years and the last, none so close to
    another that their labels overlap.
    """
    years = years_of(results)
    first, last = years[0], years[-1]
    if len(years) <= 8:
        shown = years
    else:
        shown = [y for y in years if y % 5 == 0 and first + 2 <= y <= last - 3] + [last]
    marks = {first - 1: ALL_YEARS}
    marks.update({year: str(year) for year in shown})
    return first - 1, last, marks


def shown_year(results: Results, value: int | None) -> int | None:
    """The year a slider value stands for, or None for all years."""
    years = years_of(results)
    return int(value) if value is not None and int(value) in years else None


def map_figure(results: Results, year: int | None) -> go.Figure:
    """The report's flow map for one year (or all), tagged so clicks name the place."""
    fig = figures.flow_map(results, year)
    fig.frames = ()  # the page's own slider steps through years
    fig.layout.sliders = ()
    # Every point names its place: the locations (the last trace) and the legs' ends, which
    # sit on top of the places and are what a click on a busy place often hits.
    ids = [str(i) for i in results.locations["id"]]
    at = {(float(r.lon), float(r.lat)): str(r.id) for r in results.locations.itertuples()}
    *legs, places = fig.data
    places.customdata = ids
    for trace in legs:  # named "source → target" by flow_map; else found by position
        ends = str(trace.name).split(" → ")
        if len(ends) != 2 or not set(ends) <= set(ids):
            ends = [at.get((float(x), float(y))) for x, y in zip(trace.lon, trace.lat, strict=True)]
        trace.customdata = ends
    fig.update_layout(
        height=600,
        uirevision="map",  # keep the user's zoom and pan when the year changes
        margin={"l": 0, "r": 0, "t": 40, "b": 0},
        title={"x": 0.02, "font": {"size": 15}},
    )
    fig.update_geos(lonaxis_range=[86, 144])  # wider than the report's: fills a wide card
    return fig


def place_panel(results: Results, location_id: str, year: int | None) -> list:
    """What happened at one place: traffic on its legs in and out, and its country's stocks."""
    locations = results.locations.set_index("id")
    if location_id not in locations.index:
        return [html.P("Click a place on the map to see its traffic and stocks.", className="hint")]
    place = locations.loc[location_id]
    names = locations["name"]
    flows = results.route_flows
    if year is not None:
        flows = flows[flows["year"] == year]
    period = str(year) if year is not None else f"{years_of(results)[0]}-{years_of(results)[-1]}"
    inbound = flows[flows["target"] == location_id].groupby("source")["travellers"].sum()
    outbound = flows[flows["source"] == location_id].groupby("target")["travellers"].sum()
    rows = [html.Tr([html.Th("Leg"), html.Th("Travellers")])]
    for label, series, arrow in (("In", inbound, "from"), ("Out", outbound, "to")):
        rows.append(html.Tr([html.Td(html.Strong(f"{label}: {series.sum():,.0f}")), html.Td("")]))
        for other, count in series.sort_values(ascending=False).items():
            rows.append(
                html.Tr([html.Td(f"  {arrow} {names.get(other, other)}"), html.Td(f"{count:,.0f}")])
            )
    return [
        html.H3(str(place["name"])),
        html.Div(f"{place['kind']}, {str(place['country']).replace('_', ' ')}", className="hint"),
        html.H4(f"Traffic, {period}"),
        html.Table(rows, className="numbers"),
        *_country_stocks(results, str(place["country"]), year),
    ]


def _country_stocks(results: Results, country: str, year: int | None) -> list:
    """The stocks of the place's country on the last day of the year (or of the run)."""
    stocks = COUNTRY_STOCKS.get(country, THIRD_COUNTRY_STOCKS)
    daily = results.daily
    if year is not None:
        daily = daily[daily["date"].dt.year == year]
    if daily.empty:
        return []
    last = daily.iloc[-1]
    day = pd.Timestamp(last["date"]).strftime("%d %b %Y")
    rows = [html.Tr([html.Th("Stock"), html.Th("People")])]
    rows += [
        html.Tr([html.Td(label), html.Td(f"{last[column]:,.0f}")])
        for column, label in stocks
        if column in daily.columns
    ]
    where = country.replace("_", " ").title()
    return [html.H4(f"{where} on {day}"), html.Table(rows, className="numbers")]


TOTALS: tuple[tuple[str, str], ...] = (
    ("departures", "Departures from North Korea"),
    ("arrivals_sk", "Arrivals in South Korea"),
    ("arrivals_us", "Arrivals in the United States"),
    ("arrests_china", "Arrests in China"),
    ("repatriations", "Repatriations"),
    ("trafficked", "Trafficked"),
    ("safe_houses_compromised", "Safe houses compromised"),
    ("cost_usd", "Spent on escapes (USD)"),
    ("remittances_usd", "Remittances home (USD)"),
)
END_STOCKS: tuple[tuple[str, str], ...] = (("hidden_china", "Hidden in China at the end"),)


def key_totals(runs: list[Results], years: list[int]) -> dict[str, list[float]]:
    """Each key total of each run over `years` (sums of flows; stocks at the last year)."""
    out: dict[str, list[float]] = {}
    for run in runs:
        annual = run.annual[run.annual["year"].isin(years)]
        for column, _ in TOTALS:
            out.setdefault(column, []).append(float(annual[column].sum()))
        for column, _ in END_STOCKS:
            out.setdefault(column, []).append(float(annual[column].iloc[-1]) if len(annual) else 0)
    return out


def totals_table(baseline: Results, whatif: list[Results] | None) -> html.Div:
    """Key totals of the baseline and the what-if (median of its runs) over common years."""
    years = years_of(baseline)
    if whatif:
        years = sorted(set(years) & set(years_of(whatif[0])))
    if not years:
        return html.P("The baseline and the what-if share no year to compare.", className="hint")
    base = key_totals([baseline], years)
    other = key_totals(whatif, years) if whatif else {}
    head = [html.Th("Total"), html.Th("Baseline")]
    if whatif:
        head += [
            html.Th("What-if" if len(whatif) == 1 else f"What-if, median of {len(whatif)}"),
            html.Th("Change"),
        ]
    rows = [html.Tr(head)]
    for column, label in (*TOTALS, *END_STOCKS):
        b = base[column][0]
        cells = [html.Td(label), html.Td(f"{b:,.0f}")]
        if whatif:
            w = float(pd.Series(other[column]).median())
            change = (w - b) / b if b else None
            if change is not None and abs(change) < 0.005:
                change = 0.0
            text = "" if change is None else f"{change:+.0%}" if change else "0%"
            tone = "" if not change else "up" if change > 0 else "down"
            cells += [html.Td(f"{w:,.0f}"), html.Td(text, className=tone)]
        rows.append(html.Tr(cells))
    caption = f"Years {years[0]}-{years[-1]}"
    return html.Div([html.Div(caption, className="hint"), html.Table(rows, className="numbers")])


def compare_chart(baseline: Results, whatif: list[Results] | None,
                  stored: StoredEnsemble | None) -> go.Figure:
    """Arrivals per year of the baseline, of the what-if's runs and of the stored ensemble
    (medians, and bands where there are several runs)."""
    ensembles = {"Baseline": [baseline.annual]}
    if whatif:
        ensembles["What-if"] = [run.annual for run in whatif]
    if stored is not None:
        ensembles[stored.label] = stored.annuals
    return sized(figures.arrivals_ensemble_chart(ensembles), height=400)


def sized(fig: go.Figure, height: int = 430) -> go.Figure:
    """A report figure fitted to a half-width card."""
    fig.update_layout(
        height=height, margin={"l": 50, "r": 10, "t": 60, "b": 40}, legend={"font": {"size": 11}}
    )
    return fig
