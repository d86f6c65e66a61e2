"""What-if levers: turn the dashboard's controls into a scenario, within safe bounds.

Everything a page sends passes through here before anything runs, so the bounds live in
one place and are tested without a browser. No function here touches the file system.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

import yaml

from tumen.scenario import ScenarioError, parse_scenario
from tumen.scenario.references import check_references
from tumen.scenario.schema import DesignName, Scenario

MAX_RUNS = 5
MULTIPLIER_RANGE = (0.0, 10.0)
MAX_SEED = 2**31 - 1
MAX_UPLOAD_BYTES = 1_000_000
MAX_INITIAL_STOCK = 500_000
MAX_DEPARTURES_PER_DAY = 1_000
MAX_PERIOD_YEARS = 50
MAX_YAML_NODES = 200_000  # after expanding aliases: stops "billion laughs" files
MAX_YAML_DEPTH = 32  # a scenario nests about six deep


# Who knows whom among the cells: as the scenario has it, or one of the standard designs
# of `tumen.scenario.designs` (docs/networks.md), pure (compartmentalisation level 1).
NetworkDesign = StrEnum(
    "NetworkDesign", {"AS_IS": "as_is", **{name.name: name.value for name in DesignName}})

NETWORK_LABELS = {
    NetworkDesign.AS_IS: "As in the scenario",
    NetworkDesign.CONNECTED: "Fully connected: every cell knows every other",
    NetworkDesign.CHAIN: "Chain: each cell knows the next",
    NetworkDesign.HUB: "Hub and spoke: a coordinator knows all",
    NetworkDesign.CELLS: "Cells with cut-outs: no cell knows another",
    NetworkDesign.WINDMILL: "Windmill: small groups joined at a hub",
}


class LeverError(ValueError):
    """Levers out of bounds or an unusable upload; `str()` lists every problem, one a line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(problems)
        self.problems = problems

    def __str__(self) -> str:
        return "\n".join(self.problems)


@dataclass(frozen=True)
class Levers:
    """The controls of one what-if; multipliers are relative to the scenario (1 = as is)."""

    crackdown_china: float = 1.0
    border_security_nk: float = 1.0
    rescue_budget: float = 1.0
    broker_fees: float = 1.0
    network: NetworkDesign = NetworkDesign.AS_IS
    closed_routes: tuple[str, ...] = field(default_factory=tuple)
    end_year: int | None = None
    seed: int = 0
    runs: int = 1

    @property
    def seeds(self) -> tuple[int, ...]:
        """The seeds of the runs: `seed`, `seed + 1`, ..."""
        return tuple(range(self.seed, self.seed + self.runs))


def year_range(scenario: Scenario) -> tuple[int, int]:
    """The end years a what-if may choose: at least one year after the start, at most the end."""
    start, end = scenario.period.start.year + 1, scenario.period.end.year
    return min(start, end), end


def check_levers(levers: Levers, scenario: Scenario) -> list[str]:
    """Every bound the levers break, as sentences; empty when they may run."""
    problems = []
    low, high = MULTIPLIER_RANGE
    for label, value in (
        ("Crackdown in China", levers.crackdown_china),
        ("Border security", levers.border_security_nk),
        ("Rescue budget", levers.rescue_budget),
        ("Broker fees", levers.broker_fees),
    ):
        if not isinstance(value, int | float) or not low <= value <= high:
            problems.append(f"{label}: the multiplier must be between {low:g} and {high:g}.")
    if levers.network not in set(NetworkDesign):
        problems.append(f"Network design: unknown choice {levers.network!r}.")
    routes = {route.id for route in scenario.routes}
    unknown = sorted(set(levers.closed_routes) - routes)
    if unknown:
        problems.append(f"Route closures: no such route in the scenario: {', '.join(unknown)}.")
    first, last = year_range(scenario)
    if levers.end_year is not None and not first <= levers.end_year <= last:
        problems.append(f"End year: must be between {first} and {last}.")
    if not 0 <= levers.seed <= MAX_SEED:
        problems.append(f"Seed: must be between 0 and {MAX_SEED}.")
    if not 1 <= levers.runs <= MAX_RUNS:
        problems.append(f"Runs: must be between 1 and {MAX_RUNS}.")
    elif levers.seed + levers.runs - 1 > MAX_SEED:
        problems.append(f"Seed: the last run's seed would pass {MAX_SEED}.")
    return problems


