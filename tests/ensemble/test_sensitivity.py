"""Sensitivity indices with known answers: Ishigami's function, whose Sobol indices are
known in closed form, and a scenario in which one varied value cannot matter."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from tumen.analysis.sensitivity import Method, design, indices
from tumen.cli import app
from tumen.ensemble.spec import Range, Sample, SweepFile, Vary
from tumen.ensemble.store import MEASURES

from .conftest import UNTIL, sweep_file

A, B = 7.0, 0.1


def ishigami(x: np.ndarray) -> np.ndarray:
    return np.sin(x[:, 0]) + A * np.sin(x[:, 1]) ** 2 + B * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_indices() -> tuple[list[float], list[float]]:
    """First-order and total indices of Ishigami's function, in closed form."""
    v1 = 0.5 * (1 + B * math.pi**4 / 5) ** 2
    v2 = A**2 / 8
    v13 = B**2 * math.pi**8 * (1 / 18 - 1 / 50)
    var = v1 + v2 + v13
    return [v1 / var, v2 / var, 0.0], [(v1 + v13) / var, v2 / var, v13 / var]


def test_sobol_indices_of_ishigamis_function_come_out_right() -> None:
    """The sampling, the runs' order and the analysis fit together: fed Ishigami's
    function as an output, the indices match the closed form."""
    ranges = {name: Range(low=-math.pi, high=math.pi) for name in ("x1", "x2", "x3")}
    spec = SweepFile(name="ishigami", vary=Vary(sample=Sample(n=1024, ranges=ranges)))
    plan = design(spec, Path.cwd(), Method.SOBOL)
    points = np.array([[run.values[name] for name in ranges] for run in plan.sweep.runs])
    y = ishigami(points)
    runs = pd.DataFrame({"idx": range(len(y)), "status": "done", "error": None,
                         **{measure: y for measure in MEASURES}})
    table = indices(plan, runs, Method.SOBOL).query("output == 'arrivals'")
    first, total = ishigami_indices()
    assert table["S1"].to_numpy() == pytest.approx(first, abs=0.05)
    assert table["ST"].to_numpy() == pytest.approx(total, abs=0.05)


def test_a_value_that_cannot_matter_gets_no_index(scenario_file: Path,
                                                  tmp_path: Path) -> None:
    """In the corridor's first two years nobody reaches Thailand, so the share flown to
    the United States moves nothing: on one seed for every point, its indices are
    exactly 0, while the arrest hazard in hiding carries the arrests."""
    spec = sweep_file(tmp_path, scenario_file, "toy", UNTIL, """\
vary:
  sample:
    n: 4
    ranges:
      parameters.hiding.arrest_men: {low: 0.0005, high: 0.01, log: true}
      parameters.asylum.us_share: {low: 0.01, high: 0.5}
""")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["sensitivity", str(spec), "--method", "morris",
                                      "--out", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "sensitivity.csv").query("output == 'arrests'")
    effects = dict(zip(table["parameter"], table["mu_star"], strict=True))
    assert effects["parameters.asylum.us_share"] == 0.0
    assert effects["parameters.hiding.arrest_men"] > 10.0
    assert (out / "sensitivity.html").stat().st_size > 1000


def test_sensitivity_needs_ranges(scenario_file: Path, tmp_path: Path) -> None:
    spec = tmp_path / "seeds.yaml"
    spec.write_text(f"name: seeds\nscenario: {scenario_file.name}\nseeds: 3\n")
    result = CliRunner().invoke(app, ["sensitivity", str(spec), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "vary.sample.ranges" in result.output
