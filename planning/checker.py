"""The rule checker: every violation of a roster, explained, plus its priced costs."""

from __future__ import annotations

from dataclasses import dataclass

from planning.model import CostLine, RosterPlan, Severity, Violation
from planning.rules import Catalogue
from planning.suggest import with_suggestions


@dataclass(frozen=True)
class CheckResult:
    """The checker's verdict on a plan."""

    violations: tuple[Violation, ...]
    costs: tuple[CostLine, ...]

    @property
    def hard(self) -> tuple[Violation, ...]:
        return tuple(v for v in self.violations if v.severity is Severity.HARD)

    @property
    def soft(self) -> tuple[Violation, ...]:
        return tuple(v for v in self.violations if v.severity is Severity.SOFT)

    @property
    def ok(self) -> bool:
        """No hard rule is broken (the plan may be published)."""
        return not self.hard

    def by_rule(self, rule_id: str) -> list[Violation]:
        return [v for v in self.violations if v.rule == rule_id]

    def total_cost_dkk(self) -> float:
        return round(sum(c.amount_dkk for c in self.costs), 2)


def check(plan: RosterPlan, catalogue: Catalogue | None = None, *,
          suggest: bool = True) -> CheckResult:
    """Check a roster against every enabled rule of the catalogue (default: shipped values).

    With ``suggest`` (the default), each hard violation gets a concrete suggestion where
    one exists: a named colleague who is free and may take the shift, or a free day to
    move it to (``planning.suggest``); without, the rules' general suggestions stand.
    """
    catalogue = catalogue or Catalogue.default()
    violations: list[Violation] = []
    costs: list[CostLine] = []
    for rule in catalogue:
        violations.extend(rule.check(plan))
        costs.extend(rule.costs(plan))
    if suggest:
        violations = with_suggestions(plan, list(catalogue), violations)
    violations.sort(key=lambda v: (v.dates[0] if v.dates else plan.period_start,
                                   v.employee, _rule_number(v.rule)))
    costs.sort(key=lambda c: (c.employee, _rule_number(c.rule)))
    return CheckResult(tuple(violations), tuple(costs))


def _rule_number(rule_id: str) -> int:
    return int(rule_id[1:]) if rule_id[1:].isdigit() else 999
