"""The compiled intake on hand-made rows: the rescue budget's running sum, who pays a
broker, whom brokers sell, and the search for those hiding in China."""

from __future__ import annotations

import numpy as np

from tumen.engine import intake_kernels
from tumen.engine.luck_kernels import uniforms
from tumen.engine.states import N_STATES, Channel, Pending, State

CHINA, ELSEWHERE = 0, 1


def people(states: list[int], locations: list[int]) -> tuple:
    """State, location, country of each location (0 China, 1 elsewhere) and counts."""
    state = np.array(states, dtype=np.int8)
    location = np.array(locations, dtype=np.int16)
    location_country = np.array([CHINA, CHINA, ELSEWHERE])
    counts = np.zeros((N_STATES, 2), dtype=np.int64)
    np.add.at(counts, (state, location_country[location]), 1)
    return state, location, location_country, counts


def streams(n: int) -> tuple:
    return np.arange(1, n + 1, dtype=np.uint64) * np.uint64(7919), np.zeros(n, np.uint32), \
        np.uint64(12345)


def take(pending: list[int], funds: list[float], woman: list[bool], locations: list[int],
         balance: float, line_share: float = 1.0, sell_chance: float = 0.0):
    n = len(pending)
    pop = people([State.HIDING] * n, locations)
    channel = np.zeros(n, dtype=np.int8)
    funds_array = np.array(funds, dtype=np.float64)
    red_zone = np.array([True, False, False])
    result = intake_kernels.take(
        np.arange(n, dtype=np.int64), streams(n), np.array(pending, dtype=np.int8),
        funds_array, np.array(woman), channel, pop, red_zone, (1000.0, 500.0), balance, 800.0,
        line_share, sell_chance)
    return result, channel, funds_array, pop


def test_referrals_are_taken_in_turn_while_the_budget_lasts() -> None:
    """Costs 1,500 (red zone), 1,000, 1,000, 1,500 against 3,600: the first three fit, and
    once the running sum passes the budget nobody after is taken, even a cheaper one."""
    pending = [Pending.RESCUE] * 5
    (rescued, unfunded, taken, not_paying, sold, spent), channel, _, _ = take(
        pending, [0] * 5, [True] * 5, [0, 1, 1, 0, 1], balance=3600.0)
    assert rescued.tolist() == [0, 1, 2]
    assert unfunded.tolist() == [3, 4]
    assert spent == 3500.0
    assert (channel[:3] == Channel.RESCUE).all() and (channel[3:] == Channel.NONE).all()
    assert taken.size == not_paying.size == sold.size == 0


def test_contacts_who_find_a_line_and_can_pay_go_with_the_broker() -> None:
    """With every line found, those holding the fee pay it and go; the rest stay."""
    pending = [Pending.BROKER, Pending.BROKER, Pending.REVIEW, Pending.BROKER]
    (rescued, _, taken, not_paying, sold, _), channel, funds, _ = take(
        pending, [900.0, 100.0, 5000.0, 800.0], [False] * 4, [1] * 4, balance=0.0)
    assert taken.tolist() == [0, 3]
    assert not_paying.tolist() == [1]
    assert funds.tolist() == [100.0, 100.0, 5000.0, 0.0]
    assert (channel[[0, 3]] == Channel.BROKER).all()
    assert rescued.size == sold.size == 0


def test_no_line_means_no_broker_whatever_the_funds() -> None:
    (_, _, taken, not_paying, _, _), _, funds, _ = take(
        [Pending.BROKER] * 3, [5000.0] * 3, [False] * 3, [1] * 3, balance=0.0, line_share=0.0)
    assert taken.size == 0 and not_paying.tolist() == [0, 1, 2]
    assert (funds == 5000.0).all()


def test_brokers_sell_only_women_and_keep_the_counts() -> None:
    """With a sure sale every woman paying is sold into trafficking, every man goes on;
    each draws once, man or woman."""
    n = 6
    woman = [True, False, True, False, True, True]
    (_, _, taken, _, sold, _), channel, _, pop = take(
        [Pending.BROKER] * n, [900.0] * n, woman, [1] * n, balance=0.0, sell_chance=1.0)
    state, _, _, counts = pop
    assert sold.tolist() == [0, 2, 4, 5] and taken.tolist() == [1, 3]
    assert (state[sold] == State.TRAFFICKED).all()
    assert counts[State.TRAFFICKED, CHINA] == 4 and counts[State.HIDING, CHINA] == 2
    assert (channel[taken] == Channel.BROKER).all()


def test_the_sale_draw_is_each_escapees_next_uniform() -> None:
    """Selling with chance p sells exactly the women whose second draw (after the line's)
    is below p."""
    n = 200
    keys, _, salt = streams(n)
    draws = np.stack([uniforms(keys, np.full(n, k, np.uint32), np.arange(n), salt)
                      for k in range(2)])
    woman = [i % 2 == 0 for i in range(n)]
    (_, _, _, _, sold, _), _, _, _ = take(
        [Pending.BROKER] * n, [900.0] * n, woman, [1] * n, balance=0.0, sell_chance=0.4)
    expected = [i for i in range(n) if woman[i] and draws[1, i] < 0.4]
    assert sold.tolist() == expected


def test_the_search_keeps_those_hiding_in_china_sorted_and_once() -> None:
    """Hiding in China is kept; settled in China only below the reach; anyone elsewhere
    or in another state never; repeats and the rows found before merge."""
    state, location, location_country, _ = people(
        [State.HIDING, State.SETTLED, State.SETTLED, State.HIDING, State.TRAVELLING],
        [0, 1, 0, 2, 0])
    rows = np.array([4, 2, 1, 0, 3, 0], dtype=np.int64)
    u = np.array([0.0, 0.5, 0.1, 0.9, 0.0, 0.2])
    found = intake_kernels.add_hidden(np.array([3], dtype=np.int64), rows, u, state, location,
                                      location_country, CHINA, 0.3)
    assert found.tolist() == [0, 1, 3]
