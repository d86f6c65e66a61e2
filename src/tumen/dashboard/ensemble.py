"""A stored ensemble shown beside the dashboard's runs: the finished runs of a seeds sweep
in a run store (`tumen sweep --seeds N`, or the store of `tumen run --runs N`).

The dashboard's own store keeps single runs for the page's what-ifs; ensembles made
outside it are read from the run store that made them, once, when the server starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tumen.ensemble.spec import seeds_only
from tumen.ensemble.store import RunStore, StoreError


@dataclass(frozen=True)
class StoredEnsemble:
    """The annual tables of a sweep's finished runs, and the name the charts give them."""

    label: str
    annuals: list[pd.DataFrame]


def stored_ensemble(folder: Path, sweep: str | None = None) -> StoredEnsemble:
    """The finished runs of the seeds sweep `sweep` (or of the store's only sweep).

    StoreError, with the fix, when `folder` is not a run store, holds no such sweep or
    several to choose from, the sweep varies more than the seed, or no run of it finished.
    """
    store = RunStore(folder)
    names = store.sweeps()["sweep"].tolist()
    if sweep is None:
        if len(names) != 1:
            raise StoreError(f"{folder} holds {len(names)} sweeps"
                             f"{' (' + ', '.join(names) + ')' if names else ''}; "
                             + ("name one with --sweep" if names else
                                "fill it with tumen sweep --seeds N --out " + str(folder)))
        sweep = names[0]
    planned = store.planned(sweep)
    if planned is None:
        raise StoreError(f"{folder} holds no sweep named {sweep!r} (it holds: "
                         f"{', '.join(names) or 'nothing'})")
    if not seeds_only(planned):
        raise StoreError(f"the sweep {sweep!r} in {folder} varies more than the seed; the "
                         "dashboard draws the spread of one scenario's seeds")
    runs = store.runs(sweep)
    done = runs.loc[runs["status"] == "done", "idx"]
    if done.empty:
        raise StoreError(f"no run of the sweep {sweep!r} in {folder} has finished")
    annuals = [store.series(sweep, index).drop(columns="run") for index in done]
    return StoredEnsemble(label=f"Stored {sweep}", annuals=annuals)
