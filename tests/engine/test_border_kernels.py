"""The compiled steps of the border and of the ends of journeys, each on a small
hand-made case: the draws they make, the money they book and the counts they keep."""

from __future__ import annotations

import numpy as np
import pytest

from tumen.engine import border_kernels, draws
from tumen.engine.context import Context
from tumen.engine.luck import EscapeeLuck, identity_keys, salt_for
from tumen.engine.processes import departure, detention, punishment, resettlement
from tumen.engine.processes.crossing import Crossing
from tumen.engine.processes.punishment import Punishment
from tumen.engine.states import Channel, State
from tumen.scenario.compile import compile_scenario
from tumen.scenario.schema import Days

from .conftest import HOLD_DAYS, LEG_DAYS, PRISON_DAYS, tiny

ORIGIN, FORD, YANBIAN, VIENTIANE, SEOUL = 0, 1, 2, 4, 6
N = 200


@pytest.mark.parametrize("spec", [Days(mean=6.0, sd=3.0), Days(mean=0.4, sd=0.5),
                                  Days(mean=5.0), Days(mean=8.0, distribution="geometric")])
def test_a_kernel_draws_the_days_the_shared_draw_functions_draw(spec: Days) -> None:
    """Same escapees, same streams: `draw_days` gives what `draws.days` gives and leaves
    every stream at the same count."""
    keys, salt = identity_keys("test", 0, 0, N), salt_for(5)
    rows = np.arange(N)
    shared, compiled = np.zeros(N, dtype=np.uint32), np.zeros(N, dtype=np.uint32)
    expected = draws.days(EscapeeLuck(keys, shared, rows, salt), spec, N)
    streams = (keys, compiled, np.uint64(salt))
    got = [border_kernels.draw_days(streams, row, border_kernels.days_spec(spec)) for row in rows]
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(compiled, shared)


def context(**parameters: dict) -> Context:
    """A fresh run of the tiny corridor with `parameters` changed, on day 0."""
    return Context(compile_scenario(tiny(parameters=parameters)), seed=3)


def at_the_river(ctx: Context, prepaid_usd: float = 0.0) -> np.ndarray:
    """N new escapees, taken to the day they reach the ford, and due there."""
    rows = departure.create(ctx, np.zeros(N, dtype=np.int16), prepaid_usd=prepaid_usd)
    assert (ctx.pop.wake[rows] == LEG_DAYS["to_ford"]).all()
    ctx.day = LEG_DAYS["to_ford"]
    ctx.due = ctx.calendar.due(ctx.pop, ctx.day)
    return rows


def test_brokers_paid_in_advance_bribe_the_guards_and_take_the_rest() -> None:
    """Chain escapees carry the prepaid fee: the guards get the bribe share of it, the
    broker the rest, and every one crosses with her broker on the leg into China."""
    ctx = context(intake={"broker_bribe_share": 0.3})
    rows = at_the_river(ctx, prepaid_usd=1000.0)
    Crossing().step(ctx)
    pop, spent = ctx.pop, ctx.ledger.by_year
    assert spent["bribes"].sum() == pytest.approx(300.0 * N)
    assert spent["broker_fees"].sum() == pytest.approx(700.0 * N)
    assert (pop.funds[rows] == 0.0).all()
    assert (pop.state[rows] == State.TRAVELLING).all()
    assert (pop.channel[rows] == Channel.BROKER).all()
    assert (pop.crossed[rows] == ctx.day).all()
    assert ctx.recorder.flows["crossings"][ctx.day] == N
    np.testing.assert_array_equal(pop.counts, pop.recount())


