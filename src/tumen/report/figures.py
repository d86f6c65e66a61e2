"""Plotly figures of one run.

Each function is a pure function of a `Results` (no file IO, no global state), so the
static report and a later dashboard draw the same figures. A missing column raises the
KeyError pandas gives, which names it.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import qualitative
from plotly.subplots import make_subplots

from tumen.data import observed_arrivals
from tumen.results import Results

TEMPLATE = "plotly_white"
SIMULATED_COLOUR = "#1f77b4"
OBSERVED_COLOUR = "#d62728"
ROUTE_COLOUR = "rgba(200, 70, 40, 0.55)"
MAX_ROUTE_WIDTH = 12.0

# Stocks on the day, grouped so that five areas tell where people are.
CURRENT_GROUPS: dict[str, tuple[str, ...]] = {
    "In North Korea (approaching, imprisoned)": ("approaching", "imprisoned_nk"),
    "Hiding in China": ("hiding", "settled"),
    "Trafficked in China": ("trafficked",),
    "On the move": ("travelling", "waiting"),
    "Detained (China, third countries, Thailand)": (
        "detained_china",
        "detained_third",
        "detained_thailand",
    ),
}
# Absorbing states: they only grow, so they get their own panel instead of dwarfing the rest.
OUTCOME_GROUPS: dict[str, tuple[str, ...]] = {
    "Arrived in South Korea": ("arrived_sk",),
    "Arrived in the US": ("arrived_us",),
    "Stayed in North Korea": ("stayed_nk",),
    "Died": ("died",),
}


def _leg_flows(flows: pd.DataFrame, year: int | None) -> tuple[pd.Series, float, str]:
    """Travellers per leg for one year or all years, the width scale and the period's name.

    Single years share one scale (the busiest leg-year) so that the slider compares years.
    """
    if year is None:
        total = flows.sum(axis=1)
        return total, float(total.max()), "all years"
    values = flows[year] if year in flows.columns else pd.Series(0, index=flows.index)
    return values, float(flows.to_numpy().max(initial=0)), str(year)


def _leg_style(
    names: pd.Series, leg: tuple[str, str], travellers: float, top: float, period: str
) -> dict:
    """Width and hover text of one leg; widths go by square root so small legs stay visible."""
    width = 0.0
    if travellers > 0 and top > 0:
        width = 1.0 + (MAX_ROUTE_WIDTH - 1.0) * math.sqrt(travellers / top)
    label = f"{names[leg[0]]} → {names[leg[1]]}<br>{travellers:,.0f} travellers ({period})"
    return {"line": {"width": width, "color": ROUTE_COLOUR}, "text": [label, label]}


def flow_map(results: Results, year: int | None = None) -> go.Figure:
    """Map of the locations and of the travellers on each leg, for one year or all years.

    With `year=None` the map opens on the all-years total and a slider steps through the
    years, one frame each; the frames restyle only the leg traces, which come first.
    """
    locations = results.locations.set_index("id")
    names = locations["name"]
    flows = (
        results.route_flows.groupby(["source", "target", "year"])["travellers"]
        .sum()
        .unstack("year", fill_value=0)
    )
    shown, top, period = _leg_flows(flows, year)
    fig = go.Figure()
    for leg, travellers in shown.items():
        fig.add_trace(
            go.Scattergeo(
                lon=[locations.at[leg[0], "lon"], locations.at[leg[1], "lon"]],
                lat=[locations.at[leg[0], "lat"], locations.at[leg[1], "lat"]],
                mode="lines",
                hoverinfo="text",
                name=f"{leg[0]} → {leg[1]}",
                showlegend=False,
                **_leg_style(names, leg, travellers, top, period),
            )
        )
    kinds = sorted(locations["kind"].unique())
    palette = qualitative.D3
    fig.add_trace(
        go.Scattergeo(
            lon=locations["lon"],
            lat=locations["lat"],
            mode="markers",
            marker={
                "size": 8,
                "color": [palette[kinds.index(kind) % len(palette)] for kind in locations["kind"]],
                "line": {"width": 0.5, "color": "white"},
            },
            text=[
                f"{row.name}<br>{row.kind}, {row.country}"
                for row in locations.itertuples(index=False)
            ],
            hoverinfo="text",
            name="Locations",
            showlegend=False,
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        title=f"Travellers per leg, {period}",
        height=650,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        geo={
            "scope": "asia",
            "resolution": 50,
            "projection_type": "mercator",
            "lonaxis_range": [95, 135],
            "lataxis_range": [8, 46],
            "showcountries": True,
            "countrycolor": "#8a8a8a",
            "showland": True,
            "landcolor": "#f3f0e8",
            "showocean": True,
            "oceancolor": "#dde9f2",
            "showlakes": True,
            "lakecolor": "#dde9f2",
            "showframe": False,
        },
        annotations=[_kind_key(kinds, palette)],
    )
    if year is None and len(flows.columns):
        _add_year_slider(fig, flows, names)
    return fig


def _kind_key(kinds: list[str], palette: list[str]) -> dict:
    """Colour key of location kinds as one annotation, so locations stay one hoverable trace."""
    entries = [
        f"<span style='color:{palette[i % len(palette)]}'>●</span> {kind}"
        for i, kind in enumerate(kinds)
    ]
    return {
        "text": "<br>".join(entries),
        "align": "left",
        "showarrow": False,
        "xref": "paper",
        "yref": "paper",
        "x": 0.01,
        "y": 0.02,
        "xanchor": "left",
        "yanchor": "bottom",
        "bgcolor": "rgba(255, 255, 255, 0.8)",
    }


def _add_year_slider(fig: go.Figure, flows: pd.DataFrame, names: pd.Series) -> None:
    """Frames for the total and each year, and a slider stepping through them."""
    legs = list(range(len(flows)))
    frames = []
    for year in [None, *flows.columns]:
        values, top, period = _leg_flows(flows, year)
        data = [
            go.Scattergeo(**_leg_style(names, leg, travellers, top, period))
            for leg, travellers in values.items()
        ]
        layout = {"title": {"text": f"Travellers per leg, {period}"}}
        frames.append(go.Frame(name=period, data=data, traces=legs, layout=layout))
    fig.frames = frames
    step_options = {"mode": "immediate", "frame": {"duration": 0, "redraw": True}}
    fig.update_layout(
        sliders=[
            {
                "active": 0,
                "currentvalue": {"prefix": "Showing: "},
                "pad": {"t": 10},
                "x": 0.03,
                "len": 0.95,
                "steps": [
                    {"label": f.name, "method": "animate", "args": [[f.name], step_options]}
                    for f in frames
                ],
            }
        ]
    )


def arrivals_chart(results: Results, observed: pd.DataFrame | None = None) -> go.Figure:
    """Simulated arrivals in South Korea and their women share against the observed series.

    `observed` defaults to `tumen.data.observed_arrivals()`; passing it keeps tests and
    dashboards free to compare against another series.
    """
    observed = observed_arrivals() if observed is None else observed
    annual = results.annual
    women_share = annual["arrivals_sk_women"] / annual["arrivals_sk"].where(
        annual["arrivals_sk"] > 0
    )
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        row_heights=[0.65, 0.35],
        vertical_spacing=0.08,
        subplot_titles=("Arrivals in South Korea per year", "Share of women among arrivals"),
    )
    series = [
        (1, "Simulated", annual["year"], annual["arrivals_sk"], "lines+markers"),
        (1, "Observed", observed["year"], observed["arrivals"], "markers"),
        (2, "Simulated", annual["year"], women_share, "lines+markers"),
        (2, "Observed", observed["year"], observed["women_share"], "markers"),
    ]
    for row, name, x, y, mode in series:
        colour = SIMULATED_COLOUR if name == "Simulated" else OBSERVED_COLOUR
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                mode=mode,
                name=name,
                legendgroup=name,
                showlegend=row == 1,
                line={"color": colour},
                marker={"color": colour, "size": 9 if name == "Observed" else 5},
            ),
            row=row,
            col=1,
        )
    fig.update_yaxes(title_text="people", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title_text="women", tickformat=".0%", range=[0, 1], row=2, col=1)
    fig.update_layout(template=TEMPLATE, height=600, hovermode="x unified")
    return fig


def stocks_chart(results: Results) -> go.Figure:
    """Daily stocks by group of states: where people are now, and the outcomes so far."""
    daily = results.daily
    # Day strings instead of timestamps: nine traces repeat the dates, this halves the page.
    dates = daily["date"].dt.strftime("%Y-%m-%d")
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.08,
        subplot_titles=("Where people are on the day", "Outcomes so far (cumulative)"),
    )
    panels = [
        (1, "current", "On the day", CURRENT_GROUPS),
        (2, "outcomes", "Outcomes", OUTCOME_GROUPS),
    ]
    for row, stack, title, groups in panels:
        for name, states in groups.items():
            columns = [f"stock_{state}" for state in states]
            fig.add_trace(
                go.Scatter(
                    x=dates,
                    y=daily[columns].sum(axis=1),
                    name=name,
                    stackgroup=stack,
                    legendgroup=stack,
                    legendgrouptitle_text=title,
                    mode="lines",
                    line={"width": 0.5},
                ),
                row=row,
                col=1,
            )
    fig.update_yaxes(title_text="people", rangemode="tozero")
    fig.update_layout(
        template=TEMPLATE, height=650, hovermode="x unified", legend_traceorder="grouped"
    )
    return fig


def arrests_chart(results: Results) -> go.Figure:
    """Arrests in China and repatriations to North Korea per month, from the daily flows."""
    monthly = (
        results.daily.set_index("date")[["arrests_china", "repatriations"]].resample("MS").sum()
    )
    fig = go.Figure(
        [
            go.Scatter(x=monthly.index, y=monthly["arrests_china"], name="Arrested in China"),
            go.Scatter(x=monthly.index, y=monthly["repatriations"], name="Repatriated"),
        ]
    )
    fig.update_layout(
        template=TEMPLATE,
        title="Arrests in China and repatriations per month",
        yaxis_title="people per month",
        height=420,
        hovermode="x unified",
    )
    return fig


def money_chart(results: Results) -> go.Figure:
    """Money per year and ledger account (whatever accounts the ledger holds)."""
    table = results.ledger.pivot_table(
        index="year", columns="account", values="usd", aggfunc="sum", fill_value=0
    )
    fig = go.Figure(
        [
            go.Scatter(x=table.index, y=table[account], name=str(account), mode="lines+markers")
            for account in table.columns
        ]
    )
    fig.update_layout(
        template=TEMPLATE,
        title="Money per year by account",
        yaxis_title="US dollars",
        yaxis_tickformat="$,.0f",
        xaxis={"tickformat": "d", "dtick": 1},
        height=420,
        hovermode="x unified",
    )
    return fig


ENSEMBLE_COLOURS = (SIMULATED_COLOUR, "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b")


def arrivals_ensemble_chart(
    ensembles: dict[str, list[pd.DataFrame]], observed: pd.DataFrame | None = None
) -> go.Figure:
    """Arrivals in South Korea per year for named groups of runs' annual tables, against
    the observed series.

    `observed` defaults to `tumen.data.observed_arrivals()`, shown for the simulated years
    only. See `ensemble_chart`.
    """
    return ensemble_chart(ensembles, "arrivals_sk", "Arrivals in South Korea per year",
                          observed_arrivals() if observed is None else observed)


def ensemble_chart(ensembles: dict[str, list[pd.DataFrame]], column: str, title: str,
                   observed: pd.DataFrame | None = None) -> go.Figure:
    """One annual series (`column` of annual.csv) for named groups of runs' annual tables.

    Each group draws its median; a group of several runs also draws the band from the 5th
    to the 95th percentile across runs, so that a what-if is compared with its spread and
    not with one lucky seed. `observed` (`year`, `arrivals`) is drawn as markers.
    """
    years = [year for runs in ensembles.values() for annual in runs for year in annual["year"]]
    if observed is not None and years:  # observed counts outside the runs stretch the axis
        observed = observed[observed["year"].between(min(years), max(years))]
    fig = go.Figure()
    for i, (name, runs) in enumerate(ensembles.items()):
        if not runs:
            continue
        colour = ENSEMBLE_COLOURS[i % len(ENSEMBLE_COLOURS)]
        table = pd.concat(
            [annual.set_index("year")[column] for annual in runs], axis=1
        ).sort_index()
        median = table.median(axis=1)
        if len(runs) > 1:
            low, high = table.quantile(0.05, axis=1), table.quantile(0.95, axis=1)
            red, green, blue = (int(colour[j : j + 2], 16) for j in (1, 3, 5))
            fig.add_trace(
                go.Scatter(
                    x=high.index,
                    y=high,
                    mode="lines",
                    line={"width": 0},
                    legendgroup=name,
                    showlegend=False,
                    hoverinfo="skip",
                )
            )
            fig.add_trace(
                go.Scatter(
                    x=low.index,
                    y=low,
                    mode="lines",
                    line={"width": 0},
                    fill="tonexty",
                    fillcolor=f"rgba({red}, {green}, {blue}, 0.2)",
                    legendgroup=name,
                    name=f"{name}: 5-95% of {len(runs)} runs",
                    hoverinfo="skip",
                )
            )
        label = f"{name} (median)" if len(runs) > 1 else name
        fig.add_trace(
            go.Scatter(
                x=median.index,
                y=median,
                mode="lines+markers",
                name=label,
                legendgroup=name,
                line={"color": colour},
                marker={"color": colour, "size": 5},
            )
        )
    if observed is not None:
        fig.add_trace(
            go.Scatter(
                x=observed["year"],
                y=observed["arrivals"],
                mode="markers",
                name="Observed",
                marker={"color": OBSERVED_COLOUR, "size": 9},
            )
        )
    fig.update_layout(
        template=TEMPLATE,
        title=title,
        yaxis_title="people",
        yaxis_rangemode="tozero",
        height=450,
        hovermode="x unified",
        xaxis={"tickformat": "d", "dtick": 1 if years and max(years) - min(years) <= 12 else None},
    )
    return fig
