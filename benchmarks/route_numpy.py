"""The minimal route model as plain vectorised NumPy: a struct of arrays and a coin per
agent per day, the practical floor of pure-Python vectorisation."""

from __future__ import annotations

import numpy as np

from benchmarks.minimal_route_exact import (
    ARREST_HAZARD,
    FINAL,
    MOVE_CHANCE,
    N_NODES,
    START,
    successor_weights,
)


def prepare(agents: int, days: int, seed: int):
    """Everyone at the start node; the returned function steps `days` days."""
    rng = np.random.default_rng(seed)
    hazard = np.full(N_NODES, ARREST_HAZARD)
    hazard[FINAL] = 0.0
    cumulative = np.cumsum(successor_weights(), axis=1)
    node = np.full(agents, START, dtype=np.int8)
    travelling = np.ones(agents, dtype=bool)
    arrivals = np.zeros(days, dtype=np.int64)
    arrests = np.zeros(days, dtype=np.int64)

    def run() -> tuple[int, int]:
        for day in range(days):
            caught = travelling & (rng.random(agents) < hazard[node])
            travelling[caught] = False
            movers = np.flatnonzero(travelling & (rng.random(agents) < MOVE_CHANCE))
            draw = rng.random(movers.size)[:, None]
            node[movers] = (draw >= cumulative[node[movers]]).sum(axis=1)
            arrived = movers[node[movers] == FINAL]
            travelling[arrived] = False
            arrivals[day], arrests[day] = arrived.size, caught.sum()
        return int(arrivals.sum()), int(arrests.sum())

    return run
