"""Results survive a save and a load unchanged, so stored runs read back as they ran."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import tumen
from tumen.results import Results


def test_save_then_load_gives_the_same_tables(tmp_path: Path, valid_text: str) -> None:
    from tumen.scenario import parse_scenario

    results = tumen.simulate(parse_scenario(valid_text), seed=4, until=2001)
    results.save(tmp_path)
    loaded = Results.load(tmp_path)
    assert loaded.scenario_name == results.scenario_name
    assert loaded.seed == results.seed
    assert loaded.invariants == results.invariants
    for name in ("annual", "route_flows", "locations", "ledger"):
        pd.testing.assert_frame_equal(getattr(loaded, name), getattr(results, name),
                                      check_dtype=False)
    pd.testing.assert_frame_equal(loaded.daily, results.daily, check_dtype=False)
