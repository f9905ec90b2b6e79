"""Concrete suggestions for hard violations: a named colleague who is free, or a free day.

The rules explain each violation with a general fix ("byt den med en kollega, der
har fri"). This post-processing step makes it concrete, for hard violations only:

1. *Give the shift to a colleague* — someone in the plan who may do the shift (their
   faggruppe qualifies for it; nights only for people not barred from them), who
   is neither working nor absent that day, and for whom taking it breaks no hard
   rule they did not already break (the hard rules are run for that person with
   the shift moved to them). Of those, the one with the fewest planned hours
   against their contract is named: "Byt aftenvagten tirsdag 3. marts med Anna,
   der har fri".
2. Otherwise *move the shift to a nearby day* on which the person is free, if that
   mends the violation and breaks no other hard rule: "Flyt aftenvagten tirsdag
   3. marts til onsdag 4. marts".

A shift is only offered when taking it away from its holder mends the violation.
When nothing fits, the rule's own suggestion stands.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from planning.clock import shift_hours
from planning.danish import day_da, number_da
from planning.model import Person, RosterPlan, Severity, Shift, Violation
from planning.roster_problem import qualifies
from planning.rules.base import Rule

#: How far (days) a shift may move for the second kind of suggestion, nearest first.
MOVE_DAYS = (1, -1, 2, -2, 3, -3)
#: Bounds that keep the checker fast on large rosters: shifts tried per violation and
#: colleagues whose rules are run per shift (the best-placed ones come first).
MAX_SHIFTS_TRIED = 2
MAX_COLLEAGUES_TRIED = 6
#: Weeks either side of a changed shift's week in which its effects are judged, and
#: the days before those weeks that count as history (as ``planning.interchange``).
WEEKS_AROUND = 2
HISTORY = timedelta(days=14)
#: Hard violations per check that get a concrete suggestion (earliest first). A team's
#: roster has far fewer; a 300-person roster full of breaches keeps the checker < 1 s.
MAX_SUGGESTED = 20

LAYER_WORDS = {"dag": "dagvagten", "aften": "aftenvagten", "nat": "nattevagten"}

Key = tuple[str, tuple[date, ...]]


def with_suggestions(plan: RosterPlan, rules: list[Rule],
                     violations: list[Violation]) -> list[Violation]:
    """``violations`` with a concrete suggestion on each hard one where one is found."""
    hard_rules = [r for r in rules if r.severity is Severity.HARD]
    if not any(v.severity is Severity.HARD for v in violations) or not hard_rules:
        return violations
    finder = _Finder(plan, hard_rules)
    improved: list[Violation] = []
    budget = MAX_SUGGESTED
    for violation in violations:
        if violation.severity is Severity.HARD and budget > 0:
            budget -= 1
            violation = finder.improve(violation)
        improved.append(violation)
    return improved


def shift_words(shift: Shift) -> str:
    """'aftenvagten tirsdag 3. marts' (or 'vagten kl. 09:00 …' without a layer)."""
    word = LAYER_WORDS.get(shift.layer or "", f"vagten kl. {shift.start:%H:%M}")
    return f"{word} {day_da(shift.day)}"


def _with(violation: Violation, concrete: str) -> Violation:
    """The concrete suggestion first; the rule's own stays as the alternative."""
    general = violation.suggestion
    if general:
        concrete += f" Alternativt: {general[0].lower()}{general[1:]}"
    return replace(violation, suggestion=concrete)


