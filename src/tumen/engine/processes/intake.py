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
        rescued, unfunded = self._rescue(ctx, rows[pending == Pending.RESCUE])
        paying, not_paying = self._paying(ctx, rows[pending == Pending.BROKER])
        taken, sold = _sell_some(ctx, paying)
        # One call each for those back in hiding and those setting out, in the order
        # they were taken (safe-house places go in that order).
        hiding.schedule(ctx, np.concatenate([unfunded, not_paying, sold]))
        travel.enter_waiting(ctx, np.concatenate([rescued, taken]))

    @staticmethod
    def _paying(ctx: Context, contacted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Those who found a broker line and can pay the fee pay it; (paying, the rest)."""
        if contacted.size == 0:
            return contacted, contacted
        fee = hiding.broker_fee(ctx)
        found = ctx.luck(contacted).random(contacted.size) < broker_line_share(ctx)
        pays = found & (ctx.pop.funds[contacted] >= fee)
        paying = contacted[pays]
        ctx.pop.funds[paying] -= fee
        ctx.book("broker_fees", fee * paying.size)
        return paying, contacted[~pays]

    @staticmethod
    def _on_credit(ctx: Context) -> None:
        # Families weigh the fee they will owe: dearer brokers, fewer clients on credit.
        fee_scale = float(ctx.input("broker_fees", NORTH_KOREA))
        per_family = ctx.params.intake.credit_clients_per_family_year / max(fee_scale, 1e-9)
        families = families_with_relatives(ctx)
        rate = per_family * families * broker_line_share(ctx)
        rng = ctx.rng("intake")
        wanted = min(int(rng.poisson(rate / 365.0)), ctx.diaspora.relatives_left)
        if wanted <= 0:
            return
        clients = hiding.sample_hidden(ctx, rng, wanted)
        ctx.diaspora.relatives_left -= clients.size
        ctx.pop.debt[clients] += hiding.broker_fee(ctx) * ctx.params.intake.credit_markup
        ctx.count("credit_intakes", clients.size)
        _to_broker(ctx, clients)

    @staticmethod
    def _rescue(ctx: Context, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Take referrals in turn while the budget lasts; the red zone costs more.
        Returns (those taken, those left for want of money)."""
        if rows.size == 0:
            return rows, rows
        params = ctx.params.intake
        in_red_zone = ctx.world.graph.location_kind[ctx.pop.location[rows]] == _HIDING_KIND
        cost = params.rescue_cost_usd + params.red_zone_extra_usd * in_red_zone
        affordable = np.cumsum(cost) <= ctx.ledger.balance["rescue_network"]
        taken, cost = rows[affordable], cost[affordable]
        ctx.book("rescue_costs", cost.sum())
        ctx.count("rescue_intakes", taken.size)
        ctx.pop.channel[taken] = Channel.RESCUE
        return taken, rows[~affordable]


def _to_broker(ctx: Context, rows: np.ndarray) -> None:
    """Paid-for clients set off with the broker; some women are sold instead."""
    taken, sold = _sell_some(ctx, rows)
    hiding.schedule(ctx, sold)
    travel.enter_waiting(ctx, taken)


def _sell_some(ctx: Context, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Brokers sell some of the women they take: (those taken on, those sold), the sold
    now trafficked and still to be scheduled."""
    if rows.size == 0:
        return rows, rows
    pop = ctx.pop
    exploited = pop.woman[rows] & (
        ctx.luck(rows).random(rows.size) < ctx.params.intake.broker_exploitation_women
    )
    sold = rows[exploited]
    pop.move(sold, State.TRAFFICKED)
    ctx.count("trafficked", sold.size)
    taken = rows[~exploited]
    ctx.count("broker_intakes", taken.size)
    pop.channel[taken] = Channel.BROKER
    return taken, sold
