"""The rule base class and its parameters.

A rule implements one row of the rule table in AGREEMENT.md: it has a stable
id (R1…R20), parameters with the defaults there, a status and a severity, a
``check`` that explains each violation, and a ``post`` that adds it to the
CP-SAT roster model (see ``planning.roster_model``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from planning.model import CostLine, RosterPlan, Severity, Violation

if TYPE_CHECKING:
    from planning.roster_model import RosterModel


@dataclass(frozen=True)
class Param:
    """A rule parameter with its unit and the range of sensible values."""

    default: float | int | bool
    unit: str
    minimum: float | None = None
    maximum: float | None = None
    description: str = ""

    def validate(self, rule_id: str, name: str, value: Any) -> float | int | bool:
        """Check a configured value: right type, within range. Raises ValueError."""
        where = f"[rules.{rule_id}] {name}"
        if isinstance(self.default, bool):
            if not isinstance(value, bool):
                raise ValueError(f"{where} must be true or false, not {value!r}")
            return value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{where} must be a number ({self.unit}), not {value!r}")
        if isinstance(self.default, int) and not isinstance(value, int):
            raise ValueError(f"{where} must be a whole number ({self.unit}), not {value!r}")
        if self.minimum is not None and value < self.minimum:
            raise ValueError(f"{where} = {value} {self.unit} is below the minimum "
                             f"{self.minimum} {self.unit}")
        if self.maximum is not None and value > self.maximum:
            raise ValueError(f"{where} = {value} {self.unit} is above the maximum "
                             f"{self.maximum} {self.unit}")
        return value


class Rule:
    """One agreement rule. Subclasses set the class attributes and implement check()."""

    id: ClassVar[str]
    name_da: ClassVar[str]
    name_en: ClassVar[str]
    status: ClassVar[str]  # LAW, AGR, UNV, advice
    default_severity: ClassVar[Severity]
    params: ClassVar[dict[str, Param]] = {}
    source: ClassVar[str] = ""
    unverified: ClassVar[bool] = False

    def __init__(self, severity: Severity | None = None, weight: int = 10,
                 enabled: bool = True, **values: Any) -> None:
        self.severity = Severity(severity) if severity else self.default_severity
        self.weight = weight
        self.enabled = enabled
        unknown = set(values) - set(self.params)
        if unknown:
            raise ValueError(f"[rules.{self.id}] unknown parameter(s): {', '.join(sorted(unknown))}"
                             f"; known: {', '.join(sorted(self.params)) or 'none'}")
        self.values: dict[str, Any] = {
            name: param.validate(self.id, name, values[name]) if name in values else param.default
            for name, param in self.params.items()
        }
        self.validate_together()

    def validate_together(self) -> None:
        """Cross-parameter checks; override where parameters constrain each other."""

    def __getattr__(self, name: str) -> Any:
        values = self.__dict__.get("values", {})
        if name in values:
            return values[name]
        raise AttributeError(name)

    def check(self, plan: RosterPlan) -> list[Violation]:
        """Every violation of this rule in the plan, explained."""
        return []

    def costs(self, plan: RosterPlan) -> list[CostLine]:
        """Priced consequences (supplements, fees, overtime); most rules have none."""
        return []

    def post(self, builder: RosterModel) -> None:
        """Add this rule to the CP-SAT roster model: hard constraints when the rule is
        hard, penalties with its weight when soft, cost terms for priced rules.

        Every rule implements it, even if only to say why nothing is posted: a rule the
        checker knows but the planner does not is a defect (AGREEMENT.md).
        """
        raise NotImplementedError(f"{self.id} does not post itself into the roster model")

    def violation(self, **fields: Any) -> Violation:
        return Violation(rule=self.id, severity=self.severity, **fields)

    def describe(self) -> dict[str, Any]:
        """The rule as documentation: id, names, status, severity, parameter values."""
        return {
            "id": self.id, "name_da": self.name_da, "name_en": self.name_en,
            "status": self.status, "severity": str(self.severity), "weight": self.weight,
            "enabled": self.enabled, "unverified": self.unverified,
            "params": dict(self.values), "source": self.source,
        }
