"""Levers to scenario, and every bound the dashboard enforces, without a browser."""

from __future__ import annotations

import base64
import datetime as dt
import re

import numpy as np
import pytest

from tumen.dashboard.callbacks import levers_from, uploaded_scenario
from tumen.dashboard.levers import (
    MAX_RUNS,
    MAX_UPLOAD_BYTES,
    LeverError,
    Levers,
    NetworkDesign,
    apply_levers,
    check_levers,
    describe,
    read_upload,
    safe_filename,
    year_range,
)
from tumen.scenario import builtin_path, load_scenario, parse_scenario
from tumen.scenario.schema import DesignName, Scenario
from tumen.scenario.timeline import input_series, route_open_matrix

DEFAULT = builtin_path("korea-1998-2025").read_text()
# The departure rate as the default writes it: a calibrated value, so found, not quoted.
DEPARTURES = re.search(r"departures_per_day: \{value: [\d.]+, calibrate: \{[^}]*\}\}", DEFAULT)[0]


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario("korea-1998-2025")


def data_url(text: str | bytes) -> str:
    raw = text.encode() if isinstance(text, str) else text
    return "data:application/x-yaml;base64," + base64.b64encode(raw).decode()


def added_events(before: Scenario, after: Scenario) -> list:
    return after.timeline[len(before.timeline) :]


def test_neutral_levers_leave_the_scenario_unchanged(scenario: Scenario) -> None:
    assert apply_levers(scenario, Levers()) == scenario
    assert apply_levers(scenario, Levers(end_year=2025)) == scenario


def test_multipliers_become_whole_period_scale_events(scenario: Scenario) -> None:
    levers = Levers(crackdown_china=2.5, border_security_nk=0.5, broker_fees=3.0)
    changed = apply_levers(scenario, levers)
    events = {(e.input.value, e.where): e for e in added_events(scenario, changed)}
    assert set(events) == {("crackdown", "china"), ("border_security", "north_korea"),
                           ("broker_fees", "all")}  # fmt: skip
    assert [events[key].value for key in sorted(events)] == [0.5, 3.0, 2.5]
    for event in events.values():
        assert event.action == "scale"
        assert (event.start, event.end) == (scenario.period.start, scenario.period.end)
        assert event.ramp_days == 0
    # The extra event multiplies the scenario's own series, day by day.
    china = 1  # COUNTRIES order: north_korea, china, ...
    base, new = input_series(scenario)["crackdown"], input_series(changed)["crackdown"]
    np.testing.assert_allclose(new[china], 2.5 * base[china])


def test_rescue_budget_scales_the_parameter(scenario: Scenario) -> None:
    changed = apply_levers(scenario, Levers(rescue_budget=2.0))
    before = scenario.parameters.finance.rescue_budget_usd_per_year
    assert changed.parameters.finance.rescue_budget_usd_per_year == 2 * before
    assert changed.timeline == scenario.timeline


def test_network_designs(scenario: Scenario) -> None:
    """The lever names a standard design; the run compiles the designed network."""
    assert apply_levers(scenario, Levers()).network.design == scenario.network.design
    for design in DesignName:
        network = apply_levers(scenario, Levers(network=NetworkDesign(design.value))).network
        assert network.design.name == design and network.design.level == 1.0
    connected = apply_levers(scenario, Levers(network=NetworkDesign.CONNECTED))
    cells = connected.network.designed().cells
    ids = {cell.id for cell in cells}
    assert all(set(cell.knows_cells) == ids - {cell.id} for cell in cells)
    isolated = apply_levers(scenario, Levers(network=NetworkDesign.CELLS)).network.designed()
    assert all(cell.knows_cells == [] for cell in isolated.cells)
    assert any(cell.knows_cells for cell in scenario.network.cells)  # the change is real


def test_closed_routes_are_closed_all_period(scenario: Scenario) -> None:
    changed = apply_levers(scenario, Levers(closed_routes=("gobi", "nh_onsong")))
    events = added_events(scenario, changed)
    assert [(e.action, e.where) for e in events] == [
        ("close_route", "gobi"),
        ("close_route", "nh_onsong"),
    ]
    ids = [route.id for route in changed.routes]
    is_open = route_open_matrix(changed)
    assert not is_open[ids.index("nh_onsong")].any()
    assert is_open[ids.index("nh_hoeryong")].any()


def test_end_year_cuts_the_period(scenario: Scenario) -> None:
    changed = apply_levers(scenario, Levers(end_year=2003, crackdown_china=2.0))
    assert changed.period.end == dt.date(2003, 12, 31)
    assert changed.period.start == scenario.period.start
    assert year_range(scenario) == (1999, 2025)


