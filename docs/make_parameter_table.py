"""Regenerate the parameter table in docs/model.md from the schema and the default scenario.

The table lists every field of the scenario's `population`, `network` and `parameters`
sections: its meaning (the schema's description, else `MEANINGS` below), its schema
default, its value in the default scenario, and the source named by the `# ...` comment
on the line where the default scenario sets it. Run it after changing any of these:

    python docs/make_parameter_table.py          # rewrite the table in docs/model.md
    python docs/make_parameter_table.py --check  # exit 1 if the table is out of date

tests/docs/test_parameter_table.py fails until the table is current.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

from tumen.scenario.schema import Days, Network, Parameters, Population  # noqa: E402

MODEL_MD = ROOT / "docs" / "model.md"
SCENARIO = ROOT / "src" / "tumen" / "scenario" / "builtin" / "korea-1998-2025.yaml"
START, END = "<!-- parameters:start -->", "<!-- parameters:end -->"
SECTIONS: tuple[tuple[str, type[BaseModel]], ...] = (
    ("population", Population),
    ("network", Network),
    ("parameters", Parameters),
)

# Meanings of the fields that have no `description` in the schema. A description added
# to the schema takes precedence over the text here.
MEANINGS: dict[str, str] = {
    "population.women_share": "Share of women among new escapees and the initial stock.",
    "population.child_share": "Share of children among new escapees and the initial stock "
    "(recorded; no process treats children differently yet).",
    "population.funds_usd": "Savings (USD) of those who carry any, gamma-distributed.",
    "population.initial": "Groups already hiding in China on the first day: location, "
    "count, settled and trafficked shares, mean years in China.",
    "network.handoff_days_known": "Extra wait (days) when an escapee passes between two "
    "cells that know each other.",
    "network.handoff_days_cutout": "Extra wait (days) when the two cells do not know each "
    "other and hand over through a go-between.",
    "network.handoff_failure_known": "Chance that a hand-off between cells that know each "
    "other fails, leaving the escapee alone where she is.",
    "network.handoff_failure_cutout": "Chance that a hand-off through a go-between fails.",
    "network.disclosure_probability": "Chance that a caught cell gives away each safe house "
    "and each cell it knows; a cell given away talks in turn.",
    "network.closure_days": "How long (days) a raided or revealed safe house stays closed.",
    "network.raid_on_compromise": "Chance that police raid a revealed safe house at once; "
    "otherwise it closes and those inside wait in the open.",
    "network.cells": "The cells of rescue networks and broker lines: operator, the "
    "locations each runs, the cells and safe houses each knows.",
    "network.safe_houses": "The safe houses: location, cell, capacity.",
    "network.design": "A standard design of who knows whom that replaces the cells' own "
                      "knowledge (docs/networks.md); none: as the cells say.",
    "parameters.crossing.detection": "Chance that North Korean guards catch an escapee at "
    "the river, before border security and bribes.",
    "parameters.crossing.death": "Chance that an escapee caught at the river dies rather "
    "than being imprisoned.",
    "parameters.crossing.prison_days": "Prison term (days) in North Korea after being "
    "caught at the river or sent back.",
    "parameters.crossing.retry": "Chance of trying again after a prison term.",
    "parameters.crossing.retry_wait_days": "Time (days) from release to the next attempt.",
    "parameters.hiding.arrest_men": "Daily arrest hazard of a man hiding in China, before "
    "the crackdown index.",
    "parameters.hiding.arrest_women": "Daily arrest hazard of a woman hiding in China, "
    "before the crackdown index.",
    "parameters.hiding.trafficking_women": "Daily hazard that a woman in hiding is sold "
    "(forced marriage, sex trade).",
    "parameters.hiding.trafficking_men": "Daily hazard that a man in hiding is trafficked.",
    "parameters.hiding.referral": "Daily hazard of being referred to a rescue network "
    "(referrals and tip-offs).",
    "parameters.hiding.settle": "Daily hazard of settling into long-term hiding.",
    "parameters.hiding.settled_hazard_factor": "Multiplier on the arrest, trafficking and "
    "referral hazards of those settled or trafficked.",
    "parameters.hiding.trafficked_escape": "Daily hazard that a trafficked person escapes "
    "back into hiding.",
    "parameters.hiding.earnings_usd_per_day": "What a person in hiding (not trafficked) "
    "earns and keeps a day (USD).",
    "parameters.hiding.broker_contact": "Daily hazard of finding a broker, for those who "
    "can pay the fee.",
    "parameters.hiding.review_days": "Longest wait (days) between two looks at a hidden "
    "escapee: a setting of the event scheduling, not a behaviour.",
    "parameters.intake.rescue_cost_usd": "What a rescue network spends per person taken on (USD).",
    "parameters.intake.red_zone_extra_usd": "Extra cost (USD) of a rescue from a location "
    "of kind `hiding` (the border red zone).",
    "parameters.intake.broker_fee_usd": "Broker fee (USD) from China onwards, before the "
    "broker_fees index.",
    "parameters.intake.broker_exploitation_women": "Chance that a broker sells a woman "
    "client instead of moving her on.",
    "parameters.intake.broker_bribe_share": "Share of a chain escapee's prepaid fee spent "
    "on bribing North Korean guards.",
    "parameters.intake.credit_markup": "Factor on the fee of a broker paid after resettlement.",
    "parameters.travel.weight_days": "Route-choice weight of one day on a leg (the unit of "
    "generalised cost).",
    "parameters.travel.weight_cost_per_usd": "Route-choice weight of one dollar of leg cost.",
    "parameters.travel.weight_risk": "Route-choice weight of interception probability.",
    "parameters.travel.choice_temperature": "Spread of route choice: higher spreads "
    "travellers over more legs, lower sends nearly all by the cheapest.",
    "parameters.travel.wait_days": "Wait (days) at each stop between legs.",
    "parameters.travel.open_air_arrest_factor": "Factor on the arrest hazard of waiting "
    "outside a safe house.",
    "parameters.raids.rate_per_house_day": "Daily chance that police raid an occupied safe "
    "house, before the crackdown index.",
    "parameters.raids.waiting_arrest": "Daily chance that police find someone waiting at a "
    "stop, before the crackdown index and the open-air factor; they raid where she waits.",
    "parameters.detention.china_hold_days": "Time (days) in Chinese detention before repatriation.",
    "parameters.detention.third_hold_days": "Time (days) in third-country detention before "
    "deportation or release.",
    "parameters.detention.third_deport_to_china": "Chance that a third country deports a "
    "detainee to China, before its crackdown index; the others fly to South Korea.",
    "parameters.asylum.jail_days": "Jail term (days) in Thailand for illegal entry.",
    "parameters.asylum.flights_per_day": "Seats a day out of Thailand, before the "
    "thai_processing index.",
    "parameters.asylum.us_share": "Share of those flown out who go to the United States.",
    "parameters.resettlement.recontact": "Chance that an arrival in South Korea gets back "
    "in touch with family.",
    "parameters.resettlement.remittance_usd_per_year": "What each one in touch sends home "
    "a year (USD).",
    "parameters.resettlement.chain_savings_usd_per_year": "What each one in touch saves a "
    "year to bring relatives out (USD).",
    "parameters.resettlement.relatives_max": "Relatives each one in touch may pay out.",
    "parameters.resettlement.chain_fee_usd": "Broker fee (USD) to bring a relative from "
    "home, before the broker_fees index.",
    "parameters.finance.rescue_budget_usd_per_year": "Donations to rescue networks a year "
    "(USD), before the rescue_budget index.",
}


def _number(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:.10f}".rstrip("0")


def _show(value: Any) -> str:
    """A value as the table shows it: numbers plainly, day distributions as mean and sd,
    a value marked for calibration with its range."""
    if isinstance(value, dict) and set(value) == {"value", "calibrate"}:
        bounds = value["calibrate"]
        scale = ", log scale" if bounds.get("log") else ""
        free = f"free: {_number(bounds['low'])} to {_number(bounds['high'])}{scale}"
        return f"{_show(value['value'])} ({free})"
    if isinstance(value, Days):
        return f"mean {_number(value.mean)}, sd {_number(value.sd)}"
    if isinstance(value, list):
        return f"{len(value)} entries" if value else "none"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _number(value)
    return str(value)


def _trailing_comment(line: str) -> str:
    """The text of a `# ...` comment at the end of a YAML line, outside quotes."""
    quote = ""
    for i, char in enumerate(line):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[i + 1 :].strip()
    return ""


def _key_lines(node: yaml.Node, path: str = "") -> Iterator[tuple[str, int]]:
    """(dotted path, 0-based line) of every mapping key in a YAML node tree."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            dotted = f"{path}.{key.value}" if path else str(key.value)
            yield dotted, key.start_mark.line
            yield from _key_lines(value, dotted)


