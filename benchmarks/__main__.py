"""Run every implementation of the minimal route model at every size, in one invocation.

    python -m benchmarks [--sizes 10000,100000,1000000] [--days 365] [--seed S]
                         [--only tumen,numpy,...] [--budget SECONDS] [--repeats R]

Each run is a fresh subprocess of `python -m benchmarks.minimal_route`, so that its peak
memory is its own. Every implementation is run `--repeats` times at every size (3 by
default), and its fastest run is the one compared: a shared machine's speed moves from
run to run, and the fastest run is the one least slowed by others. A reference whose run
at the next size would take longer than the budget (estimated from its time at the size
before, growing in proportion to the agents) is skipped, and the table says so. The
table (fastest and slowest wall time, ratio to Tumen, peak memory, bytes per agent,
agreement with the exact expectations) is printed and written, with the machine
description and its load, to benchmarks/results/minimal_route.json and .md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks.machine import describe, reference_seconds
from benchmarks.minimal_route import IMPLEMENTATIONS, MB

RESULTS = Path(__file__).parent / "results"
SIZES = (10_000, 100_000, 1_000_000)
DAYS = 365
BUDGET_S = 240.0
REPEATS = 3


@dataclass
class Row:
    """One implementation at one size: measured, wrong, failed or skipped (with why).
    Measured `runs` times, it holds its fastest run, and the slowest run's wall time."""

    impl: str
    agents: int
    days: int
    status: str  # "ok", "wrong", "failed" or "skipped"
    note: str = ""
    wall_s: float | None = None
    setup_s: float | None = None
    arrived: int | None = None
    arrested: int | None = None
    peak_mb: float | None = None
    ratio_to_tumen: float | None = None
    runs: int = 0
    slowest_s: float | None = None

    @property
    def bytes_per_agent(self) -> float | None:
        return None if self.peak_mb is None else self.peak_mb * MB / self.agents


def _fields(lines: list[str]) -> dict[str, str]:
    """The key=value pairs of the report lines of one run."""
    return dict(word.split("=", 1) for line in lines for word in line.split() if "=" in word)


def run_one(impl: str, agents: int, days: int, seed: int, timeout: float) -> Row:
    """One run in a fresh process, read back from its report lines."""
    command = [sys.executable, "-m", "benchmarks.minimal_route", "--impl", impl,
               "--agents", str(agents), "--days", str(days), "--seed", str(seed)]
    row = Row(impl, agents, days, status="failed")
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                              cwd=Path(__file__).parent.parent, check=False)
    except subprocess.TimeoutExpired:
        row.note = f"stopped after {timeout:.0f} s"
        return row
    lines = [line for line in done.stdout.splitlines() if line.startswith(impl + " ")]
    fields = _fields(lines)
    if "wall_s" not in fields:
        error = done.stderr.strip().splitlines()
        row.note = error[-1] if error else f"exit status {done.returncode}"
        return row
    row.wall_s, row.setup_s = float(fields["wall_s"]), float(fields["setup_s"])
    row.arrived, row.arrested = int(fields["arrived"]), int(fields["arrested"])
    row.peak_mb = float(fields["peak_rss_mb"])
    row.status = "ok" if done.returncode == 0 else "wrong"
    row.runs, row.slowest_s = 1, row.wall_s
    if done.returncode:
        row.note = done.stderr.strip().splitlines()[-1]
    return row


def run_repeated(impl: str, agents: int, days: int, seed: int, timeout: float,
                 repeats: int) -> Row:
    """`repeats` runs (`run_one`), stopping at one that is not ok: the fastest, counting
    all runs and keeping the slowest time."""
    runs = [run_one(impl, agents, days, seed, timeout)]
    while len(runs) < repeats and runs[-1].status == "ok":
        runs.append(run_one(impl, agents, days, seed, timeout))
    if runs[-1].status != "ok":
        return runs[-1]
    fastest = min(runs, key=lambda row: row.wall_s or 0.0)
    fastest.runs = len(runs)
    fastest.slowest_s = max(row.wall_s or 0.0 for row in runs)
    return fastest


def estimate_s(previous: Row | None, agents: int) -> float | None:
    """Set-up and run time at `agents`, from a smaller run growing in proportion."""
    if previous is None or previous.wall_s is None or previous.setup_s is None:
        return None
    return (previous.wall_s + previous.setup_s) * agents / previous.agents


def run_all(sizes: tuple[int, ...], days: int, seed: int, impls: tuple[str, ...],
            budget_s: float, repeats: int = REPEATS) -> list[Row]:
    """Every implementation at every size, Tumen first; smaller sizes first; each run
    `repeats` times (`run_repeated`)."""
    rows: list[Row] = []
    last: dict[str, Row] = {}
    for agents in sizes:
        for impl in impls:
            guess = estimate_s(last.get(impl), agents)
            if impl != "tumen" and guess is not None and guess > budget_s:
                row = Row(impl, agents, days, status="skipped",
                          note=f"estimated {guess:.0f} s from N={last[impl].agents:,} "
                               f"(budget {budget_s:.0f} s)")
            elif impl in last and last[impl].status in ("skipped", "failed"):
                row = Row(impl, agents, days, status="skipped",
                          note=f"{last[impl].status} at N={last[impl].agents:,}")
            else:
                row = run_repeated(impl, agents, days, seed,
                                   timeout=max(2 * budget_s, 60.0), repeats=repeats)
                last[impl] = row
            if row.status == "skipped":
                last[impl] = row
            rows.append(row)
            _show(row)
        _set_ratios([row for row in rows if row.agents == agents])
    return rows


