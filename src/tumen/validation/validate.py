"""Validate a scenario: an ensemble of runs against the observed series and the facts.

`validate` turns runs into one JSON-ready report: each stylized fact checked
(`tumen.validation.facts`), and the ARD of the arrivals and of the women's share against
the Ministry of Unification's series, with the ensemble's spread year by year.
`write_validation` writes it as validation.json and validation.html. The runs come in
memory (`validate`) or as the records a run store keeps of each run
(`validate_records`, which `tumen validate` uses): the two give the same report.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tumen.data import observed_arrivals
from tumen.results import Results
from tumen.scenario.schema import Scenario
from tumen.validation.facts import FACTS, Fact, Inputs, judge
from tumen.validation.metrics import AnnualRun, annual_series, ensemble_ard
from tumen.validation.record import RunRecord, record_of


@dataclass(frozen=True)
class Series:
    """An observed annual series, the simulated column it is compared with, and the ARD
    below which the fit passes."""

    name: str
    description: str
    simulated: str
    observed: str
    threshold: float
    years: tuple[int, int]


SERIES: tuple[Series, ...] = (
    Series("arrivals", "Arrivals in South Korea per year", "arrivals_sk", "arrivals",
           0.15, (1998, 2015)),
    Series("women_share", "Share of women among arrivals in South Korea", "women_share",
           "women_share", 0.10, (2000, 2015)),
)
SOURCE = "Ministry of Unification statistics (src/tumen/data/sk_arrivals.csv)"


def _number(value: Any) -> float | None:
    """A float for JSON: NaN and infinities become None (JSON has no NaN)."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _pooled_share(runs: Sequence[AnnualRun]) -> pd.Series:
    """Women over arrivals summed over runs, year by year: the share `ensemble_ard` uses."""
    women = annual_series(runs, "arrivals_sk_women").sum(axis=1)
    arrivals = annual_series(runs, "arrivals_sk").sum(axis=1)
    return women / arrivals.where(arrivals > 0)


def by_year(runs: Sequence[AnnualRun], observed: pd.DataFrame, series: Series) -> list[dict]:
    """Year by year over the run: the observation (None where there is none), the
    simulated mean, median and 5th-95th percentile across runs.

    For the women's share the mean is pooled (all runs' women over all runs' arrivals),
    as the ARD is; the median and percentiles are of each run's own share.
    """
    table = annual_series(runs, series.simulated)
    pooled = series.simulated == "women_share"
    mean = _pooled_share(runs) if pooled else table.mean(axis=1)
    seen = observed.set_index("year")[series.observed]
    rows = []
    for year, values in table.iterrows():
        known = values.dropna().to_numpy()
        low, median, high = (
            np.quantile(known, [0.05, 0.5, 0.95]) if known.size else (math.nan,) * 3
        )
        rows.append(
            {
                "year": int(year),
                "observed": _number(seen.get(year)),
                "mean": _number(mean.get(year)),
                "median": _number(median),
                "p5": _number(low),
                "p95": _number(high),
            }
        )
    return rows


def series_check(runs: Sequence[AnnualRun], observed: pd.DataFrame, series: Series) -> dict:
    """The ARD of one series over the years that have an observation and lie in the run,
    with its pass mark; not measured (ard and passed None) when there are no such years."""
    run_years = set(runs[0].annual["year"].astype(int))
    first, last = series.years
    seen = observed.dropna(subset=[series.observed])
    years = sorted(
        year for year in seen["year"].astype(int) if first <= year <= last and year in run_years
    )
    result: dict[str, Any] = {
        "name": series.name,
        "description": series.description,
        "source": SOURCE,
        "simulated": series.simulated,
        "years": [years[0], years[-1]] if years else None,
        "ard": None,
        "threshold": series.threshold,
        "passed": None,
        "reason": None,
    }
    if not years:
        result["reason"] = f"the run covers no year of {first}-{last} with an observation"
    else:
        try:
            value = ensemble_ard(runs, seen, series.simulated, (years[0], years[-1]),
                                 observed_column=series.observed)
        except ValueError as why:  # e.g. no arrivals at all, so no women's share
            result["reason"] = f"not measured: {why}"
        else:
            result["ard"] = value
            result["passed"] = value <= series.threshold
    result["by_year"] = by_year(runs, observed, series)
    return result


def validate(
    runs: Sequence[Results],
    scenario: Scenario,
    observed: pd.DataFrame | None = None,
    facts: Sequence[Fact] = FACTS,
    version: str = "unknown",
) -> dict[str, Any]:
    """The validation report of an ensemble in memory, ready for JSON.

    Args:
        runs: the ensemble, one run per seed, all of `scenario`.
        scenario: the scenario they ran (its population inputs enter some checks).
        observed: the observed arrivals; defaults to `tumen.data.observed_arrivals()`.
        facts: the facts to check; defaults to all of them.
        version: the package version, recorded with the report.
    """
    inputs = Inputs.of(scenario)
    records = [record_of(run, inputs, facts) for run in runs]
    return validate_records(records, scenario.name, observed, facts, version)


def validate_records(
    records: Sequence[RunRecord],
    scenario_name: str,
    observed: pd.DataFrame | None = None,
    facts: Sequence[Fact] = FACTS,
    version: str = "unknown",
) -> dict[str, Any]:
    """The validation report of an ensemble given as run records (as a run store keeps
    them; see `tumen.validation.stored`). Arguments as for `validate`."""
    if not records:
        raise ValueError("validation needs at least one run")
    observed = observed_arrivals() if observed is None else observed
    checks = [judge(fact, [record.facts[fact.name] for record in records]) for fact in facts]
    return {
        "scenario": scenario_name,
        "runs": len(records),
        "seeds": [int(record.seed) for record in records],
        "version": version,
        "period": list(records[0].period),
        "invariants_passed": all(record.passed for record in records),
        "checks": [_clean(result.to_dict()) for result in checks],
        "series": [_clean(series_check(records, observed, series)) for series in SERIES],
    }


def _clean(value: Any) -> Any:
    """Plain JSON values: numpy scalars to Python, NaN to None."""
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(item) for item in value]
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return _number(value)
    return value


def failures(report: dict[str, Any]) -> list[str]:
    """Names of the checks and series that failed (not those not measured)."""
    return [item["name"] for item in report["checks"] + report["series"]
            if item["passed"] is False]


def write_validation(report: dict[str, Any], folder: Path) -> dict[str, Path]:
    """Write validation.json and validation.html into `folder`; return their paths."""
    from tumen.validation.page import write_page

    folder.mkdir(parents=True, exist_ok=True)
    paths = {"json": folder / "validation.json", "html": folder / "validation.html"}
    paths["json"].write_text(json.dumps(report, indent=2, allow_nan=False) + "\n")
    write_page(report, paths["html"])
    return paths
