"""Peak resident memory of a stretch of work, above what the process held before it.

Linux lets a process reset its high-water mark (`/proc/self/clear_refs`), so the peak of
one stretch is measured on its own; elsewhere the lifetime peak (`getrusage`) stands in,
which can only overstate.
"""

from __future__ import annotations

import contextlib
import resource
import sys
from pathlib import Path

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")
_KIB = 1024


def _status_bytes(field: str) -> int | None:
    """A `VmRSS`-like field of /proc/self/status in bytes, or None off Linux."""
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * _KIB
    except OSError:
        return None
    return None


def _lifetime_peak() -> int:
    """Peak resident memory since the process started, in bytes."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * _KIB


def start() -> int:
    """Reset the high-water mark where possible; return the resident memory now, in bytes."""
    with contextlib.suppress(OSError):
        _CLEAR_REFS.write_text("5")
    return _status_bytes("VmRSS") or _lifetime_peak()


def peak_above(baseline: int) -> int:
    """Peak resident memory since `start`, above its `baseline`, in bytes (at least 0)."""
    peak = _status_bytes("VmHWM") or _lifetime_peak()
    return max(0, peak - baseline)
