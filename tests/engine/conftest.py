"""Tiny scenarios for the engine tests, written as YAML text so that they pass through the
same loader and checks as a user's file.

`tiny()` is the corridor origin -> ford -> yanbian (red zone) -> kunming (transit) ->
vientiane (Laos) -> bangkok (asylum) -> seoul in which nothing happens by chance: every
hazard and probability is 0, every duration has sd 0, nobody leaves North Korea and
nobody is in China. A test switches on only the process it checks, by passing the
sections it changes; they are merged into the base (mappings key by key, anything else
replaced), so that each outcome can be worked out by hand from the constants below.
"""

from __future__ import annotations

import copy
from typing import Any
from unittest import mock

import yaml

import tumen
from tumen import api
from tumen.engine.context import Context
from tumen.engine.simulate import run
from tumen.results import Results
from tumen.scenario import Scenario, parse_scenario
from tumen.scenario.compile import compile_scenario

# Days each leg takes, all with sd 0.
LEG_DAYS = {"to_ford": 3, "across": 1, "south": 4, "mekong": 5, "to_thailand": 2, "flight": 1}
WAIT_DAYS = 2  # waiting at each stop with a network
JAIL_DAYS = 10  # Thai jail term for illegal entry
HOLD_DAYS = 7  # Chinese detention before repatriation
PRISON_DAYS = 30  # North Korean prison term
REVIEW_DAYS = 30  # hiding: the window of the hazard bound
FEE = 1000.0  # broker fee from China, and rescue cost per escapee

# The journey of an escapee who meets a broker or a rescuer the day after crossing: the
# river, that day, a wait at each of the three stops (Yanbian, Kunming, Vientiane), the
# legs between them and the Thai jail term. The flight leaves the day the term ends.
FROM_CROSSING_DAYS = (
    LEG_DAYS["across"] + 1 + 3 * WAIT_DAYS
    + LEG_DAYS["south"] + LEG_DAYS["mekong"] + LEG_DAYS["to_thailand"] + JAIL_DAYS
)
JOURNEY_DAYS = LEG_DAYS["to_ford"] + FROM_CROSSING_DAYS


def _location(id_: str, kind: str, country: str, **extra: Any) -> dict[str, Any]:
    return {"id": id_, "name": id_.title(), "kind": kind, "country": country,
            "lat": 0.0, "lon": 0.0, **extra}


def _route(id_: str, source: str, target: str, mode: str, **extra: Any) -> dict[str, Any]:
    return {"id": id_, "from": source, "to": target, "mode": mode,
            "days": {"mean": LEG_DAYS[id_]}, **extra}


BASE: dict[str, Any] = {
    "name": "tiny",
    "period": {"start": "2001-01-01", "end": "2001-12-31"},
    "locations": [
        _location("origin", "origin", "north_korea", departure_weight=1.0),
        _location("ford", "crossing", "north_korea"),
        _location("yanbian", "hiding", "china"),
        _location("kunming", "transit", "china"),
        _location("vientiane", "third_country", "laos"),
        _location("bangkok", "asylum", "thailand"),
        _location("seoul", "destination", "south_korea"),
    ],
    "routes": [
        _route("to_ford", "origin", "ford", "foot"),
        _route("across", "ford", "yanbian", "river"),
        _route("south", "yanbian", "kunming", "train"),
        _route("mekong", "kunming", "vientiane", "foot"),
        _route("to_thailand", "vientiane", "bangkok", "boat"),
        _route("flight", "bangkok", "seoul", "flight"),
    ],
    "network": {
        "handoff_days_known": {"mean": 1},
        "handoff_days_cutout": {"mean": 3},
        "handoff_failure_known": 0.0,
        "handoff_failure_cutout": 0.0,
        "disclosure_probability": 0.0,
        "closure_days": {"mean": 100},
        "raid_on_compromise": 0.0,
        "cells": [],
        "safe_houses": [],
    },
    "population": {
        "departures_per_day": 0.0,
        "women_share": 0.5,
        "child_share": 0.0,
        "funds_share": 0.0,
        "funds_usd": {"mean": FEE},
        "initial": [],
    },
    "parameters": {
        "crossing": {
            "detection": 0.0, "bribe_effect": 0.0, "death": 0.0,
            "prison_days": {"mean": PRISON_DAYS}, "retry": 0.0,
            "retry_wait_days": {"mean": 30},
        },
        "hiding": {
            "arrest_men": 0.0, "arrest_women": 0.0, "trafficking_women": 0.0,
            "trafficking_men": 0.0, "referral": 0.0, "settle": 0.0,
            "settled_hazard_factor": 1.0, "trafficked_escape": 0.0,
            "earnings_usd_per_day": 0.0, "broker_contact": 0.0,
            "review_days": REVIEW_DAYS,
        },
        "intake": {
            "rescue_cost_usd": FEE, "red_zone_extra_usd": 0.0, "broker_fee_usd": FEE,
            "broker_exploitation_women": 0.0, "broker_bribe_share": 0.0,
        },
        "travel": {"wait_days": {"mean": WAIT_DAYS}, "open_air_arrest_factor": 1.0},
        "raids": {"rate_per_house_day": 0.0, "waiting_arrest": 0.0},
        "detention": {
            "china_hold_days": {"mean": HOLD_DAYS}, "third_hold_days": {"mean": 20},
            "third_deport_to_china": 0.0,
        },
        "asylum": {"jail_days": {"mean": JAIL_DAYS}, "flights_per_day": 1000.0, "us_share": 0.0},
        "resettlement": {
            "recontact": 0.0, "recontact_before": 0.0, "remittance_usd_per_year": 0.0,
            "chain_savings_usd_per_year": 0.0, "relatives_max": 0,
            "chain_in_china_share": 0.0, "chain_fee_usd": FEE,
        },
        "finance": {"rescue_budget_usd_per_year": 0.0},
    },
    "timeline": [],
}


