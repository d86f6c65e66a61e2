"""Intake: rescue networks take those referred to them within their budget; brokers take
those who can pay, and some brokers sell the women they take."""

from __future__ import annotations

import numpy as np

from tumen.engine import intake_kernels
from tumen.engine.context import Context
from tumen.engine.diaspora import broker_line_share, families_with_relatives
from tumen.engine.processes import hiding, travel
from tumen.engine.processes.resettlement import ChainFees, send_from_home
from tumen.engine.states import HIDDEN_STATES
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
        pop, params = ctx.pop, ctx.params.intake
        fee = hiding.broker_fee(ctx)
        rescued, unfunded, taken, not_paying, sold, spent = intake_kernels.take(
            rows, ctx.streams(), pop.pending, pop.funds, pop.woman, pop.channel,
            pop.move_arrays(), _red_zone(ctx), (params.rescue_cost_usd, params.red_zone_extra_usd),
            ctx.ledger.balance["rescue_network"], fee, broker_line_share(ctx),
            params.broker_exploitation_women)
        ctx.book("rescue_costs", spent)
        ctx.count("rescue_intakes", rescued.size)
        ctx.book("broker_fees", fee * (taken.size + sold.size))
        ctx.count("trafficked", sold.size)
        ctx.count("broker_intakes", taken.size)
        # One call each for those back in hiding and those setting out, in the order
        # they were taken (safe-house places go in that order).
        hiding.schedule(ctx, np.concatenate([unfunded, not_paying, sold]))
        travel.enter_waiting(ctx, np.concatenate([rescued, taken]))

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
        # Like the relatives families pay for, some are already hiding in China and the
        # rest at home, whom the broker brings across the river on what he advances.
        in_china = int(rng.binomial(wanted, ctx.params.resettlement.chain_in_china_share))
        clients = hiding.sample_hidden(ctx, rng, in_china)
        ctx.diaspora.relatives_left -= clients.size
        markup = ctx.params.intake.credit_markup
        ctx.pop.debt[clients] += hiding.broker_fee(ctx) * markup
        _to_broker(ctx, clients)
        advance = ChainFees.today(ctx).from_home
        from_home = send_from_home(ctx, rng, wanted - in_china, advance, 1.0)
        ctx.book("broker_credit", advance * from_home.size)
        ctx.pop.debt[from_home] += advance * markup
        ctx.count("credit_intakes", clients.size + from_home.size)


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
    taken, sold = intake_kernels.sell_some(
        rows, ctx.streams(), ctx.pop.woman, ctx.pop.channel, ctx.pop.move_arrays(),
        ctx.params.intake.broker_exploitation_women)
    ctx.count("trafficked", sold.size)
    ctx.count("broker_intakes", taken.size)
    return taken, sold


def _red_zone(ctx: Context) -> np.ndarray:
    """Whether each location is in the red zone, where a rescue costs more."""
    return ctx.once("red zone", lambda: ctx.world.graph.location_kind == _HIDING_KIND)
