"""Double-entry book of every dollar that moves in a run.

Each named flow moves money from one account to another. Source accounts (money that
enters from outside: donations, savings, earnings) run negative; sinks (fees, costs,
remittances) and balances (what organisations and people still hold) run positive, so
the sum of all accounts is zero whenever the books are right.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

FLOWS: dict[str, tuple[str, str]] = {
    "donations": ("donors", "rescue_network"),
    "rescue_costs": ("rescue_network", "rescue_spending"),
    "own_savings": ("savings_from_home", "escapees"),
    "china_earnings": ("work_in_china", "escapees"),
    "bribes": ("escapees", "brokers"),
    "broker_fees": ("escapees", "brokers"),
    "seized": ("escapees", "seized_by_police"),
    "set_aside": ("earnings_in_south_korea", "resettled_savings"),
    "grant_set_aside": ("resettlement_grants", "resettled_savings"),
    "remittances": ("resettled_savings", "families_in_north_korea"),
    "chain_funding": ("resettled_savings", "escapees"),
    "debt_repaid": ("resettlement_grants", "brokers"),
    "broker_credit": ("broker_advances", "escapees"),
}
SOURCES = (
    "donors",
    "savings_from_home",
    "work_in_china",
    "earnings_in_south_korea",
    "resettlement_grants",
    "broker_advances",
)
SINKS = ("rescue_spending", "brokers", "seized_by_police", "families_in_north_korea")
BALANCES = ("rescue_network", "escapees", "resettled_savings")
COST_FLOWS = ("rescue_costs", "bribes", "broker_fees", "debt_repaid")


class Ledger:
    """Balances by account and flows by year, booked as the run goes."""

    def __init__(self, day_year: np.ndarray):
        self._year_index = (day_year - day_year[0]).astype(np.int64)
        n_years = int(self._year_index[-1]) + 1
        self.balance = dict.fromkeys(SOURCES + SINKS + BALANCES, 0.0)
        self.by_year = {flow: np.zeros(n_years) for flow in FLOWS}

    def book(self, flow: str, usd: float, day: int) -> None:
        """Move `usd` along a named flow on `day`."""
        if usd == 0.0:
            return
        source, target = FLOWS[flow]
        self.balance[source] -= usd
        self.balance[target] += usd
        self.by_year[flow][self._year_index[day]] += usd

    def money_in(self) -> float:
        """Everything that entered from outside."""
        return -sum(self.balance[name] for name in SOURCES)

    def money_out(self) -> float:
        """Everything spent or paid away."""
        return sum(self.balance[name] for name in SINKS)

    def held(self) -> float:
        """What organisations and people still hold at the end."""
        return sum(self.balance[name] for name in BALANCES)

    def table(self, first_year: int) -> pd.DataFrame:
        """Annual flows: year, account (the flow's name), usd."""
        flows = list(self.by_year)
        n_years = self.by_year[flows[0]].size
        return pd.DataFrame({
            "year": np.tile(first_year + np.arange(n_years), len(flows)),
            "account": np.repeat(np.array(flows, dtype=object), n_years),
            "usd": np.concatenate([self.by_year[flow] for flow in flows]),
        })
