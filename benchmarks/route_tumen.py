"""The minimal route model in Tumen: the scenario benchmarks/minimal_route.yaml, run by
`tumen.simulate` like any other (tables and invariant checks included)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import tumen
from tumen.scenario import Scenario
from tumen.scenario.load import with_values

SCENARIO_FILE = Path(__file__).with_name("minimal_route.yaml")


def scenario(agents: int, days: int) -> Scenario:
    """The benchmark scenario for `agents` escapees setting out on day 0 and `days` days
    of travel after it."""
    base = tumen.load_scenario(SCENARIO_FILE)
    end = base.period.start + dt.timedelta(days=days)
    return with_values(base, {"population.setting_out[0].count": agents, "period.end": end})


def prepare(agents: int, days: int, seed: int):
    """Load and size the scenario; the returned function simulates it."""
    model = scenario(agents, days)

    def run() -> tuple[int, int]:
        results = tumen.simulate(model, seed=seed)
        failed = [check.name for check in results.invariants if not check.passed]
        if failed:
            raise RuntimeError(f"invariants failed: {', '.join(failed)}")
        daily = results.daily
        arrested = daily["arrests_china"].sum() + daily["arrests_third"].sum()
        return int(daily["arrivals_sk"].sum()), int(arrested)

    return run
