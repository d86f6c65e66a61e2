"""The parameter table in docs/model.md matches the schema and the default scenario.

When this fails, run `python docs/make_parameter_table.py` and commit docs/model.md.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.fixture(scope="module")
def maker() -> ModuleType:
    path = DOCS / "make_parameter_table.py"
    spec = importlib.util.spec_from_file_location("make_parameter_table", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_table_is_up_to_date(maker: ModuleType) -> None:
    document = maker.MODEL_MD.read_text(encoding="utf-8")
    fresh = maker.updated(document, maker.SCENARIO.read_text(encoding="utf-8"))
    assert fresh == document, (
        "the parameter table in docs/model.md is out of date with the schema or the default "
        "scenario: run `python docs/make_parameter_table.py`"
    )


def test_a_changed_value_makes_the_table_stale(maker: ModuleType) -> None:
    document = maker.MODEL_MD.read_text(encoding="utf-8")
    scenario = maker.SCENARIO.read_text(encoding="utf-8")
    line = next(line for line in scenario.splitlines() if line.strip().startswith("detection:"))
    changed = scenario.replace(line, line.replace("detection:", "detection: 0.99 #", 1), 1)
    assert maker.updated(document, changed) != document


def test_every_field_is_listed_once(maker: ModuleType) -> None:
    table = maker.table(maker.SCENARIO.read_text(encoding="utf-8"))
    paths = [path for section, model in maker.SECTIONS for path, _ in maker._leaves(model, section)]
    assert len(paths) == len(set(paths))
    for path in paths:
        assert table.count(f"| `{path}` |") == 1, path


@pytest.mark.parametrize(
    ("line", "comment"),
    [
        ("    detection: 0.15      # calibrated", "calibrated"),
        ("  funds_usd: {mean: 500, sd: 300}  # seed 003 (70%)", "seed 003 (70%)"),
        ("  name: 'a # b'  # real", "real"),
        ("    retry: 0.4", ""),
        ("  url: x#y", ""),
    ],
)
def test_trailing_comment(maker: ModuleType, line: str, comment: str) -> None:
    assert maker._trailing_comment(line) == comment
