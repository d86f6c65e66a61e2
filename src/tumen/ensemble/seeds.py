"""The seed of each run of a sweep."""

from __future__ import annotations

import numpy as np


def run_seed(sweep_seed: int, index: int) -> int:
    """The seed of run `index`: NumPy's SeedSequence keyed by the sweep's seed and the
    run's index. It depends on nothing else (not the worker that runs it, the order runs
    finish in, or how many runs the sweep has), so a sweep gives the same results serial
    or parallel, and a resumed sweep the same as an uninterrupted one."""
    sequence = np.random.SeedSequence(sweep_seed, spawn_key=(index,))
    return int(sequence.generate_state(1, dtype=np.uint32)[0])
