"""The population's rows: each attribute a view of one record per escapee (or an array of
its own), filled with its default, kept whole as the population grows."""

from __future__ import annotations

import numpy as np

from tumen.engine.population import _FIELDS, CACHE_LINE, Population
from tumen.engine.states import State
from tumen.engine.world import COUNTRIES


def population(capacity: int) -> Population:
    return Population(n_countries=len(COUNTRIES), location_country=np.zeros(3, dtype=np.int8),
                      capacity=capacity)


def test_new_rows_hold_every_attributes_default() -> None:
    pop = population(16)
    pop.add(State.HIDING, 2, np.arange(5, dtype=np.uint64))
    for name, (dtype, fill) in _FIELDS.items():
        values = getattr(pop, name)
        assert values.dtype == dtype and values.size == 5, name
        if name not in ("state", "location", "key"):
            assert (values == fill).all(), name
    assert (pop.state == State.HIDING).all() and (pop.location == 2).all()
    assert pop.key.tolist() == list(range(5))


def test_attributes_are_apart_though_they_share_a_record() -> None:
    """Writing one attribute of a row changes no other attribute of any row, whether it
    lies in the records or apart; the records start on a cache line."""
    pop = population(16)
    pop.add(State.HIDING, 0, np.arange(4, dtype=np.uint64))
    before = {name: getattr(pop, name).copy() for name in _FIELDS}
    pop.debt[1] = 123.5
    pop.wake[2] = 9
    pop.prepaid[3] = True
    pop.origin[3] = 7  # kept apart, in the same block of memory
    pop.state[0] = State.WAITING
    after = {name: getattr(pop, name) for name in _FIELDS}
    changed = {name for name in _FIELDS if not np.array_equal(before[name], after[name])}
    assert changed == {"debt", "wake", "prepaid", "origin", "state"}
    assert pop.debt.tolist() == [0.0, 123.5, 0.0, 0.0]
    assert pop.key.ctypes.data % CACHE_LINE == 0  # the first attribute of the record


def test_growing_keeps_every_value_and_fills_the_new_rows() -> None:
    rng = np.random.default_rng(3)
    pop = population(16)
    first = pop.add(State.HIDING, 1, rng.integers(0, 2**63, 10, dtype=np.uint64))
    pop.funds[first] = rng.random(first.size)
    pop.cell[first] = rng.integers(0, 50, first.size)
    pop.origin[first] = rng.integers(0, 9, first.size)
    kept = {name: getattr(pop, name).copy() for name in _FIELDS}
    more = pop.add(State.WAITING, 2, np.arange(100, dtype=np.uint64))
    assert len(pop) == 110
    for name, (_, fill) in _FIELDS.items():
        values = getattr(pop, name)
        assert np.array_equal(values[first], kept[name]), name
        if name not in ("state", "location", "key"):
            assert (values[more] == fill).all(), name
    assert np.array_equal(pop.recount(), pop.counts)


def test_every_attribute_of_a_full_population_keeps_what_is_written_to_it() -> None:
    """The records and the attributes kept apart share one block of memory: with every
    row taken, writing each attribute whole leaves every other one as written."""
    pop = population(37)
    pop.add(State.HIDING, 0, np.arange(37, dtype=np.uint64))
    written = {}
    for code, name in enumerate(_FIELDS):
        values = getattr(pop, name)
        pattern = (np.arange(values.size) + code) % 2 if values.dtype == np.bool_ else \
            (np.arange(values.size) * 3 + code) % 100
        values[:] = pattern.astype(values.dtype)
        written[name] = values.copy()
    for name in _FIELDS:
        np.testing.assert_array_equal(getattr(pop, name), written[name], err_msg=name)
