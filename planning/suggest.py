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

Speed: the plan's per-person facts (busy days, hours, absences) come from
``planning.rules.facts``, made once per plan; before the hard rules are run for a
candidate, a quick look at the rest rules (R1–R3, with the rules' own helpers on the
same one-person plan) turns away those certain to break one, so the full run is
mostly made for the colleague or day that is named.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cached_property

from planning.clock import FreeTime, merge_intervals, to_utc
from planning.danish import day_da, number_da
from planning.model import Person, RosterPlan, Severity, Shift, Violation
from planning.roster_problem import qualifies
from planning.rules.base import Rule
from planning.rules.facts import PlanFacts, days_touched, facts
from planning.rules.rest import DailyRest, DaysOff, WeeklyRest

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
    _facts: PlanFacts = field(init=False)
    _quick: _QuickRules = field(init=False)
    _base: dict[tuple[str, tuple[date, int]], set[Key]] = field(default_factory=dict)
    _without: dict[tuple[str, int], set[Key]] = field(default_factory=dict)
    _minis: dict[tuple[str, tuple[date, int]], _Mini] = field(default_factory=dict)
    _earlier: dict[str, list[Shift]] = field(default_factory=dict)
    _load: dict[str, float] = field(default_factory=dict)
    _people: list[tuple[str, Person, frozenset[date]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._facts = facts(self.plan)
        self._quick = _QuickRules.of(self.rules)

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
        own = self._period(violation.employee)
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
        key = (shift.employee, id(shift))
        if key not in self._without:
            rest = [s for s in self._period(shift.employee) if s is not shift]
            self._without[key] = self._hard_keys(shift.employee, rest, shift.day)
        return self._mends_keys(violation, self._without[key])

    # -- a colleague who is free ---------------------------------------------------------

    def _free_colleague(self, shift: Shift) -> str | None:
        holder = self.plan.person(shift.employee)
        required = shift.profession or holder.profession
        days = set(days_touched(shift))
        candidates = [
            e for e, person, busy in self._everyone()
            if e != shift.employee and days.isdisjoint(busy)
            and self._may_do(person, shift, required) and not self._absent(e, days)
        ]
        nearest = heapq.nsmallest(MAX_COLLEAGUES_TRIED, candidates,
                                  key=lambda e: (self._load_of(e), self._name(e), e))
        for employee in nearest:
            moved = replace(shift, employee=employee)
            shifts = [*self._period(employee), moved]
            if self._surely_breaks(employee, shifts, moved, shift.day):
                continue
            if (self._hard_keys(employee, shifts, shift.day)
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
        planned = self._facts.of(colleague).period_hours
        return (f"Byt {shift_words(shift)} med {self._name(colleague)}, der har fri "
                f"({number_da(planned)} af {number_da(norm)} kontrakttimer planlagt).")

    # -- a free day ------------------------------------------------------------------------

    def _free_day(self, violation: Violation, shift: Shift) -> date | None:
        employee = shift.employee
        busy = self._facts.of(employee).busy - set(days_touched(shift))
        rest = [s for s in self._period(employee) if s is not shift]
        allowed = self._base_keys(employee, shift.day)
        for offset in MOVE_DAYS:
            delta = timedelta(days=offset)
            moved = replace(shift, start=shift.start + delta, end=shift.end + delta)
            days = set(days_touched(moved))
            if not self.plan.period_start <= moved.day < self.plan.period_end:
                continue
            if days & busy or self._absent(employee, days):
                continue
            shifts = [*rest, moved]
            if self._surely_breaks(employee, shifts, moved, shift.day):
                continue
            keys = self._hard_keys(employee, shifts, shift.day)
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
        mini = self._mini(employee, shifts, around)
        alone = RosterPlan(
            period_start=mini.first, weeks=mini.weeks, shifts=mini.period,
            history=mini.history, people={employee: self.plan.person(employee)},
            absences=self._facts.absences_of(employee), published_at=self.plan.published_at,
        )
        return {(v.rule, v.dates) for rule in self.rules for v in rule.check(alone)
                if v.employee == employee}

    def _mini(self, employee: str, shifts: list[Shift], around: date) -> _Mini:
        """The one-person plan ``_hard_keys`` judges: the weeks around ``around`` with
        ``shifts`` in them, the earlier ones (and the plan's history) as its history."""
        first, weeks = self._weeks_around(around)
        last = first + timedelta(weeks=weeks)
        earlier = [*self._history_of(employee), *(s for s in shifts if s.day < first)]
        return _Mini(
            first, weeks,
            tuple(sorted((s for s in shifts if first <= s.day < last), key=lambda s: s.start)),
            tuple(sorted((s for s in earlier if s.day >= first - HISTORY),
                         key=lambda s: s.start)))

    def _surely_breaks(self, employee: str, shifts: list[Shift], changed: Shift,
                       around: date) -> bool:
        """A quick look at R1–R3 that is only ever right when it says yes: whether
        ``_hard_keys(employee, shifts, around)`` has a key the person's present shifts
        do not (so the full check need not run)."""
        if not self._quick:
            return False
        base = self._base_mini(employee, around)
        mini = self._mini(employee, shifts, around)
        return self._quick.new_keys(self.plan.person(employee), base, mini, changed)

    def _weeks_around(self, day: date) -> tuple[date, int]:
        """The roster's weeks from two before ``day``'s week to two after (clipped)."""
        week = (day - self.plan.period_start).days // 7
        low, high = max(0, week - WEEKS_AROUND), min(self.plan.weeks, week + WEEKS_AROUND + 1)
        return self.plan.period_start + timedelta(weeks=low), high - low

    def _base_keys(self, employee: str, around: date) -> set[Key]:
        key = (employee, self._weeks_around(around))
        if key not in self._base:
            self._base[key] = self._hard_keys(employee, self._period(employee), around)
        return self._base[key]

    def _base_mini(self, employee: str, around: date) -> _Mini:
        key = (employee, self._weeks_around(around))
        if key not in self._minis:
            self._minis[key] = self._mini(employee, self._period(employee), around)
        return self._minis[key]

    def _everyone(self) -> list[tuple[str, Person, frozenset[date]]]:
        """Everyone in the plan with their contract and the days they work."""
        if not self._people:
            self._people = [(e, self.plan.person(e), self._facts.of(e).busy)
                            for e in self._facts.employees]
        return self._people

    def _period(self, employee: str) -> list[Shift]:
        return list(self._facts.of(employee).period)

    def _history_of(self, employee: str) -> list[Shift]:
        """The person's shifts from the plan's history (before its period), if given."""
        if employee not in self._earlier:
            self._earlier[employee] = [
                s for s in self._facts.of(employee).shifts
                if s.start.date() < self.plan.period_start] if self.plan.history else []
        return self._earlier[employee]

    def _load_of(self, employee: str) -> float:
        """Planned hours in the period against the contract's hours (lower is freer)."""
        if employee not in self._load:
            person = self.plan.person(employee)
            norm = person.weekly_hours * self.plan.weeks
            planned = self._facts.of(employee).period_hours
            self._load[employee] = planned / norm if norm > 0 else planned
        return self._load[employee]

    def _absent(self, employee: str, days: set[date]) -> bool:
        absences = self._facts.absences_of(employee)
        return bool(absences) and any(a.covers(d) for a in absences for d in days)

    def _name(self, employee: str) -> str:
        return self.plan.person(employee).name or employee


@dataclass(frozen=True)
class _Mini:
    """A one-person plan in the making: its weeks, period shifts and history."""

    first: date
    weeks: int
    period: tuple[Shift, ...]
    history: tuple[Shift, ...]

    @cached_property
    def free_time(self) -> FreeTime:
        return FreeTime(merge_intervals([(to_utc(s.start), to_utc(s.end))
                                         for s in (*self.history, *self.period)]))

    @cached_property
    def worked(self) -> set[date]:
        return {d for s in self.period for d in days_touched(s)}


@dataclass(frozen=True)
class _QuickRules:
    """The shipped rest rules among the hard ones, for ``_Finder._surely_breaks``.

    Each test says whether the changed plan has a key of that rule the present one
    lacks, computed with the rule's own helpers on the same one-person plan as the
    full check, so a "yes" is certain. R2 and R3 compare their whole key sets; R1
    only judges the changed shift, whose key no present shift can have (its last date
    is the changed shift's day, on which no other shift of the person starts).
    """

    daily: tuple[DailyRest, ...] = ()
    weekly: tuple[WeeklyRest, ...] = ()
    days_off: tuple[DaysOff, ...] = ()

    @classmethod
    def of(cls, rules: list[Rule]) -> _QuickRules:
        if len({r.id for r in rules}) < len(rules):
            return cls()  # keys of two rules could coincide: leave it to the full check
        return cls(tuple(r for r in rules if type(r) is DailyRest),
                   tuple(r for r in rules if type(r) is WeeklyRest),
                   tuple(r for r in rules if type(r) is DaysOff))

    def __bool__(self) -> bool:
        return bool(self.daily or self.weekly or self.days_off)

    def new_keys(self, person: Person, base: _Mini, mini: _Mini, changed: Shift) -> bool:
        return (any(self._days_off(rule, base, mini) for rule in self.days_off)
                or any(self._weekly(rule, base, mini) for rule in self.weekly)
                or any(self._daily(rule, person, base, mini, changed) for rule in self.daily))

    @staticmethod
    def _days_off(rule: DaysOff, base: _Mini, mini: _Mini) -> bool:
        if not mini.period:
            return False
        short = rule.short_weeks(mini.first, mini.weeks, mini.worked)
        if not short:
            return False
        before = {days[0] for days in rule.short_weeks(base.first, base.weeks, base.worked)
                  } if base.period else set()
        return any(days[0] not in before for days in short)

    @staticmethod
    def _weekly(rule: WeeklyRest, base: _Mini, mini: _Mini) -> bool:
        days, bounds = rule.windows(mini.first, mini.weeks, bool(mini.history))
        now = rule.run_starts(mini.free_time, days, bounds)
        if not now:
            return False
        days, bounds = rule.windows(base.first, base.weeks, bool(base.history))
        return not now <= rule.run_starts(base.free_time, days, bounds)

    @staticmethod
    def _daily(rule: DailyRest, person: Person, base: _Mini, mini: _Mini,
               changed: Shift) -> bool:
        if changed not in mini.period or any(
                s.day == changed.day for s in base.period if s is not changed):
            return False
        return bool(rule.short_of_rest(mini.free_time, [changed], rule.needed(person)))
