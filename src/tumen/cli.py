"""The `tumen` command: a thin shell over the public API.

Heavy libraries (plotly for the report) are imported inside the commands that need
them, so that `tumen --help` stays quick.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
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
    from tumen.results import Results

DEFAULT_SCENARIO = "korea-1998-2025"
RUNS_DIR = Path("tumen-runs")

app = typer.Typer(
    help="Tumen: simulate the underground railroad of North Korean escapees.",
    no_args_is_help=True,
    add_completion=False,
)
scenario_app = typer.Typer(help="List, copy and check scenario files.", no_args_is_help=True)
app.add_typer(scenario_app, name="scenario")
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


def _default_out(scenario: Scenario, seed: int) -> Path:
    """A new folder under ./tumen-runs/, named for a shell: scenario, seed and time."""
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", scenario.name).strip("-") or "scenario"
    stem = f"{slug}-seed{seed}-{dt.datetime.now():%Y%m%d-%H%M%S}"
    candidate, n = RUNS_DIR / stem, 1
    while candidate.exists():
        n += 1
        candidate = RUNS_DIR / f"{stem}-{n}"
    return candidate


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
    scenario: Annotated[
        str, typer.Argument(help="A scenario file, or the name of a built-in scenario.")
    ] = DEFAULT_SCENARIO,
    out: Annotated[
        Path | None, typer.Option(help="Output folder (default: a new one under ./tumen-runs/).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same run.")] = 0,
    until: Annotated[
        int | None, typer.Option(help="End the run at the close of this year.")
    ] = None,
) -> None:
    """Simulate a scenario and write annual.csv, daily.parquet, summary.json, report.html."""
    from tumen.api import cut_at, simulate
    from tumen.report.html import write_report

    loaded = _load(scenario)
    try:
        loaded = cut_at(loaded, until)
    except ValueError as error:
        errors.print(str(error), style="red", markup=False, soft_wrap=True)
        raise typer.Exit(2) from None
    target = out or _default_out(loaded, seed)
    if target.exists() and not target.is_dir():
        errors.print(
            f"[red]{escape(str(target))} exists and is not a folder[/]; choose another --out.",
            soft_wrap=True,
        )
        raise typer.Exit(2)
    if target.exists() and any(target.iterdir()):
        errors.print(
            f"[red]{escape(str(target))} exists and is not empty[/]; choose another --out.",
            soft_wrap=True,
        )
        raise typer.Exit(2)
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(f"simulating {loaded.name}", total=1)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        results = simulate(loaded, seed=seed, progress=advance)
    # Write into a side folder and rename at the end, so a run is never half-written.
    # Resolved, so that `--out .` or `--out ..` names a real sibling folder.
    final = target.resolve()
    partial = final.with_name(final.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        results.save(partial)
        write_report(results, partial / "report.html")
        if final.exists():
            final.rmdir()
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    console.print(_summary_table(results, target))
    if not results.passed:
        errors.print("[bold red]An invariant failed[/]: see summary.json; this is a bug.")
        raise typer.Exit(1)


@app.command()
def serve(
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8050,
    host: Annotated[
        str,
        typer.Option(help="Interface to listen on; anything but 127.0.0.1 lets other machines in."),
    ] = "127.0.0.1",
) -> None:
    """Open the interactive dashboard: map, charts and what-if runs (Ctrl-C to stop)."""
    from tumen.dashboard.app import serve as serve_dashboard

    serve_dashboard(host=host, port=port, store=RUNS_DIR / "dashboard")


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
