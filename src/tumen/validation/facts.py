"""The stylized facts a run is checked against, one small function per measure.

Each fact of the model's pattern table (docs/model.md section 1) becomes one or more
checks: what was observed (as the source words it), what Tumen measures in a run to
compare with it, and a tolerance on the ensemble mean of that measure. The table `FACTS`
at the end holds all of it in one place; docs/validation.md explains each choice.

A measure reads one run and returns one number, NaN when the run has nothing to measure
it on (no rescue at all, say), or raises `NotMeasured` when the run does not cover the
years it needs, or when the results hold no such quantity: such a check is reported as
not measured, never as failed.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tumen.results import Results
from tumen.scenario.schema import Scenario
from tumen.validation.metrics import interval


class NotMeasured(Exception):
    """The run cannot measure this fact; the message says why."""


@dataclass(frozen=True)
class Inputs:
    """What the checks read from the scenario rather than from a run."""

    resettled_before: int = 0
    women_share: float | None = None

    @classmethod
    def of(cls, scenario: Scenario) -> Inputs:
        """The inputs of a loaded scenario."""
        return cls(
            resettled_before=scenario.population.resettled_before,
            women_share=scenario.population.women_share,
        )


Measure = Callable[[Results, Inputs], float]


# --- reading a run -------------------------------------------------------------------


def _span(run: Results) -> tuple[dt.date, dt.date]:
    """First and last simulated day."""
    dates = pd.to_datetime(run.daily["date"])
    return dates.min().date(), dates.max().date()


def _need(run: Results, start: dt.date, end: dt.date) -> None:
    """Raise NotMeasured unless the run covers every day from `start` to `end`."""
    first, last = _span(run)
    if first > start or last < end:
        raise NotMeasured(f"the run covers {first} to {last}; this needs {start} to {end}")


def _need_years(run: Results, first: int, last: int | None = None) -> None:
    _need(run, dt.date(first, 1, 1), dt.date(last or first, 12, 31))


def _annual(run: Results, column: str, first: int, last: int | None = None) -> pd.Series:
    """An annual column over `first`-`last`, indexed by year, once the run covers them."""
    _need_years(run, first, last)
    annual = run.annual.set_index("year")
    return annual.loc[first : last or first, column].astype(float)


def _daily(run: Results, column: str, first: int, last: int | None = None) -> pd.Series:
    """A daily column over the years `first`-`last`, once the run covers them."""
    _need_years(run, first, last)
    years = pd.to_datetime(run.daily["date"]).dt.year
    return run.daily.loc[years.between(first, last or first), column].astype(float)


def _ledger(run: Results, flow: str, first: int, last: int | None = None) -> float:
    """US dollars moved along one ledger flow over `first`-`last`."""
    _need_years(run, first, last)
    ledger = run.ledger
    rows = (ledger["account"] == flow) & ledger["year"].between(first, last or first)
    return float(ledger.loc[rows, "usd"].sum())


def _ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator, NaN when the denominator is zero: nothing to measure."""
    return numerator / denominator if denominator else math.nan


# --- one function per measure ----------------------------------------------------------


def women_among_arrivals_2018(run: Results, inputs: Inputs) -> float:
    """Share of women among the arrivals in South Korea in 2018."""
    arrivals = _annual(run, "arrivals_sk", 2018).sum()
    return _ratio(_annual(run, "arrivals_sk_women", 2018).sum(), arrivals)


def women_among_departures(run: Results, inputs: Inputs) -> float:
    """Never measured: the results hold no split of departures by sex."""
    share = "" if inputs.women_share is None else f" (here {inputs.women_share:.0%})"
    raise NotMeasured(
        "the results hold no split of departures by sex; the share of women among those "
        f"who leave is the scenario's input population.women_share{share}, set from this "
        "fact, so comparing it would check the input, not the model"
    )


