"""Calibration: search a scenario's free parameters for the values that fit what was seen.

The free parameters are the values a scenario file marks `{value: V, calibrate: {low: L,
high: H}}` (see `tumen.scenario.free`). Each trial sets them (`with_values`), simulates
an ensemble of seeds and scores it against the observed annual series: the ARD of
arrivals in South Korea plus the ARD of the women's share among them, the two series the
Ministry of Unification publishes. Optuna's TPE sampler proposes the values; the study
lives in an SQLite file in the output folder, so an interrupted or finished calibration
continues where it stopped when run again with the same folder.

Optuna is imported inside `calibrate` only, so that `import tumen` stays light.
"""

from __future__ import annotations

import json
import logging
import math
import statistics
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import yaml

from tumen.results import Results
from tumen.scenario import ScenarioError, builtin_path, builtin_scenarios, parse_scenario
from tumen.scenario.free import FreeParameter
from tumen.scenario.load import with_values
from tumen.scenario.schema import Scenario
from tumen.validation.ensemble import run_ensemble
from tumen.validation.metrics import ensemble_ard

if TYPE_CHECKING:
    import optuna

STUDY_NAME = "tumen"
DEFAULT_SEEDS = 3
DEFAULT_UNTIL = 2015  # the last year of the observed series shipped with Tumen
TOP = 10
OBSERVED_COLUMNS = ("year", "arrivals", "women_share")
# What a trial's values may do to a run that is not a bug in the caller: an invalid
# combination, a run whose metrics are undefined (no arrivals at all), a failed invariant.
TRIAL_FAILURES: tuple[type[BaseException], ...] = (ScenarioError, ValueError, ArithmeticError)

# Called after each trial with (trials done, trials asked for, best loss so far or None).
TrialDone = Callable[[int, int, float | None], None]


class CalibrationError(ValueError):
    """A calibration that cannot start: nothing to calibrate, no data, or a study in the
    output folder made with other settings."""


@dataclass(frozen=True)
class Score:
    """The objective and its two parts: ARD of arrivals and of the women's share."""

    loss: float
    arrivals_ard: float
    women_share_ard: float


@dataclass(frozen=True)
class Calibration:
    """What a call to `calibrate` did and found."""

    out: Path
    free_parameters: tuple[FreeParameter, ...]
    trials_asked: int
    trials_before: int  # trials done (finished or failed) before this call
    trials_run: int  # trials this call ran
    complete: int  # trials with a score, all calls together
    failed: int  # trials whose values made the scenario fail
    best_trial: int | None
    best_values: dict[str, float]
    best: Score | None
    start_values: dict[str, float]
    start: Score | None  # the scenario as written, trial 0
    years: dict[str, tuple[int, int]] = field(default_factory=dict)


def objective_years(
    scenario: Scenario, observed: pd.DataFrame, until: int | None
) -> tuple[int, int]:
    """The years both simulated and observed: from the later of the scenario's first year
    and the first observed year, to the earliest of `until`, the scenario's last year and
    the last observed year. Raises CalibrationError when they do not overlap."""
    first = max(scenario.period.start.year, int(observed["year"].min()))
    last = scenario.period.end.year if until is None else min(until, scenario.period.end.year)
    last = min(last, int(observed["year"].max()))
    if last < first:
        raise CalibrationError(
            f"the observed years ({int(observed['year'].min())}-{int(observed['year'].max())}) "
            f"do not overlap the simulated ones ({scenario.period.start.year}-"
            f"{scenario.period.end.year if until is None else until})"
        )
    return first, last


def series_years(observed: pd.DataFrame, years: tuple[int, int]) -> dict[str, tuple[int, int]]:
    """For each observed series, the first and last year in `years` it has a value for
    (the women's share starts in 2000, arrivals in 1998). Raises CalibrationError for a
    series with no value, or only zeros, in those years."""
    found = {}
    inside = observed[observed["year"].between(*years)]
    for column in OBSERVED_COLUMNS[1:]:
        known = inside[inside[column].notna()]
        if known.empty or float(known[column].sum()) == 0:
            raise CalibrationError(
                f"the observed {column!r} has no value above 0 in {years[0]}-{years[1]}"
            )
        found[column] = (int(known["year"].min()), int(known["year"].max()))
    return found


