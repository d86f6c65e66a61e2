"""The loader tests write the shared valid scenario (tests/conftest.py) to a file."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def scenario_file(tmp_path: Path, valid_text: str) -> Path:
    path = tmp_path / "f.yaml"
    path.write_text(valid_text, encoding="utf-8")
    return path