def _leaves(model: type[BaseModel], path: str) -> Iterator[tuple[str, Any]]:
    """(dotted path, field info) of every field, descending into sub-sections but not Days."""
    for name, info in model.model_fields.items():
        dotted = f"{path}.{info.alias or name}"
        kind = info.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel) and kind is not Days:
            yield from _leaves(kind, dotted)
        else:
            yield dotted, info


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def table(scenario_text: str) -> str:
    """The parameter tables, one per section, as Markdown."""
    data = yaml.safe_load(scenario_text)
    lines = scenario_text.splitlines()
    key_line = dict(_key_lines(yaml.compose(scenario_text)))
    parts = [
        "<!-- generated by docs/make_parameter_table.py from the schema and the default "
        "scenario; edit those, then re-run the script -->",
    ]
    for section, model in SECTIONS:
        parts += [
            "",
            f"**`{section}`**",
            "",
            "| parameter | meaning | schema default | default scenario | source |",
            "| --- | --- | --- | --- | --- |",
        ]
        for path, info in _leaves(model, section):
            meaning = info.description or MEANINGS.get(path)
            if not meaning:
                raise SystemExit(
                    f"{path} has no meaning: give it a description in the schema or an "
                    f"entry in MEANINGS in {Path(__file__).name}"
                )
            if info.is_required():
                default = "required"
            else:
                default = _show(info.get_default(call_default_factory=True))
            raw: Any = data
            for key in path.split("."):
                raw = raw.get(key) if isinstance(raw, dict) else None
            if raw is None:
                value, source = f"{default} (not set)", "schema default"
            else:
                if info.annotation is Days:
                    raw = Days.model_validate(raw)
                value = _show(raw)
                comment = _trailing_comment(lines[key_line[path]])
                source = comment or (
                    "one source per entry, in the file" if isinstance(raw, list) else "none given"
                )
            cells = [f"`{path}`", meaning, default, value, source]
            parts.append("| " + " | ".join(_escape(cell) for cell in cells) + " |")
    return "\n".join(parts)


def updated(document: str, scenario_text: str) -> str:
    """`document` with the text between the markers replaced by a fresh table."""
    head, rest = document.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{table(scenario_text)}\n{END}{tail}"


def main(argv: list[str]) -> int:
    document = MODEL_MD.read_text(encoding="utf-8")
    fresh = updated(document, SCENARIO.read_text(encoding="utf-8"))
    if "--check" in argv:
        if fresh != document:
            print(f"{MODEL_MD} is out of date: run python docs/make_parameter_table.py")
            return 1
        return 0
    if fresh != document:
        MODEL_MD.write_text(fresh, encoding="utf-8")
        print(f"updated the parameter table in {MODEL_MD}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