def _set_ratios(rows: list[Row]) -> None:
    """Each implementation's wall time over Tumen's at the same size."""
    tumen = next((row for row in rows if row.impl == "tumen" and row.wall_s), None)
    for row in rows:
        if tumen is not None and row.wall_s is not None:
            row.ratio_to_tumen = row.wall_s / tumen.wall_s


def _show(row: Row) -> None:
    if row.wall_s is None:
        print(f"  {row.impl:8} N={row.agents:>9,}  {row.status}: {row.note}", flush=True)
    else:
        print(f"  {row.impl:8} N={row.agents:>9,}  wall {row.wall_s:8.2f} s "
              f"(slowest of {row.runs} {_number(row.slowest_s, '.2f')} s)  set-up "
              f"{_number(row.setup_s, '6.2f')} s  peak {_number(row.peak_mb, '7.1f')} MB  "
              f"{row.status} {row.note}", flush=True)


def _number(value: float | None, form: str) -> str:
    return "-" if value is None else format(value, form)


def markdown(rows: list[Row]) -> str:
    """The results as a Markdown table, as docs/performance.md quotes it."""
    lines = [
        "| N | implementation | wall s (fastest) | slowest s | runs | set-up s "
        "| x Tumen's time | peak MB | bytes/agent | arrived | arrested | note |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in rows:
        note = row.note if row.status in ("ok", "skipped") else f"{row.status}: {row.note}"
        lines.append(
            f"| {row.agents:,} | {row.impl} | {_number(row.wall_s, '.2f')} | "
            f"{_number(row.slowest_s, '.2f')} | {row.runs} | "
            f"{_number(row.setup_s, '.2f')} | {_number(row.ratio_to_tumen, '.2f')} | "
            f"{_number(row.peak_mb, '.1f')} | {_number(row.bytes_per_agent, '.0f')} | "
            f"{_number(row.arrived, 'd')} | {_number(row.arrested, 'd')} | {note} |"
        )
    return "\n".join(lines) + "\n"


def load() -> str:
    """The machine's load as `uptime` reports it."""
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=True,
                              timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "load averages " + " ".join(f"{value:.2f}" for value in os.getloadavg())


def write(rows: list[Row], folder: Path, settings: dict[str, object]) -> tuple[Path, Path]:
    """The table, machine and load as JSON and Markdown in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    machine = {**describe(), "reference_s": round(reference_seconds(), 4)}
    when = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    record = {"when": when, "settings": settings, "machine": machine,
              "load_before": settings.pop("load_before"), "load_after": load(),
              "rows": [{**asdict(row), "bytes_per_agent": row.bytes_per_agent}
                       for row in rows]}
    json_path, md_path = folder / "minimal_route.json", folder / "minimal_route.md"
    json_path.write_text(json.dumps(record, indent=2) + "\n")
    header = (f"Minimal route model, T = {settings['days']} days, seed {settings['seed']}, "
              f"fastest of {settings['repeats']} runs each, "
              f"measured {when}.\n\nMachine: {json.dumps(machine)}\n\n"
              f"Load before: {record['load_before']}\n\nLoad after: {record['load_after']}\n\n")
    md_path.write_text(header + markdown(rows))
    return json_path, md_path


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--days", type=int, default=DAYS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", default=",".join(IMPLEMENTATIONS))
    parser.add_argument("--budget", type=float, default=BUDGET_S,
                        help="skip a run estimated to take longer, in seconds")
    parser.add_argument("--repeats", type=int, default=REPEATS,
                        help="runs of each implementation at each size; the fastest counts")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    try:
        args.sizes = tuple(sorted(int(size) for size in args.sizes.split(",")))
    except ValueError:
        parser.error(f"--sizes must be whole numbers separated by commas, got {args.sizes!r}")
    wanted = args.only.split(",")
    if set(wanted) - set(IMPLEMENTATIONS):
        parser.error(f"--only takes some of: {', '.join(IMPLEMENTATIONS)}; got {args.only!r}")
    args.only = tuple(impl for impl in IMPLEMENTATIONS if impl in wanted)
    if min(args.sizes) < 1 or args.days < 1 or args.repeats < 1:
        parser.error("sizes, --days and --repeats must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the suite; status 1 if any implementation disagreed or failed."""
    args = _arguments(argv)
    settings = {"sizes": list(args.sizes), "days": args.days, "seed": args.seed,
                "budget_s": args.budget, "repeats": args.repeats, "load_before": load()}
    print(f"Minimal route model, T = {args.days} days; {settings['load_before']}")
    rows = run_all(args.sizes, args.days, args.seed, args.only, args.budget, args.repeats)
    json_path, md_path = write(rows, args.out, settings)
    print()
    print(markdown(rows))
    print(f"written: {json_path} and {md_path}")
    return 1 if any(row.status in ("wrong", "failed") for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
