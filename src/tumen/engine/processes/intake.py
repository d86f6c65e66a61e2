"""Intake: rescue networks take those referred to them within their budget; brokers take
those who can pay, and some brokers sell the women they take."""

from __future__ import annotations

import numpy as np

from tumen.engine.context import Context
from tumen.engine.processes import hiding, travel
from tumen.engine.states import HIDDEN_STATES, Channel, Pending, State
from tumen.engine.world import LOCATION_KINDS
from tumen.scenario.schema import LocationKind

_HIDING_KIND = LOCATION_KINDS.index(LocationKind.HIDING)


class Intake:
    """Turns today's referrals and broker contacts into journeys, or back into hiding."""

    name = "intake"

    def step(self, ctx: Context) -> None:
        rows = ctx.due_in(*HIDDEN_STATES)
        if rows.size == 0:
            return
        pending = ctx.pop.pending[rows]
        self._rescue(ctx, rows[pending == Pending.RESCUE])
        self._broker(ctx, rows[pending == Pending.BROKER])

    @staticmethod
    def _rescue(ctx: Context, rows: np.ndarray) -> None:
        """Take referrals in turn while the budget lasts; the red zone costs more."""
        if rows.size == 0:
            return
        params = ctx.params.intake
        in_red_zone = ctx.world.graph.location_kind[ctx.pop.location[rows]] == _HIDING_KIND
        cost = params.rescue_cost_usd + params.red_zone_extra_usd * in_red_zone
        affordable = np.cumsum(cost) <= ctx.ledger.balance["rescue_network"]
        taken, cost = rows[affordable], cost[affordable]
        ctx.book("rescue_costs", cost.sum())
        ctx.count("rescue_intakes", taken.size)
        ctx.pop.channel[taken] = Channel.RESCUE
        travel.enter_waiting(ctx, taken)
        hiding.schedule(ctx, rows[~affordable])

    @staticmethod
    def _broker(ctx: Context, rows: np.ndarray) -> None:
        """Those who can still pay hand over the fee; some women are sold instead."""
        if rows.size == 0:
            return
        pop = ctx.pop
        fee = hiding.broker_fee(ctx)
        pays = pop.funds[rows] >= fee
        hiding.schedule(ctx, rows[~pays])
        rows = rows[pays]
        pop.funds[rows] -= fee
        ctx.book("broker_fees", fee * rows.size)
        exploited = pop.woman[rows] & (
            ctx.rng("intake").random(rows.size) < ctx.params.intake.broker_exploitation_women
        )
        sold = rows[exploited]
        pop.move(sold, State.TRAFFICKED)
        ctx.count("trafficked", sold.size)
        hiding.schedule(ctx, sold)
        taken = rows[~exploited]
        ctx.count("broker_intakes", taken.size)
        pop.channel[taken] = Channel.BROKER
        travel.enter_waiting(ctx, taken)
