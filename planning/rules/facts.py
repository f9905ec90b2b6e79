"""Facts about a plan that several rules need, worked out once per plan.

Each rule walks every person's shifts; without this, each would convert the same
times to UTC, add up the same hours, merge the same work blocks and list the same
worked days. ``facts(plan)`` keeps them for as long as the plan lives (the checker
runs all rules on one plan in a row), and works them out per person on first use.
The values are the ones the rules computed themselves (same order of summation,
same functions), so no verdict changes.
"""

from __future__ import annotations

import weakref
from datetime import date, datetime, tzinfo
from functools import cached_property, lru_cache

from planning.clock import FreeTime, merge_intervals, span_hours, to_utc
from planning.model import Absence, RosterPlan, Shift


class PersonFacts:
    """One person's shifts in time order and what the rules derive from them."""

    def __init__(self, shifts: tuple[Shift, ...], period: tuple[Shift, ...]) -> None:
        self.shifts = shifts  # with the history
        self.period = period  # the period's own

    @cached_property
    def utc(self) -> list[tuple[datetime, datetime]]:
        """(start, end) in UTC of every shift, history included, in time order."""
        return [(to_utc(s.start), to_utc(s.end)) for s in self.shifts]

    @cached_property
    def free_time(self) -> FreeTime:
        """The person's work blocks (history included), indexed for the rest rules."""
        return FreeTime(merge_intervals(self.utc))

    @cached_property
    def period_days(self) -> list[date]:
        """The start day of each period shift (ascending, as the shifts)."""
        return [s.start.date() for s in self.period]

    @cached_property
    def total_hours(self) -> float:
        """Real hours of all shifts, history included (as ``sum(shift_hours(...))``)."""
        return sum(span_hours(s.start, s.end) for s in self.shifts)

    @cached_property
    def period_hours(self) -> float:
        """Real hours of the period's shifts."""
        return sum(span_hours(s.start, s.end) for s in self.period)

    @cached_property
    def worked(self) -> dict[date, list[Shift]]:
        """Calendar days of the period touched by work, with the shifts touching each."""
        days: dict[date, list[Shift]] = {}
        for shift in self.period:
            for day in days_touched(shift):
                if day in days:
                    days[day].append(shift)
                else:
                    days[day] = [shift]
        return days

    @cached_property
    def busy(self) -> frozenset[date]:
        """Calendar days touched by any of the shifts, history included."""
        return frozenset(d for s in self.shifts for d in days_touched(s))


def days_touched(shift: Shift) -> tuple[date, ...]:
    """``shift.days_touched()``, cached by the shift's times (a roster repeats a few)."""
    return _days_touched(shift.start, shift.end, shift.start.tzinfo)


@lru_cache(maxsize=65536)
def _days_touched(start: datetime, end: datetime, zone: tzinfo | None) -> tuple[date, ...]:
    """``zone`` is part of the key: equal aware moments in two zones are other days."""
    return tuple(Shift("", start, end).days_touched())


class PlanFacts:
    """The plan's employees and, per person, their ``PersonFacts`` (made on first use).

    Holds no reference to the plan itself, so the cache below never keeps one alive.
    """

    def __init__(self, plan: RosterPlan) -> None:
        self.employees: tuple[str, ...] = tuple(plan.employees())
        self._shifts = {e: tuple(plan.shifts_of(e)) for e in self.employees}
        self._period = {e: tuple(plan.shifts_of(e, with_history=False))
                        for e in self.employees}
        self._absences: dict[str, tuple[Absence, ...]] = {}
        for absence in plan.absences:
            self._absences[absence.employee] = (*self._absences.get(absence.employee, ()),
                                                absence)
        self._people: dict[str, PersonFacts] = {}

    def of(self, employee: str) -> PersonFacts:
        if employee not in self._people:
            self._people[employee] = PersonFacts(self._shifts.get(employee, ()),
                                                 self._period.get(employee, ()))
        return self._people[employee]

    def absences_of(self, employee: str) -> tuple[Absence, ...]:
        return self._absences.get(employee, ())


_CACHE: dict[int, tuple[weakref.ref[RosterPlan], PlanFacts]] = {}


def facts(plan: RosterPlan) -> PlanFacts:
    """The plan's facts, made once and kept while the plan lives (by identity)."""
    key = id(plan)
    hit = _CACHE.get(key)
    if hit is not None and hit[0]() is plan:
        return hit[1]
    made = PlanFacts(plan)
    _CACHE[key] = (weakref.ref(plan, lambda _gone, k=key: _CACHE.pop(k, None)), made)
    return made
