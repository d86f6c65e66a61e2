"""Results of one run: tables a researcher reads, the invariant checks, save and load.

The engine fills a `Results`; every consumer (report, command line, notebooks) reads it
and never the engine's arrays.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

ANNUAL_COLUMNS = (
    "year",
    "departures",
    "arrivals_sk",
    "arrivals_sk_women",
    "arrivals_us",
    "arrests_china",
    "repatriations",
    "trafficked",
    "hidden_china",
    "detained_thailand",
    "thai_backlog",
    "safe_houses_compromised",
    "cost_usd",
    "remittances_usd",
    "median_journey_days",
)


_FILES = {
    "annual": "annual.csv",
    "daily": "daily.parquet",
    "route_flows": "route_flows.csv",
    "locations": "locations.csv",
    "ledger": "ledger.csv",
    "summary": "summary.json",
}


@dataclass(frozen=True)
class InvariantCheck:
    """One invariant checked at the end of a run."""

    name: str
    passed: bool
    detail: str


@dataclass
class Results:
    """Everything one run produced.

    Attributes:
        scenario_name: the scenario's `name`.
        seed: the seed the run used.
        annual: one row per year; flows summed within the year, stocks at year end.
            Holds at least `ANNUAL_COLUMNS`.
        daily: one row per day (`date` column); `stock_<state>` columns and flow columns.
        route_flows: travellers per year and route: `year, route, source, target,
            travellers`.
        locations: the scenario's locations: `id, name, kind, country, lat, lon`.
        ledger: money per year and account flow: `year, account, usd`.
        summary: scenario, seed, version, wall time, totals and invariant checks.
        invariants: the invariant checks.
    """

    scenario_name: str
    seed: int
    annual: pd.DataFrame
    daily: pd.DataFrame
    route_flows: pd.DataFrame
    locations: pd.DataFrame
    ledger: pd.DataFrame
    invariants: list[InvariantCheck] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """True when every invariant held."""
        return all(check.passed for check in self.invariants)

    def save(self, out_dir: Path) -> dict[str, Path]:
        """Write annual.csv, daily.parquet, route_flows.csv, locations.csv, ledger.csv and
        summary.json (last)."""
        out_dir.mkdir(parents=True, exist_ok=True)
        paths = {name: out_dir / file for name, file in _FILES.items()}
        self.annual.to_csv(paths["annual"], index=False)
        self.daily.to_parquet(paths["daily"], index=False)
        self.route_flows.to_csv(paths["route_flows"], index=False)
        self.locations.to_csv(paths["locations"], index=False)
        self.ledger.to_csv(paths["ledger"], index=False)
        paths["summary"].write_text(json.dumps(self.summary, indent=2, default=str) + "\n")
        return paths

    @classmethod
    def load(cls, run_dir: Path) -> Results:
        """Read back a run written by `save`."""
        summary = json.loads((run_dir / _FILES["summary"]).read_text())
        return cls(
            scenario_name=str(summary.get("scenario", "")),
            seed=int(summary.get("seed", 0)),
            annual=pd.read_csv(run_dir / _FILES["annual"]),
            daily=pd.read_parquet(run_dir / _FILES["daily"]),
            route_flows=pd.read_csv(run_dir / _FILES["route_flows"]),
            locations=pd.read_csv(run_dir / _FILES["locations"]),
            ledger=pd.read_csv(run_dir / _FILES["ledger"]),
            invariants=[InvariantCheck(**check) for check in summary.get("invariants", [])],
            summary=summary,
        )