def apply_levers(scenario: Scenario, levers: Levers) -> Scenario:
    """The scenario with the levers applied, validated again; raises `LeverError` if out of bounds.

    Multipliers become whole-period `scale` events (overlapping scales multiply, so the
    scenario's own timeline keeps its shape); closures become whole-period `close_route`
    events; the rescue budget scales `parameters.finance.rescue_budget_usd_per_year`.
    """
    problems = check_levers(levers, scenario)
    if problems:
        raise LeverError(problems)
    data = scenario.model_dump(by_alias=True)
    whole = {"start": scenario.period.start, "end": scenario.period.end}
    added = []
    for name, where, value in (
        ("crackdown", "china", levers.crackdown_china),
        ("border_security", "north_korea", levers.border_security_nk),
        ("broker_fees", "all", levers.broker_fees),
    ):
        if value != 1.0:
            added.append(
                {
                    **whole,
                    "action": "scale",
                    "input": name,
                    "where": where,
                    "value": value,
                    "description": f"Dashboard what-if: {name} x{value:g} ({where})",
                }
            )
    for route in levers.closed_routes:
        added.append(
            {
                **whole,
                "action": "close_route",
                "where": route,
                "description": "Dashboard what-if: route closed",
            }
        )
    data["timeline"] = [*data["timeline"], *added]
    finance = data["parameters"]["finance"]
    finance["rescue_budget_usd_per_year"] *= levers.rescue_budget
    if levers.network != NetworkDesign.AS_IS:
        data["network"]["design"] = {"name": levers.network.value, "level": 1.0}
    # The free parameters' paths still hold: levers add events after the file's own.
    result = Scenario.model_validate(data).with_free_parameters(scenario.free_parameters)
    # Only problems the levers brought in: a scenario cut short by `until` (as in tests)
    # already has events past its end, and those are harmless.
    broken = set(check_references(result)) - set(check_references(scenario))
    if broken:  # a lever should never produce these; say so rather than run nonsense
        raise LeverError(
            [f"{'.'.join(map(str, loc))}: {message}" for loc, message in sorted(broken)]
        )
    if levers.end_year is not None and levers.end_year < scenario.period.end.year:
        # Cut like `tumen run --until`: events after the end simply do not happen.
        period = result.period.model_copy(update={"end": dt.date(levers.end_year, 12, 31)})
        result = result.model_copy(update={"period": period})
    return result


def describe(levers: Levers, scenario: Scenario) -> str:
    """A one-line label of a what-if, naming only the levers that differ from the scenario."""
    parts = []
    for label, value in (
        ("crackdown", levers.crackdown_china),
        ("border security", levers.border_security_nk),
        ("rescue budget", levers.rescue_budget),
        ("broker fees", levers.broker_fees),
    ):
        if value != 1.0:
            parts.append(f"{label} ×{value:g}")
    if levers.network != NetworkDesign.AS_IS:
        parts.append(NETWORK_LABELS[levers.network].lower())
    if levers.closed_routes:
        parts.append(f"{len(levers.closed_routes)} route(s) closed")
    if levers.end_year is not None and levers.end_year < scenario.period.end.year:
        parts.append(f"to {levers.end_year}")
    seeds = f"seed {levers.seed}" if levers.runs == 1 else f"{levers.runs} runs"
    name = scenario.name if len(scenario.name) <= 60 else scenario.name[:57] + "..."
    return f"{name}: {', '.join(parts) or 'as is'} ({seeds})"


