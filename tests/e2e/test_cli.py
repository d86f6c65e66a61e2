"""End-to-end tests of the `tumen` command line.

Almost everything goes through `typer.testing.CliRunner` against `tumen.cli.app`, in
process; one test runs the installed `tumen` console script in a subprocess. Runs use
the small scenario of `tests/conftest.py` (2000-2010) or the default one cut with
`--until 1998`, so the whole file stays well under a minute.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tumen.cli import app
from tumen.scenario import builtin_path

DEFAULT = "korea-1998-2025"
OUTPUTS = (
    "annual.csv",
    "daily.parquet",
    "route_flows.csv",
    "locations.csv",
    "ledger.csv",
    "summary.json",
    "report.html",
)
ANNUAL = (
    "year",
    "departures",
    "arrivals_sk",
    "arrivals_sk_women",
    "arrivals_us",
    "arrests_china",
    "repatriations",
    "trafficked",
    "hidden_china",
    "detained_thailand",
    "thai_backlog",
    "safe_houses_compromised",
    "cost_usd",
    "remittances_usd",
    "median_journey_days",
)

runner = CliRunner()


def invoke(*args: str | Path):
    """Run `tumen ARGS` in process; exceptions other than exits fail the test."""
    result = runner.invoke(app, [str(arg) for arg in args], catch_exceptions=False)
    return result


@pytest.fixture(scope="module")
def small(tmp_path_factory, valid_text: str) -> Path:
    """The small scenario of conftest.py as a file (runs 2000-01-01 to 2010-12-31)."""
    path = tmp_path_factory.mktemp("scenario") / "small.yaml"
    path.write_text(valid_text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def small_run(tmp_path_factory, small: Path):
    """One full run of the small scenario, shared by the checks of its outputs."""
    out = tmp_path_factory.mktemp("runs") / "small"
    result = invoke("run", small, "--out", out, "--seed", 5)
    return result, out


def no_partial_left(folder: Path) -> bool:
    return not any(path.name.endswith(".partial") for path in folder.iterdir())


def check_outputs(out: Path, scenario: str, seed: int, first: dt.date, last: dt.date,
                  more: tuple[str, ...] = ()) -> None:
    """Every output file (and `more`) is there and consistent with a run from `first` to
    `last`."""
    assert sorted(path.name for path in out.iterdir()) == sorted([*OUTPUTS, *more])
    assert no_partial_left(out.parent)

    annual = pd.read_csv(out / "annual.csv")
    assert set(ANNUAL) <= set(annual.columns), set(ANNUAL) - set(annual.columns)
    assert annual["year"].tolist() == list(range(first.year, last.year + 1))

    daily = pd.read_parquet(out / "daily.parquet")
    days = (last - first).days + 1
    assert len(daily) == days
    dates = pd.to_datetime(daily["date"])
    assert dates.iloc[0] == pd.Timestamp(first)
    assert dates.iloc[-1] == pd.Timestamp(last)
    assert dates.diff().iloc[1:].eq(pd.Timedelta(days=1)).all()

    summary = json.loads((out / "summary.json").read_text())
    for key in ("scenario", "seed", "version", "wall_time_s", "totals", "invariants"):
        assert key in summary, key
    assert summary["scenario"] == scenario
    assert summary["seed"] == seed
    assert summary["version"]
    assert summary["wall_time_s"] > 0
    assert summary["invariants"], "no invariant was checked"
    assert all(check["passed"] for check in summary["invariants"]), summary["invariants"]
    for name in ("departures", "arrivals_sk", "repatriations", "cost_usd"):
        assert summary["totals"][name] == pytest.approx(annual[name].sum()), name

    for name in ("route_flows.csv", "ledger.csv"):
        assert len(pd.read_csv(out / name)) > 0, name

    report = (out / "report.html").read_text(encoding="utf-8")
    assert report.lstrip().lower().startswith(("<!doctype html", "<html"))
    assert "<script src=" not in report.lower()
    assert '<link rel="stylesheet" href="http' not in report.lower()


def check_table(stdout: str, title: str) -> None:
    assert title in stdout
    for row in ("arrivals in South Korea", "repatriations", "invariant", "written to"):
        assert row in stdout, row
    assert "FAILED" not in stdout


# --- tumen run --------------------------------------------------------------------------


def test_run_small_scenario_writes_every_output(small_run) -> None:
    result, out = small_run
    assert result.exit_code == 0, result.output
    check_outputs(out, "Test corridor", 5, dt.date(2000, 1, 1), dt.date(2010, 12, 31))
    check_table(result.stdout, "Test corridor, seed 5")
    assert "2000-2010" in result.stdout


def test_run_default_scenario_until_1998(tmp_path: Path) -> None:
    out = tmp_path / "default"
    result = invoke("run", "--until", 1998, "--out", out)
    assert result.exit_code == 0, result.output
    check_outputs(out, DEFAULT, 0, dt.date(1998, 1, 1), dt.date(1998, 12, 31))
    check_table(result.stdout, f"{DEFAULT}, seed 0")


def test_until_cuts_and_seed_decides(tmp_path: Path, small: Path) -> None:
    def annual(seed: int, name: str) -> bytes:
        out = tmp_path / name
        result = invoke("run", small, "--until", 2001, "--seed", seed, "--out", out)
        assert result.exit_code == 0, result.output
        check_outputs(out, "Test corridor", seed, dt.date(2000, 1, 1), dt.date(2001, 12, 31))
        return (out / "annual.csv").read_bytes()

    first, again, other = annual(11, "a"), annual(11, "b"), annual(12, "c")
    assert first == again, "the same seed gave different annual.csv"
    assert first != other, "a different seed gave the same annual.csv"


def test_runs_adds_an_ensemble_kept_in_a_store(tmp_path: Path, small: Path) -> None:
    """--runs 3: the one run's files as before, the three runs in store/, their bands in
    the report."""
    from tumen.ensemble.store import RunStore

    out = tmp_path / "ensemble"
    result = invoke("run", small, "--until", 2001, "--runs", 3, "--workers", 1, "--out", out)
    assert result.exit_code == 0, result.output
    check_outputs(out, "Test corridor", 0, dt.date(2000, 1, 1), dt.date(2001, 12, 31),
                  more=("store",))
    runs = RunStore(out / "store").runs()
    assert runs["idx"].tolist() == [0, 1, 2] and (runs["status"] == "done").all()
    assert runs["seed"].nunique() == 3
    assert "Ensemble of 3 runs" in (out / "report.html").read_text()


def test_default_output_folder_is_under_tumen_runs(tmp_path, monkeypatch, small) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("run", small, "--until", 2000, "--seed", 3)
    assert result.exit_code == 0, result.output
    runs = tmp_path / "tumen-runs"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["tumen-runs"]
    folders = list(runs.iterdir())
    assert len(folders) == 1, folders
    (out,) = folders
    assert out.is_dir()
    assert "seed3" in out.name
    check_outputs(out, "Test corridor", 3, dt.date(2000, 1, 1), dt.date(2000, 12, 31))


def test_out_not_empty_is_refused(tmp_path: Path, small: Path) -> None:
    out = tmp_path / "taken"
    out.mkdir()
    (out / "notes.txt").write_text("mine\n")
    result = invoke("run", small, "--until", 2000, "--out", out)
    assert result.exit_code == 2
    assert "not empty" in result.stderr
    assert "--out" in result.stderr
    assert [path.name for path in out.iterdir()] == ["notes.txt"]
    assert (out / "notes.txt").read_text() == "mine\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["taken"]


def test_out_is_a_file_is_refused(tmp_path: Path, small: Path) -> None:
    out = tmp_path / "a-file"
    out.write_text("mine\n")
    result = invoke("run", small, "--until", 2000, "--out", out)
    assert result.exit_code == 2
    assert "not a folder" in result.stderr
    assert out.read_text() == "mine\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a-file"]


def test_empty_out_folder_is_used(tmp_path: Path, small: Path) -> None:
    out = tmp_path / "empty"
    out.mkdir()
    result = invoke("run", small, "--until", 2000, "--out", out)
    assert result.exit_code == 0, result.output
    check_outputs(out, "Test corridor", 0, dt.date(2000, 1, 1), dt.date(2000, 12, 31))


def break_scenario(text: str) -> tuple[str, dict[str, int]]:
    """The small scenario with a negative days mean and an unknown key; their lines."""
    lines = text.splitlines()
    mean = lines.index("    days: {mean: 3, sd: 1}")
    lines[mean] = "    days: {mean: -3, sd: 1}"
    share = lines.index("  women_share: 0.7")
    lines.insert(share + 1, "  colour: blue")
    lines[share] = "  women_share: 1.7"
    # Lines in the file count from 1.
    return "\n".join(lines) + "\n", {
        "routes[0].days.mean": mean + 1,
        "population.women_share": share + 1,
        "population.colour": share + 2,
    }


def test_bad_scenario_is_refused_with_file_line_and_field(tmp_path, monkeypatch, valid_text):
    monkeypatch.chdir(tmp_path)
    text, where = break_scenario(valid_text)
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    result = invoke("run", bad, "--out", tmp_path / "out")
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    for field, line in where.items():
        prefix = f"{bad}:{line}: {field}: "
        assert any(row.startswith(prefix) for row in lines), (prefix, result.stderr)
    assert "colour" in result.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == ["bad.yaml"]


def test_missing_scenario_file(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("run", "missing.yaml")
    assert result.exit_code == 2
    assert "missing.yaml" in result.stderr
    assert "no such file" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_unknown_builtin_name(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("run", "korea-1998-202")
    assert result.exit_code == 2
    assert "korea-1998-202" in result.stderr
    assert f"did you mean '{DEFAULT}'" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_until_before_the_start(tmp_path: Path, small: Path) -> None:
    out = tmp_path / "out"
    result = invoke("run", small, "--until", 1999, "--out", out)
    assert result.exit_code == 2
    assert "--until 1999" in result.stderr
    assert "before it starts" in result.stderr
    assert "2000-01-01" in result.stderr
    assert list(tmp_path.iterdir()) == []


# --- tumen scenario ---------------------------------------------------------------------


def test_scenario_list() -> None:
    result = invoke("scenario", "list")
    assert result.exit_code == 0
    assert DEFAULT in result.stdout.split()


def test_scenario_copy_check_and_force(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    original = builtin_path(DEFAULT).read_bytes()

    result = invoke("scenario", "copy", DEFAULT, "my.yaml")
    assert result.exit_code == 0, result.output
    assert "wrote my.yaml; run it with: tumen run my.yaml" in result.stdout
    assert (tmp_path / "my.yaml").read_bytes() == original

    result = invoke("scenario", "check", "my.yaml")
    assert result.exit_code == 0, result.output
    assert "my.yaml: valid" in result.stdout

    (tmp_path / "my.yaml").write_text("edited\n")
    result = invoke("scenario", "copy", DEFAULT, "my.yaml")
    assert result.exit_code == 2
    assert "exists" in result.stderr
    assert "--force" in result.stderr
    assert (tmp_path / "my.yaml").read_text() == "edited\n"

    result = invoke("scenario", "copy", DEFAULT, "my.yaml", "--force")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "my.yaml").read_bytes() == original


def test_scenario_copy_unknown_name(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("scenario", "copy", "korea-2099", "my.yaml")
    assert result.exit_code == 2
    assert "unknown built-in scenario" in result.stderr
    assert DEFAULT in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_scenario_copy_into_missing_folder(tmp_path: Path) -> None:
    destination = tmp_path / "no-such-folder" / "my.yaml"
    result = invoke("scenario", "copy", DEFAULT, destination)
    assert result.exit_code == 2
    assert "cannot write" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_scenario_check_lists_every_problem(tmp_path: Path, valid_text: str) -> None:
    text, where = break_scenario(valid_text)
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    result = invoke("scenario", "check", bad)
    assert result.exit_code == 2
    problems = [row for row in result.stderr.splitlines() if row.startswith(f"{bad}:")]
    expected = [f"{bad}:{line}: {field}: " for field, line in where.items()]
    assert len(problems) == len(expected), result.stderr
    for prefix in expected:
        assert any(row.startswith(prefix) for row in problems), (prefix, result.stderr)


def test_scenario_check_valid_small(small: Path) -> None:
    result = invoke("scenario", "check", small)
    assert result.exit_code == 0, result.output
    # One line, however long the path: not folded at the terminal width.
    expected = f"{small}: valid (7 locations, 6 routes, 4 timeline events)"
    assert expected in result.stdout.splitlines()


# --- the installed console script -------------------------------------------------------


def tumen_script() -> str:
    beside = Path(sys.executable).with_name("tumen")
    found = str(beside) if beside.exists() else shutil.which("tumen")
    assert found, "the `tumen` console script is not installed (pip install -e .)"
    return found


def test_console_script() -> None:
    script = tumen_script()
    shown = subprocess.run(
        [script, "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert shown.returncode == 0, shown.stderr
    for command in ("run", "scenario"):
        assert command in shown.stdout
    listed = subprocess.run(
        [script, "scenario", "list"], capture_output=True, text=True, timeout=60, check=False
    )
    assert listed.returncode == 0, listed.stderr
    assert DEFAULT in listed.stdout.split()
