"""Safe houses: who is inside, which are open, and how new arrivals are placed."""

from __future__ import annotations

import numpy as np

from tumen.engine.population import Population
from tumen.engine.states import State
from tumen.engine.world import NetworkArrays


class SafeHouses:
    """Occupancy and closures of every safe house in the network."""

    def __init__(self, network: NetworkArrays):
        self.network = network
        n = len(network.house_ids)
        self.occupancy = np.zeros(n, dtype=np.int64)
        self.closed_until = np.zeros(n, dtype=np.int64)
        self._by_place: dict[tuple[int, int], np.ndarray] = {}
        for house, (loc, cell) in enumerate(
            zip(network.house_location, network.house_cell, strict=True)
        ):
            key = (int(loc), int(cell))
            self._by_place[key] = np.append(self._by_place.get(key, []), house).astype(int)

    def place(self, rows: np.ndarray, locations: np.ndarray, cells: np.ndarray,
              day: int) -> np.ndarray:
        """A safe house for each escapee (-1 where none is open with room), filled in order."""
        houses = np.full(rows.size, -1, dtype=np.int16)
        for loc, cell in set(zip(locations.tolist(), cells.tolist(), strict=True)):
            candidates = self._by_place.get((loc, cell))
            if candidates is None:
                continue
            group = np.flatnonzero((locations == loc) & (cells == cell))
            start = 0
            for house in candidates:
                if self.closed_until[house] > day:
                    continue
                room = int(self.network.house_capacity[house] - self.occupancy[house])
                take = group[start : start + max(0, room)]
                houses[take] = house
                self.occupancy[house] += take.size
                start += take.size
        return houses

    def vacate(self, houses: np.ndarray) -> None:
        """Free the places of escapees leaving `houses` (entries of -1 are ignored)."""
        inside = houses[houses >= 0]
        if inside.size:
            np.subtract.at(self.occupancy, inside, 1)

    def occupants(self, pop: Population, house: int) -> np.ndarray:
        """Rows of everyone waiting in `house` now."""
        return np.flatnonzero((pop.safe_house == house) & (pop.state == State.WAITING))

    def close(self, house: int, until: int) -> None:
        """Close `house` until day `until`: nobody is placed there before then."""
        self.closed_until[house] = max(self.closed_until[house], until)

    def is_open(self, day: int) -> np.ndarray:
        """Which houses are open on `day`."""
        return self.closed_until <= day
