"""Donations reach the rescue networks day by day, at the budget the timeline sets."""

from __future__ import annotations

from tumen.engine.context import Context
from tumen.engine.world import COUNTRIES
from tumen.scenario.schema import Country

_SOUTH_KOREA = COUNTRIES.index(Country.SOUTH_KOREA)


class Finance:
    """Books the rescue networks' daily share of their annual budget."""

    name = "finance"

    def step(self, ctx: Context) -> None:
        budget = ctx.params.finance.rescue_budget_usd_per_year
        scale = float(ctx.input("rescue_budget", _SOUTH_KOREA))
        ctx.book("donations", budget * scale / 365.0)
