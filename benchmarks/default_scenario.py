"""Time the default scenario, 1998-2025 in daily steps, through the public API, and how
its cost grows with the population and with the years simulated.

Run: `python -m benchmarks.default_scenario [--runs N] [--until YEAR] [--scales 1,4,16]
[--scale-until YEAR]`. Each measurement runs in a fresh subprocess, so that its peak
memory is its own. It prints, and writes with the machine description to
benchmarks/results/default_scenario.json:

- the default scenario's wall time (best of N runs) and its ratio to a reference
  workload timed in the same invocation, against the 10-second target;
- wall time and memory at each year of one run (growth with the years simulated);
- wall time and peak memory with the population scaled (growth with the population).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import tumen
from benchmarks.machine import reference_seconds, write_record
from tumen.ensemble.sweep import peak_rss_mb

RESULTS = Path(__file__).parent / "results" / "default_scenario.json"
TARGET_S = 10.0


def scaled(scenario: tumen.Scenario, factor: float) -> tumen.Scenario:
    """The scenario with a population `factor` times larger: departures, the initial
    stock and the families resettled before, with the flights out of Thailand and the
    rescue budget scaled alike so that the larger flows are not held up by them."""
    population = scenario.population
    initial = [group.model_copy(update={"count": round(group.count * factor)})
               for group in population.initial]
    population = population.model_copy(update={
        "departures_per_day": population.departures_per_day * factor,
        "initial": initial,
        "resettled_before": round(population.resettled_before * factor),
    })
    params = scenario.parameters
    asylum = params.asylum.model_copy(
        update={"flights_per_day": params.asylum.flights_per_day * factor})
    finance = params.finance.model_copy(
        update={"rescue_budget_usd_per_year": params.finance.rescue_budget_usd_per_year
                * factor})
    params = params.model_copy(update={"asylum": asylum, "finance": finance})
    return scenario.model_copy(update={"population": population, "parameters": params})


def measure(scale: float, until: int | None, seed: int) -> dict[str, object]:
    """One run, in this process: wall time, escapees, peak memory, and the cumulative
    wall time and peak memory at the end of each simulated year."""
    scenario = scaled(tumen.load_scenario("korea-1998-2025"), scale)
    start_year = scenario.period.start.year
    baseline = peak_rss_mb()
    by_year: list[dict[str, float]] = []
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if done // 365 > len(by_year) or done == total:
            by_year.append({"year": start_year + len(by_year),
                            "wall_s": round(time.perf_counter() - started, 3),
                            "peak_rss_mb": round(peak_rss_mb(), 1)})

    results = tumen.simulate(scenario, seed=seed, until=until, progress=progress)
    wall = time.perf_counter() - started
    return {
        "scale": scale,
        "until": until,
        "seed": seed,
        "wall_s": round(wall, 3),
        "escapees": results.summary["escapees_simulated"],
        "invariants_passed": results.passed,
        "baseline_rss_mb": round(baseline, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "by_year": by_year,
    }


def measured(scale: float, until: int | None, seed: int) -> dict[str, object]:
    """`measure` in a fresh interpreter, so that peak memory is this run's alone."""
    command = [sys.executable, "-m", "benchmarks.default_scenario", "--one",
               "--scale", str(scale), "--seed", str(seed)]
    if until is not None:
        command += ["--until", str(until)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of the default, seeds 0..N-1")
    parser.add_argument("--until", type=int, default=None, help="end year (default: 2025)")
    parser.add_argument("--scales", default="1,4,16",
                        help="population factors for the growth table (default: 1,4,16)")
    parser.add_argument("--scale-until", type=int, default=2005,
                        help="end year of the population runs (default: 2005)")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--scale", type=float, default=1.0, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.scale, args.until, args.seed)))
        return

    reference = reference_seconds()
    runs = [measured(1.0, args.until, seed) for seed in range(args.runs)]
    for run in runs:
        print(f"seed {run['seed']}: {run['wall_s']:.1f} s wall, "
              f"{run['wall_s'] / reference:.0f}x the reference, {run['escapees']:,} escapees, "
              f"peak {run['peak_rss_mb']:.0f} MB, "
              f"invariants {'ok' if run['invariants_passed'] else 'FAILED'}")
    best = min(run["wall_s"] for run in runs)
    verdict = ""
    if args.until is None:
        verdict = f"; target {TARGET_S:.0f} s: {'met' if best <= TARGET_S else 'not met'}"
    print(f"best {best:.1f} s ({best / reference:.0f}x reference){verdict}")

    print("\ngrowth with the years simulated (first run):")
    for point in runs[0]["by_year"]:
        print(f"  to the end of {point['year']}: {point['wall_s']:6.1f} s, "
              f"peak {point['peak_rss_mb']:.0f} MB")

    scales = [float(value) for value in args.scales.split(",")]
    growth = [measured(scale, args.scale_until, 0) for scale in scales]
    print(f"\ngrowth with the population (runs to the end of {args.scale_until}):")
    for point in growth:
        relative = point["wall_s"] / growth[0]["wall_s"]
        print(f"  x{point['scale']:g}: {point['escapees']:>9,} escapees, "
              f"{point['wall_s']:6.1f} s ({relative:.1f}x), peak {point['peak_rss_mb']:.0f} MB")

    record = {
        "scenario": "korea-1998-2025",
        "until": args.until,
        "runs": runs,
        "best_wall_s": best,
        "target_s": TARGET_S,
        "reference_s": reference,
        "ratio_to_reference": best / reference,
        "population_growth": growth,
    }
    write_record(RESULTS, record)


if __name__ == "__main__":
    main()
