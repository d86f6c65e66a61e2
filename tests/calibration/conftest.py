"""Small scenarios with free parameters, built from the engine tests' tiny corridor.

`small_text()` is the tiny corridor (tests/engine/conftest.py) over one year in which
people leave every day, carry the broker's fee and meet a broker the day after
crossing, so that the only chance events are the guards at the river and each
escapee's sex: arrivals in Seoul are departures times (1 - detection), and the women's
share is `population.women_share`. The river's detection is marked free, written by hand
with comments around it, as a user would.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import tumen
from engine.conftest import tiny_text
from tumen.results import Results
from tumen.scenario import parse_scenario
from tumen.scenario.load import with_values

DETECTION_LINE = "detection: 0.0"
DETECTION_MARKER = (
    "detection: {value: 0.1, calibrate: {low: 0.0, high: 0.7}}  # guards at the river, free"
)


def small_text(departures: float = 1.0, marker: str = DETECTION_MARKER) -> str:
    """The small scenario as YAML text with the detection marker and a few comments."""
    text = tiny_text(
        period={"start": "2001-01-01", "end": "2001-12-31"},
        population={"departures_per_day": departures, "funds_share": 1.0},
        parameters={"hiding": {"broker_contact": 1.0}},
    )
    assert text.count(DETECTION_LINE) == 1
    text = text.replace(DETECTION_LINE, marker)
    return "# A small corridor for calibration tests.\n# Source: made up.\n" + text.replace(
        "population:\n", "# Who leaves\npopulation:\n"
    )


def observed_from(runs: list[Results]) -> pd.DataFrame:
    """An observed frame (year, arrivals, women_share) made of simulated runs."""
    annual = pd.concat([run.annual for run in runs]).groupby("year", as_index=False).sum()
    return pd.DataFrame(
        {
            "year": annual["year"],
            "arrivals": annual["arrivals_sk"] / len(runs),
            "women_share": annual["arrivals_sk_women"] / annual["arrivals_sk"],
        }
    )


# Seeds that make "observed" data; calibration itself runs seeds 1, 2, ...
OBSERVED_SEEDS = (90, 91, 92, 93)


def observed_with(text: str, values: dict[str, float]) -> pd.DataFrame:
    """What the scenario `text` gives with `values` set, averaged over OBSERVED_SEEDS, so
    that the "observed" series carries half the sampling noise of a single run and no
    one run's luck decides what a test can recover."""
    truth = with_values(parse_scenario(text), values)
    return observed_from([tumen.simulate(truth, seed=seed) for seed in OBSERVED_SEEDS])


@pytest.fixture
def small_file(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(small_text(), encoding="utf-8")
    return path


def interrupted_at(call: int, real: Callable[..., Any]) -> Callable[..., Any]:
    """`real`, except that its `call`-th call raises KeyboardInterrupt, as Ctrl-C would."""
    calls: list[int] = []

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == call:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    return wrapper