def score(runs: Sequence[Results], observed: pd.DataFrame, years: tuple[int, int]) -> Score:
    """ARD of the ensemble's arrivals in South Korea plus ARD of its women's share, both
    against `observed` (columns year, arrivals, women_share) over `years`, inclusive;
    years with no observed value are left out of each part."""
    arrivals = ensemble_ard(runs, observed, "arrivals_sk", years, observed_column="arrivals")
    women = ensemble_ard(runs, observed, "women_share", years)
    return Score(loss=arrivals + women, arrivals_ard=arrivals, women_share_ard=women)


def evaluate(
    scenario: Scenario,
    values: Mapping[str, float],
    observed: pd.DataFrame,
    seeds: Sequence[int],
    until: int | None = DEFAULT_UNTIL,
    workers: int = 1,
) -> Score:
    """The objective of one trial: the scenario with `values` set, simulated once per
    seed up to the end of `until`, scored against `observed` (see `score`).

    Raises ScenarioError for values the scenario refuses, ValueError when a run breaks
    an invariant or the score is undefined (e.g. nobody arrives at all).
    """
    changed = with_values(scenario, values)
    runs = run_ensemble(changed, seeds, until=until, workers=workers)
    broken = [run.seed for run in runs if not run.passed]
    if broken:
        raise ValueError(f"an invariant failed in the runs of seeds {broken}")
    return score(runs, observed, objective_years(scenario, observed, until))


def calibrate(
    scenario_source: str | Path,
    out: Path,
    trials: int,
    seeds: int = DEFAULT_SEEDS,
    until: int | None = DEFAULT_UNTIL,
    workers: int = 1,
    seed: int = 0,
    observed: pd.DataFrame | None = None,
    on_trial: TrialDone | None = None,
) -> Calibration:
    """Search the free parameters of a scenario for the best fit to the observed series.

    Args:
        scenario_source: a scenario file, or the name of a built-in scenario.
        out: the folder of the study (`study.db`) and its outputs: `best.json`,
            `top10.csv`, `posterior.json` and `calibrated.yaml`. A folder holding a study
            already continues it.
        trials: trials in all, those already in `out` included; only the missing ones run.
        seeds: runs per trial, with seeds 1 to `seeds`.
        until: simulate to the end of this year (None: the whole period).
        workers: processes for each trial's runs.
        seed: seed of the TPE sampler; a continued study draws from `seed` plus the
            trials already done, so it does not replay the first call's draws.
        observed: the observed frame (year, arrivals, women_share); the Ministry of
            Unification's series by default. The years scored are those it shares
            with the simulated period.
        on_trial: called with (trials done, trials asked for, best loss) at the start
            and after each trial.

    Raises CalibrationError when there is nothing to calibrate or the folder's study was
    made with other settings. Ctrl-C (KeyboardInterrupt) stops after recording the
    trial under way as interrupted and writing the outputs of the trials done; a new
    call with the same folder continues.
    """
    if trials < 1:
        raise CalibrationError(f"trials must be at least 1, got {trials}")
    job = prepare_job(scenario_source, out, seeds, until, workers, observed)
    with quiet_optuna():
        return _run_study(job, trials, seed, on_trial)


@contextmanager
def quiet_optuna() -> Iterator[None]:
    """Optuna without a log line per trial (the caller shows progress), as before after."""
    import optuna

    verbosity = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(logging.WARNING)
    try:
        yield
    finally:
        optuna.logging.set_verbosity(verbosity)


