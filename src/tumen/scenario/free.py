"""Free parameters: values a scenario file marks for calibration, beside the value itself.

Any number in a scenario file may be written `{value: 0.15, calibrate: {low: 0.05,
high: 0.3}}` (with `log: true` for a log-uniform search) instead of `0.15`. The marker
lives next to the value and its source comment, so the file stays the one place a
parameter is described; the loader replaces each marker by its value before validation
and keeps the range, so that calibration knows what to search and where to write back.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

import yaml

from tumen.scenario.references import Loc, did_you_mean, format_path
from tumen.scenario.schema import Scenario

MARKER_KEYS = ("value", "calibrate")
CALIBRATE_KEYS = ("low", "high", "log")

# (path, line, message): the loader turns these into Problems with the file's name.
Found = list[tuple[Loc, int | None, str]]


@dataclass(frozen=True)
class FreeParameter:
    """A value the scenario file marks free, with the range to search it in.

    `path` names it in the file's own key names (`parameters.crossing.detection`,
    `timeline[3].value`); `line` and `columns` say where its value is written, so that
    a calibrated value can be put back into the text without disturbing comments.
    """

    path: str
    low: float
    high: float
    value: float
    line: int
    log: bool = False
    integer: bool = False
    columns: tuple[int, int] = (0, 0)

    @property
    def loc(self) -> Loc:
        """The path as a tuple of keys and list indices."""
        return parse_path(self.path)


_TOKEN = re.compile(r"\[(\d+)\]|(?:^|\.)([^.\[\]]+)")


def parse_path(path: str) -> Loc:
    """`routes[7].days.mean` as ("routes", 7, "days", "mean"); ValueError if malformed."""
    loc: list[str | int] = []
    at = 0
    for match in _TOKEN.finditer(path):
        if match.start() != at:
            break
        index, key = match.groups()
        loc.append(int(index) if index is not None else key)
        at = match.end()
    if not loc or at != len(path):
        raise ValueError(
            f"not a path: {path!r} (write keys with dots and list items in brackets, "
            "e.g. parameters.crossing.detection or timeline[3].value)"
        )
    return tuple(loc)


def extract_free_parameters(
    data: dict[str, Any], root: yaml.Node
) -> tuple[list[FreeParameter], Found, set[Loc]]:
    """Replace every free-parameter marker in `data` (in place) by its value.

    Returns the free parameters in file order, the problems found in the markers, and
    the paths of the faulty markers, whose own validation errors the loader drops (the
    marker's problem already says what is wrong there).
    """
    nodes = _NodeIndex()
    nodes.walk(root, ())
    free: list[FreeParameter] = []
    problems: Found = []
    faulty: set[Loc] = set()

    def visit(container: dict[Any, Any] | list[Any], loc: Loc) -> None:
        items = container.items() if isinstance(container, dict) else enumerate(container)
        for key, item in list(items):
            here = (*loc, key)
            if isinstance(item, dict) and "calibrate" in item:
                marker = _Marker(here, item, nodes)
                container[key] = item.get("value")
                if marker.problems:
                    problems.extend(marker.problems)
                    faulty.add(here)
                else:
                    free.append(marker.parameter())
            elif isinstance(item, dict | list):
                visit(item, here)

    visit(data, ())
    return free, problems, faulty


class _NodeIndex:
    """The YAML node of each path, for the lines and columns of what a marker holds."""

    def __init__(self) -> None:
        self.values: dict[Loc, yaml.Node] = {}
        self.keys: dict[Loc, yaml.Node] = {}

    def walk(self, node: yaml.Node, loc: Loc) -> None:
        self.values[loc] = node
        if isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self.walk(item, (*loc, i))
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    self.keys.setdefault((*loc, key.value), key)
                    self.walk(value, (*loc, key.value))

    def line(self, loc: Loc, *, key: bool = False) -> int | None:
        node = self.keys.get(_str_keys(loc)) if key else None
        node = node or self.values.get(_str_keys(loc))
        return None if node is None else node.start_mark.line + 1


def _str_keys(loc: Loc) -> Loc:
    # The node tree keys mappings by the text of the key; the data by its value.
    return tuple(part if isinstance(part, int) else str(part) for part in loc)


class _Marker:
    """One `{value: ..., calibrate: {...}}` mapping, checked field by field."""

    def __init__(self, loc: Loc, raw: dict[Any, Any], nodes: _NodeIndex) -> None:
        self.loc, self.raw, self.nodes = loc, raw, nodes
        self.problems: Found = []
        self.integer = field_kind(loc) == "int"
        self._check()

    def _problem(self, loc: Loc, message: str, *, key: bool = False) -> None:
        line = self.nodes.line(loc, key=key) or self.nodes.line(self.loc)
        self.problems.append((loc, line, message))

    def _check(self) -> None:
        loc = self.loc
        for key in self.raw:
            if key not in MARKER_KEYS:
                message = (
                    f"unknown key {key!r} in a free parameter (allowed: value, calibrate; "
                    "write {value: V, calibrate: {low: L, high: H}})"
                    + did_you_mean(str(key), MARKER_KEYS)
                )
                self._problem((*loc, key), message, key=True)
        kind = field_kind(loc)
        if kind == "other":
            self._problem(loc, "only a number can be calibrated", key=True)
            return
        value = self._number((*loc, "value"), self.raw.get("value"), required=True)
        settings = self.raw["calibrate"]
        if not isinstance(settings, dict):
            self._problem(
                (*loc, "calibrate"),
                f"expected a mapping {{low: L, high: H}}, got {_show(settings)}",
            )
            return
        for key in settings:
            if key not in CALIBRATE_KEYS:
                message = (
                    f"unknown key {key!r} in calibrate (allowed: {', '.join(CALIBRATE_KEYS)})"
                    + did_you_mean(str(key), CALIBRATE_KEYS)
                )
                self._problem((*loc, "calibrate", key), message, key=True)
        low = self._number((*loc, "calibrate", "low"), settings.get("low"), required=True)
        high = self._number((*loc, "calibrate", "high"), settings.get("high"), required=True)
        log = settings.get("log", False)
        if not isinstance(log, bool):
            self._problem((*loc, "calibrate", "log"), f"expected true or false, got {_show(log)}")
        if self.integer:
            for at, number in (
                ((*loc, "value"), value),
                ((*loc, "calibrate", "low"), low),
                ((*loc, "calibrate", "high"), high),
            ):
                if number is not None and not float(number).is_integer():
                    self._problem(at, f"must be a whole number for this field, got {number!r}")
        if low is not None and high is not None:
            if low >= high:
                self._problem((*loc, "calibrate", "high"), f"must be > low ({low!r}), got {high!r}")
            elif value is not None and not low <= value <= high:
                self._problem(
                    (*loc, "value"),
                    f"must lie within calibrate's range [{low!r}, {high!r}], got {value!r}",
                )
        if log is True and low is not None and low <= 0:
            self._problem(
                (*loc, "calibrate", "low"),
                f"must be > 0 for a log-uniform search (log: true), got {low!r}",
            )
        self.value, self.low, self.high, self.log = value, low, high, log

    def _number(self, loc: Loc, raw: Any, *, required: bool) -> float | None:
        """The number written at `loc`, or None after reporting why it is not one."""
        if raw is None and loc[-1] not in self._keys_at(loc[:-1]):
            if required:
                self._problem(loc, "required field missing")
            return None
        number = raw
        if isinstance(raw, str):  # as pydantic does: YAML reads 1e-5 as text
            try:
                number = float(raw)
            except ValueError:
                number = None
        if isinstance(number, bool) or not isinstance(number, int | float):
            self._problem(loc, f"expected a number, got {_show(raw)}")
            return None
        raw = number
        if not math.isfinite(raw):
            self._problem(loc, f"expected a finite number, got {raw!r}")
            return None
        return raw

    def _keys_at(self, loc: Loc) -> set[Any]:
        mapping: Any = self.raw
        for part in loc[len(self.loc) :]:
            mapping = mapping.get(part) if isinstance(mapping, dict) else None
        return set(mapping) if isinstance(mapping, dict) else set()

    def parameter(self) -> FreeParameter:
        node = self.nodes.values[_str_keys((*self.loc, "value"))]
        start, end = node.start_mark, node.end_mark
        columns = (start.column, end.column) if start.line == end.line else (0, 0)
        number = int if self.integer else float
        return FreeParameter(
            path=format_path(self.loc),
            low=number(self.low),
            high=number(self.high),
            value=number(self.value),
            line=start.line + 1,
            log=self.log,
            integer=self.integer,
            columns=columns,
        )


def field_kind(loc: Loc) -> str | None:
    """ "int" or "float" when the schema field at `loc` takes a number, "other" when it
    takes something else, None when `loc` is not a field at all (validation says so)."""
    annotation: Any = Scenario
    for part in loc:
        if isinstance(part, int):
            args = get_args(annotation)
            if not args:
                return None
            annotation = args[0]
        else:
            fields = getattr(annotation, "model_fields", None)
            if fields is None:
                return None
            by_alias = {info.alias or name: info for name, info in fields.items()}
            if part not in by_alias:
                return None
            annotation = by_alias[part].annotation
    annotation = _number_or_none(annotation)
    if annotation is int:
        return "int"
    if annotation is float:
        return "float"
    return "other"


def _number_or_none(annotation: Any) -> Any:
    """The number type of an optional number field (`float | None`, possibly annotated
    with bounds); any other annotation unchanged."""
    args = get_args(annotation)
    if get_origin(annotation) in (Union, UnionType) and len(args) == 2 and type(None) in args:
        inner = next(arg for arg in args if arg is not type(None))
        return get_args(inner)[0] if get_origin(inner) is Annotated else inner
    return annotation


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)
