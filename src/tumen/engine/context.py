"""What every process sees on a day: the world, the population, its own random stream,
the wake-up calendar, the recorder and the ledger."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from tumen.engine import kernels
from tumen.engine.ledger import Ledger
from tumen.engine.luck import EscapeeLuck, identity_keys, salt_for
from tumen.engine.population import NEVER, Population
from tumen.engine.recorder import Recorder
from tumen.engine.routing import Router
from tumen.engine.safehouses import SafeHouses
from tumen.engine.states import N_STATES
from tumen.engine.world import World


class Calendar:
    """The escapees to wake on each day: a list of rows per day, in chunks of a shared
    pool (see `tumen.engine.kernels`). An escapee is due on the day of her
    `population.wake`, her last schedule; entries of earlier ones are skipped.

    Compiled code cannot grow an array it was handed, so the pool is made large enough
    for a call before it is handed out (`arrays`, told how many rows the call may
    schedule): a call schedules each of its rows at most once, which takes at most a
    chunk per CHUNK rows and one per day. It starts with room for `rows` escapees each
    due once, so that a run whose population is known ahead (a cohort setting out on
    day 0) never copies it to grow it.
    """

    def __init__(self, n_days: int, rows: int = 0):
        self.n_days = n_days
        self._first = np.full(n_days, -1, dtype=np.int64)
        self._last = np.full(n_days, -1, dtype=np.int64)
        self._filled = np.zeros(n_days, dtype=np.int64)
        self._entries = np.empty(0, dtype=np.int32)
        self._chunk_next = np.empty(0, dtype=np.int64)
        self._free = np.array([-1, 0], dtype=np.int64)  # first free chunk, free chunks
        self._reserve(rows // kernels.CHUNK + 2 * n_days + 1)

    def schedule(self, pop: Population, rows: np.ndarray, when: np.ndarray | int) -> None:
        """Wake `rows` on day(s) `when`; days past the end of the run mean never."""
        if rows.size == 0:
            return
        if isinstance(when, np.ndarray):
            when = np.ascontiguousarray(when, dtype=np.int64)
        else:
            when = np.full(rows.size, when, dtype=np.int64)
        rows = np.ascontiguousarray(rows, dtype=np.int64)
        kernels.schedule(rows, when, *self.arrays(pop, rows.size))

    def arrays(self, pop: Population, rows: int) -> tuple:
        """What `kernels.schedule` takes after the rows and their days, for compiled code
        that wakes escapees itself, with room in the pool for `rows` of them."""
        needed = rows // kernels.CHUNK + min(rows, self.n_days) + 1
        if self._free[1] < needed:
            self._reserve(needed)
        return (pop.wake, NEVER, self._entries, self._chunk_next, self._first, self._last,
                self._filled, self._free)

    def due(self, pop: Population, day: int) -> np.ndarray:
        """Escapees whose wake-up is today, each once, in row order."""
        return kernels.take_due(day, pop.wake, self._entries, self._chunk_next, self._first,
                                self._last, self._filled, self._free)

    def _reserve(self, chunks: int) -> None:
        """At least `chunks` free chunks in the pool, growing it by at least half."""
        short = chunks - int(self._free[1])
        if short <= 0:
            return
        had = self._chunk_next.size
        grown = max(had + short, had + had // 2)
        entries = np.empty(grown * kernels.CHUNK, dtype=np.int32)
        entries[: self._entries.size] = self._entries
        chunk_next = np.empty(grown, dtype=np.int64)
        chunk_next[:had] = self._chunk_next
        # The new chunks, each pointing to the next, in front of the old free list.
        chunk_next[had:grown - 1] = np.arange(had + 1, grown)
        chunk_next[grown - 1] = self._free[0]
        self._entries, self._chunk_next = entries, chunk_next
        self._free[:] = (had, self._free[1] + grown - had)


@dataclass
class Diaspora:
    """Resettled escapees, those in touch with family, and relatives they may still pay out."""

    resettled: int = 0
    in_contact: int = 0
    relatives_left: int = 0
    # Arrivals in touch with family who have not yet decided how to use their grant.
    new_in_contact: int = 0


class Context:
    """The shared state of one run, handed to every process every day."""

    def __init__(self, world: World, seed: int):
        self.world = world
        self.params = world.parameters
        self.seed = seed
        graph = world.graph
        self.pop = Population(
            n_countries=len(world.inputs["push"]),
            location_country=graph.location_country,
            capacity=world.present_on_day_0 + 4096,
        )
        self.calendar = Calendar(world.n_days, world.present_on_day_0)
        self.recorder = Recorder(
            world.n_days, len(self.pop.counts), len(world.inputs["push"]), graph.n_routes,
            world.day_year,
        )
        self.ledger = Ledger(world.day_year)
        self.router = Router(world)
        self.houses = SafeHouses(world.network)
        self.diaspora = Diaspora()
        self.day = 0
        self.due = np.empty(0, dtype=np.int64)
        self._rngs: dict[str, np.random.Generator] = {}
        self._salt = np.uint64(salt_for(seed))
        # Per creator, the day of its last escapees and how many it made that day.
        self._minted: dict[str, tuple[int, int]] = {}
        self._masks: dict[tuple[int, ...], np.ndarray] = {}
        self._windows: dict[tuple[str, int, str], np.ndarray] = {}
        self._once: dict[str, Any] = {}

    def once(self, key: str, make: Callable[[], Any]) -> Any:
        """`make()`, computed on the first call of a run and kept: for values derived
        from the parameters, which do not change during a run."""
        if key not in self._once:
            self._once[key] = make()
        return self._once[key]

    def rng(self, process: str) -> np.random.Generator:
        """The random stream of one process, keyed by its name.

        Keying by name means adding or reordering processes leaves the draws of the
        others unchanged.
        """
        if process not in self._rngs:
            key = zlib.crc32(process.encode())
            sequence = np.random.SeedSequence(self.seed, spawn_key=(key,))
            self._rngs[process] = np.random.Generator(np.random.PCG64(sequence))
        return self._rngs[process]

    def luck(self, rows: np.ndarray) -> EscapeeLuck:
        """Draws for these escapees from their own streams: what happens to one person
        does not depend on how many others drew before her."""
        return EscapeeLuck(self.pop.key, self.pop.drawn, rows, self._salt)

    def streams(self) -> tuple[np.ndarray, np.ndarray, np.uint64]:
        """Every escapee's identity key and draws taken so far, and the run's salt: what
        compiled code needs to draw from the escapees' own streams (`luck_kernels`)."""
        return self.pop.key, self.pop.drawn, self._salt

    def add_escapees(self, creator: str, state: int, location: np.ndarray | int,
                     count: int) -> np.ndarray:
        """New escapees made by `creator` today; returns their rows.

        Each is keyed by creator, day and rank that day, so the k-th person a creator
        makes on a day is the same person in every scenario and every seed.
        """
        day, made = self._minted.get(creator, (self.day, 0))
        if day != self.day:
            made = 0
        self._minted[creator] = (self.day, made + count)
        return self.pop.add(state, location, identity_keys(creator, self.day, made, count))

    def due_in(self, *states: int) -> np.ndarray:
        """Rows due today that are in one of `states` and still due (not yet handled).

        The day's rows are narrowed to those still due as the day goes: a row handled
        today is woken on a later day (`wake_in`, and every wake-up the processes draw,
        is at least a day on), so it is never due again today."""
        rows = self.due
        if rows.size == 0:
            return rows
        pop = self.pop
        wanted = self._masks.get(states)
        if wanted is None:
            wanted = np.zeros(N_STATES, dtype=bool)
            wanted[list(states)] = True
            self._masks[states] = wanted
        found, self.due = kernels.still_due(rows, wanted, pop.state, pop.wake, self.day,
                                            pop.counts)
        return found

    def wake_in(self, rows: np.ndarray, delay: np.ndarray | int) -> None:
        """Wake `rows` after `delay` days (at least one)."""
        if rows.size == 0:
            return
        if np.ndim(delay) == 0:
            self.calendar.schedule(self.pop, rows, self.day + max(1, int(delay)))
        else:
            self.calendar.schedule(self.pop, rows, self.day + np.maximum(1, delay))

    def input(self, name: str, countries: np.ndarray | int) -> np.ndarray:
        """Today's value of an input series for each country given."""
        return self.world.inputs[name][countries, self.day]

    def input_ahead(self, name: str, countries: np.ndarray, window: int, how: str) -> np.ndarray:
        """The largest (`how="max"`) or smallest (`"min"`) value of an input series over
        the next `window` days, from today, for each country given."""
        return self.ahead(name, window, how)[countries, self.day]

    def ahead(self, name: str, window: int, how: str) -> np.ndarray:
        """For every country and day, the largest or smallest value of an input series
        over that day and the `window` after it: float [countries, days]."""
        key = (name, window, how)
        if key not in self._windows:
            self._windows[key] = _forward_extreme(self.world.inputs[name], window, how)
        return self._windows[key]

    def country_of(self, rows: np.ndarray) -> np.ndarray:
        """Country index of each escapee's current location."""
        return self.world.graph.location_country[self.pop.location[rows]]

    def count(self, name: str, n: int) -> None:
        """Add `n` to today's flow `name`."""
        if n:
            self.recorder.count(name, self.day, n)

    def book(self, flow: str, usd: float) -> None:
        """Book `usd` along a ledger flow today."""
        self.ledger.book(flow, float(usd), self.day)


def _forward_extreme(series: np.ndarray, window: int, how: str) -> np.ndarray:
    """For each day, the max or min of `series` over that day and the `window` after it."""
    reduce = np.maximum if how == "max" else np.minimum

    def ahead(values: np.ndarray, days: int) -> np.ndarray:
        # `values` moved `days` earlier; past the end the last day stands in, which
        # leaves an extreme over a window reaching the end unchanged.
        days = min(days, values.shape[1])
        return np.concatenate([values[:, days:], values[:, -1:].repeat(days, axis=1)], axis=1)

    length = window + 1
    result = series.copy()
    span = 1
    # Doubling: after k steps each day covers itself and the 2**k - 1 days after it.
    while 2 * span <= length:
        result = reduce(result, ahead(result, span))
        span *= 2
    # Two overlapping spans, one from the day and one ending `window` days later.
    return reduce(result, ahead(result, length - span))
