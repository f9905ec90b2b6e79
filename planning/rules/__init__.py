"""The agreement-rule catalogue: R1–R20 of AGREEMENT.md, one object per rule.

``Catalogue.default()`` has every rule with its shipped defaults;
``Catalogue.from_toml(path)`` applies a municipality's overrides, rejecting
unknown rules, unknown parameters, wrong units and impossible values with a
message that names the rule and parameter.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from planning.model import Severity
from planning.rules.base import Param, Rule
from planning.rules.hours import FortyEightHours, Holidays, NormHours, Overtime
from planning.rules.pay import (
    CancelledDayOff,
    ChangeFee,
    PlanNotice,
    ShortNoticeExtraWork,
    Supplements,
)
from planning.rules.rest import DailyRest, DaysOff, ReducedRest, WeeklyRest
from planning.rules.shifts import (
    Break,
    ConsecutiveNights,
    MaxShiftLength,
    MinShiftLength,
    NightWork,
    SplitShift,
    WeekendOff,
)

#: Construction order matters: R5 uses R12's holiday calendar and R10 uses R5's norm.
RULE_CLASSES: dict[str, type[Rule]] = {
    cls.id: cls for cls in (
        Holidays, DailyRest, WeeklyRest, DaysOff, FortyEightHours, NormHours, Overtime,
        PlanNotice, ChangeFee, ShortNoticeExtraWork, CancelledDayOff, Supplements, NightWork,
        ConsecutiveNights, MaxShiftLength, MinShiftLength, SplitShift, WeekendOff, Break,
        ReducedRest,
    )
}

COMMON_KEYS = {"severity", "weight", "enabled"}


class RuleConfigError(ValueError):
    """A rules file is wrong; the message names the rule and the parameter."""


class Catalogue:
    """The configured rules, by id (R1…R20)."""

    def __init__(self, rules: dict[str, Rule], municipality: str = "") -> None:
        self.rules = rules
        self.municipality = municipality

    @classmethod
    def default(cls) -> Catalogue:
        return cls.from_dict({})

    @classmethod
    def from_toml(cls, path: Path | str) -> Catalogue:
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise RuleConfigError(f"{path}: no such rules file") from None
        except tomllib.TOMLDecodeError as error:
            raise RuleConfigError(f"{path}: not valid TOML: {error}") from None
        try:
            return cls.from_dict(data)
        except RuleConfigError as error:
            raise RuleConfigError(f"{path}: {error}") from None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Catalogue:
        unknown_top = set(data) - {"rules", "municipality"}
        if unknown_top:
            raise RuleConfigError(
                f"unknown section(s) {', '.join(sorted(unknown_top))}; expected [rules.Rn] "
                "tables and an optional municipality = \"…\"")
        overrides = data.get("rules", {})
        if not isinstance(overrides, dict):
            raise RuleConfigError("'rules' must be a table of [rules.Rn] sections")
        unknown = set(overrides) - set(RULE_CLASSES)
        if unknown:
            raise RuleConfigError(
                f"unknown rule(s) {', '.join(sorted(unknown))}; known rules are R1–R20")
        rules: dict[str, Rule] = {}
        for rule_id, rule_cls in RULE_CLASSES.items():
            options = dict(overrides.get(rule_id, {}))
            if not isinstance(options, dict):
                raise RuleConfigError(f"[rules.{rule_id}] must be a table")
            rules[rule_id] = _build(rule_cls, options, rules)
        return cls(rules, str(data.get("municipality", "")))

    def __iter__(self) -> Iterator[Rule]:
        return iter(r for r in self.rules.values() if r.enabled)

    def __getitem__(self, rule_id: str) -> Rule:
        return self.rules[rule_id]

    def describe(self) -> list[dict[str, Any]]:
        return [rule.describe() for rule in self.rules.values()]


def _build(rule_cls: type[Rule], options: dict[str, Any], built: dict[str, Rule]) -> Rule:
    rule_id = rule_cls.id
    common: dict[str, Any] = {}
    if "severity" in options:
        value = options.pop("severity")
        if value not in {s.value for s in Severity}:
            raise RuleConfigError(
                f"[rules.{rule_id}] severity must be \"hard\", \"soft\" or \"cost\", "
                f"not {value!r}")
        common["severity"] = Severity(value)
    if "weight" in options:
        weight = options.pop("weight")
        if isinstance(weight, bool) or not isinstance(weight, int) or not 0 <= weight <= 10000:
            raise RuleConfigError(f"[rules.{rule_id}] weight must be a whole number 0–10000")
        common["weight"] = weight
    if "enabled" in options:
        enabled = options.pop("enabled")
        if not isinstance(enabled, bool):
            raise RuleConfigError(f"[rules.{rule_id}] enabled must be true or false")
        common["enabled"] = enabled
    try:
        if rule_cls is NormHours:
            return NormHours(holidays=built["R12"], **common, **options)  # type: ignore[arg-type]
        if rule_cls is Overtime:
            return Overtime(norm_hours=built["R5"], **common, **options)  # type: ignore[arg-type]
        return rule_cls(**common, **options)
    except ValueError as error:
        raise RuleConfigError(str(error)) from None


__all__ = ["Catalogue", "Param", "Rule", "RuleConfigError", "RULE_CLASSES"]
