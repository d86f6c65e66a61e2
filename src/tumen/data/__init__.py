"""Observed series shipped with the package, each row with its source."""

from __future__ import annotations

from importlib import resources

import pandas as pd


def observed_arrivals() -> pd.DataFrame:
    """Annual North Korean arrivals in South Korea, 1998-2015 (Ministry of Unification).

    Columns: year, arrivals, women, women_share, source. Missing sex splits are NaN.
    """
    with resources.files(__package__).joinpath("sk_arrivals.csv").open("r") as handle:
        return pd.read_csv(handle)
