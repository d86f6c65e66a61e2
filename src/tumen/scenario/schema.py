"""Pydantic models of a scenario file: what a user may write, checked before anything runs.

The models hold plain values only (no arrays); `tumen.scenario.compile` turns a validated
`Scenario` into the arrays the engine reads. Every model forbids unknown keys so that a
typo is an error, never a silently ignored setting.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

if TYPE_CHECKING:
    from tumen.scenario.free import FreeParameter

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
DailyRate = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[float, Field(ge=0.0)]
Positive = Annotated[float, Field(gt=0.0)]
Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]


class Strict(BaseModel):
    """Base of every scenario model: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class LocationKind(StrEnum):
    ORIGIN = "origin"
    CROSSING = "crossing"
    HIDING = "hiding"
    TRANSIT = "transit"
    BORDER = "border"
    THIRD_COUNTRY = "third_country"
    ASYLUM = "asylum"
    DESTINATION = "destination"


class Country(StrEnum):
    NORTH_KOREA = "north_korea"
    CHINA = "china"
    MONGOLIA = "mongolia"
    VIETNAM = "vietnam"
    LAOS = "laos"
    MYANMAR = "myanmar"
    CAMBODIA = "cambodia"
    THAILAND = "thailand"
    SOUTH_KOREA = "south_korea"
    UNITED_STATES = "united_states"


class Mode(StrEnum):
    RIVER = "river"
    FOOT = "foot"
    BUS = "bus"
    TAXI = "taxi"
    TRAIN = "train"
    BOAT = "boat"
    FLIGHT = "flight"


class Location(Strict):
    """A node of the route graph, at the level of provinces, cities and crossings."""

    id: Identifier
    name: str
    kind: LocationKind
    country: Country
    lat: Annotated[float, Field(ge=-90, le=90)]
    lon: Annotated[float, Field(ge=-180, le=180)]
    departure_weight: NonNegative = Field(
        0.0, description="Share of departures from this origin province (origins only)."
    )
    pass_through: bool = Field(
        False, description="Travellers arriving here set out on the next leg the same day, "
        "without hiding or waiting.",
    )


class Days(Strict):
    """A travel or waiting time in days: a gamma distribution given by its mean and sd,
    or a geometric one (the days until a daily chance of 1/mean first comes up)."""

    mean: Positive
    sd: NonNegative = 0.0
    distribution: Literal["gamma", "geometric"] = "gamma"

    @model_validator(mode="after")
    def _geometric_from_mean(self) -> Days:
        if self.distribution == "geometric":
            if self.mean < 1.0:
                raise ValueError(f"a geometric time has a mean of at least 1 day, got "
                                 f"{self.mean} (its daily chance is 1/mean)")
            if self.sd:
                raise ValueError("a geometric time's sd follows from its mean; leave sd out")
        return self


class Route(Strict):
    """A directed edge: one leg of a journey."""

    id: Identifier
    source: Identifier = Field(alias="from")
    target: Identifier = Field(alias="to")
    mode: Mode
    days: Days
    cost_usd: NonNegative = 0.0
    risk: Probability = Field(0.0, description="Interception probability per traversal.")
    risk_per_day: DailyRate = Field(
        0.0, description="Daily hazard of interception on each day of the leg, on top of risk."
    )
    open_from: dt.date | None = None
    open_until: dt.date | None = None

    @model_validator(mode="after")
    def _window_ordered(self) -> Route:
        if self.open_from and self.open_until and self.open_until < self.open_from:
            raise ValueError(
                f"open_until ({self.open_until}) is before open_from ({self.open_from})"
            )
        return self


class Operator(StrEnum):
    RESCUE = "rescue"
    BROKER = "broker"


class Cell(Strict):
    """A cell of a rescue network or a broker line: it runs a segment of the route."""

    id: Identifier
    operator: Operator
    segment: list[Identifier] = Field(min_length=1, description="Locations this cell runs.")
    knows_cells: list[Identifier] = Field(default_factory=list)
    knows_safe_houses: list[Identifier] = Field(default_factory=list)


