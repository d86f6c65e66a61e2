"""The compiled world: everything the engine reads, as NumPy arrays indexed by day.

A `World` is built from a validated scenario by `tumen.scenario.compile`. The engine
never reads files or dates; days are integers from 0 (the first day of the period).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tumen.engine.states import N_CHANNELS
from tumen.scenario.schema import Country, LocationKind, Network, Parameters, Population

LOCATION_KINDS: tuple[LocationKind, ...] = tuple(LocationKind)
COUNTRIES: tuple[Country, ...] = tuple(Country)
CHINA = COUNTRIES.index(Country.CHINA)
NORTH_KOREA = COUNTRIES.index(Country.NORTH_KOREA)


@dataclass(frozen=True)
class Graph:
    """Locations and routes. Routes are directed legs between location indices."""

    location_ids: tuple[str, ...]
    location_kind: np.ndarray  # int8, index into LOCATION_KINDS
    location_country: np.ndarray  # int8, index into COUNTRIES
    departure_weight: np.ndarray  # float64, normalised over origins
    route_ids: tuple[str, ...]
    route_source: np.ndarray  # int16
    route_target: np.ndarray  # int16
    route_days_mean: np.ndarray  # float64
    route_days_sd: np.ndarray  # float64
    route_cost: np.ndarray  # float64, USD
    route_risk: np.ndarray  # float64, interception probability per traversal
    route_open: np.ndarray  # bool [n_routes, n_days]
    location_pass_through: np.ndarray  # bool: travellers go straight on
    route_risk_per_day: np.ndarray  # float64, daily interception hazard on the way
    route_days_geometric: np.ndarray  # bool: days drawn geometric (1/mean a day), not gamma

    @property
    def n_locations(self) -> int:
        return len(self.location_ids)

    @property
    def n_routes(self) -> int:
        return len(self.route_ids)


@dataclass(frozen=True)
class NetworkArrays:
    """Cells, safe houses and who knows what, as arrays."""

    cell_ids: tuple[str, ...]
    cell_operator: np.ndarray  # int8, Channel code
    cell_runs: np.ndarray  # bool [n_cells, n_locations]
    cell_knows_cell: np.ndarray  # bool [n_cells, n_cells]
    cell_knows_house: np.ndarray  # bool [n_cells, n_houses]
    house_ids: tuple[str, ...]
    house_location: np.ndarray  # int16
    house_cell: np.ndarray  # int16
    house_capacity: np.ndarray  # int32

    @property
    def running_cell(self) -> np.ndarray:
        """The first cell of each operator (Channel code) running each location, or -1:
        int [n_locations, n_channels]."""
        return self._running_cell

    def __post_init__(self) -> None:
        n_locations = self.cell_runs.shape[1]
        table = np.full((n_locations, N_CHANNELS), -1, dtype=np.int64)
        for cell in range(len(self.cell_ids) - 1, -1, -1):
            table[self.cell_runs[cell], self.cell_operator[cell]] = cell
        object.__setattr__(self, "_running_cell", table)


@dataclass(frozen=True)
class OneOff:
    """A one-day event: a raid on a location or an airlift from it."""

    day: int
    action: str
    location: int
    target: int = -1


@dataclass(frozen=True)
class InitialGroup:
    """Escapees already in China on day 0."""

    location: int
    count: int
    settled_share: float
    trafficked_share: float
    years_in_china_mean: float


@dataclass(frozen=True)
class SettingOutGroup:
    """Escapees who set out from a location on day 0."""

    location: int
    count: int


@dataclass(frozen=True)
class World:
    """The compiled scenario. `inputs[name]` is float64 [n_countries, n_days]."""

    scenario_name: str
    n_days: int
    day_year: np.ndarray  # int16: calendar year of each day
    graph: Graph
    network: NetworkArrays
    network_params: Network
    inputs: dict[str, np.ndarray]
    one_offs: tuple[OneOff, ...]
    initial: tuple[InitialGroup, ...]
    population: Population
    parameters: Parameters
    # int64: for each day, the last day on which nothing dated has changed since
    # (`tumen.scenario.timeline.quiet_until`); legs may be drawn ahead up to it.
    quiet_until: np.ndarray
    setting_out: tuple[SettingOutGroup, ...] = ()

    @property
    def years(self) -> np.ndarray:
        """The calendar years the run covers, in order."""
        return np.unique(self.day_year)

    @property
    def present_on_day_0(self) -> int:
        """Escapees the run starts with: the initial stock and those setting out."""
        return sum(group.count for group in (*self.initial, *self.setting_out))

    def input_on(self, name: str, country: int, day: int) -> float:
        """The value of an input series for one country on one day."""
        return float(self.inputs[name][country, day])
