"""Each escapee's own random stream: her draws do not depend on who else draws, so that
two scenarios run with one seed differ only where the change touches someone."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest

from tumen.engine.draws import gamma_days, waiting_days
from tumen.engine.luck import EscapeeLuck, identity_keys, salt_for

from .conftest import busy_sections, engine_run, merge, tiny


def streams(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, int]:
    return identity_keys("test", 0, 0, n), np.zeros(n, dtype=np.uint32), salt_for(seed)


def test_a_persons_draws_do_not_depend_on_who_else_draws() -> None:
    """Drawing for everyone at once, or for one person between draws for the others,
    gives each person the same sequence of values."""
    keys, counters, salt = streams(6)
    together = [EscapeeLuck(keys, counters, np.arange(6), salt).random(6) for _ in range(3)]
    keys, counters, salt = streams(6)
    alone = EscapeeLuck(keys, counters, np.array([4]), salt).random(1)
    others = EscapeeLuck(keys, counters, np.array([0, 1, 2, 3, 5]), salt).random(5)
    second = EscapeeLuck(keys, counters, np.array([5, 4]), salt).random(2)
    assert alone[0] == together[0][4]
    assert others.tolist() == together[0][[0, 1, 2, 3, 5]].tolist()
    assert second.tolist() == [together[1][5], together[1][4]]
    assert counters.tolist() == [1, 1, 1, 1, 2, 2]


def test_another_seed_gives_other_draws_and_the_same_seed_the_same() -> None:
    rows = np.arange(1000)
    keys, counters, salt = streams(1000, seed=1)
    first = EscapeeLuck(keys, counters, rows, salt).random(1000)
    keys, counters, salt = streams(1000, seed=1)
    again = EscapeeLuck(keys, counters, rows, salt).random(1000)
    keys, counters, salt = streams(1000, seed=2)
    other = EscapeeLuck(keys, counters, rows, salt).random(1000)
    assert first.tolist() == again.tolist()
    assert (first != other).mean() > 0.99


def test_uniforms_are_uniform_and_independent_of_the_previous_draw() -> None:
    """Mean, variance and lag-one correlation within five sds of a uniform's, over
    200,000 people with consecutive keys."""
    n = 200_000
    keys, counters, salt = streams(n)
    luck = EscapeeLuck(keys, counters, np.arange(n), salt)
    u, v = luck.random(n), luck.random(n)
    assert u.min() > 0.0 and u.max() < 1.0
    assert abs(u.mean() - 0.5) < 5 * math.sqrt(1 / 12 / n)
    assert abs(u.var() - 1 / 12) < 5 * math.sqrt(1 / 180 / n)
    assert abs(np.corrcoef(u, v)[0, 1]) < 5 / math.sqrt(n)
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < 5 / math.sqrt(n)


@pytest.mark.parametrize(("mean", "sd"), [(50.0, 10.0), (30.0, 30.0), (10.0, 20.0)])
def test_gamma_days_from_own_streams_have_the_mean_and_sd_asked_for(mean: float,
                                                                    sd: float) -> None:
    """The gamma sampler of the streams, shapes above and below one, through the shared
    draw of whole days."""
    n = 200_000
    keys, counters, salt = streams(n)
    values = gamma_days(EscapeeLuck(keys, counters, np.arange(n), salt), mean, sd, n)
    assert values.min() >= 1
    assert abs(values.mean() - mean) < 5 * sd / math.sqrt(n) + 0.1
    assert values.std() == pytest.approx(sd, rel=0.03)


class Uniforms:
    """A generator stand-in that hands out given uniforms, for the NumPy path of a draw."""

    def __init__(self, values: np.ndarray):
        self._values = values

    def random(self, size: int) -> np.ndarray:
        assert size == self._values.size
        return self._values


def test_waiting_days_from_own_streams_equal_the_inversion_of_their_uniforms() -> None:
    """The compiled wait of the streams gives what the shared NumPy inversion gives on the
    same uniforms, with hazards of 0 and 1, a per-row cap and a scalar one."""
    n = 5000
    hazard = np.linspace(0.0, 1.0, n)
    cap = np.arange(n) % 40 + 1
    for limit in (cap, 25):
        keys, counters, salt = streams(n)
        u = EscapeeLuck(keys.copy(), counters.copy(), np.arange(n), salt).random(n)
        own = waiting_days(EscapeeLuck(keys, counters, np.arange(n), salt), hazard, limit)
        shared = waiting_days(Uniforms(u), hazard, limit)  # type: ignore[arg-type]
        assert own[0].tolist() == shared[0].tolist() and own[1].tolist() == shared[1].tolist()
        assert counters.tolist() == [1] * n
    assert own[0][0] == 25 and not own[1][0] and own[0][-1] == 1 and own[1][-1]


def test_a_legs_draws_do_not_depend_on_the_legs_of_others_setting_out_with_her() -> None:
    """Gamma and geometric legs, with and without a hazard on the way, set out together
    or apart: each escapee's days and interception are the same, and her stream moves on
    by the draws of her own leg only (1 for the risk, 1 for a geometric leg, 1 for a
    hazard; a gamma takes at least 3)."""
    graph = SimpleNamespace(route_days_geometric=np.array([False, True, True]),
                            route_days_mean=np.array([20.0, 5.0, 5.0]),
                            route_days_sd=np.array([8.0, 0.0, 0.0]))
    risk, hazard = np.array([0.5, 0.5, 0.0]), np.array([0.0, 0.0, 0.3])
    legs = np.arange(300) % 3
    keys, counters, salt = streams(300)
    together = EscapeeLuck(keys, counters, np.arange(300), salt).leg_outcomes(
        legs, graph, risk, hazard)  # type: ignore[arg-type]
    drawn = counters.copy()
    keys, counters, salt = streams(300)
    for leg in (2, 0, 1):
        rows = np.flatnonzero(legs == leg)
        days, caught = EscapeeLuck(keys, counters, rows, salt).leg_outcomes(
            legs[rows], graph, risk, hazard)  # type: ignore[arg-type]
        assert days.tolist() == together[0][rows].tolist()
        assert caught.tolist() == together[1][rows].tolist()
    assert counters.tolist() == drawn.tolist()
    assert (drawn[legs == 1] == 2).all() and (drawn[legs == 2] == 3).all()
    assert (drawn[legs == 0] >= 3).all()
    assert together[1][legs == 2].any() and not together[1][legs == 2].all()


@pytest.mark.parametrize("hazard", [1e-300, 1e-6, 0.001, 0.02, 0.3, 1.0])
def test_a_hazard_on_the_way_strikes_on_the_day_the_inversion_gives(hazard: float) -> None:
    """Days and interception of geometric legs, short and long (past the 64 days below
    which most uniforms tell at once that the hazard misses the leg), are those of the
    inversion of the geometric computed in full from the same three uniforms."""
    n = 3000
    graph = SimpleNamespace(route_days_geometric=np.array([True, True]),
                            route_days_mean=np.array([5.0, 80.0]),
                            route_days_sd=np.array([0.0, 0.0]))
    legs = np.arange(n) % 2
    keys, counters, salt = streams(n)
    u = [EscapeeLuck(keys, counters.copy() + k, np.arange(n), salt).random(n) for k in range(3)]
    days, caught = EscapeeLuck(keys, counters, np.arange(n), salt).leg_outcomes(
        legs, graph, np.full(2, 0.1), np.full(2, hazard))  # type: ignore[arg-type]
    on_the_way = math.log1p(-min(max(hazard, 1e-300), 1.0 - 1e-12))
    struck = long_legs = 0
    for i in range(n):
        mean = graph.route_days_mean[legs[i]]
        length = min(max(math.ceil(math.log(u[1][i]) / math.log1p(-1.0 / mean)), 1),
                     2147483647)
        strikes = max(math.ceil(math.log(u[2][i]) / on_the_way), 1)
        struck += strikes <= length
        long_legs += length > 64
        assert days[i] == min(strikes, length)
        assert caught[i] == (u[0][i] < 0.1 or strikes <= length)
    assert long_legs > 0
    assert (struck > 0) == (hazard >= 0.001) and (struck == n) == (hazard == 1.0)


def test_asking_for_more_draws_than_people_is_an_error() -> None:
    keys, counters, salt = streams(3)
    with pytest.raises(ValueError, match="4 draws asked of 3"):
        EscapeeLuck(keys, counters, np.arange(3), salt).random(4)


def test_identity_keys_are_the_same_for_the_same_person_and_distinct_otherwise() -> None:
    keys = identity_keys("departure", 12, 0, 50_000)
    assert np.unique(keys).size == keys.size
    assert identity_keys("departure", 12, 100, 5).tolist() == keys[100:105].tolist()
    assert not np.isin(identity_keys("departure", 13, 0, 1000), keys).any()
    assert not np.isin(identity_keys("chain", 12, 0, 1000), keys).any()


def outcomes(seed: int, **changes) -> dict[int, tuple[int, ...]]:
    """Each escapee's end state, place, wake-up day and attempts, by identity key."""
    ctx = engine_run(tiny(**merge(busy_sections(), changes)), seed)
    pop = ctx.pop
    columns = zip(pop.key.tolist(), pop.state, pop.location, pop.wake, pop.attempts,
                  strict=True)
    return {key: tuple(int(value) for value in rest) for key, *rest in columns}


def share_alike(first: dict, second: dict) -> float:
    return float(np.mean([second.get(key) == value for key, value in first.items()]))


def test_a_change_that_touches_few_leaves_everyone_else_with_the_same_fate() -> None:
    """Deadlier border guards touch only those caught at the river (and, through raids,
    budgets and relatives, a few more); paired on the same seed, most others end
    exactly as before, where another seed changes the fate of most. With one stream
    per process instead, a single extra draw shifted everyone's after it."""
    changes = {"parameters": {"crossing": {"death": 0.05}}}
    base = outcomes(5)
    assert share_alike(base, outcomes(5)) == 1.0
    assert share_alike(base, outcomes(5, **changes)) > 0.8
    assert share_alike(base, outcomes(6, **changes)) < 0.3
