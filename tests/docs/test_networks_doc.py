"""The frontier table in docs/networks.md is what `tumen exposure` gives the default."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tumen.analysis.frontier import design_table
from tumen.scenario import load_scenario

NETWORKS_MD = Path(__file__).resolve().parents[2] / "docs" / "networks.md"
ROW = re.compile(r"^\| (\w+) \| ([\d.]+)% \| ([\d.]+)% \| ([\d.]+) \| ([\d.]+) \| ([\d.]+)% "
                 r"\| (frontier|dominated) \|$", flags=re.MULTILINE)


def test_the_documented_frontier_matches_the_code() -> None:
    documented = ROW.findall(NETWORKS_MD.read_text(encoding="utf-8"))
    assert len(documented) == 5, "docs/networks.md lost rows of its frontier table"
    table = design_table(load_scenario("korea-1998-2025").network).set_index("design")
    for design, mean, worst, secrecy, days, failure, status in documented:
        row = table.loc[design]
        assert 100 * row.people_random == pytest.approx(float(mean), abs=0.05), design
        assert 100 * row.people_worst == pytest.approx(float(worst), abs=0.05), design
        assert row.secrecy == pytest.approx(float(secrecy), abs=5e-4), design
        assert row.handoff_days == pytest.approx(float(days), abs=0.05), design
        assert 100 * row.handoff_failure == pytest.approx(float(failure), abs=0.05), design
        assert bool(row.dominated) == (status == "dominated"), design
