"""Time the default scenario, 1998-2025 in daily steps, through the public API.

Run: `python -m benchmarks.default_scenario [--runs N] [--until YEAR]`. Prints the wall
time of each run, its ratio to a reference workload timed in the same invocation, and
writes the figures with the machine description to benchmarks/results/.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import tumen
from benchmarks.machine import describe, reference_seconds

RESULTS = Path(__file__).parent / "results" / "default_scenario.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="runs, with seeds 0..N-1")
    parser.add_argument("--until", type=int, default=None, help="end year (default: 2025)")
    args = parser.parse_args()
    scenario = tumen.load_scenario("korea-1998-2025")
    reference = reference_seconds()
    walls = []
    for seed in range(args.runs):
        started = time.perf_counter()
        results = tumen.simulate(scenario, seed=seed, until=args.until)
        walls.append(time.perf_counter() - started)
        print(
            f"seed {seed}: {walls[-1]:.1f} s wall, {walls[-1] / reference:.0f}x the reference, "
            f"{results.summary['escapees_simulated']:,} escapees, "
            f"invariants {'ok' if results.passed else 'FAILED'}"
        )
    record = {
        "scenario": scenario.name,
        "until": args.until,
        "wall_s": walls,
        "best_wall_s": min(walls),
        "reference_s": reference,
        "ratio_to_reference": min(walls) / reference,
        "machine": describe(),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(record, indent=2) + "\n")
    print(f"best {min(walls):.1f} s ({min(walls) / reference:.0f}x reference); wrote {RESULTS}")


if __name__ == "__main__":
    main()
