"""Turn the dated event timeline into daily input series and one-day events.

Dates stop here: everything after this module counts days from the start of the period.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from tumen.engine.world import COUNTRIES, OneOff
from tumen.scenario.schema import Event, Input, Scenario


def day_index(scenario: Scenario, date: dt.date) -> int:
    """Days from the first day of the period to `date`."""
    return (date - scenario.period.start).days


def n_days(scenario: Scenario) -> int:
    """Number of simulated days, both ends included."""
    return day_index(scenario, scenario.period.end) + 1


def _event_days(scenario: Scenario, event: Event) -> tuple[int, int]:
    """First and last day an event covers, clipped to the period."""
    last = n_days(scenario) - 1
    end = event.end if event.end is not None else scenario.period.end
    return max(0, day_index(scenario, event.start)), min(last, day_index(scenario, end))


def _country_rows(where: str) -> list[int]:
    """Rows of an input matrix a `where` names: one country, or all of them."""
    if where == "all":
        return list(range(len(COUNTRIES)))
    return [COUNTRIES.index(where)]


def _scale_profile(event: Event, first: int, last: int) -> np.ndarray:
    """The multiplier over [first, last]: `value`, reached linearly over `ramp_days`."""
    length = last - first + 1
    profile = np.full(length, event.value)
    if event.ramp_days > 0:
        ramp = np.minimum(np.arange(1, length + 1) / event.ramp_days, 1.0)
        profile = 1.0 + (event.value - 1.0) * ramp
    return profile


def input_series(scenario: Scenario) -> dict[str, np.ndarray]:
    """Daily input series [n_countries, n_days], baseline 1, scaled by `scale` events."""
    days = n_days(scenario)
    series = {name.value: np.ones((len(COUNTRIES), days)) for name in Input}
    for event in scenario.timeline:
        if event.action != "scale":
            continue
        first, last = _event_days(scenario, event)
        if last < first:
            continue
        profile = _scale_profile(event, first, last)
        for row in _country_rows(event.where):
            series[event.input.value][row, first : last + 1] *= profile
    return series


def route_open_matrix(scenario: Scenario) -> np.ndarray:
    """Whether each route is open each day: its own window, less `close_route` events."""
    days = n_days(scenario)
    routes = scenario.routes
    is_open = np.ones((len(routes), days), dtype=bool)
    countries = {loc.id: loc.country.value for loc in scenario.locations}
    for row, route in enumerate(routes):
        if route.open_from is not None:
            is_open[row, : max(0, day_index(scenario, route.open_from))] = False
        if route.open_until is not None:
            is_open[row, day_index(scenario, route.open_until) + 1 :] = False
    for event in scenario.timeline:
        if event.action != "close_route":
            continue
        first, last = _event_days(scenario, event)
        for row, route in enumerate(routes):
            touched = event.where in (
                "all",
                route.id,
                route.source,
                route.target,
                countries[route.source],
                countries[route.target],
            )
            if touched:
                is_open[row, first : last + 1] = False
    return is_open


def one_off_events(scenario: Scenario, location_index: dict[str, int]) -> tuple[OneOff, ...]:
    """Raids and airlifts, each on its start day."""
    found = []
    for event in scenario.timeline:
        if event.action not in ("raid", "airlift"):
            continue
        target = location_index[event.target] if event.target else -1
        found.append(
            OneOff(
                day=day_index(scenario, event.start),
                action=event.action,
                location=location_index[event.where],
                target=target,
            )
        )
    return tuple(sorted(found, key=lambda one: one.day))


def quiet_until(inputs: dict[str, np.ndarray], route_open: np.ndarray,
                one_offs: tuple[OneOff, ...]) -> np.ndarray:
    """For each day, the last day on which every input series (every country) and
    every route's opening are still as on that day and no one-off event has come since,
    at most the last day of the run: within such a window nothing that route choice and
    risks depend on changes, so legs can be drawn ahead (int64 [n_days])."""
    n = route_open.shape[1]
    changes = np.zeros(n, dtype=bool)
    for series in inputs.values():
        changes[1:] |= (series[:, 1:] != series[:, :-1]).any(axis=0)
    changes[1:] |= (route_open[:, 1:] != route_open[:, :-1]).any(axis=0)
    changes[[event.day for event in one_offs if 0 <= event.day < n]] = True
    starts = np.flatnonzero(changes[1:]) + 1
    following = np.append(starts, n)[np.searchsorted(starts, np.arange(n), side="right")]
    return (following - 1).astype(np.int64)
