"""Hiding in China and intake: arrests at a daily hazard, also when a crackdown changes it
(the hazard bound must cover the whole window it is drawn for), and a rescue budget that
pays for a known number of rescues."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tumen.engine.hiding_kernels import RATE_NAMES, hazards
from tumen.engine.states import State

from .conftest import FEE, engine_run, hiding_at, simulate, simulate_with_context, tiny

N = 3000
P = 0.003
BUDGET = 11.2 * FEE


def crackdown(start: str, end: str, value: float) -> dict:
    return {"start": start, "end": end, "action": "scale", "input": "crackdown",
            "where": "china", "value": value}


def arrested_in_hiding(timeline: list[dict], review_days: int, seed: int) -> int:
    """How many of N escapees hiding in Yanbian, with only an arrest hazard P a day, are
    arrested within the year (nobody is released back: there is no retry)."""
    scenario = tiny(
        population={"initial": [hiding_at("yanbian", N)]},
        parameters={"hiding": {"arrest_men": P, "arrest_women": P, "review_days": review_days}},
        timeline=timeline,
    )
    return int(simulate(scenario, seed=seed).daily["arrests_china"].sum())


# Days 1..364 can bring an arrest (the stock is placed on day 0). Each case lists the
# runs of days at a crackdown multiplier: (days, multiplier).
CASES = {
    "constant": ([], [(364, 1.0)]),
    "crackdown from July": ([crackdown("2001-07-01", "2001-12-31", 3.0)],
                            [(180, 1.0), (184, 3.0)]),
    "short crackdown": ([crackdown("2001-03-01", "2001-03-20", 8.0)],
                        [(58, 1.0), (20, 8.0), (286, 1.0)]),
    "crackdown eased": ([crackdown("2001-01-01", "2001-04-30", 4.0)],
                        [(119, 4.0), (245, 1.0)]),
}


@pytest.mark.parametrize("review_days", [30, 100])
@pytest.mark.parametrize("case", sorted(CASES))
def test_arrests_in_hiding_follow_the_daily_hazard(case: str, review_days: int) -> None:
    """The share arrested is 1 - prod (1 - m P)^days over the runs of crackdown multiplier
    m, whatever the window of the hazard bound (binomial, within 5 sd)."""
    timeline, runs = CASES[case]
    survive = math.prod((1.0 - m * P) ** days for days, m in runs)
    expected = N * (1.0 - survive)
    sd = math.sqrt(N * survive * (1.0 - survive))
    arrested = arrested_in_hiding(timeline, review_days, seed=review_days)
    assert abs(arrested - expected) <= 5 * sd, (arrested, expected, sd)


def test_a_run_shorter_than_the_review_window_works() -> None:
    """A 100-day run with the default 365-day hazard window runs and adds up."""
    scenario = tiny(period={"end": "2001-04-10"},
                    population={"initial": [hiding_at("yanbian", 200)]},
                    parameters={"hiding": {"arrest_men": P, "arrest_women": P,
                                           "review_days": 365}})
    results = simulate(scenario, seed=1)
    assert len(results.daily) == 100
    assert results.daily["arrests_china"].sum() > 0


@pytest.mark.parametrize(("location", "extra", "rescues"), [
    ("kunming", 0.0, 11),  # 11,200 dollars at 1,000 a rescue
    ("kunming", 500.0, 11),  # the red-zone premium is not charged outside the red zone
    ("yanbian", 500.0, 7),  # 11,200 dollars at 1,500 a rescue in the red zone
])
def test_a_rescue_budget_pays_for_exactly_the_rescues_it_can_afford(
        location: str, extra: float, rescues: int) -> None:
    """Many more are referred every day than the budget allows: the network takes each one
    it can pay for as soon as it can, so a year's 11,200 dollars pay for exactly
    floor(11,200 / cost) rescues, and the rest of the money is still held."""
    scenario = tiny(
        population={"initial": [hiding_at(location, 100)]},
        parameters={"hiding": {"referral": 1.0},
                    "intake": {"red_zone_extra_usd": extra},
                    "finance": {"rescue_budget_usd_per_year": BUDGET}},
    )
    results = simulate(scenario, seed=2)
    cost = FEE + (extra if location == "yanbian" else 0.0)
    assert results.daily["rescue_intakes"].sum() == rescues
    ledger = results.ledger.groupby("account")["usd"].sum()
    assert ledger["donations"] == pytest.approx(BUDGET)
    assert ledger["rescue_costs"] == pytest.approx(rescues * cost)


def test_without_a_budget_referrals_lead_nowhere() -> None:
    """Referred every day but with no money, nobody is rescued and all stay hidden."""
    scenario = tiny(population={"initial": [hiding_at("yanbian", 100)]},
                    parameters={"hiding": {"referral": 1.0}})
    results = simulate(scenario, seed=3)
    assert results.daily["rescue_intakes"].sum() == 0
    assert results.daily["hidden_china"].iloc[-1] == 100


def test_women_are_trafficked_at_their_hazard_and_men_at_theirs() -> None:
    """Only trafficking, at 0.004 a day for women and none for men: no man is trafficked,
    and the women are, at 1 - (1 - 0.004)^364 each."""
    scenario = tiny(population={"initial": [hiding_at("yanbian", N)]},
                    parameters={"hiding": {"trafficking_women": 0.004}})
    results = simulate(scenario, seed=4)
    trafficked = int(results.daily["trafficked"].sum())
    assert results.annual["stock_trafficked"].iloc[-1] == trafficked
    women = N * 0.5  # women_share 0.5; a binomial count, so allow for its spread too
    share = 1.0 - (1.0 - 0.004) ** 364
    sd = math.sqrt(women * share * (1 - share) + N * 0.25 * share**2)
    assert abs(trafficked - women * share) <= 5 * sd


RELATIVES = 20  # relatives each family may bring out


def credit_scenario(families: int, hidden: int, timeline: list[dict] | None = None,
                    in_china_share: float = 1.0):
    """Families in the South recruit clients on credit, 2 a year each, among their
    relatives (by default all hiding in China); no flights leave Thailand, so nobody
    arrives to repay or to join the families."""
    return tiny(
        population={"resettled_before": families, "initial": [hiding_at("yanbian", hidden)]},
        parameters={"resettlement": {"recontact": 1.0, "recontact_before": 1.0,
                                     "relatives_max": RELATIVES,
                                     "chain_in_china_share": in_china_share},
                    "intake": {"credit_clients_per_family_year": 2.0, "credit_markup": 3.0},
                    "asylum": {"flights_per_day": 0.0}},
        timeline=timeline or [],
    )


def test_families_recruit_clients_on_credit_at_their_yearly_rate() -> None:
    """100 families at 2 a year, each client one of a family's 20 relatives: families run
    out of relatives as they go, F(t) = 100 exp(-2 t / 20), so a year brings
    100 * 20 * (1 - exp(-0.1)) clients (Poisson), each owing 3 times the fee."""
    results, ctx = simulate_with_context(credit_scenario(100, 2000), seed=5)
    clients = int(results.daily["credit_intakes"].sum())
    expected = 100 * RELATIVES * (1 - math.exp(-2.0 / RELATIVES))
    assert abs(clients - expected) <= 5 * math.sqrt(expected)
    assert ctx.diaspora.relatives_left == 100 * RELATIVES - clients
    assert results.daily["broker_intakes"].sum() == clients
    assert ctx.pop.debt.sum() == pytest.approx(clients * 3.0 * FEE)


def test_relatives_at_home_cross_on_what_the_broker_advances() -> None:
    """With every relative at home, clients on credit set out from home, not from among
    those hiding; the broker advances the fee of a chain escape, FEE here (booked as broker credit,
    the only money that enters) and each owes it 3 times over."""
    results, ctx = simulate_with_context(credit_scenario(100, 2000, in_china_share=0.0), seed=5)
    clients = int(results.daily["credit_intakes"].sum())
    expected = 100 * RELATIVES * (1 - math.exp(-2.0 / RELATIVES))
    assert abs(clients - expected) <= 5 * math.sqrt(expected)
    assert ctx.diaspora.relatives_left == 100 * RELATIVES - clients
    hidden = np.arange(2000)
    assert not ctx.pop.debt[hidden].any()
    assert np.count_nonzero(ctx.pop.debt) == clients
    assert ctx.pop.debt.sum() == pytest.approx(clients * 3.0 * FEE)
    booked = results.ledger.groupby("account")["usd"].sum()
    assert booked["broker_credit"] == pytest.approx(clients * FEE)
    assert ctx.ledger.money_in() == pytest.approx(clients * FEE)


def test_free_brokers_take_on_credit_no_more_than_are_hiding() -> None:
    """With broker fees scaled to 0 for ten days, the rate of clients on credit has no
    bound; everyone hiding is taken (once), and the draw stays the size of the few hiding."""
    free = [{"start": "2001-01-10", "end": "2001-01-20", "action": "scale",
             "input": "broker_fees", "where": "north_korea", "value": 0.0}]
    results = simulate(credit_scenario(10, 50, free), seed=6)
    assert results.daily["credit_intakes"].sum() == 50
    assert results.daily["credit_intakes"].iloc[9] == 50


def test_the_hazards_of_each_kind_of_hidden_escapee_by_hand() -> None:
    """A man and a woman hiding, a woman settled and a woman trafficked, with and without
    the means to pay a broker, under a crackdown of 2. Men settle at 0.4 of women's
    hazard; the settled go home at the settled factor."""
    rates = dict(zip(RATE_NAMES, [0.002, 0.001, 0.0002, 0.004, 0.005, 0.001, 0.003, 0.02,
                                  0.3, 1.0, 0.5, 0.0001, 0.4], strict=True))
    state = np.array([State.HIDING, State.HIDING, State.SETTLED, State.TRAFFICKED])
    woman = np.array([False, True, True, True])
    got = hazards(np.array([0, 1, 2, 3]), state, woman, np.full(4, 2.0),
                  np.array([True, False, True, True]), np.array(list(rates.values())))
    # Columns: arrest, trafficking, settle, escape, referral, broker, going home.
    expected = [
        [0.002 * 2, 0.0002, 0.005 * 0.4, 0.0, 0.003, 0.02, 0.0001],
        [0.001 * 2, 0.004, 0.005, 0.0, 0.003, 0.0, 0.0001],
        [0.001 * 2 * 0.3, 0.004 * 0.3, 0.0, 0.0, 0.003 * 0.3, 0.02, 0.0001 * 0.3],
        [0.001 * 2 * 0.3, 0.0, 0.0, 0.001, 0.003 * 0.3, 0.0, 0.0],
    ]
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_those_hiding_go_home_at_the_daily_hazard_and_stay_there() -> None:
    """With only a hazard R of going home, the share gone home in a year is
    1 - (1 - R)^364 (binomial, within 5 sd); they end in North Korea for good, at their
    origin, and the trafficked never go."""
    rate = 0.002
    scenario = tiny(
        population={"initial": [hiding_at("yanbian", N),
                                {"location": "yanbian", "count": 500, "settled_share": 0.0,
                                 "trafficked_share": 1.0}]},
        parameters={"hiding": {"arrest_men": 0.0, "arrest_women": 0.0, "return_home": rate}},
    )
    results, ctx = simulate_with_context(scenario, seed=11)
    gone = int(results.daily["returned_home"].sum())
    share = 1.0 - (1.0 - rate) ** 364
    free = N + 500 - int(ctx.pop.woman[N:].sum())  # men among the 500 are not trafficked
    expected, sd = free * share, math.sqrt(free * share * (1.0 - share))
    assert abs(gone - expected) <= 5 * sd, (gone, expected, sd)
    home = np.flatnonzero(ctx.pop.state == State.STAYED_NK)
    assert home.size == gone
    assert (ctx.pop.location[home] == ctx.pop.origin[home]).all()
    assert (ctx.pop.wake[home] == np.iinfo(np.int32).max).all()


@pytest.mark.parametrize("initial_women", [None, 0.1, 0.9])
def test_the_initial_stock_has_its_own_share_of_women(initial_women: float | None) -> None:
    """Those hiding at the start are women with `initial_women_share` each (binomial,
    within 5 sd), or with the departures' `women_share` (0.5 here) when it is not set."""
    count = 4000
    scenario = tiny(period={"end": "2001-01-02"},
                    population={"initial_women_share": initial_women,
                                "initial": [hiding_at("yanbian", count)]})
    ctx = engine_run(scenario, seed=12)
    share = 0.5 if initial_women is None else initial_women
    women = int(ctx.pop.woman[:count].sum())
    assert abs(women - count * share) <= 5 * math.sqrt(count * share * (1 - share))
