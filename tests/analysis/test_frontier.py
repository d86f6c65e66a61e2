"""The design table, the dominance rule and `tumen exposure`'s outputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from tumen.analysis.frontier import design_table, dominated
from tumen.cli import app
from tumen.scenario.designs import DESIGNS

runner = CliRunner()


def test_dominance_by_hand() -> None:
    exposure = np.array([0.1, 0.2, 0.1, 0.3])
    cost = np.array([5.0, 5.0, 9.0, 1.0])
    # (0.2, 5) is worse than (0.1, 5); (0.1, 9) is worse than (0.1, 5); the others trade off.
    assert dominated(exposure, cost).tolist() == [False, True, True, False]
    assert not dominated(np.array([0.1, 0.1]), np.array([2.0, 2.0])).any()  # ties stand


def test_table_has_a_row_per_design_and_level(valid_text: str, tmp_path: Path) -> None:
    from tumen.scenario import parse_scenario

    network = parse_scenario(valid_text, "small.yaml").network
    table = design_table(network, levels=(1.0, 0.0))
    assert len(table) == 2 * len(DESIGNS)
    shares = table[["people_random", "people_worst", "houses_random", "cells_random"]]
    assert ((shares >= 0) & (shares <= 1)).all().all()
    assert (table["people_worst"] >= table["people_random"] - 1e-12).all()
    # At level 0 every design is the connected one.
    at_zero = table[table["level"] == 0.0].drop(columns=["design"])
    assert (at_zero.nunique() == 1).all()


def test_exposure_command_writes_its_files(valid_text: str, tmp_path: Path) -> None:
    scenario = tmp_path / "small.yaml"
    scenario.write_text(valid_text, encoding="utf-8")
    out = tmp_path / "designs"
    result = runner.invoke(app, ["exposure", str(scenario), "--out", str(out),
                                 "--design", "chain", "--design", "cells"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "exposure.csv")
    assert table["design"].tolist() == ["chain", "cells"]
    page = (out / "frontier.html").read_text(encoding="utf-8")
    assert "Network designs" in page
    assert "<script src=" not in page  # plotly.js inlined: the page opens offline
    assert not (tmp_path / "designs.partial").exists()


def test_exposure_refuses_an_unknown_design(tmp_path: Path) -> None:
    result = runner.invoke(app, ["exposure", "--design", "ring", "--out", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "choose from connected, chain, hub, cells, windmill" in result.output
    assert not (tmp_path / "x").exists()
