"""The context every process sees: the wake-up calendar, look-ahead over input series,
and the per-process random streams."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tumen.engine.context import Calendar, Context
from tumen.engine.population import NEVER, Population
from tumen.engine.processes.departure import Departure
from tumen.engine.simulate import run
from tumen.engine.states import State
from tumen.engine.world import CHINA, COUNTRIES, NORTH_KOREA
from tumen.scenario.compile import compile_scenario

from .conftest import tiny

N_DAYS = 20


def population(n: int) -> Population:
    pop = Population(n_countries=len(COUNTRIES), location_country=np.zeros(1, dtype=np.int8))
    pop.add(State.HIDING, 0, np.arange(n, dtype=np.uint64))
    return pop


def due_by_day(calendar: Calendar, pop: Population) -> dict[int, list[int]]:
    """Every non-empty day's due rows, draining the calendar."""
    found = {day: calendar.due(pop, day).tolist() for day in range(calendar.n_days)}
    return {day: rows for day, rows in found.items() if rows}


def test_rows_fall_due_on_the_day_they_are_scheduled_for() -> None:
    """Per-row days, one day for many rows, and a single row: each is due once, in row
    order, on its day."""
    pop, calendar = population(8), Calendar(N_DAYS)
    calendar.schedule(pop, np.array([5, 1, 3]), np.array([4, 2, 4]))
    calendar.schedule(pop, np.array([0, 7]), 9)
    calendar.schedule(pop, np.array([6]), np.array([2]))
    assert due_by_day(calendar, pop) == {2: [1, 6], 4: [3, 5], 9: [0, 7]}
    assert pop.wake.tolist() == [9, 2, NEVER, 4, NEVER, 4, 2, 9]


def test_a_rescheduled_row_is_dropped_from_its_old_day() -> None:
    """Later or earlier, only the last schedule counts; twice on one day is once."""
    pop, calendar = population(4), Calendar(N_DAYS)
    calendar.schedule(pop, np.array([0, 1, 2, 3]), 5)
    calendar.schedule(pop, np.array([1]), 8)  # later
    calendar.schedule(pop, np.array([2]), 3)  # earlier
    calendar.schedule(pop, np.array([3, 3]), np.array([5, 5]))  # again, same day
    assert due_by_day(calendar, pop) == {3: [2], 5: [0, 3], 8: [1]}


def test_days_past_the_end_mean_never() -> None:
    """A wake-up on or after the last day + 1 is never due and reads as NEVER."""
    pop, calendar = population(4), Calendar(N_DAYS)
    calendar.schedule(pop, np.array([0, 1, 2]), np.array([N_DAYS - 1, N_DAYS, 10 * N_DAYS]))
    calendar.schedule(pop, np.array([3]), N_DAYS)
    assert pop.wake.tolist() == [N_DAYS - 1, NEVER, NEVER, NEVER]
    assert due_by_day(calendar, pop) == {N_DAYS - 1: [0]}


def test_rows_moved_back_and_forth_are_due_on_their_last_day_only() -> None:
    """A day holding most of the population (many chunks of its list) and days holding
    a few both give exactly the rows whose last schedule was that day, in row order,
    after rows moved back and forth between them (leaving stale entries behind)."""
    rng = np.random.default_rng(11)
    n = 4000
    pop, calendar = population(n), Calendar(N_DAYS)
    calendar.schedule(pop, np.arange(n), 7)
    sparse = rng.choice(n, 60, replace=False)
    calendar.schedule(pop, sparse, rng.integers(1, N_DAYS, sparse.size))
    back = rng.choice(sparse, 10, replace=False)
    calendar.schedule(pop, back, 7)
    expected = {day: np.flatnonzero(pop.wake == day).tolist() for day in range(N_DAYS)}
    assert len(expected[7]) > n // 2
    assert due_by_day(calendar, pop) == {day: rows for day, rows in expected.items() if rows}


def test_rows_scheduled_later_for_a_day_merge_into_its_rows_in_order() -> None:
    """Many rows scheduled at once for a day, then a few more out of order, some of
    them scheduled for it twice and some of them already there: the day gives each row
    once, in row order, whether the late ones come before, between or after the rest."""
    pop, calendar = population(3000), Calendar(N_DAYS)
    calendar.schedule(pop, np.arange(10, 2990, 2), 6)
    late = np.array([2995, 0, 11, 11, 1500, 12, 2999, 5, 2994, 0])
    calendar.schedule(pop, late, 6)
    expected = sorted(set(range(10, 2990, 2)) | set(late.tolist()))
    assert calendar.due(pop, 6).tolist() == expected


def test_the_pool_grows_as_needed_and_gets_every_chunk_back() -> None:
    """Scheduling far more rows than the pool first holds (room for none but a chunk
    or two a day), one call at a time as the population grows, loses none; once every
    day is taken, every chunk is free again."""
    rng = np.random.default_rng(5)
    pop, calendar = population(0), Calendar(N_DAYS)
    scheduled: dict[int, int] = {}
    for _ in range(30):
        rows = pop.add(State.HIDING, 0, rng.integers(0, 2**63, 300, dtype=np.uint64))
        days = rng.integers(0, N_DAYS + 3, rows.size)
        calendar.schedule(pop, rows, days)
        scheduled.update(zip(rows.tolist(), days.tolist(), strict=True))
    expected: dict[int, list[int]] = {}
    for row, day in sorted(scheduled.items()):
        if day < N_DAYS:
            expected.setdefault(day, []).append(row)
    assert due_by_day(calendar, pop) == expected
    chunk_next, first, last, filled, free = calendar.arrays(pop, 0)[3:]
    assert free[1] == chunk_next.size and (first == -1).all() and (last == -1).all()
    assert (filled == 0).all()
    # Every chunk is on the free list exactly once.
    seen, chunk = set(), free[0]
    while chunk >= 0:
        assert chunk not in seen
        seen.add(chunk)
        chunk = chunk_next[chunk]
    assert len(seen) == chunk_next.size


