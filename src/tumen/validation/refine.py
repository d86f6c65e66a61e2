"""Refinement: a coordinate search of a scenario's free parameters, from the values it
holds, on the same loss and in the same kind of study as `calibrate`.

TPE samples the whole box of free values and, with twenty of them, improves slowly from
a good start. The search here steps one value at a time up, then down, by a share of its
range (of its logarithm for `log` ranges), keeps the first step that lowers the loss by
more than `MIN_GAIN`, and halves a value's step when neither helps. Its path is fixed by
the scenario's values and the losses, and every scored set of values is a trial of the
study, so a call interrupted by Ctrl-C and made again replays the path from the study
without running those sets again, then goes on.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from tumen.scenario.free import FreeParameter
from tumen.validation import calibrate as study_tools
from tumen.validation.calibrate import DEFAULT_SEEDS, DEFAULT_UNTIL, Calibration, TrialDone

# An improvement in the loss (a sum of two ARDs) smaller than this is within the noise of
# a few seeds, and is not taken.
MIN_GAIN = 0.003
DEFAULT_STEP = 1 / 16  # of a value's range


def refine(
    scenario_source: str | Path,
    out: Path,
    sweeps: int,
    step: float = DEFAULT_STEP,
    seeds: int = DEFAULT_SEEDS,
    until: int | None = DEFAULT_UNTIL,
    workers: int = 1,
    observed: pd.DataFrame | None = None,
    on_trial: TrialDone | None = None,
) -> Calibration:
    """Search the free parameters one at a time from the scenario's values.

    Args:
        scenario_source, out, seeds, until, workers, observed: as for `calibrate`; the
            study in `out` may be shared with `calibrate` (the same settings are needed).
        sweeps: passes over the free parameters.
        step: the first step of each value, as a share of its range.
        on_trial: called with (sets scored, at most this many in all, best loss).

    Writes the same outputs as `calibrate`. Ctrl-C stops after recording the trial under
    way as interrupted; the same call continues.
    """
    if sweeps < 1:
        raise study_tools.CalibrationError(f"sweeps must be at least 1, got {sweeps}")
    if not 0 < step <= 1:
        raise study_tools.CalibrationError(f"step must be above 0 and at most 1, got {step}")
    job = study_tools.prepare_job(scenario_source, out, seeds, until, workers, observed)
    with study_tools.quiet_optuna():
        return _search(job, sweeps, step, on_trial)


def stepped(parameter: FreeParameter, value: float, step: float) -> float:
    """`value` moved by `step` (a signed share of the range, on a log scale for `log`
    ranges), kept in the range; an integer moves by at least 1."""
    low, high = parameter.low, parameter.high
    if parameter.log:
        moved = value * math.exp(step * math.log(high / low))
    else:
        moved = value + step * (high - low)
    if parameter.integer:
        moved = round(moved)
        if moved == value:
            moved = value + (1 if step > 0 else -1)
    return min(max(moved, low), high)


def _search(job: study_tools.StudyJob, sweeps: int, step: float,
            on_trial: TrialDone | None) -> Calibration:
    from optuna.trial import TrialState

    free = job.scenario.free_parameters
    study = study_tools.open_study(job)
    distributions = {p.path: study_tools.distribution(p) for p in free}
    # Sets already scored, a failed one (values the scenario refuses) as an infinite loss.
    scored = {
        _key(free, t.params): t.value if t.state == TrialState.COMPLETE else math.inf
        for t in study.trials
        if t.state == TrialState.COMPLETE
        or (t.state == TrialState.FAIL and "error" in t.user_attrs)
    }
    before, ran = len(scored), 0
    most = 1 + 2 * sweeps * len(free)

    def loss(values: Mapping[str, float]) -> float:
        nonlocal ran
        key = _key(free, values)
        if key not in scored:
            study.enqueue_trial(dict(values), skip_if_exists=False)
            found = study_tools.run_trial(study, study.ask(distributions), job)
            scored[key] = math.inf if found is None else found
            ran += 1
        if on_trial is not None:
            on_trial(len(scored), most, study_tools.best_loss(study))
        return scored[key]

    start = {p.path: p.value for p in free}
    values, steps = dict(start), {p.path: step for p in free}
    try:
        best = loss(values)
        for _ in range(sweeps):
            for p in free:
                for direction in (1, -1):
                    trial = dict(values, **{p.path: stepped(p, values[p.path],
                                                            direction * steps[p.path])})
                    if trial[p.path] == values[p.path]:
                        continue
                    found = loss(trial)
                    if found < best - MIN_GAIN:
                        best, values = found, trial
                        break
                else:
                    steps[p.path] /= 2
    finally:
        study_tools.finish(study, job)
    return study_tools.summary(job.out, free, most, before, ran, study.trials, start,
                               job.per_series)


def _key(free: tuple[FreeParameter, ...], values: Mapping[str, float]) -> tuple[float, ...]:
    """A set of values as the study stores it, to look up sets already scored."""
    return tuple(float(values[p.path]) for p in free)
