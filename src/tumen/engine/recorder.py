"""Aggregate flows and stocks while a run goes, so that no per-agent history is kept."""

from __future__ import annotations

import numpy as np

FLOW_NAMES = (
    "departures",
    "chain_departures",
    "chain_funded_in_china",
    "reattempts",
    "crossings",
    "caught_at_border",
    "deaths",
    "arrests_china",
    "arrests_third",
    "deported_to_china",
    "repatriations",
    "trafficked",
    "settled",
    "returned_home",
    "rescue_intakes",
    "broker_intakes",
    "credit_intakes",
    "handoff_failures",
    "safe_house_raids",
    "hideout_raids",
    "raid_arrests",
    "safe_houses_compromised",
    "detained_thailand",
    "arrivals_sk",
    "arrivals_sk_women",
    "arrivals_us",
    "airlifted",
)


class Recorder:
    """Daily flow counts, daily state counts, route traffic and journey times."""

    def __init__(self, n_days: int, n_states: int, n_countries: int, n_routes: int,
                 day_year: np.ndarray):
        self.flows = {name: np.zeros(n_days, dtype=np.int64) for name in FLOW_NAMES}
        self.stocks = np.zeros((n_days, n_states, n_countries), dtype=np.int64)
        self._year_index = (day_year - day_year[0]).astype(np.int64)
        self.route_traffic = np.zeros((int(self._year_index[-1]) + 1, n_routes), np.int64)
        self.journeys: list[tuple[int, np.ndarray]] = []
        self.population_total = np.zeros(n_days, dtype=np.int64)

    def count(self, name: str, day: int, n: int) -> None:
        """Add `n` to the flow `name` on `day`."""
        self.flows[name][day] += n

    def traffic(self, day: int, routes: np.ndarray) -> None:
        """Count travellers setting out on `routes` on `day`."""
        np.add.at(self.traffic_counts(day), routes, 1)

    def traffic_counts(self, day: int) -> np.ndarray:
        """The counts of travellers by route of `day`'s year, for compiled code that
        counts those setting out itself."""
        return self.route_traffic[self._year_index[day]]

    def traffic_by_year(self) -> tuple[np.ndarray, np.ndarray]:
        """The counts of travellers [year, route] and each day's row in them, for compiled
        code that counts travellers setting out on days ahead."""
        return self.route_traffic, self._year_index

    def journey(self, day: int, days_taken: np.ndarray) -> None:
        """Remember how long the arrivals of `day` took from crossing to arrival."""
        if days_taken.size:
            self.journeys.append((day, days_taken.astype(np.int32)))

    def close_day(self, day: int, counts: np.ndarray, population: int) -> None:
        """Store the end-of-day stocks by state and country."""
        self.stocks[day] = counts
        self.population_total[day] = population
