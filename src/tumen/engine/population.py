"""Escapees: one row per escapee, each attribute seen as an array over the rows.

Every attribute but `state` and `origin` lives in one 64-byte record per escapee, a
cache line: what is read and written of her when she wakes (a dozen attributes, on the
day her journey ends) is then one line of memory rather than a line in each of a dozen
arrays, and the lines of a day's escapees stay in cache from one step to the next. Each
attribute is a strided view of the records, so NumPy and compiled code index it as any
other array. States are kept apart, side by side, for the searches over everyone.

Rows are only ever appended (an escapee who arrives, dies or gives up keeps her row in a
terminal state), so a row index identifies one person for the whole run. Arrays grow by
doubling. State counts, by state and country, are kept up to date by `move`, so daily
stocks cost nothing per agent.
"""

from __future__ import annotations

import numpy as np

from tumen.engine import kernels
from tumen.engine.states import N_STATES

NEVER = np.iinfo(np.int32).max

_FIELDS: dict[str, tuple[type, int | float]] = {
    "state": (np.int8, 0),
    "location": (np.int16, 0),
    "woman": (np.bool_, False),
    "child": (np.bool_, False),
    "origin": (np.int16, 0),
    "attempts": (np.int16, 1),
    "prepaid": (np.bool_, False),
    "channel": (np.int8, 0),
    "cell": (np.int16, -1),
    "safe_house": (np.int16, -1),
    "pending": (np.int8, 0),
    "leg": (np.int16, -1),
    "wake": (np.int32, NEVER),
    "since": (np.int32, 0),
    "crossed": (np.int32, 0),
    "funds": (np.float64, 0.0),
    "debt": (np.float64, 0.0),
    "hazard_bound": (np.float64, 0.0),
    # Her own random stream (tumen.engine.luck): identity key and draws taken so far.
    "key": (np.uint64, 0),
    "drawn": (np.uint32, 0),
}

# The attributes kept in each escapee's record, widest first so that none straddles
# another's place, in a cache line. `state` is kept apart, as is `origin` (read only on
# going home): whole-population searches (who waits where, who is in a safe house) scan
# the states, and read a record only where the state is the one sought.
CACHE_LINE = 64
_IN_RECORD = ("key", "debt", "funds", "hazard_bound", "wake", "since", "crossed", "drawn",
              "location", "leg", "cell", "safe_house", "attempts", "pending", "channel",
              "woman", "child", "prepaid")
_RECORD = np.dtype({"names": list(_IN_RECORD), "formats": [_FIELDS[name][0] for name in _IN_RECORD],
                    "itemsize": CACHE_LINE})
_BLANK_RECORD = np.array([tuple(_FIELDS[name][1] for name in _IN_RECORD)], dtype=_RECORD)


def _allocate(capacity: int) -> dict[str, np.ndarray]:
    """Every attribute of `capacity` rows, each row holding its fill value, in one block
    of memory: the records, then each attribute kept apart, each part starting on a
    cache line. One block, as NumPy asks for large pages for a large one: a fresh
    process then takes a few page faults for it, rather than one per 4 KiB of every
    attribute kept apart (some 800 at 10^6 rows)."""
    apart = [name for name in _FIELDS if name not in _IN_RECORD]
    sizes = [capacity * np.dtype(_FIELDS[name][0]).itemsize for name in apart]
    room = [-(-size // CACHE_LINE) * CACHE_LINE for size in sizes]
    block = np.empty((capacity + 1) * CACHE_LINE + sum(room), dtype=np.uint8)
    start = -block.ctypes.data % CACHE_LINE
    records = block[start:start + capacity * CACHE_LINE].view(_RECORD)
    # Copied as eight words a row: an assignment of the record itself goes field by field.
    records.view(np.uint64).reshape(capacity, -1)[:] = _BLANK_RECORD.view(np.uint64)
    store = {name: records[name] for name in _IN_RECORD}
    start += capacity * CACHE_LINE
    for name, size, taken in zip(apart, sizes, room, strict=True):
        dtype, fill = _FIELDS[name]
        store[name] = block[start:start + size].view(dtype)
        store[name][:] = fill
        start += taken
    return store


class Population:
    """All escapees of a run. Attributes are NumPy arrays sliced to the live length."""

    state: np.ndarray
    location: np.ndarray
    woman: np.ndarray
    child: np.ndarray
    origin: np.ndarray
    attempts: np.ndarray
    prepaid: np.ndarray
    channel: np.ndarray
    cell: np.ndarray
    safe_house: np.ndarray
    pending: np.ndarray
    leg: np.ndarray
    wake: np.ndarray
    since: np.ndarray
    crossed: np.ndarray
    funds: np.ndarray
    debt: np.ndarray
    hazard_bound: np.ndarray
    key: np.ndarray
    drawn: np.ndarray

    def __init__(self, n_countries: int, location_country: np.ndarray, capacity: int = 1024):
        self._capacity = max(16, capacity)
        self._size = 0
        self._store = _allocate(self._capacity)
        self.location_country = location_country
        self.counts = np.zeros((N_STATES, n_countries), dtype=np.int64)
        self._refresh_views()

    def __len__(self) -> int:
        return self._size

    def _refresh_views(self) -> None:
        """Expose each attribute as a view of its live rows (fast attribute access)."""
        for name, array in self._store.items():
            setattr(self, name, array[: self._size])

    def add(self, state: int, location: np.ndarray | int, keys: np.ndarray) -> np.ndarray:
        """Append escapees with identity `keys` in `state` at `location`; return their rows."""
        start, stop = self._size, self._size + keys.size
        if stop > self._capacity:
            self._grow(stop)
        self._size = stop
        self._refresh_views()
        # The new rows hold every field's fill value already: rows past the live length
        # are filled when allocated and nothing writes there.
        self.state[start:stop] = state
        self.location[start:stop] = location
        self.key[start:stop] = keys
        self.counts[state] += np.bincount(self.location_country[self.location[start:stop]],
                                          minlength=self.counts.shape[1])
        return np.arange(start, stop)

    def move(self, rows: np.ndarray, state: int, location: np.ndarray | int | None = None):
        """Put `rows` into `state` (and at `location`), keeping the counts exact."""
        if rows.size == 0:
            return
        if location is None:
            places = kernels.STAY
        elif isinstance(location, np.ndarray):
            places = np.ascontiguousarray(location, dtype=np.int64)
        else:
            places = np.full(rows.size, location, dtype=np.int64)
        kernels.move(np.ascontiguousarray(rows, dtype=np.int64), int(state), places,
                     self.state, self.location,
                     self.location_country, self.counts)

    def move_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """What compiled code that moves escapees takes (`kernels.move`): states,
        locations, each location's country and the counts by state and country."""
        return self.state, self.location, self.location_country, self.counts

    def recount(self) -> np.ndarray:
        """Counts by state and country from the arrays, to check the incremental ones."""
        return kernels.recount(self.state, self.location, self.location_country,
                               *self.counts.shape)

    def _grow(self, needed: int) -> None:
        while self._capacity < needed:
            self._capacity *= 2
        grown = _allocate(self._capacity)
        for name, array in self._store.items():
            grown[name][: array.size] = array
        self._store = grown
