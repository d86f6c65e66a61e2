"""Cross-reference checks that pydantic cannot express field by field.

A scenario names its locations, routes, cells and safe houses by id; these checks make
sure every id it mentions exists, is unique, and that every date lies in the simulated
period. They return (path, message) pairs, with paths in the file's own key names
(`from`, not `source`) so that the loader can point at the offending line.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterator

from tumen.scenario.schema import Country, Input, LocationKind, Scenario

Loc = tuple[str | int, ...]
Found = Iterator[tuple[Loc, str]]

_COUNTRIES = [country.value for country in Country]

# Inputs the engine reads for one country only; a scale elsewhere would do nothing.
_READ_AT = {
    Input.PUSH: Country.NORTH_KOREA.value,
    Input.BROKER_FEES: Country.NORTH_KOREA.value,
    Input.REPATRIATION: Country.NORTH_KOREA.value,
    Input.RESCUE_BUDGET: Country.SOUTH_KOREA.value,
    Input.THAI_PROCESSING: Country.THAILAND.value,
    Input.THAI_ARRESTS: Country.THAILAND.value,
}


def format_path(loc: Loc) -> str:
    """Render a path the way a user would write it: `routes[7].days.mean`."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else part
    return text


def did_you_mean(word: str, options: Collection[str]) -> str:
    """A "; did you mean 'x'?" suffix naming the closest option, or "" if none is close."""
    close = difflib.get_close_matches(word, list(options), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def check_references(scenario: Scenario) -> list[tuple[Loc, str]]:
    """Every cross-reference problem in a scenario that passed the schema, not just the first."""
    return [
        *_unique_ids(scenario),
        *_graph(scenario),
        *_network(scenario),
        *_population(scenario),
        *_timeline(scenario),
        *_dates(scenario),
    ]


def _unknown(loc: Loc, ref: str, kind: str, known: Collection[str]) -> Found:
    if ref not in known:
        yield loc, f"unknown {kind} {ref!r}{did_you_mean(ref, known)}"


def _unique_ids(scenario: Scenario) -> Found:
    # One namespace for all ids, because an event's `where` may name any of them.
    sections: list[tuple[Loc, list]] = [
        (("locations",), scenario.locations),
        (("routes",), scenario.routes),
        (("network", "cells"), scenario.network.cells),
        (("network", "safe_houses"), scenario.network.safe_houses),
    ]
    first: dict[str, Loc] = {}
    for prefix, items in sections:
        for i, item in enumerate(items):
            loc = (*prefix, i, "id")
            if item.id in first:
                yield loc, f"duplicate id {item.id!r} (first used at {format_path(first[item.id])})"
            else:
                first[item.id] = loc


def _graph(scenario: Scenario) -> Found:
    locations = {location.id for location in scenario.locations}
    for i, route in enumerate(scenario.routes):
        yield from _unknown(("routes", i, "from"), route.source, "location", locations)
        yield from _unknown(("routes", i, "to"), route.target, "location", locations)
    departing = [
        location
        for location in scenario.locations
        if location.kind == LocationKind.ORIGIN and location.departure_weight > 0
    ]
    if not departing:
        message = (
            "no origin has anyone leaving: a location of kind 'origin' needs departure_weight > 0"
        )
        yield ("locations",), message
    for i, location in enumerate(scenario.locations):
        if location.kind != LocationKind.ORIGIN and location.departure_weight > 0:
            yield ("locations", i, "departure_weight"), (
                f"only origins have departures; {location.id!r} is of kind "
                f"{location.kind.value!r} (remove departure_weight or make it 0)"
            )
    seoul = [
        location
        for location in scenario.locations
        if location.kind == LocationKind.DESTINATION and location.country == Country.SOUTH_KOREA
    ]
    if not seoul:
        yield ("locations",), (
            "no destination in south_korea: add a location of kind 'destination' and "
            "country 'south_korea' (where arrivals are resettled)"
        )


def _network(scenario: Scenario) -> Found:
    network = scenario.network
    locations = {location.id for location in scenario.locations}
    cells = {cell.id for cell in network.cells}
    houses = {house.id for house in network.safe_houses}
    for i, cell in enumerate(network.cells):
        for key, refs, kind, known in (
            ("segment", cell.segment, "location", locations),
            ("knows_cells", cell.knows_cells, "cell", cells),
            ("knows_safe_houses", cell.knows_safe_houses, "safe house", houses),
        ):
            for j, ref in enumerate(refs):
                yield from _unknown(("network", "cells", i, key, j), ref, kind, known)
    for i, house in enumerate(network.safe_houses):
        loc = ("network", "safe_houses", i)
        yield from _unknown((*loc, "location"), house.location, "location", locations)
        yield from _unknown((*loc, "cell"), house.cell, "cell", cells)


def _population(scenario: Scenario) -> Found:
    locations = {location.id: location for location in scenario.locations}
    for i, stock in enumerate(scenario.population.initial):
        loc = ("population", "initial", i, "location")
        place = locations.get(stock.location)
        if place is None:
            yield from _unknown(loc, stock.location, "location", locations)
        elif place.kind not in (LocationKind.HIDING, LocationKind.TRANSIT):
            kind = place.kind.value
            yield loc, f"location {place.id!r} is of kind {kind!r}, not 'hiding' or 'transit'"
    for i, group in enumerate(scenario.population.setting_out):
        loc = ("population", "setting_out", i, "location")
        place = locations.get(group.location)
        if place is None:
            yield from _unknown(loc, group.location, "location", locations)
        elif place.kind in (LocationKind.ASYLUM, LocationKind.DESTINATION):
            yield loc, f"location {place.id!r} is of kind {place.kind.value!r}: set out from " \
                       "a place before the journey's end"


def _timeline(scenario: Scenario) -> Found:
    locations = [location.id for location in scenario.locations]
    routes = [route.id for route in scenario.routes]
    for i, event in enumerate(scenario.timeline):
        loc = ("timeline", i, "where")
        if event.action in ("raid", "airlift"):
            if event.where not in locations:
                suggestion = did_you_mean(event.where, locations)
                yield loc, f"a {event.action} needs a location id, got {event.where!r}{suggestion}"
        else:
            # Input series are kept per country; closures may also name a place or a route.
            read_at = _READ_AT.get(event.input) if event.action == "scale" else None
            places = ["all", read_at] if read_at else ["all", *_COUNTRIES]
            expected = f"'all' or {read_at!r} (the country this input is read for)" if read_at \
                else "'all' or a country"
            if event.action == "close_route":
                places += [*locations, *routes]
                expected = "'all', a country, a location id or a route id"
            if event.where not in places:
                countries = "" if read_at else f" (countries: {', '.join(_COUNTRIES)})"
                suggestion = did_you_mean(event.where, places)
                yield loc, f"must be {expected}{countries}, got {event.where!r}{suggestion}"
        if event.action == "airlift" and event.target is not None:
            yield from _unknown(("timeline", i, "target"), event.target, "location", locations)


def _dates(scenario: Scenario) -> Found:
    start, end = scenario.period.start, scenario.period.end
    dated = [
        (("routes", i, key), day)
        for i, route in enumerate(scenario.routes)
        for key, day in (("open_from", route.open_from), ("open_until", route.open_until))
    ] + [
        (("timeline", i, key), day)
        for i, event in enumerate(scenario.timeline)
        for key, day in (("start", event.start), ("end", event.end))
    ]
    for loc, day in dated:
        if day is not None and not start <= day <= end:
            yield loc, f"date {day} is outside the simulated period {start}..{end}"
