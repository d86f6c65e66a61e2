"""Numba's cache of the compiled kernels, keyed on all the engine's own modules together.

Numba keeps each cached function under the date, size and contents of its own file
only. A kernel inlines or links the kernels it calls from other files, so when one of
those changes (a `git pull` into an editable install) it would load stale machine code:
wrong results, or a crash when the arrays it is handed have changed. Here every kernel
of the engine is keyed on the contents of every module of the engine itself (where all
kernels and what they use live; not its `processes`, which compile nothing): a change
to any of them compiles them all again, once.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from numba.core import caching

ENGINE = Path(__file__).resolve().parent


@functools.cache
def engine_stamp() -> str:
    """A digest of the contents of the engine's own modules, read once per process."""
    digest = hashlib.sha256()
    for path in sorted(ENGINE.glob("*.py")):
        digest.update(path.relative_to(ENGINE).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _keyed_on_engine(base: type) -> type:
    """`base` (a Numba cache locator) for the engine's kernels, with the engine's stamp."""

    class EngineLocator(base):
        @classmethod
        def from_function(cls, py_func, py_file):
            if Path(py_file).resolve().parent != ENGINE:
                return None
            return super().from_function(py_func, py_file)

        def get_source_stamp(self) -> str:
            return engine_stamp()

    EngineLocator.__name__ = EngineLocator.__qualname__ = f"Engine{base.__name__}"
    return EngineLocator


# Where Numba would put a cache: the directory the user names (NUMBA_CACHE_DIR), the
# package's __pycache__, or the user's cache directory, in Numba's order of preference.
_BASES = ("UserProvidedCacheLocator", "InTreeCacheLocator", "UserWideCacheLocator")


def _numba_class(name: str) -> type:
    """A class of Numba's caching module, by its name since Numba 0.60 or before."""
    return getattr(caching, name, None) or getattr(caching, f"_{name}")


def key_on_all_engine_files() -> None:
    """Put the engine's locators first in Numba's list (once): they take the engine's
    kernels and leave every other function to Numba's own."""
    locators = _numba_class("CacheImpl")._locator_classes
    if any(locator.__name__.startswith("Engine") for locator in locators):
        return
    locators[:0] = [_keyed_on_engine(_numba_class(name)) for name in _BASES]
