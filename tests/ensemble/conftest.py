"""A small scenario file and short sweeps of it, for the sweep and run-store tests."""

from __future__ import annotations

from pathlib import Path

import pytest

UNTIL = 2001  # a year of the test corridor: a second or so a run


def sweep_file(folder: Path, scenario: Path, name: str, until: int, body: str) -> Path:
    """A sweep file beside `scenario`: its name, scenario and end year, then `body`."""
    path = folder / "sweep.yaml"
    path.write_text(f"name: {name}\nscenario: {scenario.name}\nuntil: {until}\n{body}")
    return path


@pytest.fixture
def scenario_file(tmp_path: Path, valid_text: str) -> Path:
    path = tmp_path / "corridor.yaml"
    path.write_text(valid_text)
    return path