def raids_per_month_2019(run: Results, inputs: Inputs) -> float:
    """Police raids per month in 2019: on safe houses, and on the hideouts of groups
    waiting outside one (in every country)."""
    return (_annual(run, "safe_house_raids", 2019).sum()
            + _annual(run, "hideout_raids", 2019).sum()) / 12


def raid_arrests_per_month_2019(run: Results, inputs: Inputs) -> float:
    """People arrested in raids per month in 2019 (the people a network loses)."""
    return _annual(run, "raid_arrests", 2019).sum() / 12


def thai_detentions_2005(run: Results, inputs: Inputs) -> float:
    """Entries into Thai detention in 2005."""
    return _annual(run, "detained_thailand", 2005).sum()


def thai_detentions_2006(run: Results, inputs: Inputs) -> float:
    """Entries into Thai detention in 2006."""
    return _annual(run, "detained_thailand", 2006).sum()


def thai_waiting_2006(run: Results, inputs: Inputs) -> float:
    """People held in Thailand on an average day of 2006 (jail and the flight queue)."""
    return float(_daily(run, "thai_backlog", 2006).mean())


def hidden_in_china_2000_2006(run: Results, inputs: Inputs) -> float:
    """People hiding in China (on their own, settled or trafficked) on an average day of
    2000-2006."""
    return float(_daily(run, "hidden_china", 2000, 2006).mean())


def rescue_cost_per_person(run: Results, inputs: Inputs) -> float:
    """Rescue costs booked over the run per person a rescue network took in."""
    costs = run.ledger.loc[run.ledger["account"] == "rescue_costs", "usd"].sum()
    return _ratio(float(costs), float(run.annual["rescue_intakes"].sum()))


def broker_fee_per_client_2009(run: Results, inputs: Inputs) -> float:
    """Broker fees booked in 2009 per client a broker took on in 2009."""
    intakes = _annual(run, "broker_intakes", 2009).sum()
    return _ratio(_ledger(run, "broker_fees", 2009), intakes)


def journey_days(run: Results, inputs: Inputs) -> float:
    """The median over the run's years of each year's median journey, river to arrival."""
    medians = run.annual["median_journey_days"].astype(float).dropna()
    return float(medians.median()) if medians.size else math.nan


def remittances_2018(run: Results, inputs: Inputs) -> float:
    """US dollars sent home by resettled escapees in 2018."""
    return _annual(run, "remittances_usd", 2018).sum()


def _cumulative_before(run: Results, inputs: Inputs, day: dt.date) -> float:
    """Everyone resettled in South Korea before `day`: those before the run
    (population.resettled_before) plus the run's arrivals."""
    first, last = _span(run)
    if first >= day or last < day - dt.timedelta(days=1):
        raise NotMeasured(f"the run covers {first} to {last}; this needs the days before {day}")
    dates = pd.to_datetime(run.daily["date"])
    arrived = run.daily.loc[dates < pd.Timestamp(day), "arrivals_sk"].sum()
    return float(inputs.resettled_before + arrived)


def cumulative_arrivals_mid_2006(run: Results, inputs: Inputs) -> float:
    """Resettled in South Korea by 1 July 2006 (seed 000 is a 2006 report)."""
    return _cumulative_before(run, inputs, dt.date(2006, 7, 1))


def cumulative_arrivals_2009(run: Results, inputs: Inputs) -> float:
    """Resettled in South Korea by 1 January 2009 (the count published in early 2009)."""
    return _cumulative_before(run, inputs, dt.date(2009, 1, 1))


def cumulative_arrivals_mid_2019(run: Results, inputs: Inputs) -> float:
    """Resettled in South Korea by 1 June 2019 (seed 001 is a June 2019 report)."""
    return _cumulative_before(run, inputs, dt.date(2019, 6, 1))


def arrivals_fall_after_2011(run: Results, inputs: Inputs) -> float:
    """Mean yearly arrivals in South Korea 2012-2017 over their mean 2009-2011."""
    before = _annual(run, "arrivals_sk", 2009, 2011).mean()
    return _ratio(_annual(run, "arrivals_sk", 2012, 2017).mean(), before)


