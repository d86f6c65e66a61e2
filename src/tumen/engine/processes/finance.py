"""Donations reach the rescue networks day by day, at the budget the timeline sets, as
far as the networks' lines reach."""

from __future__ import annotations

from tumen.engine.context import Context
from tumen.engine.diaspora import broker_line_share
from tumen.engine.world import COUNTRIES
from tumen.scenario.schema import Country

_SOUTH_KOREA = COUNTRIES.index(Country.SOUTH_KOREA)


class Finance:
    """Books the rescue networks' daily share of their annual budget.

    Their field workers are largely brokers and resettled escapees (facts.md §2b, §6b), so
    a network works through the same scarce lines as the brokers and raises and spends
    only the share of its budget those lines can carry.
    """

    name = "finance"

    def step(self, ctx: Context) -> None:
        budget = ctx.params.finance.rescue_budget_usd_per_year
        scale = float(ctx.input("rescue_budget", _SOUTH_KOREA))
        ctx.book("donations", budget * scale * broker_line_share(ctx) / 365.0)
