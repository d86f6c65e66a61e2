"""The `tumen` command: a thin shell over the public API.

Heavy libraries (plotly for the report) are imported inside the commands that need
them, so that `tumen --help` stays quick.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from tumen.scenario import ScenarioError, builtin_path, builtin_scenarios, load_scenario
from tumen.scenario.schema import Scenario

if TYPE_CHECKING:
    import pandas as pd

    from tumen.ensemble.spec import Sweep
    from tumen.ensemble.store import RunStore
    from tumen.results import Results
    from tumen.validation.calibrate import Calibration

DEFAULT_SCENARIO = "korea-1998-2025"
RUNS_DIR = Path("tumen-runs")

ScenarioArgument = Annotated[
    str, typer.Argument(help="A scenario file, or the name of a built-in scenario.")
]
OutOption = Annotated[
    Path | None, typer.Option(help="Output folder (default: a new one under ./tumen-runs/).")
]
WorkersOption = Annotated[
    int | None, typer.Option(min=1, help="Processes to run on (default: one per core).")
]
StoredSweepOption = Annotated[
    str | None, typer.Option(help="With --store: the sweep, when it holds several.")
]

app = typer.Typer(
    help="Tumen: simulate the underground railroad of North Korean escapees.",
    no_args_is_help=True,
    add_completion=False,
)
scenario_app = typer.Typer(help="List, copy and check scenario files.", no_args_is_help=True)
app.add_typer(scenario_app, name="scenario")
runs_app = typer.Typer(help="Look into a run store that sweeps fill.", no_args_is_help=True)
app.add_typer(runs_app, name="runs")
console = Console()
errors = Console(stderr=True)


def _load(source: str) -> Scenario:
    """Load a scenario or exit with its problems listed, one per line."""
    try:
        return load_scenario(source)
    except ScenarioError as error:
        # soft_wrap: one problem per line, never folded at the terminal's width.
        errors.print(f"[bold red]Scenario not valid[/]: {escape(source)}", soft_wrap=True)
        errors.print(str(error), highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(2) from None


def _slug(scenario: Scenario) -> str:
    """The scenario's name as a folder name a shell needs no quotes for."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", scenario.name).strip("-") or "scenario"


def _new_out(scenario: Scenario, label: str) -> Path:
    """A new folder under ./tumen-runs/: scenario, what was done (`label`) and time."""
    stem = f"{_slug(scenario)}-{label}-{dt.datetime.now():%Y%m%d-%H%M%S}"
    candidate, n = RUNS_DIR / stem, 1
    while candidate.exists():
        n += 1
        candidate = RUNS_DIR / f"{stem}-{n}"
    return candidate


def _cut(scenario: Scenario, until: int | None) -> Scenario:
    """The scenario ending with `until`, or exit with status 2 if that ends it too early."""
    from tumen.api import cut_at

    try:
        return cut_at(scenario, until)
    except ValueError as error:
        errors.print(str(error), style="red", markup=False, soft_wrap=True)
        raise typer.Exit(2) from None


def _usable_out(target: Path, *, may_hold_files: bool = False) -> None:
    """Exit with status 2 unless `target` is missing or a folder (an empty one, unless
    `may_hold_files`)."""
    if target.exists() and not target.is_dir():
        errors.print(
            f"[red]{escape(str(target))} exists and is not a folder[/]; choose another --out.",
            soft_wrap=True,
        )
        raise typer.Exit(2)
    if not may_hold_files and target.exists() and any(target.iterdir()):
        errors.print(
            f"[red]{escape(str(target))} exists and is not empty[/]; choose another --out.",
            soft_wrap=True,
        )
        raise typer.Exit(2)


