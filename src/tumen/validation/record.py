"""What validation reads of one run, small enough for a run store to keep per run.

The stylized facts need a run's daily table and ledger, which a run store does not keep
(a million rows a run would not scale to a hundred thousand runs); the annual table and
each fact's measure are enough to validate an ensemble. `record_of` reduces a run to
that; a sweep stores it with each run, and `tumen validate` reads it back from the store.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from tumen.results import Results
from tumen.validation.facts import FACTS, Fact, Inputs, measure_each

# A fact's measure on one run: a number (NaN when the run has nothing to measure it on),
# or, as text, why the run cannot measure it.
FactValue = float | str


@dataclass(frozen=True)
class RunRecord:
    """One run as validation sees it: seed, annual table, each fact's measure, its first
    and last simulated day, and whether its invariants held."""

    seed: int
    annual: pd.DataFrame
    facts: dict[str, FactValue]
    period: tuple[str, str]
    passed: bool = True


def period_of(run: Results) -> tuple[str, str]:
    """The first and last simulated day, as ISO dates."""
    dates = pd.to_datetime(run.daily["date"])
    return str(dates.min().date()), str(dates.max().date())


def record_of(run: Results, inputs: Inputs, facts: Sequence[Fact] = FACTS) -> RunRecord:
    """The record of a run in memory."""
    return RunRecord(seed=int(run.seed), annual=run.annual, facts=measure_each(run, inputs, facts),
                     period=period_of(run), passed=run.passed)
