"""Resettlement in the South and the feedback loop it feeds.

About half of those resettled re-contact family at home; they set money aside, send
remittances, and save to pay brokers to bring relatives out ("chain escapes"), so past
arrivals fuel future ones while higher fees damp the loop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tumen.engine import border_kernels, journey_end_kernels, kernels
from tumen.engine.context import Context
from tumen.engine.diaspora import broker_line_share, families_with_relatives
from tumen.engine.luck import per_row
from tumen.engine.processes import departure, hiding
from tumen.engine.world import COUNTRIES, NORTH_KOREA
from tumen.scenario.schema import Country
from tumen.scenario.schema import Resettlement as ResettlementParameters

_UNITED_STATES = COUNTRIES.index(Country.UNITED_STATES)


def arrive(ctx: Context, rows: np.ndarray, location: np.ndarray | int | None = None) -> None:
    """Land `rows` at their destination (or `location`); count them and their journeys.
    Brokers who moved people on credit are paid, mostly from the resettlement grant."""
    if rows.size == 0:
        return
    pop, params = ctx.pop, ctx.params.resettlement
    places = kernels.STAY if location is None else per_row(location, rows.size, np.int64)
    journeys, repaid, counts = journey_end_kernels.arrive(
        np.ascontiguousarray(rows, dtype=np.int64), places, ctx.day, ctx.streams(),
        pop.move_arrays(), border_kernels.people(pop), pop.safe_house, pop.pending,
        pop.woman, pop.crossed, pop.debt, _UNITED_STATES, params.recontact)
    ctx.calendar.schedule(pop, rows, ctx.world.n_days)
    korea, women, us, contacts = counts.tolist()
    ctx.count("arrivals_sk", korea)
    ctx.count("arrivals_sk_women", women)
    ctx.count("arrivals_us", us)
    ctx.recorder.journey(ctx.day, journeys)
    ctx.book("debt_repaid", repaid)
    ctx.diaspora.resettled += korea
    ctx.diaspora.in_contact += contacts
    ctx.diaspora.new_in_contact += contacts
    ctx.diaspora.relatives_left += contacts * params.relatives_max


class Resettlement:
    """Money set aside by resettled escapees: remittances home and chain escapes.

    Households settle their accounts every `SETTLE_EVERY_DAYS` days (and on the last day
    of the run), which is how often money is sent and relatives are paid for.
    """

    name = "resettlement"
    SETTLE_EVERY_DAYS = 30

    def __init__(self) -> None:
        self._last = -1

    def step(self, ctx: Context) -> None:
        self._spend_grants(ctx)
        last_day = ctx.day == ctx.world.n_days - 1
        if ctx.day - self._last < self.SETTLE_EVERY_DAYS and not last_day:
            return
        days, self._last = ctx.day - self._last, ctx.day
        diaspora, params = ctx.diaspora, ctx.params.resettlement
        if diaspora.in_contact == 0:
            return
        remitted = diaspora.in_contact * params.remittance_usd_per_year * days / 365.0
        ctx.book("set_aside", remitted)
        ctx.book("remittances", remitted)
        self._pay_for_relatives(ctx, days)

    @staticmethod
    def _spend_grants(ctx: Context) -> None:
        """Arrivals in touch with family may spend their resettlement grant on a broker
        for one relative right away (facts.md §6a: 66% used part of their grant on money
        sent home, 2010), if the grant and a year's savings cover the fee."""
        diaspora, params = ctx.diaspora, ctx.params.resettlement
        arrivals, diaspora.new_in_contact = diaspora.new_in_contact, 0
        if arrivals == 0 or params.grant_chain_share == 0:
            return
        fees = ChainFees.today(ctx)
        able = params.grant_chain_share * _afford(fees.average - params.grant_usd, params)
        rng = ctx.rng("resettlement")
        n = min(int(rng.binomial(arrivals, able)), diaspora.relatives_left)
        _send_for(ctx, rng, n, fees, "grant_set_aside")

    @staticmethod
    def _pay_for_relatives(ctx: Context, days: int) -> None:
        """Families whose year's savings cover the fee pay a broker for one relative a
        year, in China or at home.

        Savings differ between families (exponentially, around
        `chain_savings_usd_per_year`), so the share who can afford a fee is
        exp(-fee / savings): when fees rise, families stop saving for one and remit instead.
        """
        fees = ChainFees.today(ctx)
        able = _afford(fees.average, ctx.params.resettlement)
        rng = ctx.rng("resettlement")
        expected = families_with_relatives(ctx) * able * days / 365.0
        n = min(int(rng.poisson(expected)), ctx.diaspora.relatives_left)
        _send_for(ctx, rng, n, fees, "set_aside")


