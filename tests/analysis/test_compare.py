"""`tumen compare`: paired differences, determinism and its outputs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tumen.analysis.compare import MEASURES, compare_runs, differences, measures_of
from tumen.cli import app
from tumen.scenario import parse_scenario
from tumen.validation.ensemble import run_ensemble

runner = CliRunner()
TALKATIVE = ("      knows_safe_houses: [house_yanbian]\n",
             "      knows_safe_houses: [house_yanbian, house_kunming]\n")


@pytest.fixture(scope="module")
def files(tmp_path_factory, valid_text: str) -> tuple[Path, Path]:
    """The small scenario, and a copy whose northern cell also knows the southern house
    and whose cells talk more readily."""
    folder = tmp_path_factory.mktemp("compare")
    base, other = folder / "base.yaml", folder / "talkative.yaml"
    base.write_text(valid_text, encoding="utf-8")
    changed = valid_text.replace(*TALKATIVE).replace("disclosure_probability: 0.25",
                                                     "disclosure_probability: 0.9")
    assert changed.count("house_kunming]") == 1 and "0.9" in changed
    other.write_text(changed, encoding="utf-8")
    return base, other


def test_a_scenario_against_itself_differs_by_nothing(valid_text: str) -> None:
    scenario = parse_scenario(valid_text, "small.yaml")
    runs = compare_runs([scenario, scenario], ["a", "b"], seeds=[1, 2], until=2003)
    assert (runs["arrivals"] > 0).all()
    table = differences(runs)
    assert set(table["measure"]) == set(MEASURES)
    assert (table["difference_mean"].abs() < 1e-9).all()
    assert (table["difference_p5"] == table["difference_p95"]).all()


def test_compare_is_deterministic_and_writes_its_files(files, tmp_path: Path) -> None:
    base, other = files
    outs = [tmp_path / "one", tmp_path / "two"]
    for out in outs:
        result = runner.invoke(app, ["compare", str(base), str(other), "--runs", "2",
                                     "--until", "2002", "--workers", "1", "--out", str(out)])
        assert result.exit_code == 0, result.output
    first, second = (pd.read_csv(out / "differences.csv") for out in outs)
    pd.testing.assert_frame_equal(first, second)
    assert set(first["scenario"]) == {"talkative"} and set(first["baseline"]) == {"base"}
    runs = pd.read_csv(outs[0] / "runs.csv")
    assert len(runs) == 4 and sorted(runs["seed"].unique()) == [1, 2]
    assert "<script src=" not in (outs[0] / "compare.html").read_text(encoding="utf-8")


def test_compare_needs_two_scenarios(files, tmp_path: Path) -> None:
    result = runner.invoke(app, ["compare", str(files[0]), "--out", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "at least two scenarios" in result.output
    assert not (tmp_path / "x").exists()


def test_pairing_by_seed_cuts_the_noise_of_a_difference(valid_text: str) -> None:
    """Runs on the same seeds share every process's draws that the change leaves alone,
    so their differences scatter less than those of runs on other seeds."""
    base = parse_scenario(valid_text, "base.yaml")
    talkative = parse_scenario(
        valid_text.replace("disclosure_probability: 0.25", "disclosure_probability: 0.9"),
        "talkative.yaml")
    seeds = list(range(1, 9))
    paired = compare_runs([base, talkative], ["a", "b"], seeds, until=2003, workers=2)
    other = pd.DataFrame([measures_of(run) for run in run_ensemble(
        talkative, [100 + s for s in seeds], until=2003, workers=2)])
    for measure in ("arrivals", "arrests"):
        a = paired.loc[paired["scenario"] == "a", measure].to_numpy()
        b = paired.loc[paired["scenario"] == "b", measure].to_numpy()
        b_unpaired = other[measure].to_numpy()
        assert (b - a).std() < (b_unpaired - a).std(), measure