def prepare_job(
    scenario_source: str | Path,
    out: Path,
    seeds: int,
    until: int | None,
    workers: int,
    observed: pd.DataFrame | None,
) -> StudyJob:
    """What every trial of a study shares, checked (see `calibrate` for the arguments);
    creates the folder `out`."""
    if seeds < 1:
        raise CalibrationError(f"seeds must be at least 1, got {seeds}")
    text, filename = read_source(scenario_source)
    scenario = parse_scenario(text, filename)
    if not scenario.free_parameters:
        raise CalibrationError(
            f"{filename} has no free parameters: write the values to calibrate as "
            "{value: V, calibrate: {low: L, high: H}} (see docs/scenarios.md)"
        )
    if observed is None:
        from tumen.data import observed_arrivals

        observed = observed_arrivals()
    missing = [column for column in OBSERVED_COLUMNS if column not in observed.columns]
    if missing:
        raise CalibrationError(f"the observed frame lacks the columns {missing}")
    years = objective_years(scenario, observed, until)
    job = StudyJob(
        scenario=scenario,
        text=text,
        filename=filename,
        out=Path(out),
        seeds=list(range(1, seeds + 1)),
        until=until,
        workers=workers,
        observed=observed,
        years=years,
        per_series=series_years(observed, years),
    )
    job.out.mkdir(parents=True, exist_ok=True)
    return job


@dataclass(frozen=True)
class StudyJob:
    """Everything a calibration's trials share."""

    scenario: Scenario
    text: str
    filename: str
    out: Path
    seeds: list[int]
    until: int | None
    workers: int
    observed: pd.DataFrame
    years: tuple[int, int]
    per_series: dict[str, tuple[int, int]]

    @property
    def settings(self) -> dict[str, Any]:
        """What makes two trials' losses comparable; a study keeps them to refuse others."""
        return {
            "free_parameters": [
                {"path": p.path, "low": p.low, "high": p.high, "log": p.log, "integer": p.integer}
                for p in self.scenario.free_parameters
            ],
            "seeds": len(self.seeds),
            "until": self.until,
            "years": list(self.years),
        }


def _run_study(job: StudyJob, trials: int, seed: int, on_trial: TrialDone | None) -> Calibration:
    """Open or continue the study in `job.out` and run the trials it still lacks."""
    import optuna

    free = job.scenario.free_parameters
    study = open_study(job)
    start_values = {p.path: p.value for p in free}
    if not study.trials:
        study.enqueue_trial(start_values)  # trial 0: the scenario as written
    before = _done(study.trials)
    study.sampler = optuna.samplers.TPESampler(seed=seed + before)
    distributions = {p.path: distribution(p) for p in free}

    done, ran = before, 0
    if on_trial is not None:
        on_trial(done, trials, best_loss(study))
    try:
        while done < trials:
            run_trial(study, study.ask(distributions), job)
            done, ran = done + 1, ran + 1
            if on_trial is not None:
                on_trial(done, trials, best_loss(study))
    finally:
        finish(study, job)
    return summary(job.out, free, trials, before, ran, study.trials, start_values,
                    job.per_series)


def open_study(job: StudyJob) -> optuna.Study:
    """The study in `job.out`, new or continued, checked to have been made with the same
    settings; a trial left running by a killed call is marked failed."""
    import optuna
    from optuna.trial import TrialState

    study = optuna.create_study(
        study_name=STUDY_NAME,
        storage=f"sqlite:///{(job.out / 'study.db').resolve()}",
        load_if_exists=True,
        direction="minimize",
    )
    _check_settings(study, job.settings, job.out)
    for stale in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        # Left running by a call that was killed: failed, and not counted as done.
        study.tell(stale.number, state=TrialState.FAIL, skip_if_finished=True)
    return study


def run_trial(study: optuna.Study, trial: optuna.Trial, job: StudyJob) -> float | None:
    """Score `trial`'s values and record the result in `study`: the loss, or None for
    values the scenario refuses (a failed trial). Ctrl-C marks the trial interrupted."""
    from optuna.trial import TrialState

    values = {p.path: trial.params[p.path] for p in job.scenario.free_parameters}
    try:
        result = evaluate(job.scenario, values, job.observed, job.seeds, job.until, job.workers)
    except KeyboardInterrupt:
        trial.set_user_attr("interrupted", True)
        study.tell(trial, state=TrialState.FAIL)
        raise
    except TRIAL_FAILURES as exc:
        trial.set_user_attr("error", str(exc)[:2000])
        study.tell(trial, state=TrialState.FAIL)
        return None
    trial.set_user_attr("arrivals_ard", result.arrivals_ard)
    trial.set_user_attr("women_share_ard", result.women_share_ard)
    study.tell(trial, result.loss)
    return result.loss


