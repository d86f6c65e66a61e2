"""What one caught cell gives away: the exposure of a rescue network's design.

The cascade is the one the raids process plays out (docs/model.md): a caught cell
discloses each cell and each safe house it knows, each with the disclosure probability
p, and every disclosed cell talks in turn. Seen from the knowledge graph this is
percolation: each "knows" link is open with probability p, and what is compromised is
what the caught cell reaches over open links. On small graphs every state of the links
is enumerated; otherwise the cascade is sampled.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tumen.scenario.schema import Network

# Up to this many cell-to-cell links, every open/closed state is enumerated (2**n states).
EXACT_LINK_LIMIT = 14


@dataclass(frozen=True)
class KnowledgeGraph:
    """Who knows whom in a rescue network, as boolean matrices."""

    cells: tuple[str, ...]
    houses: tuple[str, ...]
    knows_cell: np.ndarray  # bool [cells, cells]: row knows column
    knows_house: np.ndarray  # bool [cells, houses]
    house_capacity: np.ndarray  # int [houses]: people a house can hold

    @classmethod
    def from_network(cls, network: Network) -> KnowledgeGraph:
        """The knowledge graph a scenario's `network` section describes, as the engine
        compiles it: every cell knows its own safe houses."""
        cells = tuple(cell.id for cell in network.cells)
        houses = tuple(house.id for house in network.safe_houses)
        cell_at = {cid: i for i, cid in enumerate(cells)}
        house_at = {hid: i for i, hid in enumerate(houses)}
        knows_cell = np.zeros((len(cells), len(cells)), dtype=bool)
        knows_house = np.zeros((len(cells), len(houses)), dtype=bool)
        for i, cell in enumerate(network.cells):
            knows_cell[i, [cell_at[c] for c in cell.knows_cells if c != cell.id]] = True
            knows_house[i, [house_at[h] for h in cell.knows_safe_houses]] = True
        for h, house in enumerate(network.safe_houses):
            knows_house[cell_at[house.cell], h] = True  # a cell knows its own houses
        capacity = np.array([house.capacity for house in network.safe_houses], dtype=np.int64)
        return cls(cells, houses, knows_cell, knows_house, capacity)


@dataclass(frozen=True)
class Exposure:
    """Expected shares compromised when one given cell is caught."""

    cells: float  # share of the other cells disclosed
    houses: float  # share of safe houses disclosed
    people: float  # share of safe-house places disclosed: people waiting in them


def exposure_of(graph: KnowledgeGraph, caught: int, p: float, samples: int = 20_000,
                seed: int = 0) -> Exposure:
    """Expected shares compromised when cell `caught` is caught; exact on small graphs."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"the disclosure probability must be in [0, 1], got {p}")
    links = np.argwhere(graph.knows_cell)
    if len(links) <= EXACT_LINK_LIMIT:
        every = np.arange(2 ** len(links))[:, None]
        states = ((every >> np.arange(len(links))) & 1).astype(bool)
        opened = states.sum(axis=1)
        weights = p**opened * (1.0 - p) ** (len(links) - opened)
    else:
        states = np.random.default_rng(seed).random((samples, len(links))) < p
        weights = np.full(samples, 1.0 / samples)
    revealed = np.array([_reached(graph.cells, links[state], caught) for state in states])
    return _expected(graph, revealed, weights, caught, p)


def _reached(cells: tuple[str, ...], open_links: np.ndarray, start: int) -> np.ndarray:
    """Cells reached from `start` over the open links (start included)."""
    reached = np.zeros(len(cells), dtype=bool)
    reached[start] = True
    frontier = [start]
    while frontier:
        talking = frontier.pop()
        for other in open_links[open_links[:, 0] == talking, 1].tolist():
            if not reached[other]:
                reached[other] = True
                frontier.append(other)
    return reached


def _expected(graph: KnowledgeGraph, revealed: np.ndarray, weights: np.ndarray, caught: int,
              p: float) -> Exposure:
    """Average the shares over the link states, each with its weight."""
    n_cells, n_houses = len(graph.cells), len(graph.houses)
    other_cells = (revealed.sum(axis=1) - 1) / max(1, n_cells - 1)
    # A house falls if any revealed cell that knows it talks of it.
    knowers = revealed.astype(np.int64) @ graph.knows_house.astype(np.int64)
    house_falls = 1.0 - (1.0 - p) ** knowers  # [states, houses]
    houses = house_falls.mean(axis=1) if n_houses else np.zeros(len(weights))
    places = graph.house_capacity.sum()
    people = house_falls @ graph.house_capacity / places if places else np.zeros(len(weights))
    return Exposure(
        cells=float(weights @ other_cells),
        houses=float(weights @ houses),
        people=float(weights @ people),
    )


def secrecy(adjacency: np.ndarray, p: float) -> float:
    """Lindelauf, Borm & Hamers (2009): expected share of members left unexposed.

    Each member is equally likely to be detected; a detected member exposes each of its
    neighbours with probability p. With m links among n members this is
    (n**2 - n - 2pm) / n**2: a star keeps (n-1)(n-2p)/n**2, a complete graph (n-1)(1-p)/n.
    """
    links = np.logical_or(adjacency, adjacency.T)
    np.fill_diagonal(links, False)
    n = len(links)
    if n == 0:
        raise ValueError("a network with no member has no secrecy to measure")
    exposed = 1.0 + p * links.sum(axis=1)
    return float(np.mean((n - exposed) / n))
