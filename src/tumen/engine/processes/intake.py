"""Intake: rescue networks take those referred to them within their budget; brokers take
those who can pay, and some brokers sell the women they take."""

from __future__ import annotations

import numpy as np

from tumen.engine.context import Context
from tumen.engine.diaspora import broker_line_share, families_with_relatives
from tumen.engine.processes import hiding, travel
from tumen.engine.states import HIDDEN_STATES, Channel, Pending, State
from tumen.engine.world import LOCATION_KINDS, NORTH_KOREA
from tumen.scenario.schema import LocationKind

_HIDING_KIND = LOCATION_KINDS.index(LocationKind.HIDING)


class Intake:
    """Turns today's referrals and broker contacts into journeys, or back into hiding.

    Besides clients who can pay, brokers in the South (often resettled escapees
    themselves) take clients on credit, to be paid a marked-up fee after resettlement:
    each family in touch with home recruits such clients at a steady yearly rate.
    """

    name = "intake"

    def step(self, ctx: Context) -> None:
        self._on_credit(ctx)
        rows = ctx.due_in(*HIDDEN_STATES)
        if rows.size == 0:
            return
        pending = ctx.pop.pending[rows]
        self._rescue(ctx, rows[pending == Pending.RESCUE])
        contacted = rows[pending == Pending.BROKER]
        fee = hiding.broker_fee(ctx)
        found = ctx.luck(contacted).random(contacted.size) < broker_line_share(ctx)
        pays = found & (ctx.pop.funds[contacted] >= fee)
        hiding.schedule(ctx, contacted[~pays])
        paying = contacted[pays]
        ctx.pop.funds[paying] -= fee
        ctx.book("broker_fees", fee * paying.size)
        _to_broker(ctx, paying)

    @staticmethod
    def _on_credit(ctx: Context) -> None:
        # Families weigh the fee they will owe: dearer brokers, fewer clients on credit.
        fee_scale = float(ctx.input("broker_fees", NORTH_KOREA))
        per_family = ctx.params.intake.credit_clients_per_family_year / max(fee_scale, 1e-9)
        families = families_with_relatives(ctx)
        rate = per_family * families * broker_line_share(ctx)
        rng = ctx.rng("intake")
        wanted = min(int(rng.poisson(rate / 365.0)), ctx.diaspora.relatives_left)
        clients = hiding.sample_hidden(ctx, rng, wanted)
        ctx.diaspora.relatives_left -= clients.size
        ctx.pop.debt[clients] += hiding.broker_fee(ctx) * ctx.params.intake.credit_markup
        ctx.count("credit_intakes", clients.size)
        _to_broker(ctx, clients)

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


def _to_broker(ctx: Context, rows: np.ndarray) -> None:
    """Paid-for clients set off with the broker; some women are sold instead."""
    if rows.size == 0:
        return
    pop = ctx.pop
    exploited = pop.woman[rows] & (
        ctx.luck(rows).random(rows.size) < ctx.params.intake.broker_exploitation_women
    )
    sold = rows[exploited]
    pop.move(sold, State.TRAFFICKED)
    ctx.count("trafficked", sold.size)
    hiding.schedule(ctx, sold)
    taken = rows[~exploited]
    ctx.count("broker_intakes", taken.size)
    pop.channel[taken] = Channel.BROKER
    travel.enter_waiting(ctx, taken)
