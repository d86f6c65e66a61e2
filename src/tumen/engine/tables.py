"""Turn a finished run's recorder and ledger into the tables of `Results`."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tumen.engine.context import Context
from tumen.engine.ledger import COST_FLOWS
from tumen.engine.states import HIDDEN_STATES, State, state_names
from tumen.engine.world import CHINA, COUNTRIES, LOCATION_KINDS


def daily_table(ctx: Context, start: np.datetime64) -> pd.DataFrame:
    """One row per day: stocks by state, hidden population in China, and the flows."""
    recorder = ctx.recorder
    by_state = recorder.stocks.sum(axis=2)
    columns: dict[str, np.ndarray] = {"date": start + np.arange(ctx.world.n_days)}
    for code, name in enumerate(state_names()):
        columns[f"stock_{name}"] = by_state[:, code]
    columns["hidden_china"] = recorder.stocks[:, list(HIDDEN_STATES), CHINA].sum(axis=1)
    columns["thai_backlog"] = by_state[:, State.DETAINED_THAILAND]
    columns.update(recorder.flows)
    return pd.DataFrame(columns)


def _median_journeys(ctx: Context, years: np.ndarray) -> np.ndarray:
    """Median days from crossing to arrival among each year's arrivals."""
    by_year: dict[int, list[np.ndarray]] = {}
    for day, taken in ctx.recorder.journeys:
        by_year.setdefault(int(ctx.world.day_year[day]), []).append(taken)
    medians = np.full(years.size, np.nan)
    for row, year in enumerate(years.tolist()):
        if year in by_year:
            medians[row] = _median_of_whole_days(by_year[year])
    return medians


def _median_of_whole_days(parts: list[np.ndarray]) -> float:
    """The median of the whole numbers of days in `parts`, as `np.median` of them all
    gives it, from how many took each number of days: no year's journeys (a million, in
    a large run) are gathered into one array to be sorted."""
    low = min(int(part.min()) for part in parts)
    span = max(int(part.max()) for part in parts) - low + 1
    if span > 4 * sum(part.size for part in parts) + 4096:  # counts longer than the days
        return float(np.median(np.concatenate(parts)))
    taking = np.zeros(span, dtype=np.int64)
    for part in parts:
        taking += np.bincount(part - low, minlength=span)
    up_to = np.cumsum(taking)
    middle = (int(up_to[-1]) - 1) / 2
    # The values at the two middle ranks (the same one for an odd count).
    below, above = np.searchsorted(up_to, [np.floor(middle), np.ceil(middle)], side="right")
    return (float(low + below) + float(low + above)) / 2


def annual_table(ctx: Context, daily: pd.DataFrame) -> pd.DataFrame:
    """One row per year: flows summed within the year, stocks at its last day. Built
    from arrays, the days of a year being consecutive: grouping in pandas cost a run
    more than its last few hundred days of simulation."""
    years = ctx.world.day_year
    first_days = np.flatnonzero(np.r_[True, years[1:] != years[:-1]])
    last_days = np.r_[first_days[1:] - 1, years.size - 1]
    columns: dict[str, np.ndarray] = {"year": years[first_days]}
    for name in ctx.recorder.flows:
        columns[name] = np.add.reduceat(daily[name].to_numpy(), first_days)
    for name in ("hidden_china", "thai_backlog", *(f"stock_{code}" for code in state_names())):
        columns[name] = daily[name].to_numpy()[last_days]
    ledger = ctx.ledger.by_year
    columns["cost_usd"] = sum(ledger[flow] for flow in COST_FLOWS)
    columns["remittances_usd"] = ledger["remittances"]
    columns["median_journey_days"] = _median_journeys(ctx, columns["year"])
    return pd.DataFrame(columns)


def route_flow_table(ctx: Context) -> pd.DataFrame:
    """Travellers setting out on each route each year."""
    graph = ctx.world.graph
    first_year = int(ctx.world.day_year[0])
    traffic = ctx.recorder.route_traffic
    years, routes = np.nonzero(traffic >= 0)
    return pd.DataFrame(
        {
            "year": first_year + years,
            "route": np.array(graph.route_ids)[routes],
            "source": np.array(graph.location_ids)[graph.route_source[routes]],
            "target": np.array(graph.location_ids)[graph.route_target[routes]],
            "travellers": traffic[years, routes],
        }
    )


def location_table(ctx: Context, names: dict[str, tuple[str, float, float]]) -> pd.DataFrame:
    """The locations with their kind, country and coordinates, for maps."""
    graph = ctx.world.graph
    return pd.DataFrame(
        {
            "id": graph.location_ids,
            "name": [names[loc][0] for loc in graph.location_ids],
            "kind": [LOCATION_KINDS[k].value for k in graph.location_kind],
            "country": [COUNTRIES[c].value for c in graph.location_country],
            "lat": [names[loc][1] for loc in graph.location_ids],
            "lon": [names[loc][2] for loc in graph.location_ids],
        }
    )
