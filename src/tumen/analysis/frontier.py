"""The secrecy/efficiency frontier of network designs for one scenario's network.

Each design (at each compartmentalisation level asked for) is scored on exposure (what
one caught cell gives away: averaged over which cell is caught, at worst, and when the
best-connected cell is caught) and on coordination (hand-off days and failures along
the line). A design is dominated when another is no worse on both the expected share of
people compromised and the hand-off days, and better on one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from pathlib import Path

import numpy as np
import pandas as pd

from tumen.analysis.exposure import KnowledgeGraph, exposure_of, secrecy
from tumen.scenario.designs import DESIGNS, coordination_cost, redesign
from tumen.scenario.schema import Network

DesignDone = Callable[[int, int], None]


def design_table(network: Network, designs: Sequence[str] = tuple(DESIGNS),
                 levels: Sequence[float] = (1.0,), p: float | None = None,
                 samples: int = 5_000, seed: int = 0,
                 on_done: DesignDone | None = None) -> pd.DataFrame:
    """One row per design and level: exposure, secrecy, coordination, dominated or not.

    `p` is the per-link disclosure probability (default: the network's own).
    """
    p = network.disclosure_probability if p is None else p
    combos = [(design, level) for design in designs for level in levels]
    rows = []
    for done, (design, level) in enumerate(combos, start=1):
        designed = redesign(network, design, level)
        graph = KnowledgeGraph.from_network(designed)
        each = [exposure_of(graph, caught, p, samples, seed) for caught in range(len(graph.cells))]
        links = graph.knows_cell.sum(axis=1) + graph.knows_house.sum(axis=1)
        hub = int(np.argmax(links))
        cost = coordination_cost(designed)
        rows.append({
            "design": design,
            "level": level,
            "people_random": float(np.mean([e.people for e in each])),
            "people_worst": max(e.people for e in each),
            "people_best_connected": each[hub].people,
            "houses_random": float(np.mean([e.houses for e in each])),
            "houses_worst": max(e.houses for e in each),
            "cells_random": float(np.mean([e.cells for e in each])),
            "cells_worst": max(e.cells for e in each),
            "secrecy": secrecy(graph.knows_cell, p),
            "handoff_days": cost.handoff_days,
            "handoff_failure": cost.handoff_failure,
        })
        if on_done is not None:
            on_done(done, len(combos))
    table = pd.DataFrame(rows)
    table["dominated"] = dominated(table["people_random"].to_numpy(),
                                   table["handoff_days"].to_numpy())
    return table


def dominated(exposure: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Whether each point has another no worse on both measures and better on one."""
    no_worse = (exposure[None, :] <= exposure[:, None]) & (cost[None, :] <= cost[:, None])
    better = (exposure[None, :] < exposure[:, None]) | (cost[None, :] < cost[:, None])
    return (no_worse & better).any(axis=1)


def write_frontier(table: pd.DataFrame, folder: Path, title: str) -> None:
    """exposure.csv and frontier.html (self-contained, readable offline) into `folder`."""
    import plotly.graph_objects as go

    from tumen.report.figures import TEMPLATE
    from tumen.report.html import standalone_page

    folder.mkdir(parents=True, exist_ok=True)
    table.to_csv(folder / "exposure.csv", index=False)
    fig = go.Figure(layout={"template": TEMPLATE})
    for is_dominated, colour, name in ((False, "#1f77b4", "on the frontier"),
                                      (True, "#999999", "dominated")):
        part = table[table["dominated"] == is_dominated]
        labels = [f"{d} ({lv:g})" if table["level"].nunique() > 1 else d
                  for d, lv in zip(part["design"], part["level"], strict=True)]
        fig.add_scatter(x=part["handoff_days"], y=100 * part["people_random"], mode="markers+text",
                        text=labels, textposition="top center", name=name,
                        marker={"size": 12, "color": colour})
    fig.update_layout(title="Secrecy and efficiency of network designs",
                      xaxis_title="days spent in hand-offs along a line",
                      yaxis_title="% of people in safe houses compromised by one caught cell")
    chart = fig.to_html(full_html=False, include_plotlyjs=False, config={"displaylogo": False})
    body = f"""<h1>Network designs: {escape(title)}</h1>
<p class="meta">Lower left is better: fewer people compromised when one cell is caught,
fewer days lost in hand-offs. Grey designs are dominated.</p>
<section class="chart">{chart}</section>
{table.to_html(index=False, float_format=lambda v: f"{v:.3f}", border=0)}"""
    page = standalone_page(f"Tumen exposure: {escape(title)}", body)
    (folder / "frontier.html").write_text(page, encoding="utf-8")