def _write_whole(target: Path, write: Callable[[Path], None]) -> None:
    """Let `write` fill a side folder, then rename it to `target`, so that a folder is
    never half-written. Resolved, so that `--out .` or `--out ..` names a real sibling."""
    final = target.resolve()
    partial = final.with_name(final.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        write(partial)
        if final.exists():
            final.rmdir()
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


def _resumable_out(target: Path, kept: str | None) -> None:
    """Exit with status 2 unless `target` is missing, empty, or holds only `kept` (what an
    interrupted command left to go on from)."""
    _usable_out(target, may_hold_files=kept is not None)
    if target.exists() and any(path.name != kept for path in target.iterdir()):
        errors.print(
            f"[red]{escape(str(target))} exists and holds more than {kept}/[/]; choose "
            "another --out.",
            soft_wrap=True,
        )
        raise typer.Exit(2)


def _write_into(target: Path, write: Callable[[Path], None]) -> None:
    """Let `write` fill a side folder, then move its files into `target` one by one, in
    name order, so that each file appears whole beside what `target` holds already."""
    partial = target.resolve().with_name(target.resolve().name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        partial.mkdir(parents=True)
        write(partial)
        target.mkdir(parents=True, exist_ok=True)
        for path in sorted(partial.iterdir()):
            path.replace(target / path.name)
    finally:
        shutil.rmtree(partial, ignore_errors=True)


def _progress(counted: str, *more: TextColumn) -> Progress:
    """A transient progress bar: description, bar, `counted` text, extra columns, times."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn(counted),
        *more,
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )


def _summary_table(results: Results, out: Path) -> Table:
    annual = results.annual
    table = Table(title=f"{results.scenario_name}, seed {results.seed}", show_header=True)
    table.add_column("measure")
    table.add_column("value", justify="right")
    first, last = int(annual["year"].iloc[0]), int(annual["year"].iloc[-1])
    arrivals = annual["arrivals_sk"].sum()
    women = annual["arrivals_sk_women"].sum() / arrivals if arrivals else float("nan")
    rows = [
        ("years", f"{first}-{last}"),
        ("departures from North Korea", f"{annual['departures'].sum():,.0f}"),
        ("arrivals in South Korea", f"{arrivals:,.0f}"),
        ("women among arrivals", f"{women:.0%}"),
        ("arrivals in the United States", f"{annual['arrivals_us'].sum():,.0f}"),
        ("arrests in China", f"{annual['arrests_china'].sum():,.0f}"),
        ("repatriations", f"{annual['repatriations'].sum():,.0f}"),
        ("hidden in China at the end", f"{annual['hidden_china'].iloc[-1]:,.0f}"),
        ("safe houses compromised", f"{annual['safe_houses_compromised'].sum():,.0f}"),
        ("money spent on escapes (USD)", f"{annual['cost_usd'].sum():,.0f}"),
        ("remittances home (USD)", f"{annual['remittances_usd'].sum():,.0f}"),
        ("wall time", f"{results.summary.get('wall_time_s', 0):.1f} s"),
    ]
    for check in results.invariants:
        rows.append((f"invariant {check.name}", "ok" if check.passed else "FAILED"))
    rows.append(("written to", str(out)))
    for name, value in rows:
        table.add_row(name, value)
    return table


@app.command()
def run(
    scenario: ScenarioArgument = DEFAULT_SCENARIO,
    out: OutOption = None,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same run.")] = 0,
    until: Annotated[
        int | None, typer.Option(help="End the run at the close of this year.")
    ] = None,
    runs: Annotated[
        int, typer.Option(min=1, help="With more than 1, also run an ensemble of this many "
                                      "seeds (drawn from --seed) for the report's bands; "
                                      "its runs are kept in a run store, store/.")
    ] = 1,
    workers: WorkersOption = None,
) -> None:
    """Simulate a scenario and write annual.csv, daily.parquet, summary.json, report.html."""
    from tumen.api import simulate
    from tumen.report.html import write_report

    loaded = _cut(_load(scenario), until)
    target = out or _new_out(loaded, f"seed{seed}")
    _usable_out(target)
    with _progress("{task.percentage:>3.0f}%") as progress:
        task = progress.add_task(f"simulating {loaded.name}", total=1)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        results = simulate(loaded, seed=seed, progress=advance)

    def write(folder: Path) -> None:
        results.save(folder)
        ensemble = _ensemble(scenario, until, seed, runs, workers, folder / "store")
        write_report(results, folder / "report.html", ensemble)

    _write_whole(target, write)
    console.print(_summary_table(results, target))
    if not results.passed:
        errors.print("[bold red]An invariant failed[/]: see summary.json; this is a bug.")
        raise typer.Exit(1)


def _ensemble(scenario: str, until: int | None, seed: int, runs: int, workers: int | None,
              folder: Path) -> list[pd.DataFrame] | None:
    """The annual tables of `runs` seeds of the scenario, run as a sweep into a run store
    in `folder`; None for a single run."""
    if runs == 1:
        return None
    from tumen.ensemble.spec import seeds_sweep
    from tumen.ensemble.store import RunStore

    sweep = seeds_sweep(runs, scenario, until=until, seed=seed, name="ensemble")
    store = RunStore(folder, create=True)
    _fill_store(sweep, store, workers)
    finished = store.runs("ensemble")
    failed = finished[finished["status"] == "failed"]
    if not failed.empty:
        first = escape(str(failed["error"].iloc[0]))
        errors.print(f"[red]{len(failed)} ensemble runs failed[/]: {first}", soft_wrap=True)
    done = finished.loc[finished["status"] == "done", "idx"]
    return [store.series("ensemble", index) for index in done]


def _fill_store(sweep: Sweep, store: RunStore, workers: int | None, *,
                scheduler: str | None = None, resume: bool = False) -> None:
    """Run the sweep's missing runs into the store, showing runs done, failed and to go,
    the rate and the time left, and the Dask dashboard's address when one is up."""
    from tumen.ensemble.sweep import run_sweep
    from tumen.validation.ensemble import default_workers

    counted = ("{task.completed}/{task.total} done, {task.fields[failed]} failed, "
               "{task.fields[remaining]} to go")
    with _progress(counted, TextColumn("{task.fields[rate]}")) as progress:
        task = progress.add_task(sweep.name, total=len(sweep.runs), failed=0,
                                 remaining=len(sweep.runs), rate="")
        started, first = time.perf_counter(), None

        def advance(done: int, failed: int, total: int) -> None:
            nonlocal first
            first = done if first is None else first
            elapsed = time.perf_counter() - started
            rate = (done - first) / elapsed * 60 if elapsed > 0 and done > first else 0.0
            progress.update(task, completed=done, failed=failed, remaining=total - done,
                            rate=f"{rate:.1f} runs/min" if rate else "")

        run_sweep(sweep, store, workers=workers or default_workers(), scheduler=scheduler,
                  resume=resume, on_progress=advance,
                  on_dashboard=lambda link: console.print(f"Dask dashboard: {link}"))


def _mark(passed: bool | None) -> str:
    if passed is None:
        return "[dim]n/a[/]"
    return "[green]pass[/]" if passed else "[bold red]FAIL[/]"


def _shown(value: float | None, unit: str) -> str:
    """A number for the terminal: shares as percentages, big numbers shortened."""
    if value is None:
        return ""
    if unit == "share":
        return f"{value:.0%}"
    if abs(value) >= 1e6:
        return f"{value / 1e6:,.1f}M"
    if abs(value) >= 1e4:
        return f"{value / 1e3:.3g}k"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _validation_tables(report: dict) -> tuple[Table, Table]:
    """The checks, and the series with their ARDs, for the terminal."""
    checks = Table(
        title=f"{report['scenario']}: {report['runs']} runs against the stylized facts",
        caption="mean and 90% of runs of each measure; n/a: not measured (see validation.json)",
    )
    checks.add_column("check", no_wrap=True)
    for column in ("mean", "90% of runs", "tolerance"):
        checks.add_column(column, justify="right")
    checks.add_column("result", no_wrap=True)
    for item in report["checks"]:
        unit = item["unit"]
        spread = item["interval_90"]
        tolerance = item["tolerance"]
        low = "" if tolerance["low"] is None else _shown(tolerance["low"], unit)
        high = "" if tolerance["high"] is None else _shown(tolerance["high"], unit)
        checks.add_row(
            escape(item["name"]),
            _shown(item["simulated_mean"], unit),
            f"{_shown(spread[0], unit)}–{_shown(spread[1], unit)}" if spread else "",
            f"{low}–{high}" if low and high else (f">= {low}" if low else f"<= {high}"),
            _mark(item["passed"]),
        )
    series = Table(title="Observed series (Ministry of Unification)")
    for column in ("series", "years", "ARD", "threshold"):
        series.add_column(column, justify="right" if column in ("ARD", "threshold") else "left")
    series.add_column("result", no_wrap=True)
    for item in report["series"]:
        series.add_row(
            escape(item["name"]),
            f"{item['years'][0]}-{item['years'][1]}" if item["years"] else "",
            "" if item["ard"] is None else f"{item['ard']:.3f}",
            f"{item['threshold']:.2f}",
            _mark(item["passed"]),
        )
    return checks, series


@app.command()
def validate(
    scenario: ScenarioArgument = DEFAULT_SCENARIO,
    runs: Annotated[
        int | None, typer.Option(min=1, help="Runs in the ensemble, seeds 1 to N (default "
                                             "20).")
    ] = None,
    out: OutOption = None,
    until: Annotated[
        int | None, typer.Option(help="End the runs at the close of this year.")
    ] = None,
    workers: WorkersOption = None,
    store: Annotated[
        Path | None, typer.Option(help="Validate a seeds sweep of the scenario already in "
                                       "this run store (tumen sweep --seeds N) instead of "
                                       "running one.")
    ] = None,
    sweep: StoredSweepOption = None,
    strict: Annotated[
        bool, typer.Option(help="Exit with status 1 if any check or series fails.")
    ] = False,
) -> None:
    """Run an ensemble into a run store (OUT/store) and compare it with the observed
    arrivals and the stylized facts; write validation.json and validation.html. Run it
    again with the same --out after an interruption to finish the ensemble."""
    from tumen.api import package_version
    from tumen.ensemble.spec import given_seeds_sweep
    from tumen.ensemble.store import RunStore, StoreError
    from tumen.validation.stored import RunsFailed, find_sweep, stored_records
    from tumen.validation.validate import failures, validate_records, write_validation

    if store is not None and runs is not None:
        errors.print("[red]--runs and --store exclude each other[/]: a stored sweep has "
                     "its runs already.")
        raise typer.Exit(2)
    if sweep is not None and store is None:
        errors.print("[red]--sweep needs --store[/].")
        raise typer.Exit(2)
    base = _load(scenario)
    loaded = _cut(base, until)
    runs = runs or 20
    label = f"validate-{store.name}" if store is not None else f"validate{runs}"
    target = out or _new_out(loaded, label)
    _resumable_out(target, "store" if store is None else None)
    try:
        if store is not None:
            opened = _open_store(store)
            planned = find_sweep(opened, base, sweep, until)
        else:
            planned = given_seeds_sweep(range(1, runs + 1), scenario, until, name="validation")
            target.mkdir(parents=True, exist_ok=True)
            opened = RunStore(target / "store", create=True)
            try:
                _fill_store(planned, opened, workers, resume=True)
            except KeyboardInterrupt:
                errors.print(f"interrupted; finished runs are kept in {escape(str(target))}"
                             "/store: run the same command again to finish.", soft_wrap=True)
                raise typer.Exit(130) from None
        records = stored_records(opened, planned)
    except StoreError as error:
        errors.print(f"[red]{escape(str(error))}[/]", soft_wrap=True)
        raise typer.Exit(2) from None
    except RunsFailed as error:
        errors.print(f"[bold red]Runs failed[/]: {escape(str(error))}", soft_wrap=True)
        raise typer.Exit(1) from None
    report = validate_records(records, loaded.name, version=package_version())
    _write_into(target, lambda folder: write_validation(report, folder))
    for table in _validation_tables(report):
        console.print(table)
    failed = failures(report)
    console.print(
        f"{len(failed)} failed: {escape(', '.join(failed)) or 'none'}; written to "
        f"{escape(str(target))}",
        soft_wrap=True,
    )
    if strict and failed:
        raise typer.Exit(1)


def _calibration_table(result: Calibration) -> Table:
    """The best values beside the starting ones, and the loss of each."""
    table = Table(title=f"calibration: best of {result.complete} trials", show_header=True)
    table.add_column("")
    for name in ("start", "best", "range"):
        table.add_column(name, justify="right")
    for p in result.free_parameters:
        log = ", log" if p.log else ""
        best = result.best_values.get(p.path)
        table.add_row(
            p.path,
            f"{p.value:.4g}",
            "" if best is None else f"{best:.4g}",
            f"[{p.low:g}, {p.high:g}{log}]",
        )
    start, best = result.start, result.best
    for label, attr in (("loss", "loss"), ("  ARD arrivals", "arrivals_ard"),
                        ("  ARD women's share", "women_share_ard")):
        table.add_row(
            label,
            "" if start is None else f"{getattr(start, attr):.4f}",
            "" if best is None else f"{getattr(best, attr):.4f}",
            "",
        )
    return table


@app.command("calibrate")
def calibrate_command(
    scenario: ScenarioArgument = DEFAULT_SCENARIO,
    trials: Annotated[
        int, typer.Option(min=1, help="Trials in all; those already in --out count.")
    ] = 100,
    out: Annotated[
        Path | None,
        typer.Option(help="Study folder; the same one continues a study "
                     "(default: ./tumen-runs/SCENARIO-calibration)."),
    ] = None,
    seeds: Annotated[int, typer.Option(min=1, help="Runs per trial, seeds 1 to K.")] = 3,
    until: Annotated[
        int, typer.Option(help="Simulate and score up to the close of this year.")
    ] = 2015,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Processes per trial (default: one per core).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the TPE sampler.")] = 0,
    refine: Annotated[
        int, typer.Option(min=0, help="Instead of TPE trials, this many sweeps of a "
                          "coordinate search from the scenario's values (--trials unused).")
    ] = 0,
    step: Annotated[
        float | None, typer.Option(min=0.0, max=1.0, help="With --refine: each value's first "
                                   "step, as a share of its range (default 1/16).")
    ] = None,
) -> None:
    """Fit a scenario's free parameters to the observed arrivals and women's share.

    Free parameters are values written {value: V, calibrate: {low: L, high: H}}.
    Writes best.json, top10.csv, posterior.json and calibrated.yaml to --out.
    Ctrl-C stops; the same command with the same --out continues.
    """
    from tumen.validation.calibrate import CalibrationError, calibrate
    from tumen.validation.ensemble import default_workers
    from tumen.validation.refine import refine as refine_values

    loaded = _load(scenario)
    if not loaded.free_parameters:
        errors.print(
            f"[red]{escape(scenario)} has no free parameters[/]: write each value to fit as "
            "{value: V, calibrate: {low: L, high: H}} (docs/scenarios.md, Free parameters).",
            soft_wrap=True,
        )
        raise typer.Exit(2)
    target = out or RUNS_DIR / f"{_slug(loaded)}-calibration"
    _usable_out(target, may_hold_files=True)
    with _progress("{task.completed}/{task.total} trials",
                   TextColumn("best loss {task.fields[best]}")) as progress:
        task = progress.add_task(f"calibrating {loaded.name}", total=trials, best="-")
        started: list[int] = []

        def on_trial(done: int, total: int, best: float | None) -> None:
            if not started:
                started.append(done)
                if done:
                    more = max(0, total - done)
                    if refine:
                        plan = f"the search reuses them and runs at most {more} more."
                    elif more:
                        plan = f"running {more} more to reach {total}."
                    else:
                        plan = f"nothing to run for --trials {total}."
                    progress.console.print(
                        f"{done} trials already in {escape(str(target / 'study.db'))}; {plan}",
                        soft_wrap=True,
                    )
            shown = "-" if best is None else f"{best:.4f}"
            progress.update(task, completed=min(done, total), total=total, best=shown)

        settings = {"seeds": seeds, "until": until, "on_trial": on_trial,
                    "workers": workers or min(seeds, default_workers())}
        try:
            if refine:
                steps = {} if step is None else {"step": step}
                result = refine_values(scenario, target, refine, **steps, **settings)
            else:
                result = calibrate(scenario, target, trials, seed=seed, **settings)
        except CalibrationError as error:
            errors.print(str(error), style="red", markup=False, soft_wrap=True)
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            progress.stop()
            errors.print(
                f"[yellow]Interrupted[/]: the trials done are kept in "
                f"{escape(str(target / 'study.db'))}; run the same command to continue.",
                soft_wrap=True,
            )
            raise typer.Exit(130) from None
    console.print(
        f"{result.trials_run} trials run now, {result.trials_before} before; "
        f"{result.complete} scored, {result.failed} failed (values the scenario refuses).",
        soft_wrap=True,
    )
    if result.best is None:
        errors.print("[red]No trial could be scored[/]: see the failed trials in study.db.")
        raise typer.Exit(1)
    console.print(_calibration_table(result))
    console.print(
        f"written to {escape(str(target))}: best.json, top10.csv, posterior.json, "
        "calibrated.yaml",
        soft_wrap=True,
    )


def _design_table(table: pd.DataFrame) -> Table:
    """Exposure and coordination of each design; dominated designs marked."""
    shown = Table(title="network designs: one caught cell", show_header=True)
    for name in ("design", "level", "people (mean)", "people (worst)", "cells (mean)",
                 "secrecy", "hand-off days", "hand-off failure", ""):
        shown.add_column(name, justify="left" if name == "design" else "right")
    for row in table.itertuples():
        shown.add_row(row.design, f"{row.level:g}", f"{row.people_random:.1%}",
                      f"{row.people_worst:.1%}", f"{row.cells_random:.1%}", f"{row.secrecy:.3f}",
                      f"{row.handoff_days:.1f}", f"{row.handoff_failure:.1%}",
                      "[dim]dominated[/]" if row.dominated else "[green]frontier[/]")
    return shown


@app.command()
def exposure(
    scenario: ScenarioArgument = DEFAULT_SCENARIO,
    design: Annotated[
        list[str] | None,
        typer.Option(help="A design to score (repeat; default: all): connected, chain, hub, "
                          "cells, windmill."),
    ] = None,
    level: Annotated[
        list[float] | None,
        typer.Option(min=0.0, max=1.0, help="Compartmentalisation level, 0 (fully connected) "
                                            "to 1 (the pure design); repeat for several."),
    ] = None,
    p: Annotated[
        float | None,
        typer.Option("--p", min=0.0, max=1.0,
                     help="Per-link disclosure probability (default: the scenario's)."),
    ] = None,
    samples: Annotated[
        int, typer.Option(min=100, help="Cascades sampled per caught cell on large graphs.")
    ] = 5_000,
    out: OutOption = None,
) -> None:
    """Score network designs for the scenario's cells: what one caught cell gives away
    against what hand-offs cost; write exposure.csv and frontier.html."""
    from tumen.analysis.frontier import design_table, write_frontier
    from tumen.scenario.designs import DESIGNS

    loaded = _load(scenario)
    designs = design or list(DESIGNS)
    unknown = [name for name in designs if name not in DESIGNS]
    if unknown:
        errors.print(f"[red]Unknown design {escape(', '.join(unknown))}[/]; choose from "
                     f"{', '.join(DESIGNS)}.", soft_wrap=True)
        raise typer.Exit(2)
    if not loaded.network.cells:
        errors.print(f"[red]{escape(scenario)} has no network cells[/]; add cells under "
                     "network.cells (see docs/scenarios.md).", soft_wrap=True)
        raise typer.Exit(2)
    target = out or _new_out(loaded, "exposure")
    _usable_out(target)
    with _progress("{task.completed}/{task.total} designs") as progress:
        task = progress.add_task("scoring designs", total=len(designs) * len(level or [1.0]))
        table = design_table(
            loaded.network, designs, level or [1.0], p, samples,
            on_done=lambda done, total: progress.update(task, completed=done, total=total),
        )
    _write_whole(target, lambda folder: write_frontier(table, folder, loaded.name))
    console.print(_design_table(table))
    console.print(f"written to {escape(str(target))}", soft_wrap=True)


@app.command()
def compare(
    scenarios: Annotated[
        list[str], typer.Argument(help="Two or more scenario files or built-in names; the "
                                       "first is the baseline.")
    ],
    runs: Annotated[int, typer.Option(min=1, help="Seeds per scenario, 1 to N.")] = 10,
    until: Annotated[
        int | None, typer.Option(help="End the runs at the close of this year.")
    ] = None,
    workers: WorkersOption = None,
    out: OutOption = None,
) -> None:
    """Run scenarios side by side with the same seeds and show how each differs from the
    first: arrivals, arrests, compromised safe houses, journey time, cost per arrival."""
    from tumen.analysis.compare import compare_runs, differences, write_comparison
    from tumen.validation.ensemble import default_workers

    if len(scenarios) < 2:
        errors.print("[red]compare needs at least two scenarios[/]; the first is the baseline.")
        raise typer.Exit(2)
    loaded = [_cut(_load(source), until) for source in scenarios]
    labels = [Path(source).stem if Path(source).suffix else source for source in scenarios]
    if len(set(labels)) < len(labels):
        labels = [f"{i + 1}: {label}" for i, label in enumerate(labels)]
    target = out or _new_out(loaded[0], f"compare{len(loaded)}")
    _usable_out(target)
    with _progress("{task.completed}/{task.total} runs") as progress:
        task = progress.add_task("simulating", total=runs * len(loaded))
        table = compare_runs(
            loaded, labels, list(range(1, runs + 1)), workers=workers or default_workers(),
            on_done=lambda done, total: progress.update(task, completed=done, total=total),
        )
    diff = differences(table)
    _write_whole(target, lambda folder: write_comparison(table, diff, folder))
    shown = Table(title=f"against {labels[0]}, {runs} seeds each", show_header=True)
    for name in ("scenario", "measure", "baseline", "scenario mean", "difference", "90% of runs"):
        shown.add_column(name, justify="left" if name in ("scenario", "measure") else "right")
    for row in diff.itertuples():
        shown.add_row(escape(row.scenario), row.measure, f"{row.baseline_mean:,.1f}",
                      f"{row.scenario_mean:,.1f}", f"{row.difference_mean:+,.1f}",
                      f"{row.difference_p5:+,.1f} to {row.difference_p95:+,.1f}")
    console.print(shown)
    console.print(f"written to {escape(str(target))}", soft_wrap=True)


@app.command()
def serve(
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8050,
    host: Annotated[
        str,
        typer.Option(help="Interface to listen on; anything but 127.0.0.1 lets other machines in."),
    ] = "127.0.0.1",
    store: Annotated[
        Path | None, typer.Option(help="A run store whose seeds sweep (tumen sweep --seeds N) "
                                       "the compare chart draws beside the runs: median "
                                       "and 5-95% band.")
    ] = None,
    sweep: StoredSweepOption = None,
) -> None:
    """Open the interactive dashboard: map, charts and what-if runs (Ctrl-C to stop)."""
    from tumen.dashboard.app import serve as serve_dashboard
    from tumen.dashboard.ensemble import stored_ensemble
    from tumen.ensemble.store import StoreError

    if sweep is not None and store is None:
        errors.print("[red]--sweep needs --store[/].")
        raise typer.Exit(2)
    try:
        stored = None if store is None else stored_ensemble(store, sweep)
    except StoreError as error:
        errors.print(f"[red]{escape(str(error))}[/]", soft_wrap=True)
        raise typer.Exit(2) from None
    serve_dashboard(host=host, port=port, store=RUNS_DIR / "dashboard", stored=stored)


@app.command()
def sweep(
    spec: Annotated[
        Path | None, typer.Argument(help="A sweep file (see docs/scaling.md); omit it with "
                                         "--seeds.")
    ] = None,
    seeds: Annotated[
        int | None, typer.Option(min=1, help="Without a sweep file: this many seeds of "
                                             "--scenario.")
    ] = None,
    scenario: Annotated[
        str, typer.Option(help="With --seeds: a scenario file or built-in name.")
    ] = DEFAULT_SCENARIO,
    until: Annotated[
        int | None, typer.Option(help="With --seeds: end the runs at the close of this year.")
    ] = None,
    seed: Annotated[int, typer.Option(min=0, help="With --seeds: the sweep's seed.")] = 0,
    out: Annotated[
        Path, typer.Option(help="The run store folder (created if missing).")
    ] = Path("tumen-store"),
    workers: WorkersOption = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Address of a running Dask scheduler, "
                                      "tcp://host:port (default: a local cluster).")
    ] = None,
    resume: Annotated[
        bool, typer.Option(help="Finish a sweep already in the store: run only what is "
                                "missing.")
    ] = False,
) -> None:
    """Run a sweep (seeds, a grid, a Latin hypercube, or listed scenarios) on Dask and
    record every run in a run store; Ctrl-C keeps what is finished."""
    from tumen.ensemble.spec import load_sweep, seeds_sweep
    from tumen.ensemble.store import RunStore, StoreError

    if (spec is None) == (seeds is None):
        errors.print("[red]give a sweep file or --seeds N[/] (not both).")
        raise typer.Exit(2)
    try:
        if spec is not None:
            planned = load_sweep(spec)
        else:
            _load(scenario)  # a bad scenario is reported now, not once per run
            planned = seeds_sweep(seeds or 1, scenario, until=until, seed=seed)
        store = RunStore(out, create=True)
    except ScenarioError as error:
        errors.print(f"[bold red]Sweep file not valid[/]: {escape(str(spec))}", soft_wrap=True)
        errors.print(str(error), highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(2) from None
    except StoreError as error:
        errors.print(f"[red]{escape(str(error))}[/]", soft_wrap=True)
        raise typer.Exit(2) from None
    try:
        _fill_store(planned, store, workers, scheduler=scheduler, resume=resume)
    except StoreError as error:
        errors.print(f"[red]{escape(str(error))}[/]", soft_wrap=True)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        errors.print(f"interrupted; finished runs are in {escape(str(out))}: add --resume "
                     "to the same command to run the rest.", soft_wrap=True)
        raise typer.Exit(130) from None
    console.print(_sweeps_table(store), soft_wrap=True)


@app.command()
def sensitivity(
    spec: Annotated[Path, typer.Argument(help="A sweep file whose vary.sample.ranges name "
                                              "the values and their ranges.")],
    method: Annotated[str, typer.Option(help="sobol (first-order and total indices) or "
                                             "morris (elementary effects).")] = "sobol",
    out: Annotated[
        Path, typer.Option(help="Folder for the run store and the results (created if "
                                "missing).")
    ] = Path("tumen-sensitivity"),
    workers: WorkersOption = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Address of a running Dask scheduler.")
    ] = None,
    resume: Annotated[bool, typer.Option(help="Finish an analysis stopped midway.")] = False,
) -> None:
    """Global sensitivity of arrivals, arrests, compromised houses, journey time and cost
    per arrival to the ranged values of a sweep file (SALib); sensitivity.csv and .html."""
    from tumen.analysis.sensitivity import Method, design, indices, write_sensitivity
    from tumen.ensemble.spec import read_sweep_file
    from tumen.ensemble.store import RunStore, StoreError
    from tumen.ensemble.sweep import run_sweep
    from tumen.validation.ensemble import default_workers

    if method not in tuple(Method):
        errors.print(f"[red]--method must be sobol or morris[/], got {escape(method)}.")
        raise typer.Exit(2)
    try:
        plan = design(read_sweep_file(spec), spec.parent, Method(method))
        store = RunStore(out / "store", create=True)
    except ScenarioError as error:
        errors.print(f"[bold red]Sweep file not valid[/]: {escape(str(spec))}", soft_wrap=True)
        errors.print(str(error), highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(2) from None
    except (ValueError, StoreError) as error:
        errors.print(f"[red]{escape(str(error))}[/]", soft_wrap=True)
        raise typer.Exit(2) from None
    with _progress("{task.completed}/{task.total} runs") as progress:
        task = progress.add_task(f"sensitivity ({method})", total=len(plan.sweep.runs))
        try:
            run_sweep(plan.sweep, store, workers=workers or default_workers(),
                      scheduler=scheduler, resume=resume,
                      on_progress=lambda done, failed, total: progress.update(
                          task, completed=done, total=total))
        except StoreError as error:
            errors.print(f"[red]{escape(str(error))}[/]", soft_wrap=True)
            raise typer.Exit(2) from None
    try:
        table = indices(plan, store.runs(plan.sweep.name), Method(method))
    except ValueError as error:
        errors.print(f"[red]{escape(str(error))}[/]", soft_wrap=True)
        raise typer.Exit(1) from None
    write_sensitivity(table, Method(method), out)
    shown = Table(title=f"{method} sensitivity, {len(plan.sweep.runs)} runs", show_header=True)
    for name in table.columns:
        shown.add_column(name, justify="left" if name in ("output", "parameter") else "right")
    for row in table.itertuples(index=False):
        shown.add_row(*[str(value) if isinstance(value, str) else
                        ("-" if value != value else f"{value:.3f}") for value in row])
    console.print(shown)
    console.print(f"written to {escape(str(out))}", soft_wrap=True)


def _open_store(folder: Path) -> RunStore:
    from tumen.ensemble.store import RunStore, StoreError

    try:
        return RunStore(folder)
    except StoreError as error:
        errors.print(f"[red]{escape(str(error))}[/]", soft_wrap=True)
        raise typer.Exit(2) from None


def _sweeps_table(store: RunStore) -> Table:
    import pandas as pd

    table = Table(title=str(store.folder), show_header=True)
    for name in ("sweep", "until", "planned", "finished", "failed"):
        table.add_column(name, justify="left" if name == "sweep" else "right")
    for row in store.sweeps().itertuples():
        until = "-" if pd.isna(row.until) else str(int(row.until))
        table.add_row(escape(row.sweep), until, str(row.planned), str(row.finished),
                      str(row.failed))
    return table


StoreArgument = Annotated[Path, typer.Argument(help="A run store folder.")]


@runs_app.command("list")
def runs_list(store: StoreArgument) -> None:
    """The sweeps in a store, with their runs planned, finished and failed."""
    console.print(_sweeps_table(_open_store(store)), soft_wrap=True)


@runs_app.command("show")
def runs_show(
    store: StoreArgument,
    run: Annotated[int, typer.Argument(help="The run's index in its sweep.")],
    sweep: Annotated[
        str | None, typer.Option(help="The sweep (needed when the store holds several).")
    ] = None,
) -> None:
    """One run: its scenario, values, seed, status, measures and annual arrivals."""
    import json

    opened = _open_store(store)
    names = opened.sweeps()["sweep"].tolist()
    if sweep is None and len(names) != 1:
        errors.print(f"[red]the store holds {len(names)} sweeps[/]; name one with --sweep "
                     f"({', '.join(names)}).", soft_wrap=True)
        raise typer.Exit(2)
    name = sweep or names[0]
    rows = opened.runs(name)
    found = rows[rows["idx"] == run]
    if found.empty:
        errors.print(f"[red]no run {run} in sweep {escape(name)}[/] (finished runs: "
                     f"{len(rows)}).", soft_wrap=True)
        raise typer.Exit(2)
    record = found.iloc[0]
    table = Table(title=f"{name}, run {run}", show_header=False)
    table.add_column("field")
    table.add_column("value", justify="right")
    table.add_row("scenario", escape(str(record["scenario"])))
    table.add_row("seed", str(record["seed"]))
    table.add_row("status", str(record["status"]))
    if record["status"] == "failed":
        table.add_row("error", escape(str(record["error"])))
    table.add_row("wall time", f"{record['wall_s']:.1f} s")
    for path, value in json.loads(record["parameters"]).items():
        table.add_row(escape(path), f"{value:g}")
    if record["status"] == "done":
        from tumen.ensemble.store import MEASURES

        for measure in MEASURES:
            table.add_row(measure, f"{record[measure]:,.1f}")
        annual = opened.series(name, run)
        for year, arrivals in zip(annual["year"], annual["arrivals_sk"], strict=True):
            table.add_row(f"arrivals in South Korea, {year}", f"{arrivals:,.0f}")
    console.print(table)


@runs_app.command("export")
def runs_export(
    store: StoreArgument,
    out: Annotated[Path, typer.Option(help="The file to write.")],
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet.")] = "csv",
    sweep: Annotated[str | None, typer.Option(help="Only this sweep.")] = None,
) -> None:
    """One row per run and year: sweep, run index, seed, the values set, then the columns
    of annual.csv."""
    if fmt not in ("csv", "parquet"):
        errors.print(f"[red]--format must be csv or parquet[/], got {escape(fmt)}.")
        raise typer.Exit(2)
    table = _open_store(store).export(sweep)
    partial = out.with_name(out.name + ".partial")
    if fmt == "csv":
        table.to_csv(partial, index=False)
    else:
        table.to_parquet(partial, index=False)
    partial.replace(out)
    console.print(f"wrote {len(table):,} rows to {escape(str(out))}", soft_wrap=True)


@scenario_app.command("list")
def scenario_list() -> None:
    """List the built-in scenarios."""
    for name in builtin_scenarios():
        console.print(name, soft_wrap=True)


@scenario_app.command("copy")
def scenario_copy(
    name: Annotated[str, typer.Argument(help="A built-in scenario name.")],
    destination: Annotated[Path, typer.Argument(help="Where to write the copy.")],
    force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False,
) -> None:
    """Write a built-in scenario out as a YAML file to edit."""
    try:
        source = builtin_path(name)
    except ScenarioError as error:
        errors.print(str(error), markup=False, soft_wrap=True)
        raise typer.Exit(2) from None
    if destination.exists() and not force:
        errors.print(
            f"[red]{escape(str(destination))} exists[/]; pass --force to overwrite it.",
            soft_wrap=True,
        )
        raise typer.Exit(2)
    try:
        shutil.copyfile(source, destination)
    except OSError as error:
        errors.print(
            f"[red]cannot write {escape(str(destination))}[/]: "
            f"{escape(error.strerror or str(error))}",
            soft_wrap=True,
        )
        raise typer.Exit(2) from None
    console.print(
        f"wrote {escape(str(destination))}; run it with: tumen run {escape(str(destination))}",
        soft_wrap=True,
    )


@scenario_app.command("check")
def scenario_check(
    source: Annotated[str, typer.Argument(help="A scenario file or built-in name.")],
) -> None:
    """Validate a scenario file without running it."""
    loaded = _load(source)
    console.print(
        f"{escape(source)}: valid ({len(loaded.locations)} locations, {len(loaded.routes)} routes, "
        f"{len(loaded.timeline)} timeline events)",
        soft_wrap=True,
    )


def main() -> None:
    """Entry point of the `tumen` console script."""
    app()
