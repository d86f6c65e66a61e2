"""Exposure of network designs: hand-worked values, monotonicity and the extremes."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from tumen.analysis.exposure import KnowledgeGraph, exposure_of, secrecy
from tumen.scenario.designs import DESIGNS, coordination_cost, design_links, redesign
from tumen.scenario.schema import Cell, Network, SafeHouse


def line_network(n_cells: int = 6) -> Network:
    """A rescue line of `n_cells` cells, one safe house each (capacity 10 + cell index)."""
    cells = [Cell(id=f"c{i}", operator="rescue", segment=[f"l{i}"]) for i in range(n_cells)]
    houses = [SafeHouse(id=f"h{i}", location=f"l{i}", cell=f"c{i}", capacity=10 + i)
              for i in range(n_cells)]
    return Network(cells=cells, safe_houses=houses, disclosure_probability=0.5)


def graph_of(network: Network, design: str, level: float = 1.0) -> KnowledgeGraph:
    return KnowledgeGraph.from_network(redesign(network, design, level))


@pytest.mark.parametrize("n", [3, 5, 8])
@pytest.mark.parametrize("p", [0.0, 0.3, 1.0])
def test_secrecy_of_a_star_and_a_complete_graph_by_hand(n: int, p: float) -> None:
    star = np.zeros((n, n), dtype=bool)
    star[0, 1:] = True
    assert secrecy(star, p) == pytest.approx((n - 1) * (n - 2 * p) / n**2)
    assert secrecy(~np.eye(n, dtype=bool), p) == pytest.approx((n - 1) * (1 - p) / n)


def test_a_chain_of_three_by_hand() -> None:
    # c0 knows c1 knows c2; each knows its own house. Caught c0 with p: c1 falls with p,
    # c2 with p**2; house i falls if cell i is revealed and talks: p * P(cell i revealed),
    # and c0's own house with p.
    p = 0.4
    graph = graph_of(line_network(3), "chain")
    result = exposure_of(graph, caught=0, p=p)
    assert result.cells == pytest.approx((p + p**2) / 2)
    houses = np.array([p, p * p, p * p**2])
    assert result.houses == pytest.approx(houses.mean())
    assert result.people == pytest.approx(houses @ np.array([10, 11, 12]) / 33)


def test_sampling_agrees_with_enumeration() -> None:
    graph = graph_of(line_network(4), "connected")  # 12 links: enumerated
    exact = exposure_of(graph, caught=1, p=0.3)
    import tumen.analysis.exposure as exposure

    limit, exposure.EXACT_LINK_LIMIT = exposure.EXACT_LINK_LIMIT, 0
    try:
        sampled = exposure_of(graph, caught=1, p=0.3, samples=20_000, seed=1)
    finally:
        exposure.EXACT_LINK_LIMIT = limit
    assert sampled.cells == pytest.approx(exact.cells, abs=0.01)
    assert sampled.houses == pytest.approx(exact.houses, abs=0.01)


@pytest.mark.parametrize("design", list(DESIGNS))
def test_more_knowledge_never_lowers_exposure(design: str) -> None:
    network = line_network(5)
    shares = [exposure_of(graph_of(network, design, level), caught=2, p=0.5)
              for level in (1.0, 0.75, 0.5, 0.25, 0.0)]
    for less, more in itertools.pairwise(shares):
        assert more.cells >= less.cells - 1e-12
        assert more.houses >= less.houses - 1e-12


def test_the_extremes_of_secrecy_and_coordination() -> None:
    network = line_network(6)
    mean_exposure = {
        design: np.mean([exposure_of(graph_of(network, design), c, p=0.5).houses
                         for c in range(6)])
        for design in DESIGNS
    }
    assert min(mean_exposure, key=mean_exposure.get) == "cells"
    assert max(mean_exposure, key=mean_exposure.get) == "connected"
    days = {d: coordination_cost(redesign(network, d)).handoff_days for d in DESIGNS}
    assert days["connected"] == min(days.values()) < days["cells"] == max(days.values())


def test_level_zero_is_fully_connected_whatever_the_design() -> None:
    network = line_network(5)
    connected = design_links(network, "connected")
    for design in DESIGNS:
        cells, houses = design_links(network, design, level=0.0)
        assert (cells == connected[0]).all() and (houses == connected[1]).all()


def test_bad_input_is_refused_with_the_fix() -> None:
    network = line_network(3)
    with pytest.raises(ValueError, match="choose one of connected, chain"):
        design_links(network, "ring")
    with pytest.raises(ValueError, match=r"level must be in \[0, 1\]"):
        design_links(network, "chain", level=1.5)
    with pytest.raises(ValueError, match="disclosure probability"):
        exposure_of(graph_of(network, "chain"), caught=0, p=2.0)


def test_a_scenario_may_name_its_design(valid_text: str) -> None:
    from tumen.scenario import parse_scenario
    from tumen.scenario.compile import compile_scenario

    text = valid_text.replace("  disclosure_probability: 0.25\n",
                              "  disclosure_probability: 0.25\n  design: {name: connected}\n")
    world = compile_scenario(parse_scenario(text, "f.yaml"))
    assert world.network.cell_knows_cell.sum() == 2  # both cells know each other
    assert world.network.cell_knows_house.all()
    as_written = compile_scenario(parse_scenario(valid_text, "f.yaml"))
    assert as_written.network.cell_knows_cell.sum() == 1


def test_an_unknown_design_in_a_file_is_reported_at_its_line(valid_text: str) -> None:
    from tumen.scenario import ScenarioError, parse_scenario

    text = valid_text.replace("  disclosure_probability: 0.25\n",
                              "  disclosure_probability: 0.25\n  design: {name: ring}\n")
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "f.yaml")
    message = str(info.value)
    assert "f.yaml:60" in message and "network.design.name" in message
    assert "must be one of {connected, chain, hub, cells, windmill}, got 'ring'" in message
