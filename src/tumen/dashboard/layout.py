"""The page: a what-if panel on the left; the map, the comparison and the charts on the right.

Built anew on each page load (`app.layout` is a function), so a reload shows the baseline
as soon as it exists. The style sheet is inlined, so the package needs no asset files.
"""

from __future__ import annotations

from dash import dcc, html

from tumen.dashboard.levers import (
    MAX_RUNS,
    MAX_SEED,
    MAX_UPLOAD_BYTES,
    MULTIPLIER_RANGE,
    NETWORK_LABELS,
    NetworkDesign,
    year_range,
)
from tumen.dashboard.state import DashboardState


class ID:
    """Component ids, shared with the callbacks and the browser tests."""

    STATUS = "status"
    SOURCE = "source"
    UPLOAD = "upload"
    UPLOAD_PAYLOAD = "upload-payload"
    UPLOAD_MESSAGE = "upload-message"
    SCENARIO_INFO = "scenario-info"
    CRACKDOWN = "lever-crackdown"
    BORDER = "lever-border"
    RESCUE = "lever-rescue"
    RESCUE_HINT = "lever-rescue-hint"
    FEES = "lever-fees"
    NETWORK = "lever-network"
    ROUTES = "lever-routes"
    END_YEAR = "lever-end-year"
    SEED = "lever-seed"
    RUNS = "lever-runs"
    RUN = "run"
    RUN_MESSAGE = "run-message"
    PROGRESS = "progress"
    PROGRESS_BAR = "progress-bar"
    JOB_STATUS = "job-status"
    POLL = "poll"
    WHATIF_JOB = "whatif-job"
    SHOWN_WHATIF = "shown-whatif"
    BASELINE_READY = "baseline-ready"
    VIEW = "view"
    YEAR = "year"
    PLAY = "play"
    PLAY_TIMER = "play-timer"
    MAP = "map"
    PLACE = "place"
    COMPARE_CHART = "compare-chart"
    COMPARE_TABLE = "compare-table"
    ARRIVALS = "chart-arrivals"
    STOCKS = "chart-stocks"
    ARRESTS = "chart-arrests"
    MONEY = "chart-money"
    CHARTS_NOTE = "charts-note"


GRAPH_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}