def test_a_day_is_due_once() -> None:
    """Taking a day's rows empties it."""
    pop, calendar = population(2), Calendar(N_DAYS)
    calendar.schedule(pop, np.array([0, 1]), 3)
    assert calendar.due(pop, 3).tolist() == [0, 1]
    assert calendar.due(pop, 3).size == 0


def test_due_in_gives_the_rows_still_due_in_its_states_as_the_day_goes() -> None:
    """A process sees today's rows in its states that no earlier process handled,
    including those passed on to it today; a state nobody is in gives none."""
    ctx = Context(compile_scenario(tiny()), seed=0)
    hiding = ctx.add_escapees("test", State.HIDING, 2, 4)
    travelling = ctx.add_escapees("test", State.TRAVELLING, 2, 3)
    ctx.calendar.schedule(ctx.pop, np.concatenate([hiding, travelling]), 5)
    ctx.day = 5
    ctx.due = ctx.calendar.due(ctx.pop, 5)
    assert ctx.due_in(State.TRAVELLING, State.HIDING).tolist() == [*hiding, *travelling]
    ctx.wake_in(hiding[:2], 3)  # handled
    ctx.pop.move(travelling[:1], State.DETAINED_CHINA)  # passed on, still due today
    assert ctx.due_in(State.HIDING).tolist() == hiding[2:].tolist()
    assert ctx.due_in(State.DETAINED_CHINA).tolist() == travelling[:1].tolist()
    assert ctx.due_in(State.WAITING, State.DETAINED_THIRD).size == 0


def test_wake_in_is_at_least_a_day_later() -> None:
    """A process done with an escapee today wakes her on a later day, never today."""
    ctx = Context(compile_scenario(tiny()), seed=0)
    rows = ctx.add_escapees("test", State.HIDING, 2, 3)
    ctx.day = 7
    ctx.wake_in(rows, np.array([0, 1, 5]))
    assert ctx.pop.wake[rows].tolist() == [8, 8, 12]
    ctx.wake_in(rows[:1], 0)
    assert ctx.pop.wake[rows[0]] == 8


def scale(input_: str, where: str, first: int, last: int, value: float) -> dict:
    start = dt.date(2001, 1, 1)
    return {"start": str(start + dt.timedelta(first)), "end": str(start + dt.timedelta(last)),
            "action": "scale", "input": input_, "where": where, "value": value}


@settings(max_examples=40, deadline=None)
@given(
    n_days=st.integers(2, 90),
    changes=st.lists(st.tuples(st.integers(0, 89), st.integers(0, 89),
                               st.floats(0.0, 5.0)), max_size=5),
    window=st.sampled_from([0, 1, 2, 3, 6, 7, 8, 30, 100, 365]),
)
def test_input_ahead_is_the_extreme_over_today_and_the_window_after(
        n_days: int, changes: list[tuple[int, int, float]], window: int) -> None:
    """For every day, the max and min of a series over that day and the `window` days
    after it (as far as the run goes) equal a brute-force scan, for any window, also one
    longer than the run."""
    events = [scale("crackdown", "china", *sorted((a % n_days, b % n_days)), value)
              for a, b, value in changes]
    end = str(dt.date(2001, 1, 1) + dt.timedelta(n_days - 1))
    world = compile_scenario(tiny(period={"end": end}, timeline=events))
    ctx = Context(world, seed=0)
    series = world.inputs["crackdown"]
    countries = np.array([CHINA, NORTH_KOREA, CHINA])
    for day in range(n_days):
        ctx.day = day
        ahead = series[countries, day : day + window + 1]
        np.testing.assert_array_equal(ctx.input_ahead("crackdown", countries, window, "max"),
                                      ahead.max(axis=1))
        np.testing.assert_array_equal(ctx.input_ahead("crackdown", countries, window, "min"),
                                      ahead.min(axis=1))


def test_each_process_has_its_own_reproducible_stream() -> None:
    """A process's draws depend on the seed and its name only: not on which other
    streams were used before, nor in which order."""
    world = compile_scenario(tiny())
    first, second, other = Context(world, 7), Context(world, 7), Context(world, 8)
    assert first.rng("hiding") is first.rng("hiding")
    second.rng("travel").random(100)  # another process draws first
    draws = first.rng("hiding").random(5)
    np.testing.assert_array_equal(draws, second.rng("hiding").random(5))
    assert not np.array_equal(draws, other.rng("hiding").random(5))
    assert not np.array_equal(Context(world, 7).rng("travel").random(5),
                              Context(world, 7).rng("hiding").random(5))


@pytest.mark.parametrize("how", ["max", "min"])
def test_input_ahead_of_one_country_is_a_number(how: str) -> None:
    """Asked for a single country (as the broker fee is), the answer is one value."""
    world = compile_scenario(tiny(timeline=[scale("broker_fees", "north_korea", 10, 20, 3.0)]))
    ctx = Context(world, seed=0)
    ctx.day = 5
    expected = 3.0 if how == "max" else 1.0
    assert float(ctx.input_ahead("broker_fees", NORTH_KOREA, 10, how)) == expected


def test_a_run_stops_when_escapees_due_are_left_unhandled() -> None:
    """Without the river crossing, those who set off from home are never handled: the
    day loop says so, naming their state, instead of losing them."""
    world = compile_scenario(tiny(population={"departures_per_day": 3.0}))
    with pytest.raises(RuntimeError, match=r"left unhandled.*APPROACHING"):
        run(world, seed=0, order=[Departure()])