class SafeHouse(Strict):
    """A capacity-limited place where groups wait between legs; a raid catches all inside."""

    id: Identifier
    location: Identifier
    cell: Identifier
    capacity: Annotated[int, Field(ge=1, le=10_000)]


class DesignName(StrEnum):
    """The standard designs of who knows whom (docs/networks.md)."""

    CONNECTED = "connected"
    CHAIN = "chain"
    HUB = "hub"
    CELLS = "cells"
    WINDMILL = "windmill"


class Design(Strict):
    """A standard design that replaces the cells' `knows_cells` and `knows_safe_houses`."""

    name: DesignName
    level: Probability = Field(1.0, description="Compartmentalisation: 0 fully connected, "
                                                "1 the pure design.")


class Network(Strict):
    """How cells hand escapees on and what a caught cell gives away."""

    handoff_days_known: Days = Days(mean=2.0, sd=1.0)
    handoff_days_cutout: Days = Days(mean=7.0, sd=3.0)
    handoff_failure_known: Probability = 0.01
    handoff_failure_cutout: Probability = 0.03
    disclosure_probability: Probability = 0.3
    closure_days: Days = Days(mean=180.0, sd=60.0)
    raid_on_compromise: Probability = 0.5
    cells: list[Cell] = Field(default_factory=list)
    safe_houses: list[SafeHouse] = Field(default_factory=list)
    design: Design | None = None

    def designed(self) -> Network:
        """The network whose cells know what its `design` lets them know (itself if none)."""
        if self.design is None:
            return self
        from tumen.scenario.designs import redesign

        return redesign(self, self.design.name, self.design.level)


class InitialStock(Strict):
    """North Koreans already hiding in China when the run starts."""

    location: Identifier
    count: Annotated[int, Field(ge=0, le=2_000_000)]
    settled_share: Probability = 0.5
    trafficked_share: Probability = 0.1
    years_in_china_mean: Positive = 2.0


class SettingOut(Strict):
    """Escapees who set out from a place on the first day, alone, leg by leg."""

    location: Identifier
    count: Annotated[int, Field(ge=0, le=100_000_000)]


class Population(Strict):
    """Who leaves and with what: the attributes drawn for each new escapee."""

    departures_per_day: NonNegative = Field(
        description="Baseline departures a day across all origins, before the push factor."
    )
    women_share: Probability = 0.7
    initial_women_share: Probability | None = Field(
        None, description="Share of women among those already hiding in China when the "
        "run starts (by default `women_share`).")
    child_share: Probability = 0.1
    funds_share: Probability = Field(0.1, description="Share who carry savings on departure.")
    funds_usd: Days = Days(mean=500.0, sd=300.0)
    initial: list[InitialStock] = Field(default_factory=list)
    setting_out: list[SettingOut] = Field(
        default_factory=list,
        description="Groups who set out alone on the first day, each on a first leg from "
        "its location: location and count (to follow one cohort, as the speed benchmark does).",
    )
    resettled_before: Annotated[int, Field(ge=0, le=10_000_000)] = Field(
        0, description="Escapees resettled in the South before the run starts."
    )


class Crossing(Strict):
    """Crossing the border river under North Korean guards."""

    detection: Probability = 0.1
    bribe_effect: Probability = Field(0.8, description="Share of detection a paid bribe removes.")
    death: Probability = 0.002
    prison_days: Days = Days(mean=180.0, sd=90.0)
    retry: Probability = 0.5
    retry_wait_days: Days = Days(mean=180.0, sd=120.0)
    deterrence: NonNegative = Field(
        0.0,
        description="Elasticity of departures (those leaving on their own) to North "
        "Korean border security: the departure rate is divided by security to this power.",
    )
    broker_deterrence: NonNegative = Field(
        0.0,
        description="Elasticity of brokers' lines across the river to North Korean border "
        "security: the share of paid-for relatives whose broker finds a line at home is "
        "divided by security to this power.",
    )