CSS = """
* { box-sizing: border-box; }
body { margin: 0; background: #f4f4f2; color: #222;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.topbar { display: flex; align-items: baseline; gap: 1rem; padding: .6rem 1.2rem;
  height: 54px; background: #fff; border-bottom: 3px solid #c84628;
  position: sticky; top: 0; z-index: 10; }
.topbar h1 { margin: 0; font-size: 1.35rem; }
.topbar .subtitle { color: #666; }
.topbar .status { margin-left: auto; color: #444; }
.layout { display: flex; align-items: flex-start; gap: 1rem; padding: 1rem; }
.sidebar { flex: 0 0 370px; position: sticky; top: 70px; max-height: calc(100vh - 86px);
  overflow-y: auto; background: #fff; border: 1px solid #e1e1de; border-radius: 6px;
  padding: .8rem 1rem; }
.sidebar h2 { font-size: 1.1rem; margin: 0 0 .5rem; }
.main { flex: 1 1 auto; min-width: 0; }
.card { background: #fff; border: 1px solid #e1e1de; border-radius: 6px;
  padding: .7rem 1rem; margin-bottom: 1rem; }
.card h2 { font-size: 1.1rem; margin: 0 0 .3rem; }
.how { color: #555; margin: 0 0 .5rem; font-size: .92rem; }
.field { margin: .7rem 0; }
.field > label, .field-label { display: block; font-weight: 600; margin-bottom: .2rem; }
.hint { color: #666; font-size: .85rem; }
.upload { border: 1.5px dashed #aaa; border-radius: 6px; padding: .5rem; text-align: center;
  color: #555; cursor: pointer; margin-top: .4rem; background: #fafaf8; }
.message { white-space: pre-wrap; font-size: .85rem; margin: .4rem 0; padding: .4rem .5rem;
  border-radius: 4px; }
.message:empty { display: none; }
.message.error { background: #fdecea; color: #8a1f11; border: 1px solid #f3c1b9;
  font-family: ui-monospace, Menlo, Consolas, monospace; }
.message.ok { background: #eaf5ea; color: #1f5a1f; border: 1px solid #c3e1c3; }
.message.busy { background: #fff6e0; color: #6b4b00; border: 1px solid #f0d89a; }
.routes { max-height: 170px; overflow-y: auto; border: 1px solid #e1e1de; border-radius: 4px;
  padding: .3rem .5rem; font-size: .85rem; }
.routes label { padding: .1rem 0; }
.row3 { display: grid; grid-template-columns: 1fr 1fr; gap: .5rem .8rem; }
.row3 input { width: 100%; padding: .25rem .3rem; }
.run-button { width: 100%; padding: .55rem; margin-top: .6rem; font-size: 1rem; font-weight: 600;
  color: #fff; background: #c84628; border: 0; border-radius: 5px; cursor: pointer; }
.run-button:hover { background: #a93a20; }
.run-area { position: sticky; bottom: -.8rem; z-index: 5; background: #fff; margin: 0 -1rem -.8rem;
  padding: .1rem 1rem .6rem; border-top: 1px solid #eee; }
.progress { height: 8px; background: #eee; border-radius: 4px; overflow: hidden;
  margin-top: .5rem; }
.progress-bar { height: 100%; width: 0; background: #c84628; transition: width .4s; }
.job-status { font-size: .85rem; color: #444; margin-top: .3rem; min-height: 1.2em; }
.viewbar { display: flex; align-items: center; gap: .8rem; margin-bottom: .6rem; }
.viewbar label { margin-right: .8rem; }
.map-row { display: flex; gap: 1rem; align-items: stretch; }
.map-box { flex: 1 1 auto; min-width: 0; }
.place { flex: 0 0 300px; border-left: 1px solid #eee; padding-left: 1rem; font-size: .9rem;
  max-height: 610px; overflow-y: auto; }
.place h3 { margin: .2rem 0; font-size: 1rem; }
.timebar { display: flex; align-items: center; gap: .8rem; padding: 0 .5rem; }
.timebar .slider { flex: 1 1 auto; }
.play { padding: .3rem .9rem; border: 1px solid #c84628; color: #c84628; background: #fff;
  border-radius: 5px; cursor: pointer; font-weight: 600; min-width: 5.5rem; }
.compare-row { display: flex; gap: 1rem; align-items: flex-start; }
.compare-row > :first-child { flex: 1 1 auto; min-width: 0; }
.compare-row > :last-child { flex: 0 0 440px; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
table.numbers { border-collapse: collapse; width: 100%; font-size: .88rem; }
table.numbers th, table.numbers td { border-bottom: 1px solid #eee; padding: .25rem .4rem;
  text-align: right; }
table.numbers th:first-child, table.numbers td:first-child { text-align: left; }
td.up, td.down { font-weight: 600; }  /* more is not always better: no colours */
@media (max-width: 1200px) { .grid { grid-template-columns: 1fr; }
  .map-row, .compare-row { flex-direction: column; }
  .place { border-left: 0; padding-left: 0; flex-basis: auto; }
  .compare-row > :last-child { flex-basis: auto; } }
"""

INDEX_STRING = (
    """<!DOCTYPE html>
<html lang="en">
<head>{%metas%}<title>{%title%}</title>{%favicon%}{%css%}<style>"""
    + CSS
    + """</style></head>
<body>{%app_entry%}<footer>{%config%}{%scripts%}{%renderer%}</footer></body>
</html>"""
)


def _multiplier(id_: str, label: str, hint: str, hint_id: str | None = None) -> html.Div:
    """A 0-10 multiplier slider (1 = as in the scenario) with its number box and a hint."""
    low, high = MULTIPLIER_RANGE
    return html.Div(
        className="field",
        children=[
            html.Label(label, htmlFor=id_),
            dcc.Slider(
                id=id_,
                min=low,
                max=high,
                step=0.1,
                value=1.0,
                marks={0: "0", 1: "1", 2: "2", 3: "3", 5: "5", 10: "10"},
                allow_direct_input=True,
                updatemode="mouseup",
            ),
            html.Div(hint, className="hint", **({"id": hint_id} if hint_id else {})),
        ],
    )


