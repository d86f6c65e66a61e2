"""Run seeds and sweep files: what runs a sweep plans, and the errors a bad file gets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tumen.ensemble.seeds import run_seed
from tumen.ensemble.spec import Range, Sample, latin_hypercube, load_sweep, seeds_sweep
from tumen.scenario import ScenarioError


def test_a_runs_seed_depends_on_the_sweep_seed_and_its_index_only() -> None:
    assert run_seed(7, 3) == run_seed(7, 3)
    seeds = [run_seed(7, index) for index in range(1000)]
    assert len(set(seeds)) == 1000
    assert run_seed(8, 3) != run_seed(7, 3)
    short, long = seeds_sweep(5, "x.yaml", seed=7), seeds_sweep(9, "x.yaml", seed=7)
    assert short.runs[3].seed == long.runs[3].seed == seeds[3]


def write(folder: Path, text: str) -> Path:
    path = folder / "sweep.yaml"
    path.write_text(text)
    return path


def test_a_grid_runs_every_combination_with_its_seeds(tmp_path: Path) -> None:
    path = write(tmp_path, """\
name: grid
scenario: corridor.yaml
seeds: 2
vary:
  grid:
    parameters.crossing.detection: [0.1, 0.2, 0.3]
    population.departures_per_day: [2, 4]
""")
    sweep = load_sweep(path)
    assert len(sweep.runs) == 12
    assert [run.index for run in sweep.runs] == list(range(12))
    sets = [tuple(sorted(run.values.items())) for run in sweep.runs]
    assert len(set(sets)) == 6 and all(sets.count(one) == 2 for one in set(sets))
    assert {run.scenario for run in sweep.runs} == {str((tmp_path / "corridor.yaml").resolve())}
    assert len({run.seed for run in sweep.runs}) == 12


def test_whole_number_fields_are_rounded_in_a_sample(tmp_path: Path) -> None:
    path = write(tmp_path, """\
name: lhs
vary:
  sample:
    n: 5
    ranges:
      population.resettled_before: {low: 100, high: 5000, log: true}
      parameters.crossing.detection: {low: 0.05, high: 0.3}
""")
    runs = load_sweep(path).runs
    assert all(isinstance(run.values["population.resettled_before"], int) for run in runs)
    assert all(isinstance(run.values["parameters.crossing.detection"], float) for run in runs)
    assert {run.scenario for run in runs} == {"korea-1998-2025"}


def test_a_latin_hypercube_puts_one_point_in_each_slice_of_each_range() -> None:
    sample = Sample(n=40, ranges={"a": Range(low=0.0, high=4.0),
                                  "b": Range(low=1.0, high=1e4, log=True)})
    points = latin_hypercube(sample, seed=3)
    a = np.array([p["a"] for p in points]) / 4.0
    b = np.log10([p["b"] for p in points]) / 4.0
    for unit in (a, b):
        assert sorted(np.floor(unit * 40).astype(int).tolist()) == list(range(40))
    assert latin_hypercube(sample, seed=3) == points
    assert latin_hypercube(sample, seed=4) != points


@pytest.mark.parametrize(("text", "expected"), [
    ("name: x\nseeds: 0\n", "sweep.yaml:2: seeds: must be >= 1, got 0"),
    ("name: x\nvary:\n  grid: {parameters.crossing.detection: [0.1]}\n"
     "  scenarios: [a.yaml]\n", "sweep.yaml:3: vary: give exactly one of grid, sample or "
                                "scenarios (found grid, scenarios)"),
    ("name: x\nrepeats: 3\n", "sweep.yaml:2: repeats: unknown key 'repeats'"),
    ("name: x\nvary:\n  grid:\n    parameters.crossing.detektion: [0.1]\n",
     "sweep.yaml:4: vary.grid.parameters.crossing.detektion: no value"),
    ("name: x\nvary:\n  grid:\n    routes: [0.1]\n", "'routes' is not a number"),
    ("name: x\nvary:\n  sample:\n    n: 3\n    ranges:\n      parameters.crossing.detection: "
     "{low: 0.3, high: 0.1}\n", "low (0.3) must be below high (0.1)"),
    ("- a list\n", "the top level must be a mapping with name, scenario"),
])
def test_a_bad_sweep_file_is_refused_with_its_line_and_the_fix(tmp_path: Path, text: str,
                                                                expected: str) -> None:
    with pytest.raises(ScenarioError) as error:
        load_sweep(write(tmp_path, text))
    assert expected in str(error.value).replace(str(tmp_path) + "/", "")
