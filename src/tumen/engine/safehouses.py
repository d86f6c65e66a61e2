"""Safe houses: who is inside, which are open, and how new arrivals are placed."""

from __future__ import annotations

import numpy as np

from tumen.engine import kernels
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
        self._capacity = network.house_capacity.astype(np.int64)
        # The houses of each (place, cell), in the scenario's order, as one array cut
        # by offsets: those of key k = place * n_cells + cell are
        # houses_at[offsets[k]:offsets[k + 1]].
        self._n_cells = max(1, len(network.cell_ids))
        n_places = int(network.house_location.max()) + 1 if n else 0
        keys = network.house_location.astype(np.int64) * self._n_cells + network.house_cell
        self._houses_at = np.argsort(keys, kind="stable").astype(np.int64)
        counts = np.bincount(keys, minlength=n_places * self._n_cells)
        self._offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)

    def place(self, locations: np.ndarray, cells: np.ndarray, day: int) -> np.ndarray:
        """A safe house for each escapee at `locations` with `cells` (-1 where none is
        open with room): the first of her cell's houses there with room, in order."""
        return kernels.place_in_houses(
            np.ascontiguousarray(locations, dtype=np.int64),
            np.ascontiguousarray(cells, dtype=np.int64), day, *self.placement_arrays())

    def placement_arrays(self) -> tuple[np.ndarray, np.ndarray, int, np.ndarray, np.ndarray,
                                        np.ndarray]:
        """What `kernels.place_in_houses` needs after the escapees and the day, for
        compiled code that places them itself."""
        return (self._offsets, self._houses_at, self._n_cells, self.closed_until,
                self._capacity, self.occupancy)

    def vacate(self, houses: np.ndarray) -> None:
        """Free the places of escapees leaving `houses` (entries of -1 are ignored)."""
        inside = houses[houses >= 0]
        if inside.size:
            np.subtract.at(self.occupancy, inside, 1)

    def occupants(self, pop: Population, house: int) -> np.ndarray:
        """Rows of everyone waiting in `house` now. States are searched first: they lie
        side by side, while a safe house is read from each one's record."""
        waiting = np.flatnonzero(pop.state == State.WAITING)
        return waiting[pop.safe_house[waiting] == house]

    def close(self, house: int, until: int) -> None:
        """Close `house` until day `until`: nobody is placed there before then."""
        self.closed_until[house] = max(self.closed_until[house], until)

    def is_open(self, day: int) -> np.ndarray:
        """Which houses are open on `day`."""
        return self.closed_until <= day