@dataclass(frozen=True)
class ChainFees:
    """Today's fees for a relative at home and one already hiding in China."""

    from_home: float
    from_china: float
    average: float

    @classmethod
    def today(cls, ctx: Context) -> ChainFees:
        scale = float(ctx.input("broker_fees", NORTH_KOREA))
        from_home = ctx.params.resettlement.chain_fee_usd * scale
        from_china = ctx.params.intake.broker_fee_usd * scale
        share = ctx.params.resettlement.chain_in_china_share
        return cls(from_home, from_china, share * from_china + (1.0 - share) * from_home)


def _afford(fee: float, params: ResettlementParameters) -> float:
    """Share of families whose year's savings cover `fee` (savings spread exponentially)."""
    if fee <= 0:
        return 1.0
    savings = params.chain_savings_usd_per_year
    return 0.0 if savings <= 0 else float(np.exp(-fee / savings))


def _send_for(ctx: Context, rng: np.random.Generator, n: int, fees: ChainFees,
              source: str) -> None:
    """Pay brokers for `n` relatives, money set aside along flow `source`: some already
    hiding in China, the rest from home if a line across the river is found."""
    if n <= 0:
        return
    diaspora = ctx.diaspora
    share = ctx.params.resettlement.chain_in_china_share
    in_china = hiding.sample_hidden(ctx, rng, int(rng.binomial(n, share)))
    diaspora.relatives_left -= in_china.size
    spent = in_china.size * fees.from_china
    if in_china.size:
        # Money for a relative already hiding in China lets her pay a broker from there.
        ctx.pop.funds[in_china] += fees.from_china
        hiding.schedule(ctx, in_china)
        ctx.count("chain_funded_in_china", in_china.size)
    # Only the families who find a broker line send for a relative; the rest wait.
    from_home = send_from_home(ctx, rng, n - in_china.size, fees.from_home,
                               broker_line_share(ctx))
    spent += from_home.size * fees.from_home
    ctx.book(source, spent)
    ctx.book("chain_funding", spent)


def send_from_home(ctx: Context, rng: np.random.Generator, n: int, fee: float,
                   line_share: float) -> np.ndarray:
    """Up to `n` relatives set out from home with a broker who holds `fee` for them,
    each if a line across the river is found (`line_share`, thinned by the guards: those
    who risk being shot or punished take fewer bribes); returns their rows, the
    relatives they use up taken from the families' count. All are chain departures,
    whether the family paid ahead or the broker waits to be paid after resettlement."""
    if n <= 0 or not departure.border_open(ctx):
        return np.empty(0, dtype=np.int64)  # no broker takes money for a closed crossing
    guarded = departure.deterred_by_guards(ctx, ctx.params.crossing.broker_deterrence)
    n = int(rng.binomial(n, min(1.0, line_share * guarded)))
    if n == 0:
        return np.empty(0, dtype=np.int64)
    ctx.diaspora.relatives_left -= n
    weights = ctx.world.graph.departure_weight
    origins = np.repeat(np.arange(weights.size), rng.multinomial(n, weights))
    ctx.count("chain_departures", n)
    return departure.create(ctx, origins.astype(np.int16), prepaid_usd=fee)
