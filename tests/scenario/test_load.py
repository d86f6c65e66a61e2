"""The scenario loader: valid files load, and every mistake is reported at its line."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from scenario_edits import edit, line_of
from tumen.scenario import (
    Problem,
    Scenario,
    ScenarioError,
    builtin_path,
    builtin_scenarios,
    load_scenario,
    parse_scenario,
)
from tumen.scenario.schema import Input

COUNTRIES = (
    "north_korea, china, mongolia, vietnam, laos, myanmar, cambodia, thailand, "
    "south_korea, united_states"
)


def report(text: str) -> str:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "f.yaml")
    return str(info.value)


def test_valid_file_loads_with_its_values(scenario_file: Path) -> None:
    scenario = load_scenario(scenario_file)
    assert load_scenario(str(scenario_file)) == scenario
    assert scenario.name == "Test corridor"
    assert scenario.period.start == dt.date(2000, 1, 1)
    assert [location.id for location in scenario.locations][-1] == "seoul"
    assert scenario.locations[0].departure_weight == 1.0
    across = scenario.routes[1]
    assert (across.source, across.target, across.days.mean, across.risk) == (
        "musan_ford",
        "yanbian",
        1.0,
        0.1,
    )
    assert scenario.routes[3].open_from == dt.date(2002, 1, 1)
    assert scenario.network.cells[0].knows_cells == ["broker_south"]
    assert scenario.network.safe_houses[1].capacity == 8
    assert scenario.population.initial[0].count == 1000
    assert scenario.parameters.crossing.detection == 0.2
    assert scenario.parameters.crossing.death == 0.002  # an unset default survives
    assert scenario.timeline[0].input is Input.CRACKDOWN
    assert scenario.timeline[3].target == "seoul"
    assert Scenario.model_validate(scenario.model_dump(by_alias=True)) == scenario


@pytest.mark.parametrize(
    ("old", "new", "at", "expected"),
    [
        pytest.param(
            "days: {mean: 6, sd: 2}",
            "days: {mean: -3, sd: 2}",
            "mean: -3",
            "routes[3].days.mean: must be > 0, got -3",
            id="negative-days",
        ),
        pytest.param(
            "    risk: 0.1\n",
            "    rsik: 0.1\n",
            "rsik",
            "routes[1].rsik: unknown key 'rsik' (allowed: id, from, to, mode, days, cost_usd, "
            "risk, risk_per_day, open_from, open_until); did you mean 'risk'?",
            id="unknown-key",
        ),
        pytest.param(
            "    mode: train\n",
            "",
            "id: south",
            "routes[2].mode: required field missing",
            id="missing-field",
        ),
        pytest.param(
            "    from: yanbian\n",
            "",
            "id: south",
            "routes[2].from: required field missing",
            id="missing-aliased-field",
        ),
        pytest.param(
            "kind: hiding",
            "kind: hidding",
            "hidding",
            "locations[2].kind: must be one of {origin, crossing, hiding, transit, border, "
            "third_country, asylum, destination}, got 'hidding'; did you mean 'hiding'?",
            id="bad-enum",
        ),
        pytest.param(
            "name: Test corridor",
            "name: 12",
            "name: 12",
            "name: expected text, got 12",
            id="wrong-type",
        ),
        pytest.param(
            "location: yanbian\n      count",
            "location: Yanbian\n      count",
            "location: Yanbian",
            "population.initial[0].location: must be an id (lower-case letters, digits and _, "
            "starting a-z), got 'Yanbian'",
            id="bad-identifier",
        ),
        pytest.param(
            "open_from: 2002-01-01",
            "open_from: 2002-02-30",
            "2002-02-30",
            "routes[3].open_from: expected a date (YYYY-MM-DD), got '2002-02-30' "
            "(day value is outside expected range)",
            id="impossible-date",
        ),
        pytest.param(
            "    input: crackdown\n",
            "",
            "start: 2003-06-01",
            "timeline[0]: a 'scale' event needs an 'input' (one of: push, border_security, "
            "crackdown, broker_fees, rescue_budget, thai_processing, thai_arrests, repatriation, "
            "movement)",
            id="model-rule",
        ),
        pytest.param(
            "    to: vientiane",
            "    to: vientianne",
            "vientianne",
            "routes[3].to: unknown location 'vientianne'; did you mean 'vientiane'?",
            id="unknown-route-target",
        ),
        pytest.param(
            "cell: broker_south",
            "cell: broker_sooth",
            "broker_sooth",
            "network.safe_houses[1].cell: unknown cell 'broker_sooth'; did you mean "
            "'broker_south'?",
            id="unknown-cell",
        ),
        pytest.param(
            "knows_cells: [broker_south]",
            "knows_cells: [broker_soth]",
            "broker_soth",
            "network.cells[0].knows_cells[0]: unknown cell 'broker_soth'; did you mean "
            "'broker_south'?",
            id="unknown-known-cell",
        ),
        pytest.param(
            "id: south\n",
            "id: yanbian\n",
            "id: yanbian\n",
            "routes[2].id: duplicate id 'yanbian' (first used at locations[2].id)",
            id="duplicate-id",
        ),
        pytest.param(
            "open_from: 2002-01-01",
            "open_from: 2030-01-01",
            "2030-01-01",
            "routes[3].open_from: date 2030-01-01 is outside the simulated period "
            "2000-01-01..2010-12-31",
            id="date-outside-period",
        ),
        pytest.param(
            "location: yanbian\n      count",
            "location: bangkok\n      count",
            "bangkok\n      count",
            "population.initial[0].location: location 'bangkok' is of kind 'asylum', "
            "not 'hiding' or 'transit'",
            id="initial-stock-not-hiding",
        ),
        pytest.param(
            "where: mekong",
            "where: mekongg",
            "mekongg",
            f"timeline[1].where: must be 'all', a country, a location id or a route id "
            f"(countries: {COUNTRIES}), got 'mekongg'; did you mean 'mekong'?",
            id="unknown-where",
        ),
        pytest.param(
            "where: kunming",
            "where: laos",
            "where: laos",
            "timeline[2].where: a raid needs a location id, got 'laos'",
            id="raid-not-at-location",
        ),
        pytest.param(
            "target: seoul",
            "target: soul",
            "soul",
            "timeline[3].target: unknown location 'soul'; did you mean 'seoul'?",
            id="unknown-airlift-target",
        ),
        pytest.param(
            "departure_weight: 1.0",
            "departure_weight: 0",
            "  - {id: north_hamgyong",
            "locations: no origin has anyone leaving: a location of kind 'origin' needs "
            "departure_weight > 0",
            id="no-departures",
        ),
    ],
)
def test_problem_is_reported_at_its_line(
    valid_text: str, old: str, new: str, at: str, expected: str
) -> None:
    text = edit(valid_text, old, new)
    assert report(text) == f"f.yaml:{line_of(text, at)}: {expected}"


def test_problem_fields(valid_text: str) -> None:
    text = edit(valid_text, "days: {mean: 6, sd: 2}", "days: {mean: -3, sd: 2}")
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "korea.yaml")
    line = line_of(text, "mean: -3")
    assert info.value.problems == [
        Problem("korea.yaml", line, "routes[3].days.mean", "must be > 0, got -3")
    ]


def test_duplicate_yaml_key(valid_text: str) -> None:
    text = edit(valid_text, "    risk: 0.02\n", "    risk: 0.02\n    risk: 0.03\n")
    first, second = line_of(text, "risk: 0.02"), line_of(text, "risk: 0.03")
    assert (
        report(text)
        == f"f.yaml:{second}: routes[2].risk: duplicate key 'risk' (first on line {first})"
    )


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "name: Test corridor",
            "name: Test: corridor",
            "f.yaml:1: invalid YAML: mapping values are not allowed here",
        ),
        (
            "segment: [yanbian, kunming]",
            "segment: [yanbian, kunming",
            "f.yaml:{next}: invalid YAML: expected ',' or ']', but got ':' "
            "(while parsing a flow sequence on line {line})",
        ),
    ],
)
def test_yaml_syntax_error(valid_text: str, old: str, new: str, expected: str) -> None:
    text = edit(valid_text, old, new)
    line = line_of(text, new)
    assert report(text) == expected.format(line=line, next=line + 1)


SECTIONS = "a mapping with name, period, locations, routes and population"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", f"f.yaml: the file is empty; a scenario is {SECTIONS}"),
        ("# only a comment\n", f"f.yaml: the file is empty; a scenario is {SECTIONS}"),
        ("- a\n- b\n", f"f.yaml:1: the top level must be {SECTIONS}, got a list"),
        ("\n\njust text\n", f"f.yaml:3: the top level must be {SECTIONS}, got 'just text'"),
    ],
)
def test_document_must_be_a_mapping(text: str, expected: str) -> None:
    assert report(text) == expected


def test_all_problems_are_reported_in_line_order(valid_text: str) -> None:
    text = edit(valid_text, "kind: hiding", "kind: hidding")
    text = edit(text, "days: {mean: 6, sd: 2}", "days: {mean: -3, sd: 2}")
    text = edit(text, "    risk: 0.1\n", "    risk: 0.1\n    risk: 0.2\n")
    lines = report(text).splitlines()
    assert [line.split(":")[1] for line in lines] == [
        str(line_of(text, "hidding")),
        str(line_of(text, "risk: 0.2")),
        str(line_of(text, "mean: -3")),
    ]
    assert [line.split(": ")[1] for line in lines] == [
        "locations[2].kind",
        "routes[1].risk",
        "routes[3].days.mean",
    ]


def test_reference_problems_are_all_reported(valid_text: str) -> None:
    text = edit(valid_text, "    to: vientiane", "    to: nowhere")
    text = edit(text, "target: seoul", "target: nowhere")
    text = edit(text, "start: 2008-01-01", "start: 2011-01-01")
    assert report(text).splitlines() == [
        f"f.yaml:{line_of(text, 'to: nowhere')}: routes[3].to: unknown location 'nowhere'",
        f"f.yaml:{line_of(text, '2011-01-01')}: timeline[3].start: date 2011-01-01 is outside "
        "the simulated period 2000-01-01..2010-12-31",
        f"f.yaml:{line_of(text, 'target: nowhere')}: timeline[3].target: "
        "unknown location 'nowhere'",
    ]


def test_missing_file_names_the_builtins(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ScenarioError) as info:
        load_scenario(missing)
    available = ", ".join(builtin_scenarios()) or "none"
    assert str(info.value) == (
        f"{missing}: no such file, nor a built-in scenario (built-in: {available})"
    )


def test_unknown_builtin_name() -> None:
    with pytest.raises(ScenarioError, match=r"^korea-1898: no such file, nor a built-in"):
        load_scenario("korea-1898")
    with pytest.raises(ScenarioError, match=r"^korea-1898: unknown built-in scenario"):
        builtin_path("korea-1898")


def test_builtins_load_by_name() -> None:
    names = builtin_scenarios()
    if not names:
        pytest.skip("no built-in scenario yet")
    for name in names:
        assert builtin_path(name).is_file()
        assert load_scenario(name) == load_scenario(builtin_path(name))


INT, FLOAT = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"


def numbers(node: yaml.Node, loc: tuple = ()) -> Iterator[tuple[str, yaml.ScalarNode]]:
    """Every number in a YAML tree, with its path written as the loader writes paths."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield from numbers(value, (*loc, key.value))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            yield from numbers(item, (*loc, i))
    elif node.tag in (INT, FLOAT):
        yield re.sub(r"\.(\d+)", r"[\1]", ".".join(map(str, loc))), node


