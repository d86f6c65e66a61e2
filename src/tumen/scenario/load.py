"""Read a scenario file into a validated `Scenario`, or say everything wrong with it.

Scenario files are written by hand, so every problem is reported at once, each as
`file:line: path: expected, got found`: the line comes from the YAML node tree, the
path uses the file's own key names, and pydantic's messages are reworded to match.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn, get_args

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from tumen.scenario.free import extract_free_parameters, parse_path
from tumen.scenario.references import Loc, check_references, did_you_mean, format_path
from tumen.scenario.schema import Scenario

_BUILTIN = "tumen.scenario.builtin"
_SECTIONS = "name, period, locations, routes and population"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario file, located precisely enough to fix it."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class ScenarioError(Exception):
    """A scenario that cannot be used, with every problem found, one per line."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        self.problems = problems

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)


def builtin_scenarios() -> list[str]:
    """Names of the scenarios shipped with tumen, any of which `load_scenario` accepts."""
    files = resources.files(_BUILTIN).iterdir()
    return sorted(f.name.removesuffix(".yaml") for f in files if f.name.endswith(".yaml"))


def builtin_path(name: str) -> Path:
    """The file of a built-in scenario, e.g. to copy it as a starting point."""
    names = builtin_scenarios()
    if name not in names:
        message = f"unknown built-in scenario (available: {', '.join(names) or 'none'})"
        raise ScenarioError([Problem(name, None, "", message + did_you_mean(name, names))])
    return Path(str(resources.files(_BUILTIN).joinpath(f"{name}.yaml")))


