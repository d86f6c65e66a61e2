"""The minimal example in docs/scenarios.md is a valid scenario that runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tumen.api import simulate
from tumen.scenario import Scenario, parse_scenario

SCENARIOS_MD = Path(__file__).resolve().parents[2] / "docs" / "scenarios.md"


@pytest.fixture(scope="module")
def example() -> Scenario:
    text = SCENARIOS_MD.read_text(encoding="utf-8")
    found = re.search(r"^```yaml\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)
    assert found, "docs/scenarios.md has no ```yaml block"
    return parse_scenario(found.group(1), "docs/scenarios.md (first yaml block)")


def test_minimal_example_validates(example: Scenario) -> None:
    assert example.name == "tumen-corridor"
    actions = {event.action for event in example.timeline}
    assert actions == {"scale", "close_route", "raid", "airlift"}


def test_minimal_example_runs(example: Scenario) -> None:
    results = simulate(example, seed=1)
    assert results.passed, [check for check in results.invariants if not check.passed]
    assert results.annual["arrivals_sk"].sum() > 0
