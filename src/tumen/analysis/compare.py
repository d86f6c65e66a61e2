"""Scenarios side by side: the same seeds for each, differences paired run by run.

Each scenario is run with the same seeds: common random numbers. Every escapee draws
from her own stream, keyed by her identity and the seed (`tumen.engine.luck`), so the
same person meets the same luck in both scenarios unless the change touches her, and
paired differences carry far less noise than differences between independent runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from pathlib import Path

import numpy as np
import pandas as pd

from tumen.results import Results
from tumen.scenario.schema import Scenario
from tumen.validation.ensemble import run_ensemble

RunDone = Callable[[int, int], None]
MEASURES = {
    "arrivals": "arrivals in South Korea and the United States",
    "arrests": "arrests in China",
    "safe_houses_compromised": "safe houses compromised",
    "journey_days": "median journey, days (arrival-weighted over years)",
    "cost_per_arrival": "rescue and travel cost per arrival, USD",
}


def measures_of(results: Results) -> dict[str, float]:
    """The compared outcomes of one run."""
    annual, totals = results.annual, results.summary["totals"]
    arrivals = totals["arrivals_sk"] + totals["arrivals_us"]
    weights = annual["arrivals_sk"].to_numpy(dtype=float)
    journeys = annual["median_journey_days"].to_numpy(dtype=float)
    known = np.isfinite(journeys) & (weights > 0)
    return {
        "arrivals": arrivals,
        "arrests": totals["arrests_china"],
        "safe_houses_compromised": totals["safe_houses_compromised"],
        "journey_days": float(np.average(journeys[known], weights=weights[known]))
        if known.any() else float("nan"),
        "cost_per_arrival": totals["cost_usd"] / arrivals if arrivals else float("nan"),
    }


def compare_runs(scenarios: Sequence[Scenario], labels: Sequence[str], seeds: Sequence[int],
                 until: int | None = None, workers: int = 1,
                 on_done: RunDone | None = None) -> pd.DataFrame:
    """One row per scenario and seed with the compared measures."""
    if len(scenarios) < 2:
        raise ValueError("compare needs at least two scenarios")
    rows, total = [], len(scenarios) * len(seeds)
    for i, (scenario, label) in enumerate(zip(scenarios, labels, strict=True)):
        def advance(done: int, _: int, before: int = i * len(seeds)) -> None:
            if on_done is not None:
                on_done(before + done, total)

        runs = run_ensemble(scenario, seeds, until=until, workers=workers, on_done=advance)
        rows += [{"scenario": label, "seed": seed, **measures_of(run)}
                 for seed, run in zip(seeds, runs, strict=True)]
    return pd.DataFrame(rows)


def differences(runs: pd.DataFrame) -> pd.DataFrame:
    """For each scenario after the first and each measure: the mean of the paired
    differences from the first scenario, with the 5th and 95th percentiles."""
    labels = list(dict.fromkeys(runs["scenario"]))
    base = runs[runs["scenario"] == labels[0]].set_index("seed")
    rows = []
    for label in labels[1:]:
        other = runs[runs["scenario"] == label].set_index("seed")
        for measure in MEASURES:
            paired = (other[measure] - base[measure]).dropna().to_numpy()
            rows.append({
                "scenario": label, "baseline": labels[0], "measure": measure,
                "baseline_mean": float(base[measure].mean()),
                "scenario_mean": float(other[measure].mean()),
                "difference_mean": float(paired.mean()) if paired.size else float("nan"),
                "difference_p5": float(np.percentile(paired, 5)) if paired.size else float("nan"),
                "difference_p95": float(np.percentile(paired, 95)) if paired.size else float("nan"),
            })
    return pd.DataFrame(rows)


def write_comparison(runs: pd.DataFrame, table: pd.DataFrame, folder: Path) -> None:
    """runs.csv, differences.csv and compare.html (self-contained) into `folder`."""
    from plotly.subplots import make_subplots

    from tumen.report.figures import TEMPLATE
    from tumen.report.html import standalone_page

    folder.mkdir(parents=True, exist_ok=True)
    runs.to_csv(folder / "runs.csv", index=False)
    table.to_csv(folder / "differences.csv", index=False)
    fig = make_subplots(rows=1, cols=len(MEASURES), subplot_titles=list(MEASURES))
    for col, measure in enumerate(MEASURES, start=1):
        part = table[table["measure"] == measure]
        mean = part["difference_mean"].to_numpy()
        fig.add_bar(x=part["scenario"], y=mean, col=col, row=1, showlegend=False,
                    error_y={"type": "data", "symmetric": False,
                             "array": part["difference_p95"].to_numpy() - mean,
                             "arrayminus": mean - part["difference_p5"].to_numpy()})
    fig.update_layout(template=TEMPLATE, height=420,
                      title="Difference from the baseline, paired by seed (bar: mean; "
                            "whiskers: 5th-95th percentile)")
    chart = fig.to_html(full_html=False, include_plotlyjs=False, config={"displaylogo": False})
    baseline = escape(str(table["baseline"].iloc[0])) if len(table) else ""
    body = f"""<h1>Comparison against {baseline}</h1>
<p class="meta">{runs["seed"].nunique()} seeds per scenario, the same seeds for each.</p>
<section class="chart">{chart}</section>
{table.to_html(index=False, float_format=lambda v: f"{v:,.2f}", border=0)}"""
    page = standalone_page(f"Tumen comparison against {baseline}", body)
    (folder / "compare.html").write_text(page, encoding="utf-8")
