"""Tumen: a simulator of the underground railroad North Korean escapees travel.

Public API::

    import tumen
    scenario = tumen.load_scenario("korea-1998-2025")
    results = tumen.simulate(scenario, seed=1)
    results.annual  # a pandas DataFrame
"""

from __future__ import annotations

from tumen.api import simulate
from tumen.results import Results
from tumen.scenario import ScenarioError, builtin_scenarios, load_scenario
from tumen.scenario.schema import Scenario

__all__ = [
    "Results",
    "Scenario",
    "ScenarioError",
    "builtin_scenarios",
    "load_scenario",
    "simulate",
]
