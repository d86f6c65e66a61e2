"""What the page does: upload, run, poll progress, and draw the results shown.

Callbacks only read component values and the server's `DashboardState`; none takes a path
or writes a file (the job runner writes runs into the store). Results are shown by token:
"baseline" or the id of a finished what-if job.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import plotly.graph_objects as go
from dash import Dash, Input, Output, State, ctx, html, no_update

from tumen.dashboard import panels
from tumen.dashboard.jobs import Busy, Job
from tumen.dashboard.layout import ID, view_options
from tumen.dashboard.levers import (
    MAX_UPLOAD_BYTES,
    LeverError,
    Levers,
    NetworkDesign,
    apply_levers,
    describe,
    read_upload,
    safe_filename,
    too_big,
    year_range,
)
from tumen.dashboard.state import DashboardState
from tumen.data import observed_arrivals
from tumen.report import figures
from tumen.results import Results
from tumen.scenario.schema import Scenario

MAP_CACHE_SIZE = 64

# The browser keeps too large a file to itself: only its name and size reach the server.
CHECK_UPLOAD_SIZE = """
function(contents, filename) {
    if (!contents) { return window.dash_clientside.no_update; }
    var bytes = Math.floor((contents.length - contents.indexOf(",") - 1) * 3 / 4);
    if (bytes > LIMIT) { return {filename: filename, size: bytes}; }
    return {filename: filename, contents: contents};
}
""".replace("LIMIT", str(MAX_UPLOAD_BYTES))


def placeholder(text: str) -> go.Figure:
    """An empty chart saying why it is empty (no geo, so it asks for no outlines)."""
    fig = go.Figure()
    fig.update_layout(
        template="plotly_white",
        height=300,
        xaxis_visible=False,
        yaxis_visible=False,
        annotations=[{"text": text, "showarrow": False, "font": {"size": 15, "color": "#666"}}],
    )
    return fig


def uploaded_scenario(payload: dict | None) -> Scenario:
    """The scenario in the upload payload, or `LeverError` with the text the page shows."""
    if not payload:
        raise LeverError(["No scenario file has been uploaded."])
    filename = safe_filename(payload.get("filename"))
    if "contents" not in payload:  # the browser found it too big and sent its size only
        raise LeverError([too_big(filename, int(payload.get("size", 0)))])
    return read_upload(str(payload["contents"]), filename)


def levers_from(values: dict[str, Any]) -> Levers:
    """Levers from the raw component values, or `LeverError` naming each unusable one."""
    problems = []

    def number(key: str, label: str) -> float:
        value = values.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(f"{label}: a number is required.")
            return 1.0
        return float(value)

    def whole(key: str, label: str, default: int) -> int:
        value = number(key, label)
        if not float(value).is_integer():
            problems.append(f"{label}: a whole number is required.")
            return default
        return int(value)

    try:
        network = NetworkDesign(values.get("network"))
    except ValueError:
        problems.append("Network design: unknown choice.")
        network = NetworkDesign.AS_IS
    routes = values.get("routes") or []
    if not isinstance(routes, list) or not all(isinstance(r, str) for r in routes):
        problems.append("Route closures: a list of route ids is required.")
        routes = []
    levers = Levers(
        crackdown_china=number("crackdown", "Crackdown in China"),
        border_security_nk=number("border", "Border security"),
        rescue_budget=number("rescue", "Rescue budget"),
        broker_fees=number("fees", "Broker fees"),
        network=network,
        closed_routes=tuple(sorted(set(routes))),
        end_year=whole("end_year", "End year", 0),
        seed=whole("seed", "Seed", 0),
        runs=whole("runs", "Runs", 1),
    )
    if problems:
        raise LeverError(problems)
    return levers


def _job_line(job: Job) -> str:
    if job.state == "running":
        done = job.fraction
        left = job.elapsed * (1 - done) / done if done > 0.02 else None
        eta = f", about {left:.0f} s left" if left is not None else ""
        return f"Running {job.kind}: {job.label}. {done:.0%} done, {job.elapsed:.0f} s{eta}."
    if job.state == "failed":
        return f"The {job.kind} failed: {job.message}"
    if job.message:
        return f"Done: {job.label} ({job.message})."
    return f"Done: {job.label} in {job.elapsed:.0f} s."


def register(app: Dash, state: DashboardState) -> None:
    """Attach every callback of the page to `app`."""
    map_cache: OrderedDict[tuple[str, int | None], go.Figure] = OrderedDict()

    def shown(view: str | None, whatif_job: str | None) -> tuple[str, list[Results] | None]:
        """The token and runs the page shows: the what-if if chosen and finished, else baseline."""
        if view == "whatif":
            runs = state.whatif(whatif_job)
            if runs:
                return str(whatif_job), runs
        baseline = state.baseline()
        return "baseline", [baseline] if baseline is not None else None

    def waiting() -> str:
        """Why there is nothing to show yet."""
        if state.baseline_job.state == "failed":
            return "The baseline run failed (see the top bar)."
        return "Computing the baseline run…"

    def scenario_of(source: str | None, payload: dict | None) -> Scenario:
        if source == "upload":
            return uploaded_scenario(payload)
        try:
            return state.source_scenario(source or "baseline")
        except ValueError as error:
            raise LeverError([str(error)]) from None

    app.clientside_callback(
        CHECK_UPLOAD_SIZE,
        Output(ID.UPLOAD_PAYLOAD, "data"),
        Input(ID.UPLOAD, "contents"),
        State(ID.UPLOAD, "filename"),
    )

    @app.callback(
        Output(ID.UPLOAD_MESSAGE, "children"),
        Output(ID.UPLOAD_MESSAGE, "className"),
        Output(ID.SOURCE, "options"),
        Output(ID.SOURCE, "value"),
        Input(ID.UPLOAD_PAYLOAD, "data"),
        State(ID.SOURCE, "options"),
        prevent_initial_call=True,
    )
    def on_upload(payload: dict | None, options: list[dict]) -> tuple:
        others = [option for option in options if option["value"] != "upload"]
        try:
            scenario = uploaded_scenario(payload)
        except LeverError as error:
            text = "This scenario cannot be used; nothing was run.\n" + str(error)
            return text, "message error", others, "baseline"
        filename = safe_filename((payload or {}).get("filename"))
        period = f"{scenario.period.start} to {scenario.period.end}"
        option = {"label": f"Uploaded: {scenario.name}", "value": "upload"}
        return (
            f"Loaded {filename}: {scenario.name}, {period}.",
            "message ok",
            [*others, option],
            "upload",
        )

    @app.callback(
        Output(ID.SCENARIO_INFO, "children"),
        Output(ID.ROUTES, "options"),
        Output(ID.ROUTES, "value"),
        Output(ID.END_YEAR, "min"),
        Output(ID.END_YEAR, "max"),
        Output(ID.END_YEAR, "value"),
        Output(ID.RESCUE_HINT, "children"),
        Input(ID.SOURCE, "value"),
        Input(ID.UPLOAD_PAYLOAD, "data"),
    )
    def on_source(source: str | None, payload: dict | None) -> tuple:
        try:
            scenario = scenario_of(source, payload)
        except LeverError:
            return "", [], [], no_update, no_update, no_update, ""
        names = {location.id: location.name for location in scenario.locations}
        options = [
            {"label": f"{names[r.source]} → {names[r.target]} ({r.mode.value})", "value": r.id}
            for r in scenario.routes
        ]
        first, last = year_range(scenario)
        info = (
            f"{scenario.name}: {scenario.period.start} to {scenario.period.end}, "
            f"{len(scenario.locations)} places, {len(scenario.routes)} routes."
        )
        budget = scenario.parameters.finance.rescue_budget_usd_per_year
        hint = f"×1 is ${budget:,.0f} a year in this scenario, before its timeline's events."
        return info, options, [], first, last, last, hint

    @app.callback(
        Output(ID.WHATIF_JOB, "data"),
        Output(ID.RUN_MESSAGE, "children"),
        Output(ID.RUN_MESSAGE, "className"),
        Input(ID.RUN, "n_clicks"),
        State(ID.SOURCE, "value"),
        State(ID.UPLOAD_PAYLOAD, "data"),
        State(ID.CRACKDOWN, "value"),
        State(ID.BORDER, "value"),
        State(ID.RESCUE, "value"),
        State(ID.FEES, "value"),
        State(ID.NETWORK, "value"),
        State(ID.ROUTES, "value"),
        State(ID.END_YEAR, "value"),
        State(ID.SEED, "value"),
        State(ID.RUNS, "value"),
        prevent_initial_call=True,
    )
    def on_run(_clicks: int, source: str, payload: dict | None, *values: Any) -> tuple:
        keys = (
            "crackdown",
            "border",
            "rescue",
            "fees",
            "network",
            "routes",
            "end_year",
            "seed",
            "runs",
        )
        try:
            scenario = scenario_of(source, payload)
            levers = levers_from(dict(zip(keys, values, strict=True)))
            whatif = apply_levers(scenario, levers)
            if state.runner.running() is None:
                state.prune_store()
            job = state.runner.submit("what-if", describe(levers, scenario), whatif, levers.seeds)
        except LeverError as error:
            return no_update, "Nothing was run.\n" + str(error), "message error"
        except Busy as error:
            return no_update, str(error), "message busy"
        return job.id, f"Started: {job.label}", "message ok"

    @app.callback(
        Output(ID.STATUS, "children"),
        Output(ID.JOB_STATUS, "children"),
        Output(ID.PROGRESS_BAR, "style"),
        Output(ID.BASELINE_READY, "data"),
        Output(ID.SHOWN_WHATIF, "data"),
        Output(ID.POLL, "disabled"),
        Output(ID.VIEW, "options"),
        Output(ID.VIEW, "value"),
        Input(ID.POLL, "n_intervals"),
        Input(ID.WHATIF_JOB, "data"),
        State(ID.BASELINE_READY, "data"),
        State(ID.SHOWN_WHATIF, "data"),
    )
    def on_poll(
        _ticks: int | None, whatif_id: str | None, ready: bool, shown_id: str | None
    ) -> tuple:
        base = state.baseline_job
        running = state.runner.running()
        whatif = state.runner.get(whatif_id)
        if base.state == "done":
            first, last = (
                str(d.year) for d in (state.scenario.period.start, state.scenario.period.end)
            )
            status = f"Baseline: {state.scenario.name}, seed {base.seeds[0]}, {first}-{last}"
        elif base.state == "failed":
            status = f"The baseline run failed: {base.message}"
        else:
            status = f"Computing the baseline run: {base.fraction:.0%}"
        if running is not None and running is not base:
            status += f" · {running.kind} running: {running.fraction:.0%}"
        shown_job = whatif if whatif is not None else (running or base)
        line = _job_line(running) if running is not None else _job_line(shown_job)
        width = running.fraction if running is not None else 0.0  # the bar shows a run going on
        new_ready = base.state == "done"
        new_shown = whatif_id if whatif is not None and whatif.state == "done" else None
        switch = new_shown is not None and new_shown != shown_id
        # On page load every value is sent: Dash skips the callbacks downstream of a
        # no_update then. Later ticks send only changes, so the charts redraw only then.
        initial = ctx.triggered_id is None
        return (
            status,
            line,
            {"width": f"{100 * width:.0f}%"},
            new_ready if initial or new_ready != ready else no_update,
            new_shown if initial or switch else no_update,
            running is None,
            view_options(new_shown is not None or shown_id is not None),
            "whatif" if switch else "baseline" if initial else no_update,
        )

    @app.callback(
        Output(ID.RUN_MESSAGE, "children", allow_duplicate=True),
        Output(ID.RUN_MESSAGE, "className", allow_duplicate=True),
        Input(ID.SHOWN_WHATIF, "data"),
        prevent_initial_call=True,
    )
    def on_whatif_shown(_whatif_id: str | None) -> tuple:
        """A finished what-if makes "started" or "busy" messages stale: clear them."""
        return "", "message"

    @app.callback(
        Output(ID.YEAR, "min"),
        Output(ID.YEAR, "max"),
        Output(ID.YEAR, "marks"),
        Output(ID.YEAR, "value"),
        Input(ID.VIEW, "value"),
        Input(ID.BASELINE_READY, "data"),
        Input(ID.SHOWN_WHATIF, "data"),
        State(ID.YEAR, "value"),
    )
    def on_years(view: str, _ready: bool, whatif_id: str | None, value: int | None) -> tuple:
        _, runs = shown(view, whatif_id)
        if not runs:
            return no_update, no_update, no_update, no_update
        low, high, marks = panels.year_slider(runs[0])
        keep = value if value is not None and low <= value <= high else low
        return low, high, {str(k): v for k, v in marks.items()}, keep

    @app.callback(
        Output(ID.MAP, "figure"),
        Input(ID.YEAR, "value"),
        Input(ID.VIEW, "value"),
        Input(ID.BASELINE_READY, "data"),
        Input(ID.SHOWN_WHATIF, "data"),
    )
    def on_map(value: int | None, view: str, _ready: bool, whatif_id: str | None) -> go.Figure:
        token, runs = shown(view, whatif_id)
        if not runs:
            return placeholder(waiting())
        year = panels.shown_year(runs[0], value)
        key = (token, year)
        if key not in map_cache:
            map_cache[key] = panels.map_figure(runs[0], year)
            while len(map_cache) > MAP_CACHE_SIZE:
                map_cache.popitem(last=False)
        map_cache.move_to_end(key)
        return map_cache[key]

    @app.callback(
        Output(ID.YEAR, "value", allow_duplicate=True),
        Output(ID.PLAY_TIMER, "disabled"),
        Output(ID.PLAY, "children"),
        Input(ID.PLAY, "n_clicks"),
        Input(ID.PLAY_TIMER, "n_intervals"),
        State(ID.YEAR, "value"),
        State(ID.YEAR, "min"),
        State(ID.YEAR, "max"),
        State(ID.PLAY_TIMER, "disabled"),
        prevent_initial_call=True,
    )
    def on_play(_c: int, _t: int, value: int, low: int, high: int, stopped: bool) -> tuple:
        play, pause = "▶ Play", "❚❚ Pause"
        if ctx.triggered_id == ID.PLAY:
            if not stopped:
                return no_update, True, play
            start = low + 1 if value is None or value <= low or value >= high else value
            return start, False, pause
        if value is None or value >= high:
            return no_update, True, play
        return value + 1, False, pause

    @app.callback(
        Output(ID.PLACE, "children"),
        Input(ID.MAP, "clickData"),
        Input(ID.YEAR, "value"),
        Input(ID.VIEW, "value"),
        Input(ID.SHOWN_WHATIF, "data"),
        prevent_initial_call=True,
    )
    def on_place(click: dict | None, value: int | None, view: str, whatif_id: str | None) -> Any:
        points = (click or {}).get("points") or []
        place = next(
            (p["customdata"] for p in points if isinstance(p.get("customdata"), str)), None
        )
        _, runs = shown(view, whatif_id)
        if place is None or not runs:
            return no_update
        return panels.place_panel(runs[0], place, panels.shown_year(runs[0], value))

    @app.callback(
        Output(ID.ARRIVALS, "figure"),
        Output(ID.STOCKS, "figure"),
        Output(ID.ARRESTS, "figure"),
        Output(ID.MONEY, "figure"),
        Output(ID.CHARTS_NOTE, "children"),
        Input(ID.VIEW, "value"),
        Input(ID.BASELINE_READY, "data"),
        Input(ID.SHOWN_WHATIF, "data"),
    )
    def on_charts(view: str, _ready: bool, whatif_id: str | None) -> tuple:
        token, runs = shown(view, whatif_id)
        if not runs:
            empty = placeholder(waiting())
            return empty, empty, empty, empty, ""
        first = runs[0]
        years = panels.years_of(first)
        if len(runs) > 1:
            arrivals = figures.arrivals_ensemble_chart({"What-if": [r.annual for r in runs]})
        else:  # observed counts of the simulated years only: others would stretch the axes
            observed = observed_arrivals()
            observed = observed[observed["year"].between(years[0], years[-1])]
            arrivals = figures.arrivals_chart(first, observed=observed)
            if years[-1] - years[0] <= 12:
                arrivals.update_xaxes(dtick=1, tickformat="d")
        charts = [
            arrivals,
            figures.stocks_chart(first),
            figures.arrests_chart(first),
            figures.money_chart(first),
        ]
        for fig in charts:
            panels.sized(fig)
        if years[-1] - years[0] > 12:  # the report marks every year: too many for half a page
            charts[3].update_xaxes(dtick=5)
        if token == "baseline":
            note = f"Showing the baseline: {state.baseline_job.label}."
        else:
            job = state.runner.get(token)
            label = job.label if job else token
            note = f"Showing the what-if: {label}."
            if len(runs) > 1:
                note += f" Arrivals show all {len(runs)} runs; the other charts seed {first.seed}."
        return (*charts, note)

    @app.callback(
        Output(ID.COMPARE_CHART, "figure"),
        Output(ID.COMPARE_TABLE, "children"),
        Input(ID.BASELINE_READY, "data"),
        Input(ID.SHOWN_WHATIF, "data"),
    )
    def on_compare(_ready: bool, whatif_id: str | None) -> tuple:
        baseline = state.baseline()
        if baseline is None:
            return placeholder(waiting()), ""
        runs = state.whatif(whatif_id)
        job = state.runner.get(whatif_id)
        fig = panels.compare_chart(baseline, runs, state.stored)
        note = html.P("Run a what-if to compare it with the baseline.", className="hint")
        label = html.P(f"What-if: {job.label}", className="hint") if runs and job else note
        return fig, [label, panels.totals_table(baseline, runs)]
