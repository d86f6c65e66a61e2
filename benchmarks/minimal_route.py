"""Run one implementation of the minimal route model and report its speed and memory.

    python -m benchmarks.minimal_route --impl tumen|numpy|mesa|starsim|flee \\
        --agents N --days T [--seed S]

Each implementation is a module `benchmarks.route_<impl>` with a function
`prepare(agents, days, seed)` that builds the model (set-up, timed apart) and returns a
function that runs it and returns the totals (arrived, arrested). Every implementation
first runs once at a small size (`WARM_UP_AGENTS`), so that imports, compilation and
caches are warm and belong to the baseline; the peak memory reported is what set-up and
run held above it.
The last line printed is

    IMPL agents=N days=T wall_s=X agent_days_per_s=Y arrived=A arrested=R peak_rss_mb=M

and the command exits with status 1, saying why, when the totals disagree with the
exact expectations (benchmarks/minimal_route_exact.py) beyond sampling error.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from benchmarks import memory
from benchmarks.minimal_route_exact import disagreements

IMPLEMENTATIONS = ("tumen", "numpy", "mesa", "starsim", "flee")
# The warm-up takes every path the timed run takes: escapees arrive and are arrested
# (most journeys take about two months), and the cohort is as large as the smallest
# size measured (Tumen draws a cohort of thousands on every core, through kernels of
# its own). At 200 escapees for 5 days, Tumen's timed run loaded seven kernels from the
# cache.
WARM_UP_AGENTS, WARM_UP_DAYS = 10_000, 120
MB = 1e6

Runner = Callable[[], tuple[int, int]]


@dataclass(frozen=True)
class Measurement:
    """One implementation's run: times in seconds, memory in bytes above the baseline."""

    impl: str
    agents: int
    days: int
    setup_s: float
    wall_s: float
    arrived: int
    arrested: int
    peak_bytes: int

    @property
    def agent_days_per_s(self) -> float:
        """Nominal work (agents x days, the same for every implementation) per second."""
        return self.agents * self.days / self.wall_s if self.wall_s > 0 else float("inf")

    def line(self) -> str:
        """The one-line report, in the format the suite and the docs quote."""
        return (
            f"{self.impl} agents={self.agents} days={self.days} wall_s={self.wall_s:.3f} "
            f"agent_days_per_s={self.agent_days_per_s:.4g} arrived={self.arrived} "
            f"arrested={self.arrested} peak_rss_mb={self.peak_bytes / MB:.1f}"
        )


def preparer(impl: str) -> Callable[[int, int, int], Runner]:
    """The `prepare` function of an implementation; ValueError naming the choices if none."""
    if impl not in IMPLEMENTATIONS:
        raise ValueError(f"unknown implementation {impl!r}; choose one of: "
                         f"{', '.join(IMPLEMENTATIONS)}")
    return importlib.import_module(f"benchmarks.route_{impl}").prepare


def measure(impl: str, agents: int, days: int, seed: int = 0) -> Measurement:
    """Set up and run one implementation, after a tiny warm-up run."""
    prepare = preparer(impl)
    prepare(WARM_UP_AGENTS, WARM_UP_DAYS, seed + 1)()
    baseline = memory.start()
    started = time.perf_counter()
    run = prepare(agents, days, seed)
    setup_s = time.perf_counter() - started
    started = time.perf_counter()
    arrived, arrested = run()
    wall_s = time.perf_counter() - started
    return Measurement(impl, agents, days, setup_s, wall_s, arrived, arrested,
                       memory.peak_above(baseline))


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.minimal_route",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--impl", required=True, choices=IMPLEMENTATIONS)
    parser.add_argument("--agents", required=True, type=int)
    parser.add_argument("--days", required=True, type=int)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.agents < 1 or args.days < 1:
        parser.error(f"--agents and --days must be at least 1, got {args.agents} and "
                     f"{args.days}")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run, print the set-up time and the result line; 1 if the totals are wrong."""
    args = _arguments(argv)
    result = measure(args.impl, args.agents, args.days, args.seed)
    problems = disagreements(result.agents, result.days, result.arrived, result.arrested)
    print(f"{result.impl} setup_s={result.setup_s:.3f}")
    for problem in problems:
        print(f"WRONG: {result.impl} disagrees with the exact expectations: {problem}",
              file=sys.stderr)
    print(result.line(), flush=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
