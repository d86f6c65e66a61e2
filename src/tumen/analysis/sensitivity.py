"""Global sensitivity: which of a scenario's uncertain values move its outcomes most.

The values and their ranges come from a sweep file's `vary.sample.ranges` (`n` is the
base sample size); SALib draws the points (Saltelli's scheme for Sobol indices, Morris
trajectories for elementary effects), the points run as a sweep into a run store (so a
long analysis resumes where it stopped), and SALib estimates the indices with bootstrap
confidence intervals. Every point runs on the same seed: with each escapee's own random
stream, the indices then measure the values' effects rather than the noise between runs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from html import escape
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tumen.ensemble.seeds import run_seed
from tumen.ensemble.spec import PlannedRun, Sweep, SweepFile, scenario_source
from tumen.ensemble.store import MEASURES

OUTPUTS = MEASURES


class Method(StrEnum):
    SOBOL = "sobol"
    MORRIS = "morris"


@dataclass(frozen=True)
class Design:
    """The sampled points of an analysis and the sweep that runs them."""

    problem: dict[str, Any]
    points: np.ndarray  # one row per run, in the units of the scenario
    sweep: Sweep


def design(spec: SweepFile, folder: Path, method: Method) -> Design:
    """SALib's points for the sweep file's ranges, as a sweep (one run per point)."""
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    if spec.vary is None or spec.vary.sample is None:
        raise ValueError("a sensitivity analysis needs vary.sample.ranges in the sweep file: "
                         "the values to vary and their ranges")
    ranges = spec.vary.sample.ranges
    names = list(ranges)
    # Log ranges are sampled evenly in the logarithm, as in a sweep's Latin hypercube.
    bounds = [[math.log(r.low), math.log(r.high)] if r.log else [r.low, r.high]
              for r in ranges.values()]
    problem = {"num_vars": len(names), "names": names, "bounds": bounds}
    n = spec.vary.sample.n
    if method is Method.SOBOL:
        unit = sobol_sample.sample(problem, n, calc_second_order=False, seed=spec.seed)
    else:
        unit = morris_sample.sample(problem, n, seed=spec.seed)
    points = unit.copy()
    for column, r in enumerate(ranges.values()):
        if r.log:
            points[:, column] = np.exp(points[:, column])
    scenario = scenario_source(spec.scenario, folder)
    seed = run_seed(spec.seed, 0)
    runs = [PlannedRun(index=i, scenario=scenario, seed=seed,
                       values=dict(zip(names, map(float, row), strict=True)))
            for i, row in enumerate(points)]
    sweep = Sweep(name=f"{spec.name}-{method.value}", until=spec.until, runs=runs)
    return Design(problem=problem, points=unit, sweep=sweep)


def indices(plan: Design, runs: pd.DataFrame, method: Method, seed: int = 0) -> pd.DataFrame:
    """Sensitivity indices of every output from the runs of `plan.sweep` (as a run store
    lists them): one row per output and value, with the first-order and total Sobol
    indices (or Morris' mu* and sigma) and 95% intervals."""
    from SALib.analyze import morris, sobol

    runs = runs.set_index("idx").reindex(range(len(plan.points)))
    failed = runs["status"].ne("done")
    if failed.any():
        first = runs[failed].index[0]
        raise ValueError(f"{int(failed.sum())} of {len(runs)} runs did not finish (run "
                         f"{first}: {runs.loc[first, 'error']}); indices need every point")
    rows = []
    for output in OUTPUTS:
        y = runs[output].to_numpy(dtype=float)
        if not np.isfinite(y).all() or np.ptp(y) == 0:
            # Nothing to apportion: an output that never changes (or is undefined).
            for name in plan.problem["names"]:
                rows.append(_row(output, name, method, [np.nan] * 4))
            continue
        if method is Method.SOBOL:
            found = sobol.analyze(plan.problem, y, calc_second_order=False, seed=seed)
            columns = [found["S1"], found["S1_conf"], found["ST"], found["ST_conf"]]
        else:
            found = morris.analyze(plan.problem, plan.points, y, seed=seed)
            columns = [found["mu_star"], found["mu_star_conf"], found["sigma"],
                       np.full(len(found["sigma"]), np.nan)]
        for i, name in enumerate(plan.problem["names"]):
            rows.append(_row(output, name, method, [column[i] for column in columns]))
    return pd.DataFrame(rows)


def _row(output: str, name: str, method: Method, values: list[float]) -> dict[str, Any]:
    first, total = ("S1", "ST") if method is Method.SOBOL else ("mu_star", "sigma")
    return {"output": output, "parameter": name, first: values[0],
            f"{first}_conf": values[1], total: values[2], f"{total}_conf": values[3]}


def write_sensitivity(table: pd.DataFrame, method: Method, folder: Path) -> None:
    """sensitivity.csv and sensitivity.html (a bar chart per output, offline) in `folder`."""
    from plotly.subplots import make_subplots

    from tumen.report.figures import TEMPLATE
    from tumen.report.html import standalone_page

    folder.mkdir(parents=True, exist_ok=True)
    table.to_csv(folder / "sensitivity.csv", index=False)
    first, total = ("S1", "ST") if method is Method.SOBOL else ("mu_star", "sigma")
    fig = make_subplots(rows=1, cols=len(OUTPUTS), subplot_titles=list(OUTPUTS))
    for col, output in enumerate(OUTPUTS, start=1):
        part = table[table["output"] == output]
        for name, shown in ((first, col == 1), (total, col == 1)):
            fig.add_bar(x=part["parameter"], y=part[name], name=name, legendgroup=name,
                        showlegend=shown, row=1, col=col,
                        error_y={"type": "data", "array": part[f"{name}_conf"]})
    fig.update_layout(template=TEMPLATE, height=460, barmode="group",
                      title=f"{method.value.title()} sensitivity (whiskers: 95% intervals)")
    chart = fig.to_html(full_html=False, include_plotlyjs=False, config={"displaylogo": False})
    body = f"""<h1>Sensitivity ({escape(method.value)})</h1>
<section class="chart">{chart}</section>
{table.to_html(index=False, float_format=lambda v: f"{v:,.3f}", border=0, na_rep="-")}"""
    page = standalone_page("Tumen sensitivity", body)
    (folder / "sensitivity.html").write_text(page, encoding="utf-8")
