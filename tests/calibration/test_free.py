"""Free-parameter markers in scenario files, and setting values by path.

The shared valid scenario (tests/conftest.py) is edited line by line: markers in flow
and block style, in a mapping, in a list item and in the timeline; each mistake in a
marker must give exactly one message, at its line, in the loader's format.
"""

from __future__ import annotations

import pytest
import yaml

from scenario_edits import edit, line_of
from tumen.scenario import Scenario, ScenarioError, parse_scenario
from tumen.scenario.free import FreeParameter, parse_path
from tumen.scenario.load import with_values
from tumen.validation.calibrate import calibrated_text, format_value

DETECTION = "    detection: 0.2\n"
DEPARTURES = "  departures_per_day: 5\n"
COUNT = "      count: 1000\n"
EVENT_VALUE = "    value: 2.0\n"


def problems(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "f.yaml")
    return [str(problem) for problem in info.value.problems]


@pytest.fixture
def marked(valid_text: str) -> str:
    """The valid scenario with four values marked free, in every style a file may use."""
    text = edit(
        valid_text,
        DETECTION,
        "    detection: {value: 0.2, calibrate: {low: 0.05, high: 0.5}}  # guards\n",
    )
    text = edit(
        text,
        DEPARTURES,
        "  departures_per_day:\n"
        "    value: 5        # thousands a year\n"
        "    calibrate: {low: 1, high: 20, log: true}\n",
    )
    text = edit(text, COUNT, "      count: {value: 1000, calibrate: {low: 100, high: 5000}}\n")
    return edit(text, EVENT_VALUE, "    value: {value: 2.0, calibrate: {low: 1, high: 4}}\n")


def test_markers_load_as_their_values_and_are_listed_in_file_order(
    marked: str, valid_text: str
) -> None:
    scenario = parse_scenario(marked, "f.yaml")
    plain = parse_scenario(valid_text, "f.yaml")
    assert scenario.model_dump() == plain.model_dump()
    assert plain.free_parameters == ()
    free = {p.path: p for p in scenario.free_parameters}
    assert list(free) == [
        "population.departures_per_day",
        "population.initial[0].count",
        "parameters.crossing.detection",
        "timeline[0].value",
    ]
    assert free["parameters.crossing.detection"] == FreeParameter(
        path="parameters.crossing.detection",
        low=0.05,
        high=0.5,
        value=0.2,
        line=line_of(marked, "detection: {value"),
        log=False,
        integer=False,
        columns=free["parameters.crossing.detection"].columns,
    )
    departures = free["population.departures_per_day"]
    assert (departures.low, departures.high, departures.value, departures.log) == (1, 20, 5, True)
    assert departures.line == line_of(marked, "value: 5 ")  # the value's line, not the key's
    count = free["population.initial[0].count"]
    assert count.integer and isinstance(count.value, int)
    assert free["timeline[0].value"].line == line_of(marked, "value: {value: 2.0")
    lines = marked.splitlines()
    for p in free.values():
        begin, end = p.columns
        assert yaml.safe_load(lines[p.line - 1][begin:end]) == p.value, p.path
        assert p.loc == parse_path(p.path)


def test_a_scenario_cut_or_copied_keeps_its_free_parameters(marked: str) -> None:
    from tumen.api import cut_at

    scenario = parse_scenario(marked, "f.yaml")
    assert cut_at(scenario, 2005).free_parameters == scenario.free_parameters


def test_a_bad_value_inside_a_valid_marker_is_reported_at_the_value_line(valid_text: str) -> None:
    text = edit(
        valid_text,
        DETECTION,
        "    detection:\n      value: 1.5\n      calibrate: {low: 0.1, high: 2}\n",
    )
    line = line_of(text, "value: 1.5")
    assert problems(text) == [
        f"f.yaml:{line}: parameters.crossing.detection: must be <= 1, got 1.5"
    ]


