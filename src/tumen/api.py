"""The public entry points: load a scenario, simulate it, get tables back."""

from __future__ import annotations

import datetime as dt
import time
from importlib.metadata import PackageNotFoundError, version

import numpy as np

from tumen.engine import invariants, tables
from tumen.engine.simulate import ProgressCallback, run
from tumen.results import Results
from tumen.scenario.compile import compile_scenario
from tumen.scenario.schema import Scenario

TOTAL_COLUMNS = (
    "departures",
    "chain_departures",
    "arrivals_sk",
    "arrivals_sk_women",
    "arrivals_us",
    "arrests_china",
    "repatriations",
    "trafficked",
    "detained_thailand",
    "safe_house_raids",
    "safe_houses_compromised",
    "cost_usd",
    "remittances_usd",
)


def package_version() -> str:
    """The installed version of Tumen, or 'unknown' when run from a source tree."""
    try:
        return version("tumen")
    except PackageNotFoundError:
        return "unknown"


def cut_at(scenario: Scenario, until: int | None) -> Scenario:
    """The scenario ending at the close of year `until` (unchanged if None or later)."""
    if until is None:
        return scenario
    end = min(scenario.period.end, dt.date(until, 12, 31))
    if end <= scenario.period.start:
        raise ValueError(
            f"--until {until} ends the run before it starts ({scenario.period.start})"
        )
    period = scenario.period.model_copy(update={"end": end})
    return scenario.model_copy(update={"period": period})


def simulate(
    scenario: Scenario,
    seed: int = 0,
    until: int | None = None,
    progress: ProgressCallback | None = None,
) -> Results:
    """Run `scenario` once with `seed`; the same seed gives the same result, bit for bit.

    Args:
        scenario: a validated scenario (see `load_scenario`).
        seed: the run's seed.
        until: end the run at the close of this calendar year.
        progress: called now and then with (days done, days in all).
    """
    scenario = cut_at(scenario, until)
    started = time.perf_counter()
    world = compile_scenario(scenario)
    ctx = run(world, seed, progress)
    daily = tables.daily_table(ctx, np.datetime64(scenario.period.start, "D"))
    annual = tables.annual_table(ctx, daily)
    checks = invariants.check_all(ctx)
    coordinates = {loc.id: (loc.name, loc.lat, loc.lon) for loc in scenario.locations}
    wall = time.perf_counter() - started
    summary = {
        "scenario": scenario.name,
        "seed": seed,
        "version": package_version(),
        "period": [str(scenario.period.start), str(scenario.period.end)],
        "wall_time_s": round(wall, 3),
        "escapees_simulated": len(ctx.pop),
        "totals": {name: float(annual[name].sum()) for name in TOTAL_COLUMNS},
        "end_stocks": {
            "hidden_china": int(daily["hidden_china"].iloc[-1]),
            "thai_backlog": int(daily["thai_backlog"].iloc[-1]),
        },
        "invariants": [check.__dict__ for check in checks],
    }
    return Results(
        scenario_name=scenario.name,
        seed=seed,
        annual=annual,
        daily=daily,
        route_flows=tables.route_flow_table(ctx),
        locations=tables.location_table(ctx, coordinates),
        ledger=ctx.ledger.table(int(world.day_year[0])),
        invariants=checks,
        summary=summary,
    )
