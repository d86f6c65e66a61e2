"""Describe the machine and time a fixed reference workload in the same process.

Wall times depend on the machine; a ratio to a reference measured in the same run does
not (much), so benchmark results quote both.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import time
from pathlib import Path

import numpy as np

REFERENCE_SIZE = 5_000_000


def reference_seconds(repeats: int = 3) -> float:
    """Best-of wall time of a fixed NumPy workload: sort and cumulate 5 million floats."""
    rng = np.random.default_rng(0)
    data = rng.random(REFERENCE_SIZE)
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        np.sort(data)
        np.cumsum(data)
        best = min(best, time.perf_counter() - started)
    return best


def describe() -> dict[str, object]:
    """What the numbers were measured on."""
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "machine": platform.machine(),
        "processor": platform.processor() or "unknown",
        "cores": os.cpu_count(),
        "system": platform.system(),
    }


def write_record(path: Path, record: dict[str, object]) -> None:
    """Write a benchmark's figures as JSON with the machine and its load at the end."""
    uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    record = {**record, "load": uptime, "machine": describe()}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=2) + "\n")
    print(f"wrote {path}")
