"""The simulation engine. Importing it first keys Numba's cache of the compiled kernels
on all the engine's own modules together (`compiled_cache`), before any kernel is defined."""

from tumen.engine import compiled_cache

compiled_cache.key_on_all_engine_files()
