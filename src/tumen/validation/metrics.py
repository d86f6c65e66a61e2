"""Distances between simulated and observed series.

ARD, the averaged relative difference sum|sim - obs| / sum obs, is the measure the
Flee refugee-model papers report; using it lets Tumen's fit be read beside theirs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
import pandas as pd


class AnnualRun(Protocol):
    """A run's seed and annual table: `Results`, or a run read back from a run store."""

    @property
    def seed(self) -> int: ...

    @property
    def annual(self) -> pd.DataFrame: ...


def ard(simulated: Sequence[float] | np.ndarray, observed: Sequence[float] | np.ndarray) -> float:
    """Averaged relative difference over the pairs where both values are known.

    Raises ValueError when the two series differ in length or no observed value is
    known, or when the known observations sum to zero (the ratio has no meaning).
    """
    sim = np.asarray(simulated, dtype=float)
    obs = np.asarray(observed, dtype=float)
    if sim.shape != obs.shape:
        raise ValueError(f"series differ in length: {sim.size} simulated, {obs.size} observed")
    known = ~(np.isnan(sim) | np.isnan(obs))
    if not known.any():
        raise ValueError("no year has both a simulated and an observed value")
    total = obs[known].sum()
    if total == 0:
        raise ValueError("the observed values sum to zero; ARD is undefined")
    return float(np.abs(sim[known] - obs[known]).sum() / total)


def interval(values: Sequence[float] | np.ndarray, level: float = 0.9) -> tuple[float, float]:
    """The central `level` interval of an ensemble's values (5th-95th percentile for 0.9)."""
    if not 0 < level < 1:
        raise ValueError(f"level must lie between 0 and 1, got {level}")
    data = np.asarray(values, dtype=float)
    if data.size == 0:
        raise ValueError("an interval needs at least one value")
    tail = (1 - level) / 2
    low, high = np.quantile(data, [tail, 1 - tail])
    return float(low), float(high)


def annual_series(runs: Sequence[AnnualRun], column: str) -> pd.DataFrame:
    """One column per run, one row per year, of an annual column (`women_share` is
    derived from arrivals in South Korea and the women among them)."""
    frames = []
    for run in runs:
        annual = run.annual.set_index("year")
        if column == "women_share":
            arrivals = annual["arrivals_sk"].astype(float)
            series = annual["arrivals_sk_women"] / arrivals.where(arrivals > 0)
        else:
            series = annual[column].astype(float)
        frames.append(series.rename(run.seed))
    return pd.concat(frames, axis=1).sort_index()


def ensemble_ard(
    runs: Sequence[AnnualRun],
    observed: pd.DataFrame,
    column: str,
    years: tuple[int, int],
    observed_column: str | None = None,
) -> float:
    """ARD of the ensemble mean of the runs' annual `column` against the observed frame's
    `observed_column` (default the same name) over `years` (inclusive); the observed frame
    has a `year` column. For `women_share` the simulated share is pooled over runs (women
    over arrivals), not averaged."""
    first, last = years
    seen = observed[observed["year"].between(first, last)].set_index("year")
    wanted = seen[observed_column or column]
    if column == "women_share":
        women = annual_series(runs, "arrivals_sk_women").sum(axis=1)
        arrivals = annual_series(runs, "arrivals_sk").sum(axis=1)
        simulated = women / arrivals.where(arrivals > 0)
    else:
        simulated = annual_series(runs, column).mean(axis=1)
    simulated = simulated.reindex(wanted.index)
    return ard(simulated.to_numpy(), wanted.to_numpy())
