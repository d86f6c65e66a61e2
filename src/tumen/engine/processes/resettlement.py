"""Resettlement in the South and the feedback loop it feeds.

About half of those resettled re-contact family at home; they set money aside, send
remittances, and save to pay brokers to bring relatives out ("chain escapes"), so past
arrivals fuel future ones while higher fees damp the loop.
"""

from __future__ import annotations

import numpy as np

from tumen.engine.context import Context
from tumen.engine.diaspora import broker_line_share, families_with_relatives
from tumen.engine.processes import departure, hiding
from tumen.engine.states import Channel, Pending, State
from tumen.engine.world import COUNTRIES, NORTH_KOREA
from tumen.scenario.schema import Country

_UNITED_STATES = COUNTRIES.index(Country.UNITED_STATES)


def arrive(ctx: Context, rows: np.ndarray, location: np.ndarray | int | None = None) -> None:
    """Land `rows` at their destination (or `location`); count them and their journeys."""
    if rows.size == 0:
        return
    pop, rng = ctx.pop, ctx.rng("resettlement")
    pop.safe_house[rows] = -1
    pop.channel[rows] = Channel.NONE
    pop.cell[rows] = -1
    pop.leg[rows] = -1
    pop.pending[rows] = Pending.REVIEW
    where = pop.location[rows] if location is None else np.broadcast_to(location, rows.shape)
    in_us = ctx.world.graph.location_country[where] == _UNITED_STATES
    us, korea = rows[in_us], rows[~in_us]
    pop.move(korea, State.ARRIVED_SK, where[~in_us])
    pop.move(us, State.ARRIVED_US, where[in_us])
    ctx.calendar.schedule(pop, rows, ctx.world.n_days)
    ctx.count("arrivals_sk", korea.size)
    ctx.count("arrivals_sk_women", int(pop.woman[korea].sum()))
    ctx.count("arrivals_us", us.size)
    ctx.recorder.journey(ctx.day, ctx.day - pop.crossed[rows])
    # Brokers who moved people on credit are paid, mostly from the resettlement grant.
    ctx.book("debt_repaid", pop.debt[rows].sum())
    pop.debt[rows] = 0.0
    params = ctx.params.resettlement
    contacts = int((rng.random(korea.size) < params.recontact).sum())
    ctx.diaspora.resettled += korea.size
    ctx.diaspora.in_contact += contacts
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
    def _pay_for_relatives(ctx: Context, days: int) -> None:
        """Families whose year's savings cover the fee pay a broker for one relative a
        year, in China or at home.

        Savings differ between families (exponentially, around
        `chain_savings_usd_per_year`), so the share who can afford a fee is
        exp(-fee / savings): when fees rise, families stop saving for one and remit instead.
        """
        diaspora, params = ctx.diaspora, ctx.params.resettlement
        scale = float(ctx.input("broker_fees", NORTH_KOREA))
        from_home_fee = params.chain_fee_usd * scale
        from_china_fee = ctx.params.intake.broker_fee_usd * scale
        share = params.chain_in_china_share
        average = share * from_china_fee + (1.0 - share) * from_home_fee
        savings = params.chain_savings_usd_per_year
        able = 0.0 if savings <= 0 else float(np.exp(-average / savings))
        rng = ctx.rng("resettlement")
        expected = families_with_relatives(ctx) * able * days / 365.0
        n = min(int(rng.poisson(expected)), diaspora.relatives_left)
        if n <= 0:
            return
        in_china = hiding.sample_hidden(ctx, rng, int(rng.binomial(n, share)))
        from_home = n - in_china.size
        if not departure.border_open(ctx):
            from_home = 0  # no broker takes money for a crossing that cannot be made
        # Only the families who find a broker line send for a relative; the rest wait.
        # Guards who risk being shot or punished take fewer bribes: lines at the river
        # thin out as border security rises.
        security = float(ctx.input("border_security", NORTH_KOREA))
        guarded = security ** -ctx.params.crossing.broker_deterrence if security > 0 else 1.0
        from_home = int(rng.binomial(from_home, min(1.0, broker_line_share(ctx) * guarded)))
        diaspora.relatives_left -= in_china.size + from_home
        spent = in_china.size * from_china_fee + from_home * from_home_fee
        ctx.book("set_aside", spent)
        ctx.book("chain_funding", spent)
        # Money for a relative already hiding in China lets her pay a broker from there.
        ctx.pop.funds[in_china] += from_china_fee
        hiding.schedule(ctx, in_china)
        ctx.count("chain_funded_in_china", in_china.size)
        if from_home == 0:
            return
        weights = ctx.world.graph.departure_weight
        origins = np.repeat(np.arange(weights.size), rng.multinomial(from_home, weights))
        departure.create(ctx, origins.astype(np.int16), prepaid_usd=from_home_fee)
        ctx.count("chain_departures", from_home)