class Hiding(Strict):
    """Daily hazards in the red zone and in long-term hiding, before the crackdown index."""

    arrest_men: DailyRate = 0.002
    arrest_women: DailyRate = 0.001
    trafficking_women: DailyRate = 0.004
    trafficking_men: DailyRate = 0.0002
    referral: DailyRate = 0.001
    settle: DailyRate = 0.005
    settle_men_factor: Annotated[float, Field(ge=0.0, le=1.0)] = Field(
        1.0, description="Men's hazard of settling into long-term hiding as a multiple of "
        "women's (women settle into de facto marriages; few men can).")
    settled_hazard_factor: Annotated[float, Field(ge=0.0, le=1.0)] = 0.3
    trafficked_escape: DailyRate = 0.001
    earnings_usd_per_day: NonNegative = 2.0
    earnings_women_factor: NonNegative = Field(
        1.0, description="Women's earnings in hiding as a multiple of men's."
    )
    broker_contact: DailyRate = 0.02
    return_home: DailyRate = Field(
        0.0, description="Daily hazard of going home unaided, for those hiding; those "
        "settled go at the settled factor.")
    review_days: Annotated[int, Field(ge=1, le=3650)] = 365


class Intake(Strict):
    """Rescue networks and brokers taking people on."""

    rescue_cost_usd: NonNegative = 3000.0
    red_zone_extra_usd: NonNegative = 1500.0
    broker_fee_usd: NonNegative = 2500.0
    broker_exploitation_women: Probability = 0.05
    broker_bribe_share: Probability = 0.3
    credit_markup: Annotated[float, Field(ge=1.0, le=10.0)] = 2.0
    broker_lines_resettled: NonNegative = Field(
        0.0,
        description="Resettled population at which every broker contact finds a line to "
        "the South; below it a contact succeeds in proportion (brokers are often "
        "resettled escapees). 0 means lines are never scarce.",
    )
    credit_clients_per_family_year: NonNegative = Field(
        0.0,
        description="Clients taken on credit each year per resettled family in touch "
        "with home (brokers in the South are paid after resettlement).",
    )


class Travel(Strict):
    """Route choice and waiting between legs."""

    weight_days: NonNegative = 1.0
    weight_cost_per_usd: NonNegative = 0.01
    weight_risk: NonNegative = 200.0
    choice_temperature: Positive = 5.0
    wait_days: Days = Days(mean=10.0, sd=5.0)
    open_air_arrest_factor: NonNegative = 3.0

    @model_validator(mode="after")
    def _something_weighs(self) -> Travel:
        if self.weight_days + self.weight_cost_per_usd + self.weight_risk <= 0:
            raise ValueError(
                "weight_days, weight_cost_per_usd and weight_risk are all 0: with every leg "
                "free, no leg brings anyone closer and nobody would move; set one above 0"
            )
        return self


class Raids(Strict):
    """Chinese and third-country police raids on occupied safe houses."""

    rate_per_house_day: DailyRate = 0.002
    waiting_arrest: DailyRate = 0.0005
    group_size: int = Field(
        0, ge=0,
        description="Most people caught together when the police find a group waiting "
        "outside a safe house: she and others of her cell waiting at the stop (0: all).",
    )


class Detention(Strict):
    """Arrest, holding and repatriation; third-country interception."""

    china_hold_days: Days = Days(mean=7.0, sd=3.0)
    third_hold_days: Days = Days(mean=20.0, sd=10.0)
    third_deport_to_china: Probability = 0.5


class Asylum(Strict):
    """Thai detention, processing and flights onward."""

    jail_days: Days = Days(mean=30.0, sd=10.0)
    arrest_share: Probability = Field(
        1.0, description="Share of those entering Thailand arrested for illegal entry and "
        "jailed, before the thai_arrests index; the others give themselves up and wait for "
        "a flight without a term.")
    flights_per_day: NonNegative = 5.0
    us_share: Probability = 0.02