PATH = "parameters.crossing.detection"
MARKER_ERRORS = [
    (
        "{value: 0.2, calibrate: {low: 0.5, high: 0.3}}",
        f"{PATH}.calibrate.high: must be > low (0.5), got 0.3",
    ),
    (
        "{value: 0.2, calibrate: {low: 0.3, high: 0.3}}",
        f"{PATH}.calibrate.high: must be > low (0.3), got 0.3",
    ),
    (
        "{value: 0.2, calibrate: {low: 0.3, high: 0.5}}",
        f"{PATH}.value: must lie within calibrate's range [0.3, 0.5], got 0.2",
    ),
    (
        "{value: 0.2, calibrate: {low: abc, high: 0.5}}",
        f"{PATH}.calibrate.low: expected a number, got 'abc'",
    ),
    (
        "{value: 0.2, calibrate: {low: 0.1, high: true}}",
        f"{PATH}.calibrate.high: expected a number, got true",
    ),
    (
        "{value: lots, calibrate: {low: 0.1, high: 0.5}}",
        f"{PATH}.value: expected a number, got 'lots'",
    ),
    (
        "{value: .nan, calibrate: {low: 0.1, high: 0.5}}",
        f"{PATH}.value: expected a finite number, got nan",
    ),
    (
        "{value: 0.2, calibrate: {low: 0.1, high: 0.5, step: 0.1}}",
        f"{PATH}.calibrate.step: unknown key 'step' in calibrate (allowed: low, high, log)",
    ),
    (  # as elsewhere in the file, a misspelt key is also a missing one
        "{value: 0.2, calibrate: {low: 0.1, hihg: 0.5}}",
        [
            f"{PATH}.calibrate.hihg: unknown key 'hihg' in calibrate (allowed: low, high, log); "
            "did you mean 'high'?",
            f"{PATH}.calibrate.high: required field missing",
        ],
    ),
    (
        "{value: 0.2, calibrate: {low: 0.1, high: 0.5}, note: x}",
        f"{PATH}.note: unknown key 'note' in a free parameter (allowed: value, calibrate; "
        "write {value: V, calibrate: {low: L, high: H}})",
    ),
    ("{value: 0.2, calibrate: {low: 0.1}}", f"{PATH}.calibrate.high: required field missing"),
    ("{calibrate: {low: 0.1, high: 0.5}}", f"{PATH}.value: required field missing"),
    (
        "{value: 0.2, calibrate: {low: 0.1, high: 0.5, log: 2}}",
        f"{PATH}.calibrate.log: expected true or false, got 2",
    ),
    (
        "{value: 0.2, calibrate: {low: 0, high: 0.5, log: true}}",
        f"{PATH}.calibrate.low: must be > 0 for a log-uniform search (log: true), got 0",
    ),
    (
        "{value: 0.2, calibrate: 0.5}",
        f"{PATH}.calibrate: expected a mapping {{low: L, high: H}}, got 0.5",
    ),
]


@pytest.mark.parametrize(("marker", "message"), MARKER_ERRORS)
def test_each_mistake_in_a_marker_gives_one_message_at_its_line(
    valid_text: str, marker: str, message: str | list[str]
) -> None:
    text = edit(valid_text, DETECTION, f"    detection: {marker}\n")
    line = line_of(text, "detection: {")
    expected = [message] if isinstance(message, str) else message
    assert problems(text) == [f"f.yaml:{line}: {one}" for one in expected]


def test_marker_mistakes_in_block_style_point_at_their_own_line(valid_text: str) -> None:
    text = edit(
        valid_text,
        DETECTION,
        "    detection:\n      value: 0.2\n      calibrate:\n        low: 0.1\n"
        "        high: 0.5\n        steps: 10\n",
    )
    assert problems(text) == [
        f"f.yaml:{line_of(text, 'steps: 10')}: {PATH}.calibrate.steps: unknown key 'steps' in "
        "calibrate (allowed: low, high, log)"
    ]


def test_whole_number_fields_need_whole_bounds(valid_text: str) -> None:
    text = edit(
        valid_text, COUNT, "      count: {value: 1000, calibrate: {low: 10.5, high: 5000}}\n"
    )
    assert problems(text) == [
        f"f.yaml:{line_of(text, 'count: {')}: population.initial[0].count.calibrate.low: "
        "must be a whole number for this field, got 10.5"
    ]