def check_population(scenario: Scenario) -> list[str]:
    """Bounds on the size of an uploaded scenario, so that one file cannot exhaust the machine."""
    from tumen.scenario.timeline import input_series  # imports the engine's tables

    problems = []
    initial = sum(stock.count for stock in scenario.population.initial)
    if initial > MAX_INITIAL_STOCK:
        problems.append(
            f"population.initial: {initial:,} people in all; the dashboard accepts at most "
            f"{MAX_INITIAL_STOCK:,}."
        )
    per_day = scenario.population.departures_per_day
    if per_day > MAX_DEPARTURES_PER_DAY:
        problems.append(
            f"population.departures_per_day: {per_day:,g}; the dashboard accepts at most "
            f"{MAX_DEPARTURES_PER_DAY:,}."
        )
    years = (scenario.period.end - scenario.period.start).days / 365.25
    if years > MAX_PERIOD_YEARS:
        problems.append(
            f"period: {years:.0f} years; the dashboard accepts at most {MAX_PERIOD_YEARS}."
        )
    elif not problems:
        from tumen.engine.world import COUNTRIES

        push = input_series(scenario)["push"][COUNTRIES.index("north_korea")]
        peak = per_day * float(push.max(initial=1.0))
        if peak > MAX_DEPARTURES_PER_DAY:
            problems.append(
                f"timeline: push events raise departures to {peak:,.0f} a day; the dashboard "
                f"accepts at most {MAX_DEPARTURES_PER_DAY:,}."
            )
    return problems


def decode_upload(contents: str, filename: str) -> str:
    """The text of a `dcc.Upload` data URL, checked for size and encoding before parsing."""
    _, _, payload = contents.partition(",")
    if len(payload) > (MAX_UPLOAD_BYTES + 2) * 4 // 3 + 4:
        raise LeverError([too_big(filename, len(payload) * 3 // 4)])
    try:
        raw = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise LeverError([f"{filename}: the upload could not be read."]) from None
    if len(raw) > MAX_UPLOAD_BYTES:
        raise LeverError([too_big(filename, len(raw))])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise LeverError([f"{filename}: not a text file (UTF-8 YAML expected)."]) from None


def too_big(filename: str, size: int) -> str:
    """The message for a file over the upload limit."""
    return (
        f"{filename}: the file is {size / 1e6:.1f} MB; scenario files are limited to "
        f"{MAX_UPLOAD_BYTES / 1e6:g} MB."
    )


def read_upload(contents: str, filename: str) -> Scenario:
    """An uploaded scenario, validated and within the population bounds.

    Raises `LeverError` whose text is what the page shows: the loader's own
    `file:line: path: message` lines for an invalid file, or the bound that was passed.
    """
    label = safe_filename(filename)
    text = decode_upload(contents, label)
    _check_yaml_size(text, label)
    try:
        scenario = parse_scenario(text, label)
    except ScenarioError as error:
        raise LeverError([str(problem) for problem in error.problems]) from None
    problems = check_population(scenario)
    if problems:
        raise LeverError([f"{label}: {problem}" for problem in problems])
    return scenario


def safe_filename(filename: str | None) -> str:
    """The uploaded file's base name, only to label messages (it is never opened)."""
    name = (filename or "upload.yaml").replace("\\", "/").rsplit("/", 1)[-1]
    printable = "".join(ch for ch in name if ch.isprintable())
    return printable[:80] or "upload.yaml"


def _check_yaml_size(text: str, label: str) -> None:
    """Reject YAML whose aliases expand into too many nodes, before the loader walks them."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return  # the loader reports syntax errors with their line
    except RecursionError:
        raise LeverError([f"{label}: the YAML is nested too deeply."]) from None
    sizes: dict[int, int] = {}
    pending: set[int] = set()

    def size(node: yaml.Node, depth: int = 0) -> int:
        if depth > MAX_YAML_DEPTH:
            raise LeverError([f"{label}: the YAML is nested too deeply."])
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in pending:
            raise LeverError([f"{label}: the YAML refers to itself (a recursive alias)."])
        pending.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(item, depth + 1) for item in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(size(k, depth + 1) + size(v, depth + 1) for k, v in node.value)
        pending.discard(key)
        sizes[key] = min(total, MAX_YAML_NODES + 1)
        return sizes[key]

    try:
        count = 0 if root is None else size(root)
    except RecursionError:
        raise LeverError([f"{label}: the YAML is nested too deeply."]) from None
    if count > MAX_YAML_NODES:
        raise LeverError(
            [f"{label}: the YAML expands to more than {MAX_YAML_NODES:,} values (via aliases)."]
        )