def finish(study: optuna.Study, job: StudyJob) -> None:
    """Write the outputs of the trials scored so far, if any."""
    from optuna.trial import TrialState

    finished = study.trials
    if any(t.state == TrialState.COMPLETE for t in finished):
        write_outputs(job.out, job.text, job.filename, job.scenario.free_parameters, finished,
                      job.settings, job.per_series)


def read_source(source: str | Path) -> tuple[str, str]:
    """The text of a scenario file or built-in scenario, and the name to report it by."""
    if isinstance(source, str) and source in builtin_scenarios():
        path = builtin_path(source)
        return path.read_text(encoding="utf-8"), str(path)
    try:
        return Path(source).read_text(encoding="utf-8"), str(source)
    except (OSError, UnicodeDecodeError) as exc:
        raise CalibrationError(f"cannot read {source}: {exc}") from None


def calibrated_text(text: str, free: Sequence[FreeParameter], values: Mapping[str, float]) -> str:
    """The scenario text with each free parameter's value replaced where it is written.

    Only the characters of the value change: comments, sources, layout and the markers
    themselves stay, so the result can be read beside the original and calibrated again.
    """
    lines = text.splitlines(keepends=True)
    # Right to left within a line, so that a replacement does not move the next one.
    for p in sorted(free, key=lambda p: (p.line, -p.columns[0])):
        if p.path not in values:
            continue
        begin, end = p.columns
        line = lines[p.line - 1]
        written = yaml.safe_load(line[begin:end]) if end > begin else None
        if isinstance(written, bool) or not isinstance(written, int | float):
            raise ValueError(f"line {p.line} does not hold the value of {p.path} where expected")
        lines[p.line - 1] = line[:begin] + format_value(values[p.path], p) + line[end:]
    return "".join(lines)


def format_value(value: float, parameter: FreeParameter) -> str:
    """`value` written for YAML: short (6 significant digits) when that stays within the
    parameter's range, without an exponent from 1 up (2110000.0, not 2.11e+06, for a
    reader of the file), and always read back by YAML as a number."""
    if parameter.integer:
        return str(round(value))
    short = f"{value:.6g}"
    if "e" in short and abs(value) >= 1:
        short = f"{float(short):.1f}"
    for text in (short, repr(float(value))):
        text = _yaml_float(text)
        if parameter.low <= float(text) <= parameter.high:
            return text
    return _yaml_float(repr(float(value)))


def _yaml_float(text: str) -> str:
    # YAML 1.1, as PyYAML reads it, takes 1e-05 for text: it wants a point in the mantissa.
    mantissa, _, exponent = text.partition("e")
    if exponent and "." not in mantissa:
        return f"{mantissa}.0e{exponent}"
    return text