def test_only_numbers_can_be_free(valid_text: str) -> None:
    text = edit(
        valid_text, "name: Test corridor\n", "name: {value: 3, calibrate: {low: 1, high: 5}}\n"
    )
    assert problems(text) == ["f.yaml:1: name: only a number can be calibrated"]


def test_an_optional_number_can_be_free(valid_text: str) -> None:
    """`initial_women_share` may be left out (it then follows `women_share`); marked free,
    it loads as its value and is listed with its range."""
    text = edit(valid_text, DEPARTURES, DEPARTURES
                + "  initial_women_share: {value: 0.4, calibrate: {low: 0.2, high: 0.7}}\n")
    scenario = parse_scenario(text, "f.yaml")
    assert scenario.population.initial_women_share == 0.4
    [free] = scenario.free_parameters
    assert (free.path, free.low, free.high) == ("population.initial_women_share", 0.2, 0.7)


def test_every_faulty_marker_is_reported_at_once(valid_text: str) -> None:
    text = edit(
        valid_text, DETECTION, "    detection: {value: 0.2, calibrate: {low: 0.5, high: 0.3}}\n"
    )
    text = edit(text, DEPARTURES, "  departures_per_day: {value: 5, calibrate: {high: 9}}\n")
    assert problems(text) == [
        f"f.yaml:{line_of(text, 'departures_per_day')}: "
        "population.departures_per_day.calibrate.low: required field missing",
        f"f.yaml:{line_of(text, 'detection')}: {PATH}.calibrate.high: must be > low (0.5), got 0.3",
    ]


# ---- with_values ----------------------------------------------------------------------


def test_with_values_sets_values_at_paths_and_keeps_the_original(marked: str) -> None:
    scenario = parse_scenario(marked, "f.yaml")
    changed = with_values(
        scenario,
        {
            "parameters.crossing.detection": 0.3,
            "timeline[0].value": 3.5,
            "routes[1].days.mean": 2.5,
            "routes[0].to": "yanbian",
            "population.initial[0].count": 400,
        },
    )
    assert isinstance(changed, Scenario)
    assert changed.parameters.crossing.detection == 0.3
    assert changed.timeline[0].value == 3.5
    assert changed.routes[1].days.mean == 2.5
    assert changed.routes[0].target == "yanbian"
    assert changed.population.initial[0].count == 400
    assert scenario.parameters.crossing.detection == 0.2  # the original is untouched
    # The rest is as it was, and the free parameters carry their new values.
    assert changed.population.departures_per_day == scenario.population.departures_per_day
    values = {p.path: p.value for p in changed.free_parameters}
    assert values["parameters.crossing.detection"] == 0.3
    assert values["population.departures_per_day"] == 5
    assert with_values(scenario, {}).model_dump() == scenario.model_dump()


def test_with_values_validates_again_and_names_the_path(valid_text: str) -> None:
    scenario = parse_scenario(valid_text, "f.yaml")
    with pytest.raises(ScenarioError) as info:
        with_values(scenario, {"parameters.crossing.detection": 1.5, "routes[2].days.mean": -1})
    assert str(info.value).splitlines() == [
        "Test corridor (set values): routes[2].days.mean: must be > 0, got -1",
        "Test corridor (set values): parameters.crossing.detection: must be <= 1, got 1.5",
    ]
    with pytest.raises(ScenarioError, match=r"routes\[0\]\.to: unknown location 'nowhere'"):
        with_values(scenario, {"routes[0].to": "nowhere"})
    with pytest.raises(ScenarioError, match=r"parameters\.crossing: expected a mapping, got 0\.3"):
        with_values(scenario, {"parameters.crossing": 0.3})


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (
            "parameters.crossing.detectoin",
            "parameters.crossing.detectoin: no such field 'detectoin' in parameters.crossing "
            "(allowed: detection, ",
        ),
        ("routes[99].risk", "routes[99].risk: no such item: routes has 6"),
        ("parameters.crossing.detection.low", "parameters.crossing.detection has no fields"),
        ("parameters..detection", "not a path: 'parameters..detection'"),
        ("locations.name", "locations.name: locations has no fields"),
    ],
)
def test_with_values_refuses_a_path_that_is_not_there(
    valid_text: str, path: str, message: str
) -> None:
    scenario = parse_scenario(valid_text, "f.yaml")
    with pytest.raises(ScenarioError) as info:
        with_values(scenario, {path: 0.1})
    assert message in str(info.value)