def whatif_panel(state: DashboardState) -> html.Aside:
    """The levers, the scenario choice and the run button with its progress."""
    scenario = state.scenario
    first, last = year_range(scenario)
    sources = [{"label": f"{scenario.name} (the baseline)", "value": "baseline"}]
    sources += [
        {"label": f"Built-in: {name}", "value": f"builtin:{name}"} for name in state.builtins
    ]
    return html.Aside(
        className="sidebar",
        children=[
            html.H2("What-if"),
            html.Div(
                className="field",
                children=[
                    html.Label("Scenario", htmlFor=ID.SOURCE),
                    dcc.Dropdown(id=ID.SOURCE, options=sources, value="baseline", clearable=False),
                    dcc.Upload(
                        id=ID.UPLOAD,
                        className="upload",
                        children=html.Span(
                            f"Drop a scenario YAML here or click to choose one "
                            f"(at most {MAX_UPLOAD_BYTES / 1e6:g} MB)"
                        ),
                        accept=".yaml,.yml,text/yaml,application/x-yaml",
                        multiple=False,
                    ),
                    html.Div(id=ID.UPLOAD_MESSAGE, className="message"),
                    html.Div(id=ID.SCENARIO_INFO, className="hint"),
                ],
            ),
            _multiplier(
                ID.CRACKDOWN, "Crackdown in China", "Multiplies arrests and raids in China."
            ),
            _multiplier(
                ID.BORDER, "Border security in North Korea", "Multiplies detection at the river."
            ),
            _multiplier(ID.RESCUE, "Rescue budget", "", hint_id=ID.RESCUE_HINT),
            _multiplier(ID.FEES, "Broker fees", "Multiplies what brokers charge."),
            html.Div(
                className="field",
                children=[
                    html.Span("Network design", className="field-label"),
                    dcc.RadioItems(
                        id=ID.NETWORK,
                        options=[
                            {"label": NETWORK_LABELS[d], "value": d.value} for d in NetworkDesign
                        ],
                        value=NetworkDesign.AS_IS.value,
                    ),
                ],
            ),
            html.Div(
                className="field",
                children=[
                    html.Span("Close routes for the whole period", className="field-label"),
                    dcc.Checklist(id=ID.ROUTES, options=[], value=[], className="routes"),
                ],
            ),
            html.Div(
                className="field row3",
                children=[
                    html.Div(
                        [
                            html.Label("End year", htmlFor=ID.END_YEAR),
                            dcc.Input(
                                id=ID.END_YEAR,
                                type="number",
                                min=first,
                                max=last,
                                step=1,
                                value=last,
                            ),
                        ]
                    ),
                    html.Div(
                        [
                            html.Label("Seed", htmlFor=ID.SEED),
                            dcc.Input(
                                id=ID.SEED, type="number", min=0, max=MAX_SEED, step=1, value=0
                            ),
                        ]
                    ),
                    html.Div(
                        [
                            html.Label("Runs", htmlFor=ID.RUNS),
                            dcc.Input(
                                id=ID.RUNS, type="number", min=1, max=MAX_RUNS, step=1, value=1
                            ),
                        ]
                    ),
                ],
            ),
            html.Div(
                className="run-area",  # stays in view at the bottom of the panel
                children=[
                    html.Button("Run what-if", id=ID.RUN, className="run-button", n_clicks=0),
                    html.Div(id=ID.RUN_MESSAGE, className="message"),
                    html.Div(
                        className="progress",
                        id=ID.PROGRESS,
                        children=html.Div(id=ID.PROGRESS_BAR, className="progress-bar"),
                    ),
                    html.Div(id=ID.JOB_STATUS, className="job-status"),
                ],
            ),
        ],
    )


def _card(title: str, how: str, *children: object) -> html.Section:
    return html.Section(
        className="card", children=[html.H2(title), html.P(how, className="how"), *children]
    )


def _graph(id_: str, **config: object) -> dcc.Graph:
    return dcc.Graph(id=id_, config={**GRAPH_CONFIG, **config}, figure=_empty())