def write_outputs(
    out: Path,
    text: str,
    filename: str,
    free: Sequence[FreeParameter],
    trials: Sequence[optuna.trial.FrozenTrial],
    settings: Mapping[str, Any],
    per_series: Mapping[str, tuple[int, int]],
) -> None:
    """best.json, top10.csv, posterior.json and calibrated.yaml from a study's trials."""
    top = _ranked(trials)[:TOP]
    if not top:
        return
    best = top[0]
    start = {p.path: p.value for p in free}
    (out / "best.json").write_text(
        json.dumps(
            {
                "scenario": filename,
                "loss": best.value,
                "arrivals_ard": best.user_attrs.get("arrivals_ard"),
                "women_share_ard": best.user_attrs.get("women_share_ard"),
                "trial": best.number,
                "parameters": best.params,
                "start": start,
                "trials_complete": len(_ranked(trials)),
                "trials_failed": sum(1 for t in trials if "error" in t.user_attrs),
                "seeds": list(range(1, settings["seeds"] + 1)),
                "until": settings["until"],
                "years": {name: list(span) for name, span in per_series.items()},
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    rows = [
        {
            "rank": rank,
            "trial": t.number,
            "loss": t.value,
            "arrivals_ard": t.user_attrs.get("arrivals_ard"),
            "women_share_ard": t.user_attrs.get("women_share_ard"),
            **{p.path: t.params[p.path] for p in free},
        }
        for rank, t in enumerate(top, start=1)
    ]
    pd.DataFrame(rows).to_csv(out / "top10.csv", index=False)
    posterior = {}
    for p in free:
        sample = [float(t.params[p.path]) for t in top]
        posterior[p.path] = {
            "mean": statistics.fmean(sample),
            "sd": statistics.stdev(sample) if len(sample) > 1 else 0.0,
            "min": min(sample),
            "max": max(sample),
            "n": len(sample),
            "low": p.low,
            "high": p.high,
            "start": p.value,
        }
    (out / "posterior.json").write_text(json.dumps(posterior, indent=2) + "\n", encoding="utf-8")
    calibrated = calibrated_text(text, free, best.params)
    parse_scenario(calibrated, str(out / "calibrated.yaml"))  # never write a file that fails
    (out / "calibrated.yaml").write_text(calibrated, encoding="utf-8")


def distribution(p: FreeParameter) -> Any:
    """The range Optuna searches for `p`."""
    from optuna.distributions import FloatDistribution, IntDistribution

    if p.integer:
        return IntDistribution(int(p.low), int(p.high), log=p.log)
    return FloatDistribution(p.low, p.high, log=p.log)


def _check_settings(study: optuna.Study, settings: dict[str, Any], out: Path) -> None:
    """Refuse to mix trials scored differently in one study; record the settings if new."""
    previous = study.user_attrs.get("settings")
    if previous is None:
        if study.trials:
            raise CalibrationError(f"{out / 'study.db'} holds a study not made by tumen calibrate")
        study.set_user_attr("settings", settings)
        return
    wanted = json.loads(json.dumps(settings))  # as the study stores it
    if previous != wanted:
        differ = [key for key in wanted if previous.get(key) != wanted[key]]
        raise CalibrationError(
            f"{out} holds a study made with other {', '.join(differ)} "
            f"({', '.join(f'{key}={previous.get(key)}' for key in differ)}); "
            "use the same ones to continue it, or another --out to start afresh"
        )


def _done(trials: Sequence[optuna.trial.FrozenTrial]) -> int:
    """Trials that count toward the number asked for: scored, or failed by their values
    (not those interrupted by Ctrl-C, which are run again)."""
    from optuna.trial import TrialState

    failed = TrialState.FAIL
    return sum(
        1
        for t in trials
        if t.state == TrialState.COMPLETE or (t.state == failed and "error" in t.user_attrs)
    )


def _ranked(trials: Sequence[optuna.trial.FrozenTrial]) -> list[optuna.trial.FrozenTrial]:
    from optuna.trial import TrialState

    complete = [t for t in trials if t.state == TrialState.COMPLETE and t.value is not None]
    return sorted(complete, key=lambda t: (t.value, t.number))


def best_loss(study: optuna.Study) -> float | None:
    """The lowest loss of the study's scored trials, None before any."""
    ranked = _ranked(study.trials)
    return ranked[0].value if ranked else None


def _score_of(t: optuna.trial.FrozenTrial) -> Score:
    return Score(
        loss=float(t.value),
        arrivals_ard=float(t.user_attrs.get("arrivals_ard", math.nan)),
        women_share_ard=float(t.user_attrs.get("women_share_ard", math.nan)),
    )


def summary(
    out: Path,
    free: tuple[FreeParameter, ...],
    asked: int,
    before: int,
    ran: int,
    trials: Sequence[optuna.trial.FrozenTrial],
    start_values: dict[str, float],
    per_series: dict[str, tuple[int, int]],
) -> Calibration:
    ranked = _ranked(trials)
    best = ranked[0] if ranked else None
    start = next((t for t in ranked if t.params == start_values), None)
    return Calibration(
        out=out,
        free_parameters=free,
        trials_asked=asked,
        trials_before=before,
        trials_run=ran,
        complete=len(ranked),
        failed=sum(1 for t in trials if "error" in t.user_attrs),
        best_trial=None if best is None else best.number,
        best_values={} if best is None else dict(best.params),
        best=None if best is None else _score_of(best),
        start_values=start_values,
        start=None if start is None else _score_of(start),
        years=per_series,
    )