@given(data=st.data())
def test_any_negative_number_is_reported_at_its_line(valid_text: str, data: st.DataObject) -> None:
    # Below -180 so that even latitudes and longitudes are out of range.
    path, node = data.draw(st.sampled_from(list(numbers(yaml.compose(valid_text)))))
    value = data.draw(
        st.integers(-(10**6), -181)
        if node.tag == INT
        else st.floats(-1e6, -181) | st.integers(-(10**6), -181)
    )
    text = valid_text[: node.start_mark.index] + repr(value) + valid_text[node.end_mark.index :]
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text)
    [problem] = info.value.problems
    assert (problem.line, problem.path) == (node.start_mark.line + 1, path)
    assert re.fullmatch(
        rf"must be >=? -?\d+(\.\d+)?, got {re.escape(repr(value))}", problem.message
    )


def test_travel_weights_cannot_all_be_zero(valid_text: str) -> None:
    """With every leg free, no leg brings anyone closer: the file is refused, not run."""
    zero = "  travel: {weight_days: 0, weight_cost_per_usd: 0, weight_risk: 0}\n"
    text = edit(valid_text, "  hiding:\n", zero + "  hiding:\n")
    assert report(text) == (
        f"f.yaml:{line_of(text, 'travel:')}: parameters.travel: weight_days, "
        "weight_cost_per_usd and weight_risk are all 0: with every leg free, no leg brings "
        "anyone closer and nobody would move; set one above 0"
    )


def test_scale_where_the_input_is_read(valid_text: str) -> None:
    """A scale on a country the engine never reads that input for would do nothing."""
    text = edit(valid_text, "    input: crackdown\n", "    input: push\n")
    assert report(text) == (
        f"f.yaml:{line_of(text, 'input: push') + 1}: timeline[0].where: must be 'all' or "
        "'north_korea' (the country this input is read for), got 'china'"
    )


def test_aliases_are_refused_at_their_line(valid_text: str) -> None:
    """Nested aliases could expand without end; a scenario file may not use them."""
    text = edit(valid_text, "\ndescription: ", "\nextra: &a [1, 2]\nmore: [*a, *a]\ndescription: ")
    assert report(text) == (
        f"f.yaml:{line_of(text, 'more:')}: invalid YAML: anchors and aliases (&name, *name) "
        "are not allowed in a scenario; write the values out"
    )
