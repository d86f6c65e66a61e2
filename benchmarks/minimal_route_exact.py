"""The minimal route model's exact expectations, and the check every implementation's
totals must pass: a fast wrong answer does not count.

The probability of being at each of the 16 nodes is propagated day by day through a
16x16 transition matrix; what leaves the matrix is the arrested share, and what reaches
the last node is the arrived share.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

N_NODES = 16
START, FINAL = 0, 15
ARREST_HAZARD = 0.001  # a day, at every node but the last; arrest is final
MOVE_CHANCE = 0.2  # a day, for those not arrested that day
# (source, target, weight): the chain 0-3, two branches that rejoin at 13, then 13-15.
EDGES = (
    (0, 1, 1.0), (1, 2, 1.0), (2, 3, 1.0), (3, 4, 0.7), (3, 9, 0.3), (4, 5, 1.0),
    (5, 6, 1.0), (6, 7, 1.0), (7, 8, 1.0), (8, 13, 1.0), (9, 10, 1.0), (10, 11, 1.0),
    (11, 12, 1.0), (12, 13, 1.0), (13, 14, 1.0), (14, 15, 1.0),
)
# How many standard deviations of sampling error a total may stray before it is wrong.
TOLERANCE_SD = 5.0


def successor_weights() -> np.ndarray:
    """Row-normalised edge weights: float [16, 16], zero rows for the final node."""
    weights = np.zeros((N_NODES, N_NODES))
    for source, target, weight in EDGES:
        weights[source, target] = weight
    sums = weights.sum(axis=1, keepdims=True)
    return np.divide(weights, sums, out=np.zeros_like(weights), where=sums > 0)


def transition_matrix() -> np.ndarray:
    """One day's move from node to node: float [16, 16]; rows sum to 1 less the arrests."""
    stay_alive = 1.0 - ARREST_HAZARD
    matrix = stay_alive * (
        (1.0 - MOVE_CHANCE) * np.eye(N_NODES) + MOVE_CHANCE * successor_weights()
    )
    matrix[FINAL] = 0.0
    matrix[FINAL, FINAL] = 1.0
    return matrix


@dataclass(frozen=True)
class Expected:
    """Shares of the cohort arrived and arrested after the given days."""

    days: int
    arrived: float
    arrested: float


def expected(days: int) -> Expected:
    """Exact shares after `days` days, everyone starting at node 0."""
    share = np.zeros(N_NODES)
    share[START] = 1.0
    matrix = transition_matrix()
    for _ in range(days):
        share = share @ matrix
    return Expected(days, arrived=float(share[FINAL]), arrested=float(1.0 - share.sum()))


def disagreements(agents: int, days: int, arrived: int, arrested: int) -> list[str]:
    """What in these totals strays beyond sampling error from the exact expectations."""
    exact = expected(days)
    problems = []
    for name, count, share in (("arrived", arrived, exact.arrived),
                               ("arrested", arrested, exact.arrested)):
        sd = math.sqrt(agents * share * (1.0 - share))
        expected_count = agents * share
        off = abs(count - expected_count)
        if off > TOLERANCE_SD * sd + 1.0:
            problems.append(
                f"{name}={count}, expected {expected_count:.1f} +/- {sd:.1f} (1 sd) for "
                f"{agents} agents over {days} days: off by {off / max(sd, 1e-9):.1f} sd"
            )
    return problems