def test_the_caught_are_shot_or_jailed_at_home_and_the_dead_lose_their_money() -> None:
    """Detection 1, death 0.5: nobody crosses; about half die at the ford with their
    money seized, the others serve the prison term at their home province."""
    ctx = context(crossing={"detection": 1.0, "death": 0.5})
    rows = at_the_river(ctx)
    ctx.pop.funds[rows] = np.arange(N, dtype=np.float64)
    Crossing().step(ctx)
    pop, flows = ctx.pop, ctx.recorder.flows
    dead, jailed = rows[pop.state[rows] == State.DIED], rows[pop.state[rows] != State.DIED]
    assert 60 < dead.size < 140
    assert flows["deaths"][ctx.day] == dead.size
    assert flows["caught_at_border"][ctx.day] == jailed.size
    assert flows["crossings"][ctx.day] == 0
    assert (pop.location[dead] == FORD).all()
    assert ctx.ledger.by_year["seized"].sum() == pytest.approx(np.arange(N)[dead].sum())
    assert (pop.state[jailed] == State.IMPRISONED_NK).all()
    assert (pop.location[jailed] == ORIGIN).all()
    assert (pop.wake[jailed] == ctx.day + PRISON_DAYS).all()
    assert (pop.leg[jailed] == -1).all()
    np.testing.assert_array_equal(pop.counts, pop.recount())


@pytest.mark.parametrize("retry", [0.0, 1.0])
def test_after_prison_one_tries_again_alone_or_stays_for_good(retry: float) -> None:
    ctx = context(crossing={"retry": retry})
    rows = at_the_river(ctx, prepaid_usd=500.0)
    punishment.imprison(ctx, rows)
    ctx.day += PRISON_DAYS
    ctx.due = ctx.calendar.due(ctx.pop, ctx.day)
    np.testing.assert_array_equal(ctx.due, rows)
    Punishment().step(ctx)
    pop = ctx.pop
    if retry:
        assert (pop.state[rows] == State.APPROACHING).all()
        assert (pop.attempts[rows] == 2).all() and not pop.prepaid[rows].any()
        assert (pop.wake[rows] == ctx.day + 30).all()
        assert ctx.recorder.flows["reattempts"][ctx.day] == N
    else:
        assert (pop.state[rows] == State.STAYED_NK).all()
        assert (pop.wake[rows] > ctx.world.n_days).all()
    np.testing.assert_array_equal(pop.counts, pop.recount())


def test_an_arrest_holds_each_where_she_is_and_seizes_her_money() -> None:
    """Half arrested in China, half in Laos: China holds its half for its term, Laos
    the other for the third countries' term; the money is seized from all."""
    ctx = context()
    rows = ctx.add_escapees("test", State.HIDING, np.repeat([YANBIAN, VIENTIANE], N // 2), N)
    ctx.pop.funds[rows] = 10.0
    ctx.pop.leg[rows] = 3
    detention.arrest(ctx, rows)
    pop, china, laos = ctx.pop, rows[: N // 2], rows[N // 2:]
    assert (pop.state[china] == State.DETAINED_CHINA).all()
    assert (pop.wake[china] == HOLD_DAYS).all()
    assert (pop.state[laos] == State.DETAINED_THIRD).all()
    assert (pop.wake[laos] == 20).all()
    assert ctx.ledger.by_year["seized"].sum() == pytest.approx(10.0 * N)
    assert (pop.funds[rows] == 0).all() and (pop.leg[rows] == -1).all()
    flows = ctx.recorder.flows
    assert flows["arrests_china"][0] == flows["arrests_third"][0] == N // 2
    np.testing.assert_array_equal(pop.counts, pop.recount())


def test_arrivals_record_their_journeys_and_repay_their_brokers() -> None:
    ctx = context(resettlement={"recontact": 1.0, "relatives_max": 2})
    rows = ctx.add_escapees("test", State.TRAVELLING, VIENTIANE, N)
    ctx.day = 50
    ctx.pop.crossed[rows] = np.arange(N) % 40
    ctx.pop.debt[rows] = 100.0
    resettlement.arrive(ctx, rows, SEOUL)
    pop = ctx.pop
    assert (pop.state[rows] == State.ARRIVED_SK).all() and (pop.location[rows] == SEOUL).all()
    day, journeys = ctx.recorder.journeys[-1]
    assert day == 50
    np.testing.assert_array_equal(journeys, 50 - np.arange(N) % 40)
    assert ctx.ledger.by_year["debt_repaid"].sum() == pytest.approx(100.0 * N)
    assert ctx.diaspora.in_contact == N and ctx.diaspora.relatives_left == 2 * N
    assert ctx.recorder.flows["arrivals_sk"][50] == N
    np.testing.assert_array_equal(pop.counts, pop.recount())