@dataclass
class _Finder:
    plan: RosterPlan
    rules: list[Rule]
    _base: dict[tuple[str, tuple[date, int]], set[Key]] = field(default_factory=dict)
    _busy: dict[str, set[date]] = field(default_factory=dict)
    _load: dict[str, float] = field(default_factory=dict)
    _everyone: list[str] = field(default_factory=list)

    def improve(self, violation: Violation) -> Violation:
        if not violation.dates:
            return violation
        for shift in self._shifts_to_try(violation)[:MAX_SHIFTS_TRIED]:
            if not self._mends(violation, shift):
                continue
            colleague = self._free_colleague(shift)
            if colleague is not None:
                return _with(violation, self._swap_text(shift, colleague))
            day = self._free_day(violation, shift)
            if day is not None:
                return _with(violation, f"Flyt {shift_words(shift)} til {day_da(day)}, hvor "
                                        f"{self._name(shift.employee)} har fri.")
        return violation

    # -- what to try -------------------------------------------------------------------

    def _shifts_to_try(self, violation: Violation) -> list[Shift]:
        """The violation's own shifts, the latest first (R1 names the earlier shift
        first; the later one is the one to move)."""
        own = self.plan.shifts_of(violation.employee, with_history=False)
        if violation.shift_ids:
            wanted = set(violation.shift_ids)
            found = [s for s in own if s.shift_id in wanted]
        elif violation.dates:
            first, last = violation.dates[0], violation.dates[-1]
            found = [s for s in own if first <= s.day <= last] if (last - first).days <= 7 else []
        else:
            found = []
        return sorted(found, key=lambda s: s.start, reverse=True)

    def _mends(self, violation: Violation, shift: Shift) -> bool:
        """Whether the holder no longer breaks the rule in those days without ``shift``."""
        rest = [s for s in self.plan.shifts_of(shift.employee, with_history=False)
                if s is not shift]
        keys = self._hard_keys(shift.employee, rest, shift.day)
        first, last = violation.dates[0], violation.dates[-1]
        return not any(rule == violation.rule and dates and dates[0] <= last
                       and dates[-1] >= first for rule, dates in keys)

    # -- a colleague who is free ---------------------------------------------------------

    def _free_colleague(self, shift: Shift) -> str | None:
        holder = self.plan.person(shift.employee)
        required = shift.profession or holder.profession
        days = set(shift.days_touched())
        candidates = [
            e for e in self._employees()
            if e != shift.employee and self._may_do(self.plan.person(e), shift, required)
            and not days & self._busy_days(e) and not self._absent(e, days)
        ]
        candidates.sort(key=lambda e: (self._load_of(e), self._name(e), e))
        for employee in candidates[:MAX_COLLEAGUES_TRIED]:
            moved = replace(shift, employee=employee)
            mine = self.plan.shifts_of(employee, with_history=False)
            if (self._hard_keys(employee, [*mine, moved], shift.day)
                    <= self._base_keys(employee, shift.day)):
                return employee
        return None

    @staticmethod
    def _may_do(person: Person, shift: Shift, required: str | None) -> bool:
        if shift.layer == "nat" and person.night_worker is False:
            return False
        if required is None:
            return True
        return person.profession is not None and qualifies(person.profession, required)

    def _swap_text(self, shift: Shift, colleague: str) -> str:
        person = self.plan.person(colleague)
        norm = person.weekly_hours * self.plan.weeks
        planned = sum(shift_hours(s) for s in self.plan.shifts_of(colleague, with_history=False))
        return (f"Byt {shift_words(shift)} med {self._name(colleague)}, der har fri "
                f"({number_da(planned)} af {number_da(norm)} kontrakttimer planlagt).")

    # -- a free day ------------------------------------------------------------------------

    def _free_day(self, violation: Violation, shift: Shift) -> date | None:
        employee = shift.employee
        busy = self._busy_days(employee) - set(shift.days_touched())
        rest = [s for s in self.plan.shifts_of(employee, with_history=False) if s is not shift]
        allowed = self._base_keys(employee, shift.day)
        for offset in MOVE_DAYS:
            delta = timedelta(days=offset)
            moved = replace(shift, start=shift.start + delta, end=shift.end + delta)
            days = set(moved.days_touched())
            if not self.plan.period_start <= moved.day < self.plan.period_end:
                continue
            if days & busy or self._absent(employee, days):
                continue
            keys = self._hard_keys(employee, [*rest, moved], shift.day)
            if keys <= allowed and self._mends_keys(violation, keys):
                return moved.day
        return None

    @staticmethod
    def _mends_keys(violation: Violation, keys: set[Key]) -> bool:
        first, last = violation.dates[0], violation.dates[-1]
        return not any(rule == violation.rule and dates and dates[0] <= last
                       and dates[-1] >= first for rule, dates in keys)

    # -- one person's rules ------------------------------------------------------------------

    def _hard_keys(self, employee: str, shifts: list[Shift], around: date) -> set[Key]:
        """The hard violations of ``employee`` if their period shifts were ``shifts``,
        judged in the weeks around ``around`` (a change there cannot break a rule
        further away; the longer-term averages are judged on those weeks alone, which
        only errs on the careful side) so that a large roster stays quick to check."""
        first, weeks = self._weeks_around(around)
        last = first + timedelta(weeks=weeks)
        earlier = [s for s in self.plan.shifts_of(employee)
                   if s.start.date() < self.plan.period_start] if self.plan.history else []
        earlier += [s for s in shifts if s.day < first]
        alone = RosterPlan(
            period_start=first, weeks=weeks,
            shifts=tuple(sorted((s for s in shifts if first <= s.day < last),
                                key=lambda s: s.start)),
            history=tuple(sorted((s for s in earlier if s.day >= first - HISTORY),
                                 key=lambda s: s.start)),
            people={employee: self.plan.person(employee)},
            absences=tuple(a for a in self.plan.absences if a.employee == employee),
            published_at=self.plan.published_at,
        )
        return {(v.rule, v.dates) for rule in self.rules for v in rule.check(alone)
                if v.employee == employee}

    def _weeks_around(self, day: date) -> tuple[date, int]:
        """The roster's weeks from two before ``day``'s week to two after (clipped)."""
        week = (day - self.plan.period_start).days // 7
        low, high = max(0, week - WEEKS_AROUND), min(self.plan.weeks, week + WEEKS_AROUND + 1)
        return self.plan.period_start + timedelta(weeks=low), high - low

    def _base_keys(self, employee: str, around: date) -> set[Key]:
        key = (employee, self._weeks_around(around))
        if key not in self._base:
            self._base[key] = self._hard_keys(
                employee, self.plan.shifts_of(employee, with_history=False), around)
        return self._base[key]

    def _employees(self) -> list[str]:
        if not self._everyone:
            self._everyone = self.plan.employees()
        return self._everyone

    def _busy_days(self, employee: str) -> set[date]:
        if employee not in self._busy:
            self._busy[employee] = {d for s in self.plan.shifts_of(employee)
                                    for d in s.days_touched()}
        return self._busy[employee]

    def _load_of(self, employee: str) -> float:
        """Planned hours in the period against the contract's hours (lower is freer)."""
        if employee not in self._load:
            person = self.plan.person(employee)
            norm = person.weekly_hours * self.plan.weeks
            planned = sum(shift_hours(s)
                          for s in self.plan.shifts_of(employee, with_history=False))
            self._load[employee] = planned / norm if norm > 0 else planned
        return self._load[employee]

    def _absent(self, employee: str, days: set[date]) -> bool:
        return any(a.employee == employee and a.covers(d)
                   for a in self.plan.absences for d in days)

    def _name(self, employee: str) -> str:
        return self.plan.person(employee).name or employee