def arrivals_2017_against_2002_2016(run: Results, inputs: Inputs) -> float:
    """Arrivals in South Korea in 2017 over the lowest year of 2002-2016 (below 1: 2017
    is the lowest year since 2001)."""
    _need_years(run, 2002, 2017)
    lowest = _annual(run, "arrivals_sk", 2002, 2016).min()
    return _ratio(_annual(run, "arrivals_sk", 2017).sum(), lowest)


# --- the table ------------------------------------------------------------------------


@dataclass(frozen=True)
class Fact:
    """One check: the fact as observed, what is measured, and the tolerance on the
    ensemble mean of the measure (`low`, `high` inclusive; None leaves a side open)."""

    name: str
    description: str
    observed: str
    source: str
    measured: str
    measure: Measure
    low: float | None
    high: float | None
    tolerance: str
    unit: str = ""


FACTS: tuple[Fact, ...] = (
    Fact(
        "women_among_arrivals_2018",
        "Women among arrivals in South Korea, 2018",
        "85%",
        "seed 001",
        "arrivals_sk_women / arrivals_sk in 2018, per run",
        women_among_arrivals_2018,
        0.80,
        0.90,
        "80% to 90%: the reported share, 5 points either side",
        "share",
    ),
    Fact(
        "women_among_departures",
        "Women among those who flee",
        "about 70%",
        "seed 003",
        "not measured: no split of departures by sex in the results",
        women_among_departures,
        0.60,
        0.80,
        "60% to 80%, if it were measured",
        "share",
    ),
    Fact(
        "raids_per_month_2019",
        "Raids on safe houses in China, 2019",
        "5-7 raids a month",
        "seed 001",
        "(safe_house_raids + hideout_raids) in 2019 / 12 (raids on safe houses and on "
        "groups waiting outside one, in every country; 18 of the default scenario's 24 "
        "houses are in China)",
        raids_per_month_2019,
        4.0,
        8.0,
        "4 to 8 a month: the reported range, one raid wider either side",
        "raids a month",
    ),
    Fact(
        "raid_arrests_per_month_2019",
        "People arrested in China, 2019",
        "20-30 people a month",
        "seed 001",
        "raid_arrests in 2019 / 12 (in every country): the reported arrests go with the "
        "reported raids (5-7 raids of a few people each), not with arrests_china, which "
        "also counts people caught alone in hiding, whom no network reports",
        raid_arrests_per_month_2019,
        15.0,
        35.0,
        "15 to 35 a month: the reported range, 5 people wider either side",
        "people a month",
    ),
    Fact(
        "thai_detentions_2005",
        "Detentions in Thailand, 2005",
        "about 80 in 2005",
        "seed 000",
        "detained_thailand (arrests for illegal entry, jailed) in 2005",
        thai_detentions_2005,
        40.0,
        160.0,
        "40 to 160: half to twice the reported 80 (facts.md §5a has about 50)",
        "people",
    ),
    Fact(
        "thai_detentions_2006",
        "Detentions in Thailand, 2006",
        "more than 400 in 2006",
        "seed 000",
        "detained_thailand (arrests for illegal entry, jailed) in 2006",
        thai_detentions_2006,
        400.0,
        1200.0,
        "400 to 1,200: at least the reported 400, at most three times it",
        "people",
    ),
    Fact(
        "thai_waiting_2006",
        "Waiting in Thailand, 2006",
        "150-200 people at a time (2006)",
        "seed 000",
        "mean over the days of 2006 of thai_backlog (people in Thai detention: jail and "
        "the queue for a flight)",
        thai_waiting_2006,
        100.0,
        300.0,
        "100 to 300: the reported range, 50 wider below and 100 above",
        "people",
    ),
    Fact(
        "hidden_in_china_2000_2006",
        "North Koreans hiding in north-east China",
        "tens of thousands, up to 300,000 (early-mid 2000s)",
        "seed 000; facts.md §4",
        "mean over the days of 2000-2006 of hidden_china (hiding, settled or trafficked "
        "in China)",
        hidden_in_china_2000_2006,
        20_000.0,
        300_000.0,
        "20,000 to 300,000: tens of thousands, up to the highest estimate",
        "people",
    ),
    Fact(
        "rescue_cost_per_person",
        "Rescue cost",
        "about $3,000 a person, about $1,500 more from the red zone",
        "seed 004",
        "ledger rescue_costs over the run / annual rescue_intakes over the run",
        rescue_cost_per_person,
        2500.0,
        5000.0,
        "$2,500 to $5,000: from $3,000 (nobody from the red zone) to $4,500 (everybody), "
        "$500 wider either side",
        "USD a person",
    ),
    Fact(
        "broker_fee_per_client_2009",
        "Broker fee, 2009",
        "$3,000 and up (2009)",
        "seed 002",
        "ledger broker_fees in 2009 / broker_intakes in 2009 (the fees include those of "
        "women sold and the fees chain escapes bring, paid on crossing; the clients "
        "include chain escapes, counted on crossing, and those on credit, who pay after "
        "resettlement)",
        broker_fee_per_client_2009,
        2500.0,
        8000.0,
        "$2,500 to $8,000: from $500 below the reported floor to below the 'first "
        "class' fees over $10,000 (facts.md §2a)",
        "USD a client",
    ),
    Fact(
        "journey_days",
        "Journey time",
        "months to years",
        "seed 003; facts.md §2c",
        "median over the run's years of median_journey_days (days from the last river "
        "crossing to arrival, among each year's arrivals)",
        journey_days,
        30.0,
        1500.0,
        "30 to 1,500 days: a month to about four years",
        "days",
    ),
    Fact(
        "remittances_2018",
        "Remittances home, about 2018",
        "about 50% re-contact; $1,500-2,000 a year each; $15-20M a year in all (about 2018)",
        "seed 004",
        "remittances_usd in 2018 (the total; the re-contact share and the amount each are "
        "inputs, recontact and remittance_usd_per_year)",
        remittances_2018,
        10e6,
        25e6,
        "$10M to $25M: the reported total, $5M wider either side",
        "USD",
    ),
    Fact(
        "cumulative_arrivals_2006",
        "Arrivals in South Korea so far, 2006",
        "more than 8,000 by about 2006",
        "seed 000",
        "population.resettled_before plus arrivals_sk up to 30 June 2006",
        cumulative_arrivals_mid_2006,
        8000.0,
        11_000.0,
        "8,000 to 11,000: more than the reported 8,000; the Ministry's count was about "
        "8,700 in mid-2006",
        "people",
    ),
    Fact(
        "cumulative_arrivals_2009",
        "Arrivals in South Korea so far, 2009",
        "about 15,000 by 2009",
        "seed 002",
        "population.resettled_before plus arrivals_sk up to 31 December 2008",
        cumulative_arrivals_2009,
        13_000.0,
        17_000.0,
        "13,000 to 17,000: the reported 15,000, 2,000 either side (the Ministry's count "
        "at the end of 2008 was 15,084)",
        "people",
    ),
    Fact(
        "cumulative_arrivals_2019",
        "Arrivals in South Korea so far, 2019",
        "more than 32,000 by 2019",
        "seed 001",
        "population.resettled_before plus arrivals_sk up to 31 May 2019",
        cumulative_arrivals_mid_2019,
        32_000.0,
        36_000.0,
        "32,000 to 36,000: more than the reported 32,000; the Ministry's count was "
        "about 33,000 in mid-2019",
        "people",
    ),
    Fact(
        "arrivals_fall_after_2011",
        "Arrivals fall after 2011",
        "fall after 2011",
        "seeds 001, 004",
        "mean arrivals_sk 2012-2017 / mean arrivals_sk 2009-2011, per run",
        arrivals_fall_after_2011,
        0.3,
        0.8,
        "0.3 to 0.8: a fall of a fifth or more (the Ministry's counts give about 0.51)",
        "ratio",
    ),
    Fact(
        "arrivals_2017_lowest_since_2001",
        "2017 the lowest arrivals since 2001",
        "2017 the lowest since 2001",
        "seed 004",
        "arrivals_sk in 2017 / the lowest arrivals_sk of 2002-2016, per run",
        arrivals_2017_against_2002_2016,
        None,
        1.0,
        "at most 1: 2017 no higher than any year of 2002-2016 (the Ministry's counts "
        "give 0.99; a tie within one run's noise fails)",
        "ratio",
    ),
)


