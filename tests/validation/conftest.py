"""Hand-made results and small scenarios for the validation tests.

`make_results` builds a `Results` by hand, day by day, so that each measure can be worked
out on paper: every flow and stock the checks read is zero unless a test sets it, annual
flows are the sums of the daily ones and annual stocks their last day, as in the engine.
`perfect_runs` are runs that match every observation and every fact.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
import yaml

from tumen.data import observed_arrivals
from tumen.results import Results
from tumen.scenario import Scenario, parse_scenario

FLOWS = (
    "departures",
    "arrivals_sk",
    "arrivals_sk_women",
    "arrivals_us",
    "arrests_china",
    "repatriations",
    "detained_thailand",
    "safe_house_raids",
    "hideout_raids",
    "raid_arrests",
    "rescue_intakes",
    "broker_intakes",
    "credit_intakes",
)
STOCKS = ("hidden_china", "thai_backlog")
LEDGER_FLOWS = ("rescue_costs", "broker_fees", "bribes", "remittances", "donations")
Daily = float | Callable[[pd.DatetimeIndex], np.ndarray]


def per_year(totals: dict[int, float]) -> Callable[[pd.DatetimeIndex], np.ndarray]:
    """A daily flow with each year's total on its 1 January."""

    def values(dates: pd.DatetimeIndex) -> np.ndarray:
        out = np.zeros(len(dates))
        first_day = dates.day_of_year == 1
        for year, total in totals.items():
            out[first_day & (dates.year == year)] = total
        return out

    return values


def in_years(values: dict[int, float]) -> Callable[[pd.DatetimeIndex], np.ndarray]:
    """A daily stock with the same value every day of each year given, 0 otherwise."""

    def daily(dates: pd.DatetimeIndex) -> np.ndarray:
        out = np.zeros(len(dates))
        for year, value in values.items():
            out[dates.year == year] = value
        return out

    return daily


def make_results(
    start: str = "1998-01-01",
    end: str = "2019-12-31",
    seed: int = 1,
    daily: dict[str, Daily] | None = None,
    ledger: dict[str, dict[int, float]] | None = None,
    journey: dict[int, float] | None = None,
) -> Results:
    """Results of a made-up run from `start` to `end`.

    Args:
        daily: a daily column (flow or stock) as a constant or a function of the dates.
        ledger: US dollars per ledger flow and year.
        journey: median journey days per year (NaN for the others).
    """
    dates = pd.date_range(start, end, freq="D")
    table = pd.DataFrame({"date": dates})
    for column in FLOWS + STOCKS:
        table[column] = 0.0
    for column, value in (daily or {}).items():
        table[column] = value(dates) if callable(value) else float(value)
    years = dates.year
    annual = table[list(FLOWS)].groupby(years).sum()
    last = table.groupby(years).tail(1).set_index(pd.Index(np.unique(years)))
    for column in STOCKS:
        annual[column] = last[column]
    rows = [
        {"year": year, "account": flow, "usd": float((ledger or {}).get(flow, {}).get(year, 0))}
        for flow in sorted(set(LEDGER_FLOWS) | set(ledger or {}))
        for year in np.unique(years)
    ]
    book = pd.DataFrame(rows, columns=["year", "account", "usd"])
    remittances = book[book["account"] == "remittances"].set_index("year")["usd"]
    annual["remittances_usd"] = remittances.reindex(annual.index).fillna(0.0)
    annual["cost_usd"] = 0.0
    annual["median_journey_days"] = [float((journey or {}).get(y, np.nan)) for y in annual.index]
    annual.index.name = "year"
    return Results(
        scenario_name="made up",
        seed=seed,
        annual=annual.reset_index(),
        daily=table,
        route_flows=pd.DataFrame(columns=["year", "route", "source", "target", "travellers"]),
        locations=pd.DataFrame(columns=["id", "name", "kind", "country", "lat", "lon"]),
        ledger=book,
    )


# Arrivals after the shipped series (Ministry of Unification), for the perfect runs.
LATER = {2016: 1418, 2017: 1127, 2018: 1137, 2019: 1047}


def perfect_run(seed: int = 1, scale: float = 1.0) -> Results:
    """A run that matches every observation and fact (with 876 resettled before it);
    `scale` multiplies arrivals in every year."""
    observed = observed_arrivals().set_index("year")
    arrivals = {int(y): float(v) for y, v in observed["arrivals"].items()} | LATER
    share = observed["women_share"].fillna(0.45).to_dict() | dict.fromkeys(LATER, 0.85)
    arrivals = {year: value * scale for year, value in arrivals.items()}
    women = {year: value * share[year] for year, value in arrivals.items()}
    years = range(1998, 2020)
    return make_results(
        seed=seed,
        daily={
            "arrivals_sk": per_year(arrivals),
            "arrivals_sk_women": per_year(women),
            "safe_house_raids": per_year({2019: 72}),
            "raid_arrests": per_year({2019: 300}),
            "arrests_china": per_year({2019: 5000}),
            "detained_thailand": per_year({2005: 80, 2006: 450}),
            "thai_backlog": in_years({2006: 175}),
            "hidden_china": 100_000,
            "rescue_intakes": per_year(dict.fromkeys(years, 10)),
            "broker_intakes": per_year(dict.fromkeys(years, 100)),
        },
        ledger={
            "rescue_costs": dict.fromkeys(years, 35_000),
            "broker_fees": dict.fromkeys(years, 400_000),
            "remittances": {2018: 17.5e6},
        },
        journey=dict.fromkeys(years, 200.0),
    )


def scenario_text(valid_text: str, start: str, end: str, resettled_before: int = 0) -> str:
    """The small scenario of tests/conftest.py over `start`-`end`, with the route window
    and the events outside that period dropped, so that it loads."""
    data = yaml.safe_load(valid_text)
    data["period"] = {"start": start, "end": end}
    data["population"]["resettled_before"] = resettled_before
    for route in data["routes"]:
        route.pop("open_from", None)
    data["timeline"] = [event for event in data["timeline"] if start <= str(event["start"]) <= end]
    return yaml.safe_dump(data, sort_keys=False)


@pytest.fixture
def scenario(valid_text: str) -> Scenario:
    """The small scenario over 1998-2019 with 876 resettled before it."""
    return parse_scenario(scenario_text(valid_text, "1998-01-01", "2019-12-31", 876), "s.yaml")