class Resettlement(Strict):
    """Resettled escapees: re-contact, remittances and paying for relatives to follow."""

    recontact: Probability = 0.5
    recontact_before: Probability = Field(
        0.5, description="Share of those resettled before the run in touch with family."
    )
    remittance_usd_per_year: NonNegative = 1750.0
    chain_savings_usd_per_year: NonNegative = Field(
        1000.0,
        description="Mean yearly savings of a family for a relative's broker fee; savings "
        "spread exponentially over families, and a family whose year's savings cover the "
        "fee pays for one relative a year.",
    )
    relatives_max: Annotated[int, Field(ge=0, le=20)] = 2
    chain_in_china_share: Probability = Field(
        0.5, description="Share of relatives paid for who are already hiding in China."
    )
    chain_fee_usd: NonNegative = 5000.0
    grant_usd: NonNegative = Field(
        0.0, description="Part of the resettlement grant a family can put towards a "
        "relative's broker fee on arrival (USD)."
    )
    grant_chain_share: Probability = Field(
        0.0, description="Share of arrivals in touch with family who spend their grant on "
        "a broker for one relative, when grant and a year's savings cover the fee."
    )


class Finance(Strict):
    """Money coming into the system from outside."""

    rescue_budget_usd_per_year: NonNegative = 500_000.0


class Parameters(Strict):
    crossing: Crossing = Crossing()
    hiding: Hiding = Hiding()
    intake: Intake = Intake()
    travel: Travel = Travel()
    raids: Raids = Raids()
    detention: Detention = Detention()
    asylum: Asylum = Asylum()
    resettlement: Resettlement = Resettlement()
    finance: Finance = Finance()


class Input(StrEnum):
    """The daily input series the timeline can change; each has a baseline of 1."""

    PUSH = "push"
    BORDER_SECURITY = "border_security"
    CRACKDOWN = "crackdown"
    BROKER_FEES = "broker_fees"
    RESCUE_BUDGET = "rescue_budget"
    THAI_PROCESSING = "thai_processing"
    THAI_ARRESTS = "thai_arrests"
    REPATRIATION = "repatriation"
    MOVEMENT = "movement"


class Event(Strict):
    """A dated change to the model's inputs.

    `scale` multiplies an input series over [start, end]; `close_route` closes routes;
    `raid` raids every safe house at a location once, on `start`; `airlift` flies everyone
    waiting at a location to `target` on `start`. Overlapping scales multiply.
    """

    start: dt.date
    end: dt.date | None = None
    action: Literal["scale", "close_route", "raid", "airlift"]
    input: Input | None = None
    where: str = Field("all", description="A country, a location id, a route id or 'all'.")
    value: NonNegative = 1.0
    ramp_days: Annotated[int, Field(ge=0, le=3650)] = 0
    target: Identifier | None = None
    description: str = ""
    source: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> Event:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start})")
        if self.action == "scale" and self.input is None:
            raise ValueError(f"a 'scale' event needs an 'input' (one of: {', '.join(Input)})")
        if self.action == "airlift" and self.target is None:
            raise ValueError("an 'airlift' event needs a 'target' location")
        return self


class Period(Strict):
    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end <= self.start:
            raise ValueError(f"end ({self.end}) must be after start ({self.start})")
        return self


class Scenario(Strict):
    """A whole scenario: graph, network, population, parameters and event timeline."""

    name: str
    description: str = ""
    period: Period
    locations: list[Location] = Field(min_length=2)
    routes: list[Route] = Field(min_length=1)
    network: Network = Network()
    population: Population
    parameters: Parameters = Parameters()
    timeline: list[Event] = Field(default_factory=list)
    # Not a key of the file: the loader fills it from the `{value, calibrate}` markers.
    _free_parameters: tuple[FreeParameter, ...] = PrivateAttr(default=())

    @property
    def free_parameters(self) -> tuple[FreeParameter, ...]:
        """The values its file marks for calibration, in file order (see scenario.free)."""
        return self._free_parameters

    def with_free_parameters(self, free: tuple[FreeParameter, ...]) -> Scenario:
        """A copy of this scenario that knows its free parameters (the loader's job)."""
        copy = self.model_copy()
        copy._free_parameters = tuple(free)
        return copy