def _empty() -> dict:
    """A blank figure without geo, so nothing asks for map outlines before there is a map."""
    return {
        "data": [],
        "layout": {
            "xaxis": {"visible": False},
            "yaxis": {"visible": False},
            "height": 300,
            "template": "plotly_white",
        },
    }


def _stored_note(state: DashboardState) -> str:
    """What the compare chart draws beside the page's runs, if anything."""
    stored = state.stored
    if stored is None:
        return ""
    return (f" Beside them, the median and 5-95% band of {stored.label} "
            f"({len(stored.annuals)} runs, read from its run store).")


def build_layout(state: DashboardState, topojson_url: str) -> html.Div:
    """The whole page for the server's current state."""
    baseline_ready = state.baseline() is not None
    map_box = html.Div(
        className="map-box",
        children=[
            _graph(ID.MAP, topojsonURL=topojson_url, scrollZoom=True),
            html.Div(
                className="timebar",
                children=[
                    html.Button("▶ Play", id=ID.PLAY, className="play", n_clicks=0),
                    html.Div(
                        className="slider",
                        children=dcc.Slider(
                            id=ID.YEAR,
                            min=0,
                            max=1,
                            step=1,
                            value=0,
                            marks={0: "All"},
                            allow_direct_input=False,
                            updatemode="mouseup",
                        ),
                    ),
                ],
            ),
        ],
    )
    place = html.Div(
        id=ID.PLACE,
        className="place",
        children=html.P(
            "Click a place on the map to see its traffic and stocks.", className="hint"
        ),
    )
    return html.Div(
        children=[
            html.Header(
                className="topbar",
                children=[
                    html.H1("Tumen"),
                    html.Span("the underground railroad, simulated", className="subtitle"),
                    html.Div(id=ID.STATUS, className="status"),
                ],
            ),
            html.Div(
                className="layout",
                children=[
                    whatif_panel(state),
                    html.Main(
                        className="main",
                        children=[
                            html.Div(
                                className="viewbar",
                                children=[
                                    html.Strong("Show:"),
                                    dcc.RadioItems(
                                        id=ID.VIEW,
                                        options=view_options(False),
                                        value="baseline",
                                        inline=True,
                                    ),
                                ],
                            ),
                            _card(
                                "Map",
                                "Dots are places, coloured by kind; the thicker a line, the more "
                                "people travelled that leg. Pick a year or press Play; click a "
                                "place for its traffic and stocks.",
                                html.Div(className="map-row", children=[map_box, place]),
                            ),
                            _card(
                                "Baseline and what-if",
                                "Arrivals per year of both (with the 5-95% band when a what-if "
                                "has several runs) and the totals over the years both cover."
                                + _stored_note(state),
                                html.Div(
                                    className="compare-row",
                                    children=[
                                        _graph(ID.COMPARE_CHART),
                                        html.Div(id=ID.COMPARE_TABLE),
                                    ],
                                ),
                            ),
                            _card(
                                "Charts",
                                "Arrivals against the observed counts, where people are, "
                                "arrests and returns, and money, for the run chosen above.",
                                html.P(id=ID.CHARTS_NOTE, className="hint"),
                                html.Div(
                                    className="grid",
                                    children=[
                                        _graph(ID.ARRIVALS),
                                        _graph(ID.STOCKS),
                                        _graph(ID.ARRESTS),
                                        _graph(ID.MONEY),
                                    ],
                                ),
                            ),
                        ],
                    ),
                ],
            ),
            dcc.Store(id=ID.UPLOAD_PAYLOAD),
            dcc.Store(id=ID.WHATIF_JOB),
            dcc.Store(id=ID.SHOWN_WHATIF),
            dcc.Store(id=ID.BASELINE_READY, data=baseline_ready),
            dcc.Interval(id=ID.POLL, interval=700, disabled=False),
            dcc.Interval(id=ID.PLAY_TIMER, interval=900, disabled=True),
        ]
    )


def view_options(whatif: bool) -> list[dict]:
    """Baseline or what-if; the what-if is offered once one has finished."""
    return [
        {"label": "Baseline", "value": "baseline"},
        {"label": "What-if", "value": "whatif", "disabled": not whatif},
    ]