@pytest.mark.parametrize(
    ("levers", "message"),
    [
        (
            Levers(crackdown_china=10.5),
            "Crackdown in China: the multiplier must be between 0 and 10",
        ),
        (Levers(border_security_nk=-0.1), "Border security: the multiplier"),
        (Levers(rescue_budget=11), "Rescue budget: the multiplier"),
        (Levers(broker_fees=float("nan")), "Broker fees: the multiplier"),
        (Levers(runs=MAX_RUNS + 1), f"Runs: must be between 1 and {MAX_RUNS}"),
        (Levers(runs=0), "Runs: must be between 1"),
        (Levers(end_year=1998), "End year: must be between 1999 and 2025"),
        (Levers(end_year=2026), "End year: must be between 1999 and 2025"),
        (Levers(seed=-1), "Seed: must be between 0"),
        (Levers(closed_routes=("no_such_route",)), "no such route in the scenario: no_such_route"),
    ],
)
def test_bounds(scenario: Scenario, levers: Levers, message: str) -> None:
    with pytest.raises(LeverError, match=message.replace("(", r"\(")):
        apply_levers(scenario, levers)


def test_all_problems_are_listed_at_once(scenario: Scenario) -> None:
    problems = check_levers(Levers(crackdown_china=20, runs=9, seed=-3), scenario)
    assert len(problems) == 3


def test_levers_from_page_values() -> None:
    values = {"crackdown": 2, "border": 1.0, "rescue": 0, "fees": 1.5, "network": "cells",
              "routes": ["gobi", "gobi"], "end_year": 2010.0, "seed": 3, "runs": 2}  # fmt: skip
    levers = levers_from(values)
    assert levers == Levers(2.0, 1.0, 0.0, 1.5, NetworkDesign.CELLS, ("gobi",), 2010, 3, 2)
    assert levers.seeds == (3, 4)
    broken = {**values, "crackdown": None, "runs": 1.5, "network": "everyone", "routes": "x"}
    with pytest.raises(LeverError) as error:
        levers_from(broken)
    text = str(error.value)
    for expected in ("Crackdown in China: a number", "Runs: a whole number", "Network design",
                     "Route closures"):  # fmt: skip
        assert expected in text


def test_describe(scenario: Scenario) -> None:
    levers = Levers(crackdown_china=3, network=NetworkDesign.CHAIN, closed_routes=("gobi",),
                    end_year=2010, runs=3)  # fmt: skip
    assert describe(levers, scenario) == (
        "korea-1998-2025: crackdown ×3, chain: each cell knows the next, 1 route(s) closed, "
        "to 2010 (3 runs)"
    )
    assert describe(Levers(seed=7), scenario) == "korea-1998-2025: as is (seed 7)"


def test_valid_upload() -> None:
    scenario = read_upload(data_url(DEFAULT), "mine.yaml")
    assert scenario.name == "korea-1998-2025"


def test_invalid_upload_lists_the_loader_problems() -> None:
    text = DEFAULT.replace(DEPARTURES, "departures_per_day: lots")
    with pytest.raises(LeverError) as error:
        read_upload(data_url(text), "../../etc/mine.yaml")
    (problem,) = error.value.problems
    assert problem.startswith("mine.yaml:")  # the label is the base name only
    assert "population.departures_per_day: expected a number, got 'lots'" in problem


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (DEPARTURES, "departures_per_day: 1500", "departures_per_day: 1,500"),
        ("count: 60000,", "count: 600000,", "population.initial: 620,000 people"),
        ("value: 3.0,\n", "value: 600.0,\n", r"push events raise departures to [\d,]+ a day"),
        ("end: 2025-12-31}  #", "end: 2085-12-31}  #", "period: 88 years"),
    ],
)
def test_population_bounds(old: str, new: str, message: str) -> None:
    assert old in DEFAULT
    with pytest.raises(LeverError, match=message):
        read_upload(data_url(DEFAULT.replace(old, new, 1)), "big.yaml")


def test_upload_size_and_encoding() -> None:
    with pytest.raises(LeverError, match="limited to 1 MB"):
        read_upload(data_url("#" * (MAX_UPLOAD_BYTES + 1)), "huge.yaml")
    with pytest.raises(LeverError, match="not a text file"):
        read_upload(data_url(b"\xff\xfe\x00name"), "binary.yaml")
    with pytest.raises(LeverError, match="could not be read"):
        read_upload("data:text/yaml;base64,***", "garbled.yaml")
    # A file the browser found too big arrives as its size only.
    with pytest.raises(LeverError, match=r"5\.0 MB; scenario files are limited to 1 MB"):
        uploaded_scenario({"filename": "huge.yaml", "size": 5_000_000})


def test_alias_bombs_are_refused_before_parsing() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 8)]
    with pytest.raises(LeverError, match="expands to more than"):
        read_upload(data_url("\n".join(lines) + "\n"), "bomb.yaml")
    with pytest.raises(LeverError, match="nested too deeply"):
        read_upload(data_url("[" * 100 + "]" * 100), "deep.yaml")


def test_safe_filename() -> None:
    assert safe_filename("C:\\Users\\me\\a.yaml") == "a.yaml"
    assert safe_filename("/etc/passwd") == "passwd"
    assert safe_filename("") == "upload.yaml"
    assert safe_filename("x\n.yaml") == "x.yaml"


def test_built_in_scenario_passes_its_own_bounds() -> None:
    assert parse_scenario(DEFAULT, "korea.yaml").name == "korea-1998-2025"
    assert read_upload(data_url(DEFAULT), "korea.yaml").name == "korea-1998-2025"
