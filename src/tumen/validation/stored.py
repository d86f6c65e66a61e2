"""Ensembles read from a run store, for validation.

A run store is where ensembles live: `tumen validate` runs its own as a sweep into one
and validates what the store then holds, and `tumen validate --store` validates a seeds
sweep already there (`tumen sweep --seeds N`). Either way the report comes from the
records the store keeps of each run (see `tumen.validation.record`).
"""

from __future__ import annotations

import json
from pathlib import Path

from tumen.ensemble.spec import Sweep, seeds_only
from tumen.ensemble.store import RunStore, StoreError
from tumen.scenario import ScenarioError, load_scenario
from tumen.scenario.schema import Scenario
from tumen.validation.record import RunRecord


class RunsFailed(Exception):
    """Some runs of the sweep failed, so the ensemble cannot be validated whole."""


def find_sweep(store: RunStore, scenario: Scenario, name: str | None = None,
               until: int | None = None) -> Sweep:
    """The seeds sweep of `scenario` in `store` (the one named `name`, if given; ended
    with `until`, if given). StoreError, saying what the store holds and the fix, when
    there is no such sweep, when it ran another scenario, or when several would do."""
    names = store.sweeps()["sweep"].tolist()
    held = ", ".join(names) or "nothing"
    make = f"make one with: tumen sweep --seeds N --scenario SCENARIO --out {store.folder}"
    if name is not None:
        sweep = store.planned(name)
        if sweep is None:
            raise StoreError(f"{store.folder} holds no sweep named {name!r} (it holds: {held})")
        if not seeds_only(sweep):
            raise StoreError(f"the sweep {name!r} in {store.folder} varies more than the "
                             "seed (values or scenarios); validation needs a seeds sweep")
        _same_scenario(sweep, scenario, until, store.folder)
        return sweep
    sweeps = [sweep for sweep in map(store.planned, names)
              if sweep is not None and seeds_only(sweep)]
    if not sweeps:
        raise StoreError(f"{store.folder} holds no seeds sweep (it holds: {held}); {make}")
    matching = []
    for sweep in sweeps:
        try:
            _same_scenario(sweep, scenario, until, store.folder)
        except StoreError:
            continue
        matching.append(sweep)
    if not matching:
        ran = "; ".join(f"{sweep.name}: {sweep.runs[0].scenario}{_ending(sweep.until)}"
                        for sweep in sweeps)
        raise StoreError(f"no seeds sweep in {store.folder} ran the scenario "
                         f"{scenario.name!r}{_ending(until)} (its sweeps ran {ran}); {make}")
    if len(matching) > 1:
        raise StoreError(f"{store.folder} holds {len(matching)} seeds sweeps of "
                         f"{scenario.name!r} ({', '.join(s.name for s in matching)}); "
                         "name one with --sweep")
    return matching[0]


def _ending(until: int | None) -> str:
    return "" if until is None else f" until {until}"


def _same_scenario(sweep: Sweep, scenario: Scenario, until: int | None,
                   folder: Path) -> None:
    """StoreError unless the sweep ran `scenario` (as it reads today) and, if `until` is
    given, ended with it."""
    source = sweep.runs[0].scenario
    try:
        ran = load_scenario(source)
    except ScenarioError as error:
        raise StoreError(f"the scenario of the sweep {sweep.name!r} in {folder}, {source}, "
                         f"no longer loads: {error}") from None
    if ran.model_dump(mode="json") != scenario.model_dump(mode="json"):
        raise StoreError(f"the sweep {sweep.name!r} in {folder} ran another scenario "
                         f"({source}, named {ran.name!r}) than {scenario.name!r}, or its "
                         "file has changed since")
    if until is not None and sweep.until != until:
        raise StoreError(f"the sweep {sweep.name!r} in {folder} ran"
                         f"{_ending(sweep.until) or ' to the end'}, not until {until}")


def stored_records(store: RunStore, sweep: Sweep) -> list[RunRecord]:
    """Every run of a finished seeds sweep as a validation record, in index order.

    StoreError when runs are missing or the store kept no fact values of them (a store
    written before it kept them); RunsFailed when runs failed.
    """
    rows = store.runs(sweep.name)
    missing = len(sweep.runs) - len(rows)
    if missing:
        raise StoreError(f"the sweep {sweep.name!r} in {store.folder} is missing {missing} of "
                         f"its {len(sweep.runs)} runs; finish it with the command that made "
                         "it and --resume")
    failed = rows[rows["status"] == "failed"]
    if not failed.empty:
        first = failed.iloc[0]
        bug = " (an invariant failing is a bug)" if "invariants failed" in first["error"] else ""
        raise RunsFailed(f"{len(failed)} of {len(rows)} runs of {sweep.name!r} failed; run "
                         f"{first['idx']} (seed {first['seed']}): {first['error']}{bug}")
    if rows["facts"].isna().any():
        raise StoreError(f"the sweep {sweep.name!r} in {store.folder} was stored without "
                         "the facts validation needs (an older store); run it again into "
                         "a new store")
    return [RunRecord(seed=int(row.seed), annual=store.series(sweep.name, row.idx),
                      facts=json.loads(row.facts), period=(row.first_day, row.last_day))
            for row in rows.itertuples()]

