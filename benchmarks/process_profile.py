"""Where the default scenario's time goes: wall time per daily process, per simulated
year, and what the day loop itself costs.

Run: `python -m benchmarks.process_profile [--until YEAR] [--seed S]`. The run is the
engine's own (`tumen.engine.simulate.run`) with each process's `step` wrapped in a
timer, so the shares are of the real work; the wrapping adds a few microseconds a step.
It prints a table and writes it with the machine description to
benchmarks/results/process_profile.json.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from pathlib import Path

import tumen
from benchmarks.machine import write_record
from tumen.api import cut_at
from tumen.engine import simulate as engine
from tumen.scenario.compile import compile_scenario

RESULTS = Path(__file__).parent / "results" / "process_profile.json"


class Timed:
    """A process whose steps add their wall time to a shared tally under its name."""

    def __init__(self, process: engine.Process, tally: dict[str, float]):
        self._process, self._tally = process, tally
        self.name = process.name

    def step(self, ctx: engine.Context) -> None:
        started = time.perf_counter()
        self._process.step(ctx)
        self._tally[self.name] += time.perf_counter() - started


def profile(until: int | None, seed: int) -> dict[str, object]:
    """One run of the default scenario with every process timed."""
    scenario = cut_at(tumen.load_scenario("korea-1998-2025"), until)
    world = compile_scenario(scenario)
    tally: dict[str, float] = defaultdict(float)
    order = [Timed(process, tally) for process in engine.processes_for(world)]
    started = time.perf_counter()
    engine.run(world, seed, order=order)
    wall = time.perf_counter() - started
    days = world.n_days
    in_steps = sum(tally.values())
    rows = [{"process": name, "seconds": round(seconds, 3), "share": round(seconds / wall, 3),
             "us_per_day": round(1e6 * seconds / days, 1)}
            for name, seconds in sorted(tally.items(), key=lambda item: -item[1])]
    rows.append({"process": "(day loop: calendar, checks, recorder)",
                 "seconds": round(wall - in_steps, 3), "share": round(1 - in_steps / wall, 3),
                 "us_per_day": round(1e6 * (wall - in_steps) / days, 1)})
    return {"until": until, "seed": seed, "days": days, "wall_s": round(wall, 3),
            "processes": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--until", type=int, default=None, help="end year (default: 2025)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    profile(1998, args.seed)  # compile the kernels first, so that no step pays for it
    record = profile(args.until, args.seed)
    print(f"{record['days']} days in {record['wall_s']:.1f} s")
    print(f"{'process':<40} {'seconds':>8} {'share':>6} {'us/day':>8}")
    for row in record["processes"]:
        print(f"{row['process']:<40} {row['seconds']:8.2f} {row['share']:6.1%} "
              f"{row['us_per_day']:8.0f}")
    write_record(RESULTS, record)


if __name__ == "__main__":
    main()
