"""Tumen: a simulator of the underground railroad North Korean escapees travel.

Public API::

    import tumen
    scenario = tumen.load_scenario("korea-1998-2025")
    results = tumen.simulate(scenario, seed=1)
    results.annual  # a pandas DataFrame

The engine and pandas load on first use of `simulate` or `Results`, so that importing
the package (and `tumen --help`) stays quick.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tumen.scenario import ScenarioError, builtin_scenarios, load_scenario
from tumen.scenario.schema import Scenario

if TYPE_CHECKING:
    from tumen.api import simulate
    from tumen.results import Results

__all__ = [
    "Results",
    "Scenario",
    "ScenarioError",
    "builtin_scenarios",
    "load_scenario",
    "simulate",
]


def __getattr__(name: str) -> Any:
    if name == "simulate":
        from tumen.api import simulate

        return simulate
    if name == "Results":
        from tumen.results import Results

        return Results
    raise AttributeError(f"module 'tumen' has no attribute {name!r}")