def merge(base: Any, changes: Any) -> Any:
    """`base` with `changes` applied: mappings merged key by key, anything else replaced."""
    if not (isinstance(base, dict) and isinstance(changes, dict)):
        return copy.deepcopy(changes)
    merged = copy.deepcopy(base)
    for key, value in changes.items():
        merged[key] = merge(merged[key], value) if key in merged else copy.deepcopy(value)
    return merged


def tiny_text(**sections: Any) -> str:
    """The tiny scenario's YAML text with `sections` merged into the base."""
    return yaml.safe_dump(merge(BASE, sections), sort_keys=False)


def tiny(**sections: Any) -> Scenario:
    """The tiny scenario with `sections` merged in, loaded like a user's file."""
    return parse_scenario(tiny_text(**sections), "tiny.yaml")


def corridor_routes(**changes: dict[str, Any]) -> list[dict[str, Any]]:
    """The base routes, with `changes` merged into the route of each id given."""
    unknown = set(changes) - set(LEG_DAYS)
    assert not unknown, f"no such route: {unknown}"
    return [merge(route, changes.get(route["id"], {})) for route in BASE["routes"]]


def hiding_at(location: str, count: int) -> dict[str, Any]:
    """An initial stock of `count` escapees hiding (not settled, not trafficked) at `location`."""
    return {"location": location, "count": count, "settled_share": 0.0, "trafficked_share": 0.0}


def engine_run(scenario: Scenario, seed: int = 0) -> Context:
    """Run the engine directly; the finished context exposes population, recorder, ledger."""
    return run(compile_scenario(scenario), seed)


def simulate(scenario: Scenario, seed: int = 0) -> Results:
    """Run through the public API and insist that every invariant held."""
    results = tumen.simulate(scenario, seed=seed)
    failed = [check for check in results.invariants if not check.passed]
    assert not failed, failed
    return results


def simulate_with_context(scenario: Scenario, seed: int = 0) -> tuple[Results, Context]:
    """`tumen.simulate`'s results together with the engine context they were tabulated from."""
    contexts: list[Context] = []

    def keep(*args: Any, **kwargs: Any) -> Context:
        contexts.append(run(*args, **kwargs))
        return contexts[-1]

    with mock.patch.object(api, "run", keep):
        results = tumen.simulate(scenario, seed=seed)
    return results, contexts[0]


def traffic(results: Results, route: str) -> int:
    """Travellers who set out on `route` over the whole run."""
    flows = results.route_flows
    return int(flows.loc[flows["route"] == route, "travellers"].sum())