def load_scenario(source: str | Path) -> Scenario:
    """Load a scenario from a YAML file, or a built-in one by name (see `builtin_scenarios`)."""
    names = builtin_scenarios()
    if isinstance(source, str) and source in names:
        path = builtin_path(source)
        filename = str(path)
    else:
        path = Path(source)
        filename = str(source)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        message = (
            f"no such file, nor a built-in scenario (built-in: {', '.join(names) or 'none'})"
            + did_you_mean(filename, names)
        )
        raise ScenarioError([Problem(filename, None, "", message)]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([Problem(filename, None, "", f"cannot read the file: {exc}")]) from None
    return parse_scenario(text, filename)


def parse_scenario(text: str, filename: str = "<string>") -> Scenario:
    """Validate scenario YAML text; `filename` only labels the problems reported.

    Values written as free-parameter markers (`{value: V, calibrate: {...}}`, see
    `tumen.scenario.free`) load as their value; the scenario lists them in
    `free_parameters`.
    """
    data, root = read_yaml(text, filename)
    lines = LineIndex()
    lines.walk(root, ())
    free, marker_problems, faulty = extract_free_parameters(data, root)
    for parameter in free:  # point a bad value at its own line, not the marker's
        lines.values[parameter.loc] = parameter.line
    found = [*lines.duplicates, *marker_problems]
    scenario = _validate(data, lines, found, skip=faulty)
    if found:
        _raise(filename, found)
    assert scenario is not None
    return scenario.with_free_parameters(tuple(free)) if free else scenario


def with_values(scenario: Scenario, values: Mapping[str, Any]) -> Scenario:
    """`scenario` with the values at the given paths replaced, validated again.

    Paths are written as in the file and in the loader's messages
    (`parameters.crossing.detection`, `timeline[3].value`, `routes[1].days.mean`), so
    calibration and sweeps can set any value a user could edit. Raises ScenarioError,
    naming each path, when a path does not exist or a value is not valid there.
    """
    label = f"{scenario.name} (set values)"
    data = scenario.model_dump(by_alias=True)
    found: list[tuple[Loc, int | None, str]] = []
    given: dict[Loc, Any] = {}
    for path, value in values.items():
        try:
            loc = parse_path(path)
        except ValueError as exc:
            found.append(((path,), None, str(exc)))
            continue
        problem = _set(data, loc, value)
        if problem:
            found.append((loc, None, problem))
        given[loc] = value
    if found:
        _raise(label, found)
    changed = _validate(data, LineIndex(), found)
    if found:
        _raise(label, found)
    assert changed is not None
    free = tuple(
        dataclasses.replace(p, value=given[p.loc]) if p.loc in given else p
        for p in scenario.free_parameters
    )
    return changed.with_free_parameters(free) if free else changed


def _set(data: Any, loc: Loc, value: Any) -> str | None:
    """Put `value` at `loc` in dumped scenario data; the reason if `loc` is not there."""
    target = data
    for depth, part in enumerate(loc):
        where = format_path(loc[:depth]) or "the scenario"
        last = depth == len(loc) - 1
        if isinstance(part, int):
            if not isinstance(target, list):
                return f"{where} is not a list"
            if part >= len(target):
                return f"no such item: {where} has {len(target)}"
        else:
            if not isinstance(target, dict):
                return f"{where} has no fields"
            if part not in target:
                allowed = list(target)
                return (
                    f"no such field {part!r} in {where} (allowed: {', '.join(allowed)})"
                    + did_you_mean(part, allowed)
                )
        if last:
            target[part] = value
        else:
            target = target[part]
    return None


def _validate(
    data: Any, lines: LineIndex, found: list[tuple[Loc, int | None, str]],
    skip: Collection[Loc] = (),
) -> Scenario | None:
    """The validated scenario, or None with its problems added to `found`.

    Errors at a path in `skip` (a faulty free-parameter marker, already reported) are left
    out, so that one mistake gives one message.
    """
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            loc = tuple(error["loc"])
            if any(loc[: len(bad)] == bad for bad in skip):
                continue
            line = lines.line(loc, key=error["type"] == "extra_forbidden")
            found.append((loc, line, explain(error)))
        return None
    found += [(loc, lines.line(loc), message) for loc, message in check_references(scenario)]
    return scenario


def _raise(filename: str, found: list[tuple[Loc, int | None, str]]) -> NoReturn:
    found.sort(key=lambda item: item[1] or 0)
    raise ScenarioError(
        [Problem(filename, line, format_path(loc), message) for loc, line, message in found]
    )


class _Loader(yaml.SafeLoader):
    """A SafeLoader that refuses aliases and leaves an impossible date as text.

    Aliases (`*name`) could nest into an exponentially large document (a few lines that
    never finish validating), and a scenario has no need of them. PyYAML raises a bare
    ValueError for a date such as 2001-02-30, without a line; as text, the date is
    reported by pydantic with its line like any other bad value.
    """

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None,
                None,
                "anchors and aliases (&name, *name) are not allowed in a scenario; "
                "write the values out",
                self.peek_event().start_mark,
            )
        return super().compose_node(parent, index)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def read_yaml(text: str, filename: str, kind: str = "a scenario",
              sections: str = _SECTIONS) -> tuple[dict, yaml.MappingNode]:
    """Parse text into both the data and its node tree, which knows the lines; `kind`
    and `sections` say what the file should hold, for the message when it does not."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        data = None if root is None else loader.construct_document(root)
    except yaml.MarkedYAMLError as exc:
        raise ScenarioError([_syntax_problem(exc, filename)]) from None
    except ValueError as exc:  # an explicit tag that does not fit, e.g. `!!int abc`
        raise ScenarioError([Problem(filename, None, "", f"invalid YAML value: {exc}")]) from None
    finally:
        loader.dispose()
    if root is None:
        message = f"the file is empty; {kind} is a mapping with {sections}"
        raise ScenarioError([Problem(filename, None, "", message)])
    if not isinstance(data, dict):
        message = f"the top level must be a mapping with {sections}, got {_show(data)}"
        raise ScenarioError([Problem(filename, root.start_mark.line + 1, "", message)])
    return data, root


def _syntax_problem(exc: yaml.MarkedYAMLError, filename: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    message = f"invalid YAML: {exc.problem or exc.context}"
    if exc.problem and exc.context:
        at = f" on line {exc.context_mark.line + 1}" if exc.context_mark else ""
        message += f" ({exc.context}{at})"
    return Problem(filename, mark.line + 1 if mark else None, "", message)


@dataclass
class LineIndex:
    """Where each path of the document is written, found by walking its node tree.

    The walk also catches duplicate keys, which PyYAML would silently resolve to the last.
    """

    values: dict[Loc, int] = field(default_factory=dict)
    keys: dict[Loc, int] = field(default_factory=dict)
    duplicates: list[tuple[Loc, int, str]] = field(default_factory=list)

    def walk(self, node: yaml.Node, loc: Loc) -> None:
        self.values[loc] = node.start_mark.line + 1
        if isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self.walk(item, (*loc, i))
        elif isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for key, value in node.value:
                if not isinstance(key, yaml.ScalarNode):
                    continue
                line = key.start_mark.line + 1
                if key.value in first:
                    message = f"duplicate key {key.value!r} (first on line {first[key.value]})"
                    self.duplicates.append(((*loc, key.value), line, message))
                first.setdefault(key.value, line)
                self.keys[(*loc, key.value)] = line
                self.walk(value, (*loc, key.value))

    def line(self, loc: Loc, *, key: bool = False) -> int | None:
        """The line of `loc`'s key or value, else of its closest enclosing node."""
        if key and loc in self.keys:
            return self.keys[loc]
        for end in range(len(loc), -1, -1):
            if loc[:end] in self.values:
                return self.values[loc[:end]]
        return None


