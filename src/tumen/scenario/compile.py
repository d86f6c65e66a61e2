"""Compile a validated `Scenario` into the `World` of arrays the engine reads."""

from __future__ import annotations

import numpy as np

from tumen.engine.states import Channel
from tumen.engine.world import (
    COUNTRIES,
    LOCATION_KINDS,
    Graph,
    InitialGroup,
    NetworkArrays,
    SettingOutGroup,
    World,
)
from tumen.scenario import timeline
from tumen.scenario.schema import Operator, Scenario

_OPERATOR_CHANNEL = {Operator.RESCUE: Channel.RESCUE, Operator.BROKER: Channel.BROKER}


def _graph(scenario: Scenario, index: dict[str, int]) -> Graph:
    locations, routes = scenario.locations, scenario.routes
    weights = np.array([loc.departure_weight for loc in locations], dtype=np.float64)
    return Graph(
        location_ids=tuple(loc.id for loc in locations),
        location_kind=np.array([LOCATION_KINDS.index(loc.kind) for loc in locations], np.int8),
        location_country=np.array([COUNTRIES.index(loc.country) for loc in locations], np.int8),
        departure_weight=weights / weights.sum() if weights.sum() > 0 else weights,
        route_ids=tuple(route.id for route in routes),
        route_source=np.array([index[route.source] for route in routes], np.int16),
        route_target=np.array([index[route.target] for route in routes], np.int16),
        route_days_mean=np.array([route.days.mean for route in routes]),
        route_days_sd=np.array([route.days.sd for route in routes]),
        route_cost=np.array([route.cost_usd for route in routes]),
        route_risk=np.array([route.risk for route in routes]),
        route_open=timeline.route_open_matrix(scenario),
        location_pass_through=np.array([loc.pass_through for loc in locations], dtype=bool),
        route_risk_per_day=np.array([route.risk_per_day for route in routes]),
        route_days_geometric=np.array(
            [route.days.distribution == "geometric" for route in routes], dtype=bool),
    )


def _network(scenario: Scenario, index: dict[str, int]) -> NetworkArrays:
    network = scenario.network.designed()
    cells, houses = network.cells, network.safe_houses
    cell_index = {cell.id: row for row, cell in enumerate(cells)}
    house_index = {house.id: row for row, house in enumerate(houses)}
    runs = np.zeros((len(cells), len(index)), dtype=bool)
    knows_cell = np.zeros((len(cells), len(cells)), dtype=bool)
    knows_house = np.zeros((len(cells), len(houses)), dtype=bool)
    for row, cell in enumerate(cells):
        runs[row, [index[loc] for loc in cell.segment]] = True
        knows_cell[row, [cell_index[other] for other in cell.knows_cells]] = True
        knows_house[row, [house_index[house] for house in cell.knows_safe_houses]] = True
    house_cell = np.array([cell_index[house.cell] for house in houses], np.int16)
    # A cell always knows its own safe houses.
    knows_house[house_cell, np.arange(len(houses))] = True
    return NetworkArrays(
        cell_ids=tuple(cell.id for cell in cells),
        cell_operator=np.array([_OPERATOR_CHANNEL[cell.operator] for cell in cells], np.int8),
        cell_runs=runs,
        cell_knows_cell=knows_cell,
        cell_knows_house=knows_house,
        house_ids=tuple(house.id for house in houses),
        house_location=np.array([index[house.location] for house in houses], np.int16),
        house_cell=house_cell,
        house_capacity=np.array([house.capacity for house in houses], np.int32),
    )


def compile_scenario(scenario: Scenario) -> World:
    """Build the engine's `World` from a scenario that has passed validation."""
    index = {loc.id: row for row, loc in enumerate(scenario.locations)}
    days = timeline.n_days(scenario)
    start = np.datetime64(scenario.period.start, "D")
    dates = start + np.arange(days)
    years = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    initial = tuple(
        InitialGroup(
            location=index[group.location],
            count=group.count,
            settled_share=group.settled_share,
            trafficked_share=group.trafficked_share,
            years_in_china_mean=group.years_in_china_mean,
        )
        for group in scenario.population.initial
    )
    setting_out = tuple(
        SettingOutGroup(location=index[group.location], count=group.count)
        for group in scenario.population.setting_out
    )
    graph, inputs = _graph(scenario, index), timeline.input_series(scenario)
    one_offs = timeline.one_off_events(scenario, index)
    return World(
        scenario_name=scenario.name,
        n_days=days,
        day_year=years.astype(np.int16),
        graph=graph,
        network=_network(scenario, index),
        network_params=scenario.network,
        inputs=inputs,
        one_offs=one_offs,
        initial=initial,
        population=scenario.population,
        parameters=scenario.parameters,
        quiet_until=timeline.quiet_until(inputs, graph.route_open, one_offs),
        setting_out=setting_out,
    )