# --- checking an ensemble -------------------------------------------------------------


@dataclass(frozen=True)
class CheckResult:
    """A fact checked on an ensemble. `passed` is None when it was not measured."""

    fact: Fact
    values: tuple[float, ...]
    simulated_mean: float | None
    interval_90: tuple[float, float] | None
    passed: bool | None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The check as the JSON of validation.json."""
        fact = self.fact
        return {
            "name": fact.name,
            "description": fact.description,
            "source": fact.source,
            "observed": fact.observed,
            "measured": fact.measured,
            "unit": fact.unit,
            "simulated_mean": self.simulated_mean,
            "interval_90": list(self.interval_90) if self.interval_90 else None,
            "tolerance": {"text": fact.tolerance, "low": fact.low, "high": fact.high},
            "passed": self.passed,
            "reason": self.reason,
            "runs_measured": len(self.values),
        }


def within(value: float, low: float | None, high: float | None) -> bool:
    """True when `value` lies in [low, high]; a None bound is open."""
    return (low is None or value >= low) and (high is None or value <= high)


def measure_each(run: Results, inputs: Inputs,
                 facts: Sequence[Fact] = FACTS) -> dict[str, float | str]:
    """Every fact's measure on one run, by name: a number (NaN when the run has nothing
    to measure it on), or, as text, why the run cannot measure it."""
    values: dict[str, float | str] = {}
    for fact in facts:
        try:
            values[fact.name] = float(fact.measure(run, inputs))
        except NotMeasured as why:
            values[fact.name] = str(why)
    return values


def judge(fact: Fact, values: Sequence[float | str]) -> CheckResult:
    """Compare the ensemble mean of a fact's measures, one per run as `measure_each`
    gives them, with its tolerance.

    Runs where the measure is NaN (nothing to measure on, e.g. no rescue at all) are left
    out of the mean; if every run is, or a run does not cover the years the measure needs
    (its value is the reason, as text), the check is not measured (passed None) with the
    reason.
    """
    if not values:
        raise ValueError("a check needs at least one run")
    reasons = [value for value in values if isinstance(value, str)]
    if reasons:
        return CheckResult(fact, (), None, None, None, reasons[0])
    known = tuple(float(value) for value in values if not math.isnan(value))
    if not known:
        return CheckResult(fact, (), None, None, None,
                           "no run had anything to measure it on (a zero denominator)")
    mean = float(np.mean(known))
    return CheckResult(fact, known, mean, interval(known, 0.9),
                       within(mean, fact.low, fact.high))


def check(fact: Fact, runs: Sequence[Results], inputs: Inputs) -> CheckResult:
    """Measure `fact` on every run and judge the ensemble (see `judge`)."""
    return judge(fact, [measure_each(run, inputs, (fact,))[fact.name] for run in runs])


def check_all(runs: Sequence[Results], inputs: Inputs,
              facts: Sequence[Fact] = FACTS) -> list[CheckResult]:
    """Every fact checked on the ensemble, in table order."""
    return [check(fact, runs, inputs) for fact in facts]
