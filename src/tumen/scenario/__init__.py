"""Scenario files: the schema a user writes against, and loading a file into a `Scenario`."""

from tumen.scenario.load import (
    Problem,
    ScenarioError,
    builtin_path,
    builtin_scenarios,
    load_scenario,
    parse_scenario,
)
from tumen.scenario.schema import Scenario

__all__ = [
    "Problem",
    "Scenario",
    "ScenarioError",
    "builtin_path",
    "builtin_scenarios",
    "load_scenario",
    "parse_scenario",
]
