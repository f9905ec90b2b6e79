"""What the roster planner is asked: plain, frozen data (STYLE.md convention 6).

Times are local Europe/Copenhagen wall-clock times; ``planning.clock`` turns them
into real elapsed time. The planner takes a ``RosterProblem`` and returns a
``RosterProposal`` or ``RosterInfeasible`` (``planning.roster_solver``).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from planning.model import Absence, Person, RosterPlan, Shift
from planning.rules import Catalogue

#: Care professions form a ladder (UFL < SSH < SSA < SPL); a therapist (TER) stands apart.
PROFESSION_LADDER = ("UFL", "SSH", "SSA", "SPL")
LAYERS = ("dag", "aften", "nat")


def qualifies(profession: str, required: str | None) -> bool:
    """Whether someone of ``profession`` counts towards a demand requiring ``required``."""
    if required is None:
        return True
    if "TER" in (profession, required):
        return profession == required
    return PROFESSION_LADDER.index(profession) >= PROFESSION_LADDER.index(required)


@dataclass(frozen=True)
class ShiftType:
    """A vagttype: a layer (dag/aften/nat) with local start and end; end ≤ start means the
    shift ends the next day. ``route`` ties the shift to a route (for continuity)."""

    code: str
    layer: str
    start: time
    end: time
    route: str | None = None
    break_minutes: int | None = None

    def __post_init__(self) -> None:
        if self.layer not in LAYERS:
            raise ValueError(f"shift type {self.code}: layer must be one of {LAYERS}")

    def times_on(self, day: date) -> tuple[datetime, datetime]:
        """Local start and end of this shift type worked on ``day``."""
        start = datetime.combine(day, self.start)
        end_day = day + timedelta(days=1) if self.end <= self.start else day
        return start, datetime.combine(end_day, self.end)

    def shift(self, employee: str, day: date) -> Shift:
        start, end = self.times_on(day)
        return Shift(employee, start, end, layer=self.layer, route=self.route,
                     shift_id=f"{employee}/{day.isoformat()}/{self.code}",
                     break_minutes=self.break_minutes)


@dataclass(frozen=True)
class Demand:
    """Behov: at least ``count`` people of ``profession`` or higher on a shift type that day.

    Several rows for one day and shift type combine (e.g. 3 in all, 1 of them SSA); the
    largest count caps how many are planned on that shift.
    """

    day: date
    shift_type: str
    count: int
    profession: str | None = None


class BidKind(StrEnum):
    """Ønske: work a shift, avoid a shift, a day off, or a route."""

    WANT = "want"
    AVOID = "avoid"
    DAY_OFF = "day_off"
    WANT_ROUTE = "want_route"


@dataclass(frozen=True)
class Bid:
    """A member's wish with a weight (1 = nice, 10 = important).

    ``want``/``avoid`` with ``shift_type=None`` mean any shift that day; ``want_route``
    with ``day=None`` means every routed shift in the period.
    """

    employee: str
    day: date | None
    kind: BidKind
    shift_type: str | None = None
    weight: int = 1
    route: str | None = None

    def __post_init__(self) -> None:
        if self.kind is BidKind.WANT_ROUTE and not self.route:
            raise ValueError("a want_route bid names the route")
        if self.kind is not BidKind.WANT_ROUTE and self.day is None:
            raise ValueError(f"a {self.kind} bid names the day")
        if self.weight < 0:
            raise ValueError("bid weight cannot be negative")


@dataclass(frozen=True)
class Member:
    """A team member as the planner sees them: the checker's ``Person`` plus profession,
    the layers they work, and whether nights are allowed (ground rule)."""

    person: Person
    profession: str = "SSH"
    layers: frozenset[str] = frozenset(LAYERS)
    may_work_nights: bool = True

    @property
    def employee(self) -> str:
        return self.person.employee

    @property
    def name(self) -> str:
        return self.person.name or self.person.employee

    def may_work(self, shift_type: ShiftType) -> bool:
        if shift_type.layer not in self.layers:
            return False
        return shift_type.layer != "nat" or self.may_work_nights


@dataclass(frozen=True)
class GroundRules:
    """Grundregler the leader sets. ``None`` keeps the catalogue's value.

    ``weekend_off_every_n`` sets R18, ``max_nights_in_row`` sets R14; ``max_nights`` caps
    nights per person in the period and ``min_staffing`` the people per layer and day
    (both hard).
    """

    weekend_off_every_n: int | None = None
    max_nights_in_row: int | None = None
    max_nights: int | None = None
    min_staffing: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class Weights:
    """Objective weights, tiered so each part outweighs the ones after it:
    uncovered demand > broken soft rules > moved shifts > unmet bids > unfairness >
    route continuity > money (supplements, overtime, fees)."""

    uncovered: int = 100_000  # per missing person on a shift
    soft_rule: int = 1_000  # × the rule's weight, per unit of breach
    moved: int = 800  # per changed (person, day) vs the current plan
    bid: int = 100  # × the bid's weight
    fairness: int = 20  # per unit of max − min (weekends, evenings, nights, unmet bids)
    continuity: int = 5  # per extra route a person works
    dkk_per_unit: int = 50  # money: one objective unit per this many kroner


@dataclass(frozen=True)
class RosterProblem:
    """Everything the planner needs for one team and period.

    ``history`` is the previous period's last 14 days (fixed); ``current_plan`` is the
    plan being re-solved (kept where possible); ``changed_at`` is when a re-solve
    happens (for the R7–R9 notice).
    """

    period_start: date
    weeks: int
    members: tuple[Member, ...]
    shift_types: tuple[ShiftType, ...]
    demand: tuple[Demand, ...]
    bids: tuple[Bid, ...] = ()
    absences: tuple[Absence, ...] = ()
    history: tuple[Shift, ...] = ()
    ground_rules: GroundRules = GroundRules()
    current_plan: tuple[Shift, ...] = ()
    changed_at: datetime | None = None
    weights: Weights = Weights()
    catalogue: Catalogue | None = field(default=None, compare=False)
    time_limit_s: float = 10.0
    seed: int = 1
    workers: int = 2

    def __post_init__(self) -> None:
        if self.period_start.weekday() != 0:
            raise ValueError("a roster period starts on a Monday")
        if self.weeks < 1:
            raise ValueError("a roster period lasts at least one week")
        codes = [t.code for t in self.shift_types]
        if len(set(codes)) != len(codes):
            raise ValueError("shift type codes must be unique")
        unknown = {d.shift_type for d in self.demand} - set(codes)
        if unknown:
            raise ValueError(f"demand for unknown shift type(s) {sorted(unknown)}")
        employees = [m.employee for m in self.members]
        if len(set(employees)) != len(employees):
            raise ValueError("member ids must be unique")
        strangers = {b.employee for b in self.bids} - set(employees)
        if strangers:
            raise ValueError(f"bids from non-members {sorted(strangers)}")
        end = self.period_start + timedelta(weeks=self.weeks)
        outside = [d for d in self.demand if not self.period_start <= d.day < end]
        if outside:
            raise ValueError(f"demand on {outside[0].day}, outside the period")

    @property
    def days(self) -> list[date]:
        return [self.period_start + timedelta(days=i) for i in range(self.weeks * 7)]

    def member(self, employee: str) -> Member:
        return next(m for m in self.members if m.employee == employee)

    def shift_type(self, code: str) -> ShiftType:
        return next(t for t in self.shift_types if t.code == code)

    def is_absent(self, employee: str, day: date) -> bool:
        return any(a.employee == employee and a.covers(day) for a in self.absences)

    def rules(self) -> Catalogue:
        """The catalogue with the ground rules applied (R14 nights in a row, R18 weekends).

        The checker verifies each proposal against this same catalogue.
        """
        catalogue = copy.deepcopy(self.catalogue or Catalogue.default())
        overrides = (("R18", "weekend_off_every_n", self.ground_rules.weekend_off_every_n),
                     ("R14", "max_consecutive_nights", self.ground_rules.max_nights_in_row))
        for rule_id, name, value in overrides:
            if value is not None:
                rule = catalogue[rule_id]
                rule.values[name] = rule.params[name].validate(rule_id, name, value)
        return catalogue

    def plan(self, shifts: tuple[Shift, ...]) -> RosterPlan:
        """The roster the checker sees: these shifts with the history, people and absences."""
        return RosterPlan(
            period_start=self.period_start, weeks=self.weeks, shifts=shifts,
            history=self.history, people={m.employee: m.person for m in self.members},
            absences=self.absences)
