"""Standard designs of a rescue network's knowledge, and what they cost in hand-offs.

A design rewrites who knows whom in a scenario's network and leaves its cells, their
route segments and their safe houses as they are. The cells are taken in the order the
scenario lists them, which is their order along the route; hand-offs happen between
consecutive cells of one operator. One compartmentalisation
level moves each design between the extremes: at 0 every cell knows every cell and
house (fully connected); at 1 only the design's own links remain. In between, the
connected design's extra links are dropped, farthest apart along the route first.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tumen.scenario.schema import DesignName, Network

Links = tuple[np.ndarray, np.ndarray]  # knows_cell [cells, cells], knows_house [cells, houses]
WINDMILL_BLADE = 3  # cells per blade of the windmill; the first cell is the hub


def _own_houses(network: Network) -> np.ndarray:
    cell_at = {cell.id: i for i, cell in enumerate(network.cells)}
    own = np.zeros((len(network.cells), len(network.safe_houses)), dtype=bool)
    for h, house in enumerate(network.safe_houses):
        own[cell_at[house.cell], h] = True
    return own


def _connected(network: Network) -> Links:
    n = len(network.cells)
    return ~np.eye(n, dtype=bool), np.ones((n, len(network.safe_houses)), dtype=bool)


def _chain(network: Network) -> Links:
    n = len(network.cells)
    return np.eye(n, k=1, dtype=bool), _own_houses(network)


def _hub(network: Network) -> Links:
    cells, houses = np.zeros((len(network.cells),) * 2, dtype=bool), _own_houses(network)
    cells[0, 1:] = cells[1:, 0] = True
    houses[0] = True
    return cells, houses


def _cells(network: Network) -> Links:
    n = len(network.cells)
    return np.zeros((n, n), dtype=bool), _own_houses(network)


def _windmill(network: Network) -> Links:
    n = len(network.cells)
    cells, houses = np.zeros((n, n), dtype=bool), _own_houses(network)
    for start in range(1, n, WINDMILL_BLADE):
        blade = np.arange(start, min(n, start + WINDMILL_BLADE))
        cells[np.ix_(blade, blade)] = True
        houses[blade] = houses[blade].any(axis=0)
        cells[0, blade[0]] = cells[blade[0], 0] = True
    np.fill_diagonal(cells, False)
    return cells, houses


DESIGNS: dict[str, Callable[[Network], Links]] = {
    DesignName.CONNECTED: _connected,
    DesignName.CHAIN: _chain,
    DesignName.HUB: _hub,
    DesignName.CELLS: _cells,
    DesignName.WINDMILL: _windmill,
}


def design_links(network: Network, design: str, level: float = 1.0) -> Links:
    """The knowledge of `design` at compartmentalisation `level` (0: connected, 1: pure)."""
    if design not in DESIGNS:
        raise ValueError(f"unknown design {design!r}; choose one of {', '.join(DESIGNS)}")
    if not 0.0 <= level <= 1.0:
        raise ValueError(f"the compartmentalisation level must be in [0, 1], got {level}")
    if not network.cells:
        raise ValueError("the scenario's network has no cells to design")
    cells, houses = DESIGNS[design](network)
    all_cells, all_houses = _connected(network)
    cells = cells | _kept(all_cells & ~cells, _cell_distance(len(network.cells)), level)
    houses = houses | _kept(all_houses & ~houses, _house_distance(network), level)
    return cells, houses


def _kept(extra: np.ndarray, distance: np.ndarray, level: float) -> np.ndarray:
    """The share 1 - level of the `extra` links, nearest along the route first."""
    order = np.flatnonzero(extra.ravel())
    order = order[np.argsort(distance.ravel()[order], kind="stable")]
    kept = np.zeros(extra.size, dtype=bool)
    kept[order[: round((1.0 - level) * order.size)]] = True
    return kept.reshape(extra.shape)


def _cell_distance(n: int) -> np.ndarray:
    index = np.arange(n)
    return np.abs(index[:, None] - index[None, :])


def _house_distance(network: Network) -> np.ndarray:
    cell_at = {cell.id: i for i, cell in enumerate(network.cells)}
    owner = np.array([cell_at[house.cell] for house in network.safe_houses], dtype=np.int64)
    return np.abs(np.arange(len(network.cells))[:, None] - owner[None, :])


def redesign(network: Network, design: str, level: float = 1.0) -> Network:
    """A copy of `network` whose cells know what `design` at `level` lets them know."""
    cells, houses = design_links(network, design, level)
    ids = [cell.id for cell in network.cells]
    house_ids = [house.id for house in network.safe_houses]
    new_cells = [
        cell.model_copy(update={
            "knows_cells": [ids[j] for j in np.flatnonzero(cells[i])],
            "knows_safe_houses": [house_ids[j] for j in np.flatnonzero(houses[i])],
        })
        for i, cell in enumerate(network.cells)
    ]
    return network.model_copy(update={"cells": new_cells, "design": None})


@dataclass(frozen=True)
class Coordination:
    """What hand-offs cost a group that travels the whole route, cell to cell."""

    handoff_days: float  # expected days spent in hand-offs
    handoff_failure: float  # probability that at least one hand-off fails


def coordination_cost(network: Network) -> Coordination:
    """Hand-offs between consecutive cells of one operator's line, averaged over the lines:
    quick where the giver knows the taker, slow and more fragile through a go-between (a
    cut-out) where not, as the travel process plays them."""
    lines = [[cell for cell in network.cells if cell.operator == operator]
             for operator in dict.fromkeys(cell.operator for cell in network.cells)]
    days, failure = [], []
    for line in lines:
        known = [taker.id in giver.knows_cells for giver, taker in itertools.pairwise(line)]
        days.append(sum((network.handoff_days_known if k else network.handoff_days_cutout).mean
                        for k in known))
        success = np.prod([1.0 - (network.handoff_failure_known if k
                                  else network.handoff_failure_cutout) for k in known])
        failure.append(1.0 - float(success))
    return Coordination(handoff_days=float(np.mean(days)), handoff_failure=float(np.mean(failure)))
