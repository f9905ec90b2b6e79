"""Plain data the planners and the rule checker take and return.

Times are local wall-clock times in Europe/Copenhagen (naive ``datetime``);
durations are computed in real elapsed time (see ``planning.clock``), so a
night shift across the spring DST switch is one hour shorter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cached_property


class Severity(StrEnum):
    """How a rule counts: a hard rule blocks publication; soft rules warn; costs price."""

    HARD = "hard"
    SOFT = "soft"
    COST = "cost"


@dataclass(frozen=True)
class Shift:
    """One person's period of work (vagt)."""

    employee: str
    start: datetime
    end: datetime
    layer: str | None = None
    route: str | None = None
    shift_id: str | None = None
    break_minutes: int | None = None
    profession: str | None = None  # the least qualified faggruppe that may work it, if known

    def __post_init__(self) -> None:
        if not self.end > self.start:
            raise ValueError(f"shift of {self.employee} ends ({self.end}) before it starts "
                             f"({self.start})")

    @property
    def day(self) -> date:
        return self.start.date()

    def days_touched(self) -> list[date]:
        """Calendar days this shift works on (ending at 00:00 does not touch the next day)."""
        last = (self.end - timedelta(microseconds=1)).date()
        return [self.day + timedelta(days=i) for i in range((last - self.day).days + 1)]


@dataclass(frozen=True)
class Person:
    """A member as the rules see them: contract and flags."""

    employee: str
    name: str = ""
    weekly_hours: float = 37.0
    hourly_wage: float | None = None
    night_worker: bool | None = None  # None: decide from the plan (R13)
    reduced_rest_allowed: bool = False  # R20 local agreement applies
    profession: str | None = None  # faggruppe (UFL, SSH, SSA, SPL, TER), if known


@dataclass(frozen=True)
class Absence:
    """Sickness, holiday or a course: the person is not to be planned these days."""

    employee: str
    start: date
    end: date
    kind: str = "sick"

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class ShiftChange:
    """A change to a published shift, as recorded by ShiftChangedAfterPublish (R7–R9)."""

    employee: str
    changed_at: datetime
    old_start: datetime | None
    old_end: datetime | None
    new_start: datetime | None
    new_end: datetime | None


@dataclass(frozen=True)
class RosterPlan:
    """A roster to check: the period's shifts plus the previous period's last 14 days."""

    period_start: date
    weeks: int
    shifts: tuple[Shift, ...]
    history: tuple[Shift, ...] = ()
    people: dict[str, Person] = field(default_factory=dict)
    absences: tuple[Absence, ...] = ()
    published_at: datetime | None = None
    changes: tuple[ShiftChange, ...] = ()

    @property
    def period_end(self) -> date:
        """First day after the period."""
        return self.period_start + timedelta(weeks=self.weeks)

    def person(self, employee: str) -> Person:
        return self.people.get(employee) or Person(employee)

    def employees(self) -> list[str]:
        names = {s.employee for s in self.shifts} | set(self.people)
        return sorted(names)

    def shifts_of(self, employee: str, with_history: bool = True) -> list[Shift]:
        """The employee's shifts in time order (with the history unless told not to)."""
        index = self._history_index if with_history else self._period_index
        return list(index.get(employee, ()))

    @cached_property
    def _period_index(self) -> dict[str, tuple[Shift, ...]]:
        return _by_employee(self.shifts)

    @cached_property
    def _history_index(self) -> dict[str, tuple[Shift, ...]]:
        return _by_employee(self.history + self.shifts)

    def days(self) -> list[date]:
        return [self.period_start + timedelta(days=i) for i in range(self.weeks * 7)]


def _by_employee(shifts: tuple[Shift, ...]) -> dict[str, tuple[Shift, ...]]:
    grouped: dict[str, list[Shift]] = {}
    for shift in shifts:
        grouped.setdefault(shift.employee, []).append(shift)
    return {k: tuple(sorted(v, key=lambda s: s.start)) for k, v in grouped.items()}


@dataclass(frozen=True)
class Violation:
    """One broken rule, explained: what, who, when, by how much, and what would fix it."""

    rule: str
    severity: Severity
    employee: str
    dates: tuple[date, ...]
    measured: float
    limit: float
    unit: str
    message: str  # Danish, for people
    suggestion: str  # Danish, concrete
    detail: str  # English, for logs and programs
    shift_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class CostLine:
    """A priced consequence of the plan (R7–R11): supplements, fees, overtime."""

    rule: str
    employee: str
    hours: float
    amount_dkk: float
    basis: str  # which rate table / rate was used
    message: str  # Danish