_BOUNDS = {
    "greater_than": ("gt", ">"),
    "greater_than_equal": ("ge", ">="),
    "less_than": ("lt", "<"),
    "less_than_equal": ("le", "<="),
}
# Pydantic error types start with the type they expected: float_parsing, int_from_float...
_EXPECTED = {
    "float": "a number",
    "int": "a whole number",
    "string": "text",
    "bool": "true or false",
    "date": "a date (YYYY-MM-DD)",
    "list": "a list",
    "model": "a mapping",
    "dict": "a mapping",
}
_PATTERNS = {r"^[a-z][a-z0-9_]*$": "an id (lower-case letters, digits and _, starting a-z)"}


def explain(error: ErrorDetails, model: type[BaseModel] = Scenario) -> str:
    """Pydantic's error reworded as `expected, got found`; `model` is the document's
    schema, for the keys an unknown key could have been."""
    kind, ctx, found = error["type"], error.get("ctx", {}), _show(error["input"])
    if kind == "missing":
        return "required field missing"
    if kind == "extra_forbidden":
        key, allowed = str(error["loc"][-1]), _allowed_keys(model, tuple(error["loc"][:-1]))
        return f"unknown key {key!r} (allowed: {', '.join(allowed)}){did_you_mean(key, allowed)}"
    if kind in _BOUNDS:
        bound, op = _BOUNDS[kind]
        return f"must be {op} {_number(ctx[bound])}, got {found}"
    if kind in ("enum", "literal_error"):
        allowed = re.findall(r"'([^']*)'", ctx["expected"])
        suggestion = did_you_mean(str(error["input"]), allowed)
        return f"must be one of {{{', '.join(allowed)}}}, got {found}{suggestion}"
    if kind == "string_pattern_mismatch":
        pattern = ctx["pattern"]
        return f"must be {_PATTERNS.get(pattern, f'text matching {pattern}')}, got {found}"
    if kind == "string_too_long":
        return f"must be at most {ctx['max_length']} characters, got {len(error['input'])}"
    if kind == "too_short":
        items = "item" if ctx["min_length"] == 1 else "items"
        return f"must have at least {ctx['min_length']} {items}, got {ctx['actual_length']}"
    if kind == "value_error":
        return str(ctx["error"])
    expected = _EXPECTED.get(kind.split("_")[0])
    if expected:
        detail = f" ({ctx['error']})" if "error" in ctx else ""
        return f"expected {expected}, got {found}{detail}"
    return f"{error['msg']}, got {found}"


def _allowed_keys(model: Any, loc: Loc) -> list[str]:
    """The keys the mapping at `loc` accepts, found by following `loc` through `model`."""
    for part in loc:
        model = get_args(model)[0] if isinstance(part, int) else _fields(model)[part].annotation
    return list(_fields(model))


def _fields(model: Any) -> dict[str, Any]:
    return {info.alias or name: info for name, info in model.model_fields.items()}


def _number(value: float) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _show(value: Any) -> str:
    """A found value as it would be written in YAML, short enough for one line."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"