# A richer graph for runs where everything may happen: a second origin, a way through
# Mongolia, a US destination, five cells and six safe houses.
RICH_LOCATIONS = [
    *BASE["locations"],
    {"id": "musan", "name": "Musan", "kind": "origin", "country": "north_korea",
     "lat": 0.0, "lon": 0.0, "departure_weight": 0.5},
    {"id": "ulaanbaatar", "name": "Ulaanbaatar", "kind": "third_country",
     "country": "mongolia", "lat": 0.0, "lon": 0.0},
    {"id": "washington", "name": "Washington", "kind": "destination",
     "country": "united_states", "lat": 0.0, "lon": 0.0},
]
LEGS = [(route["id"], route["from"], route["to"], route["mode"]) for route in BASE["routes"]] + [
    ("musan_ford", "musan", "ford", "foot"),
    ("gobi", "yanbian", "ulaanbaatar", "foot"),
    ("ub_flight", "ulaanbaatar", "seoul", "flight"),
]
CELLS = {  # id: (operator, segment)
    "rescue_a": ("rescue", ["yanbian", "kunming"]),
    "rescue_b": ("rescue", ["vientiane"]),
    "broker_a": ("broker", ["yanbian"]),
    "broker_b": ("broker", ["kunming", "vientiane"]),
    "broker_c": ("broker", ["ulaanbaatar"]),
}
HOUSES = [("yanbian", "rescue_a"), ("kunming", "rescue_a"), ("vientiane", "rescue_b"),
          ("yanbian", "broker_a"), ("kunming", "broker_b"), ("ulaanbaatar", "broker_c")]


def busy_sections() -> dict[str, Any]:
    """A year on the richer graph in which every process has work: departures with and
    without money, hazards, rescues and brokers, raids, hand-offs, detention, Thai
    flights, chain escapes and clients on credit, returns refused for a while, the river
    closed for two months, a raid and an airlift."""
    return merge(
        {
            "population": {"departures_per_day": 3.0, "funds_share": 0.5,
                           "initial": [{"location": "yanbian", "count": 200}],
                           "resettled_before": 30},
            "network": {"disclosure_probability": 0.5, "raid_on_compromise": 0.5,
                        "handoff_failure_cutout": 0.2,
                        "cells": [{"id": id_, "operator": operator, "segment": segment,
                                   "knows_cells": sorted(CELLS)[:2]}
                                  for id_, (operator, segment) in CELLS.items()
                                  if "ulaanbaatar" not in segment],
                        "safe_houses": [
                            {"id": f"house_{i}", "location": location, "cell": cell,
                             "capacity": 5}
                            for i, (location, cell) in enumerate(HOUSES[:5])]},
            "parameters": {
                "crossing": {"detection": 0.2, "retry": 0.5, "death": 0.01},
                "hiding": {"arrest_men": 0.003, "arrest_women": 0.002, "referral": 0.01,
                           "trafficking_women": 0.003, "settle": 0.005,
                           "trafficked_escape": 0.002, "broker_contact": 0.05,
                           "earnings_usd_per_day": 3.0},
                "intake": {"broker_exploitation_women": 0.1,
                           "credit_clients_per_family_year": 1.0},
                "travel": {"wait_days": {"mean": 8.0, "sd": 4.0}},
                "raids": {"rate_per_house_day": 0.01, "waiting_arrest": 0.002},
                "detention": {"third_deport_to_china": 0.5},
                "asylum": {"flights_per_day": 0.5, "us_share": 0.1},
                "resettlement": {"recontact": 0.5, "remittance_usd_per_year": 1000.0,
                                 "chain_savings_usd_per_year": 2000.0, "relatives_max": 2,
                                 "chain_in_china_share": 0.5},
                "finance": {"rescue_budget_usd_per_year": 100_000.0},
            },
            "timeline": [
                {"start": "2001-03-01", "end": "2001-05-31", "action": "scale",
                 "input": "repatriation", "where": "north_korea", "value": 0.0},
                {"start": "2001-06-01", "end": "2001-07-31", "action": "close_route",
                 "where": "across"},
                {"start": "2001-09-01", "action": "raid", "where": "kunming"},
                {"start": "2001-10-01", "action": "airlift", "where": "vientiane",
                 "target": "seoul"},
            ],
        },
        # A long way through the Gobi, so that some go south to Thailand instead.
        {"routes": [{"id": id_, "from": source, "to": target, "mode": mode,
                     "days": {"mean": 12.0 if id_ == "gobi" else 4.0, "sd": 2.0},
                     "risk": 0.05, "cost_usd": 50.0}
                    for id_, source, target, mode in LEGS],
         "locations": RICH_LOCATIONS},
    )