def test_with_values_suggests_the_closest_field(valid_text: str) -> None:
    scenario = parse_scenario(valid_text, "f.yaml")
    with pytest.raises(ScenarioError, match="did you mean 'detection'"):
        with_values(scenario, {"parameters.crossing.detectoin": 0.1})


# ---- writing values back --------------------------------------------------------------


def test_calibrated_text_changes_only_the_values_and_keeps_comments(marked: str) -> None:
    scenario = parse_scenario(marked, "f.yaml")
    values = {
        "parameters.crossing.detection": 0.123456789,
        "population.departures_per_day": 7.25,
        "population.initial[0].count": 2345.4,
        "timeline[0].value": 3.0,
    }
    text = calibrated_text(marked, scenario.free_parameters, values)
    before, after = marked.splitlines(), text.splitlines()
    changed = [i + 1 for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert changed == sorted(p.line for p in scenario.free_parameters)
    assert "    detection: {value: 0.123457, calibrate: {low: 0.05, high: 0.5}}  # guards" in after
    assert "    value: 7.25        # thousands a year" in after
    again = parse_scenario(text, "calibrated.yaml")
    assert {p.path: p.value for p in again.free_parameters} == {
        "population.departures_per_day": 7.25,
        "population.initial[0].count": 2345,
        "parameters.crossing.detection": 0.123457,
        "timeline[0].value": 3.0,
    }
    assert again.parameters.crossing.detection == 0.123457


def test_two_markers_on_one_line_are_both_replaced(valid_text: str) -> None:
    text = edit(
        valid_text,
        "    days: {mean: 4, sd: 1}\n",
        "    days: {mean: {value: 4, calibrate: {low: 1, high: 9}}, "
        "sd: {value: 1, calibrate: {low: 0, high: 3}}}  # train\n",
    )
    scenario = parse_scenario(text, "f.yaml")
    assert [p.path for p in scenario.free_parameters] == [
        "routes[2].days.mean",
        "routes[2].days.sd",
    ]
    out = calibrated_text(
        text, scenario.free_parameters, {"routes[2].days.mean": 8.5, "routes[2].days.sd": 0.25}
    )
    assert (
        "    days: {mean: {value: 8.5, calibrate: {low: 1, high: 9}}, "
        "sd: {value: 0.25, calibrate: {low: 0, high: 3}}}  # train"
    ) in out.splitlines()
    days = parse_scenario(out, "f.yaml").routes[2].days
    assert (days.mean, days.sd) == (8.5, 0.25)


@pytest.mark.parametrize("value", [2e-05, 1e-06, 0.000123456789, 1e-3, 123456789.0])
def test_values_are_written_as_yaml_numbers_within_range(value: float) -> None:
    parameter = FreeParameter("x", low=1e-06, high=1e9, value=1e-3, line=1, log=True)
    text = format_value(value, parameter)
    read = yaml.safe_load(text)
    assert isinstance(read, float), text
    assert read == pytest.approx(value, rel=1e-5)
    assert parameter.low <= read <= parameter.high


@pytest.mark.parametrize(("value", "written"), [(2_110_000.0, "2110000.0"), (1e9, "1000000000.0"),
                                                (123456789.0, "123457000.0"), (5.5, "5.5")])
def test_large_values_are_written_without_an_exponent(value: float, written: str) -> None:
    parameter = FreeParameter("x", low=1.0, high=1e9, value=10.0, line=1)
    assert format_value(value, parameter) == written


def test_a_rounded_value_never_leaves_the_range() -> None:
    parameter = FreeParameter("x", low=0.12345649, high=0.2, value=0.15, line=1)
    text = format_value(0.1234565, parameter)
    assert parameter.low <= float(text) <= parameter.high
