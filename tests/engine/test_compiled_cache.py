"""The compiled kernels are cached under a stamp of all the engine's files, so that a
kernel is never loaded with stale code of a kernel it calls from another file."""

from __future__ import annotations

import importlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from numba.core.registry import CPUDispatcher

from tumen.engine import compiled_cache

KERNEL_MODULES = ("kernels", "luck_kernels", "border_kernels", "hiding_kernels",
                  "intake_kernels", "journey_end_kernels", "travel_kernels")


def cached_kernels() -> Iterator[tuple[str, CPUDispatcher]]:
    for name in KERNEL_MODULES:
        module = importlib.import_module(f"tumen.engine.{name}")
        for attribute, value in vars(module).items():
            if isinstance(value, CPUDispatcher) and value.__module__ == module.__name__ \
                    and value._cache.__class__.__name__ != "NullCache":
                yield f"{name}.{attribute}", value


def test_every_cached_kernel_is_keyed_on_all_engine_modules() -> None:
    kernels = dict(cached_kernels())
    assert len(kernels) > 40
    for name, kernel in kernels.items():
        locator = kernel._cache._impl.locator
        assert type(locator).__name__.startswith("Engine"), name
        assert locator.get_source_stamp() == compiled_cache.engine_stamp(), name


def test_functions_outside_the_engine_keep_numba_s_own_key(tmp_path: Path) -> None:
    source = tmp_path / "elsewhere.py"
    source.write_text("def f():\n    return 1\n")
    for locator in compiled_cache._numba_class("CacheImpl")._locator_classes:
        if type(locator).__name__.startswith("Engine"):
            assert locator.from_function(None, str(source)) is None


@pytest.fixture
def engine_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    copy = tmp_path / "engine"
    shutil.copytree(compiled_cache.ENGINE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(compiled_cache, "ENGINE", copy)
    compiled_cache.engine_stamp.cache_clear()
    yield copy
    compiled_cache.engine_stamp.cache_clear()


@pytest.mark.parametrize(("changed", "recompiles"), [
    ("luck_kernels.py", True), ("states.py", True), ("processes/travel.py", False)])
def test_a_change_to_an_engine_module_changes_the_stamp(engine_copy: Path, changed: str,
                                                        recompiles: bool) -> None:
    """The engine's own modules hold every kernel and what kernels use; its processes
    compile nothing, and a change there leaves the compiled kernels as they are."""
    before = compiled_cache.engine_stamp()
    with (engine_copy / changed).open("a") as source:
        source.write("\n")
    compiled_cache.engine_stamp.cache_clear()
    assert (compiled_cache.engine_stamp() != before) == recompiles
