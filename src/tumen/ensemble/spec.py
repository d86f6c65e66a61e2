"""Sweep files: a base scenario and what varies across runs.

```yaml
name: fees-and-crackdowns        # names the sweep in the run store
scenario: korea-1998-2025        # a built-in name, or a file relative to this one
until: 2012                      # optional: end every run at the close of this year
seed: 7                          # the sweep's seed (default 0)
seeds: 5                         # runs per parameter set (default 1)
vary:                            # optional; at most one of grid, sample, scenarios
  grid:                          # every combination
    parameters.crossing.detection: [0.1, 0.2]
    population.departures_per_day: [2, 4]
  sample:                        # a Latin hypercube over ranges
    n: 20
    ranges:
      parameters.crossing.detection: {low: 0.05, high: 0.3}
      population.departures_per_day: {low: 2, high: 10, log: true}
  scenarios: [a.yaml, b.yaml]    # files relative to this one, or built-in names
```

Parameters are named by their path in a scenario file, as calibration names them. A
bad file gets every problem at once, each with its line and the fix.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, ValidationError, model_validator

from tumen.ensemble.seeds import run_seed
from tumen.scenario.free import field_kind, parse_path
from tumen.scenario.load import LineIndex, Problem, ScenarioError, explain, read_yaml
from tumen.scenario.references import format_path
from tumen.scenario.schema import Strict

DEFAULT_SCENARIO = "korea-1998-2025"
_SECTIONS = "name, scenario, and optionally until, seed, seeds and vary"


class Range(Strict):
    """Where a sampled parameter may fall; `log` samples it evenly in its logarithm."""

    low: float
    high: float
    log: bool = False

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.low >= self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        if self.log and self.low <= 0:
            raise ValueError(f"a log range needs low > 0, got {self.low:g}")
        return self


class Sample(Strict):
    """A Latin hypercube of `n` points over the ranges."""

    n: Annotated[int, Field(ge=1, le=1_000_000)]
    ranges: Annotated[dict[str, Range], Field(min_length=1)]


class Vary(Strict):
    """What changes from one parameter set to the next: one of the three ways."""

    grid: Annotated[dict[str, Annotated[list[float], Field(min_length=1)]],
                    Field(min_length=1)] | None = None
    sample: Sample | None = None
    scenarios: Annotated[list[str], Field(min_length=1)] | None = None

    @model_validator(mode="after")
    def _one_way(self) -> Vary:
        given = [name for name in ("grid", "sample", "scenarios") if getattr(self, name)]
        if len(given) != 1:
            raise ValueError("give exactly one of grid, sample or scenarios"
                             + (f" (found {', '.join(given)})" if given else ""))
        return self


class SweepFile(Strict):
    """The contents of a sweep file."""

    name: Annotated[str, Field(min_length=1, max_length=100)]
    scenario: str = DEFAULT_SCENARIO
    until: Annotated[int, Field(ge=1900, le=2200)] | None = None
    seed: Annotated[int, Field(ge=0)] = 0
    seeds: Annotated[int, Field(ge=1, le=1_000_000)] = 1
    vary: Vary | None = None


@dataclass(frozen=True)
class PlannedRun:
    """One run of a sweep: which scenario, which values set, which seed."""

    index: int
    scenario: str
    values: dict[str, float] = field(default_factory=dict)
    seed: int = 0


@dataclass(frozen=True)
class Sweep:
    """A sweep ready to run: its name, end year and every run."""

    name: str
    until: int | None
    runs: list[PlannedRun]


def seeds_only(sweep: Sweep) -> bool:
    """True when every run is of one scenario with nothing changed: only the seed varies,
    so that the runs' spread is the model's randomness."""
    return (bool(sweep.runs) and len({run.scenario for run in sweep.runs}) == 1
            and not any(run.values for run in sweep.runs))


def seeds_sweep(count: int, scenario: str = DEFAULT_SCENARIO, until: int | None = None,
                seed: int = 0, name: str | None = None) -> Sweep:
    """`count` seeds of one scenario: the quick form that needs no sweep file."""
    spec = SweepFile(name=name or f"seeds-{Path(scenario).stem}", scenario=scenario,
                     until=until, seed=seed, seeds=count)
    return plan(spec, Path.cwd())


def given_seeds_sweep(seeds: Sequence[int], scenario: str = DEFAULT_SCENARIO,
                      until: int | None = None, name: str = "ensemble") -> Sweep:
    """One run of one scenario per seed given, in order: for an ensemble whose seeds a
    command fixes (`tumen validate` runs seeds 1 to N) rather than derives."""
    source = scenario_source(scenario, Path.cwd())
    runs = [PlannedRun(index=index, scenario=source, seed=int(seed))
            for index, seed in enumerate(seeds)]
    return Sweep(name=name, until=until, runs=runs)


def load_sweep(path: str | Path) -> Sweep:
    """Read and check a sweep file and plan its runs; ScenarioError lists every problem
    with its line."""
    return plan(read_sweep_file(path), Path(path).parent)


def read_sweep_file(path: str | Path) -> SweepFile:
    """Read and check a sweep file; ScenarioError lists every problem with its line."""
    path = Path(path)
    filename = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([Problem(filename, None, "", f"cannot read the file: {exc}")]) from None
    data, root = read_yaml(text, filename, kind="a sweep file", sections=_SECTIONS)
    lines = LineIndex()
    lines.walk(root, ())
    found = list(lines.duplicates)
    try:
        spec = SweepFile.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            loc = tuple(error["loc"])
            line = lines.line(loc, key=error["type"] == "extra_forbidden")
            found.append((loc, line, explain(error, SweepFile)))
        spec = None
    if spec is not None:
        found += [(loc, lines.line(loc, key=True), message)
                  for loc, message in _path_problems(spec)]
    if found:
        found.sort(key=lambda item: item[1] or 0)
        raise ScenarioError([Problem(filename, line, format_path(loc), message)
                             for loc, line, message in found])
    assert spec is not None
    return spec


def _path_problems(spec: SweepFile) -> list[tuple[tuple, str]]:
    """Varied names that are not numeric values of a scenario."""
    if spec.vary is None:
        return []
    named: list[tuple[tuple, str]] = []
    if spec.vary.grid:
        named = [(("vary", "grid", name), name) for name in spec.vary.grid]
    elif spec.vary.sample:
        named = [(("vary", "sample", "ranges", name), name) for name in spec.vary.sample.ranges]
    problems = []
    for loc, name in named:
        try:
            kind = field_kind(parse_path(name))
        except ValueError as exc:
            problems.append((loc, str(exc)))
            continue
        if kind is None:
            problems.append((loc, f"no value {name!r} in a scenario; name it by its path "
                                  "in the file, e.g. parameters.crossing.detection"))
        elif kind == "other":
            problems.append((loc, f"{name!r} is not a number and cannot be varied"))
    return problems


def plan(spec: SweepFile, folder: Path) -> Sweep:
    """Every run of the sweep, numbered: each parameter set in turn, `seeds` runs each."""
    variants = _variants(spec, folder)
    runs = [
        PlannedRun(index=index, scenario=scenario, values=values,
                   seed=run_seed(spec.seed, index))
        for index, (scenario, values) in enumerate(
            variant for variant in variants for _ in range(spec.seeds))
    ]
    return Sweep(name=spec.name, until=spec.until, runs=runs)


def scenario_source(name: str, folder: Path) -> str:
    """A scenario named in a sweep file: a built-in name, or a path relative to the file."""
    if Path(name).suffix in (".yaml", ".yml"):
        return str((folder / name).resolve())
    return name


def _variants(spec: SweepFile, folder: Path) -> list[tuple[str, dict[str, float]]]:
    base = scenario_source(spec.scenario, folder)
    vary = spec.vary
    if vary is None:
        return [(base, {})]
    if vary.scenarios:
        return [(scenario_source(name, folder), {}) for name in vary.scenarios]
    if vary.grid:
        names = list(vary.grid)
        return [(base, _typed(dict(zip(names, values, strict=True))))
                for values in itertools.product(*vary.grid.values())]
    assert vary.sample is not None
    return [(base, _typed(point)) for point in latin_hypercube(vary.sample, spec.seed)]


def latin_hypercube(sample: Sample, seed: int) -> list[dict[str, float]]:
    """`sample.n` points, one in each of n equal slices of every range (in its logarithm
    for a log range), the slices paired at random."""
    from scipy.stats import qmc

    unit = qmc.LatinHypercube(d=len(sample.ranges), seed=seed).random(sample.n)
    points = []
    for row in unit:
        point = {}
        for u, (name, bounds) in zip(row, sample.ranges.items(), strict=True):
            if bounds.log:
                low, high = math.log(bounds.low), math.log(bounds.high)
                point[name] = math.exp(low + u * (high - low))
            else:
                point[name] = bounds.low + u * (bounds.high - bounds.low)
        points.append(point)
    return points


def _typed(values: dict[str, Any]) -> dict[str, float]:
    """Values for whole-number fields rounded, the rest as floats."""
    return {name: round(value) if field_kind(parse_path(name)) == "int" else float(value)
            for name, value in values.items()}
