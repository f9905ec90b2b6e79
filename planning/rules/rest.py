"""Rest rules: daily rest (R1), weekly rest day (R2), days off (R3), reduced rest (R20)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Container, Sequence
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from planning.clock import (
    UTC,
    FreeTime,
    local,
    longest_free,
    merge_intervals,
    to_utc,
    work_blocks,
)
from planning.danish import day_da, duration_da, moment_da
from planning.model import Person, RosterPlan, Severity, Shift, Violation
from planning.rules.base import Param, Rule
from planning.rules.facts import PersonFacts, facts

if TYPE_CHECKING:
    from planning.roster_model import Lit, RosterModel, Slot


_utc = to_utc  # a local (naive) or aware moment in UTC, cached
_DAY = timedelta(hours=24)


@lru_cache(maxsize=4096)
def _midnight(day: date) -> datetime:
    return _utc(datetime.combine(day, datetime.min.time()))


def _checked_from(plan: RosterPlan) -> date:
    """Windows may reach back into the history when the previous period is given."""
    return plan.period_start - timedelta(days=14) if plan.history else plan.period_start


class DailyRest(Rule):
    """R1 — daglig hvileperiode (11-timers-reglen), BEK 324/2002 §3.

    For every shift end e, the longest work-free interval in [e − 24 h, e] must be
    at least ``min_rest_h`` (real elapsed time). People under a local reduced-rest
    agreement (R20) need ``reduced_rest_h``; R20 limits how often.
    """

    id = "R1"
    name_da = "Daglig hvileperiode (11-timers-reglen)"
    name_en = "Daily rest"
    status = "LAW"
    default_severity = Severity.HARD
    source = "BEK 324/2002 §3; S1, S2b, S6"
    params = {
        "min_rest_h": Param(11, "h", 8, 24, "hours of rest in any 24 h"),
        "reduced_rest_h": Param(8, "h", 0, 11, "minimum rest with a local agreement (R20)"),
    }

    def validate_together(self) -> None:
        if self.reduced_rest_h > self.min_rest_h:
            raise ValueError(f"[rules.R1] reduced_rest_h ({self.reduced_rest_h} h) cannot exceed "
                             f"min_rest_h ({self.min_rest_h} h)")

    def check(self, plan: RosterPlan) -> list[Violation]:
        found: list[Violation] = []
        known = facts(plan)
        for employee in known.employees:
            needed = self.needed(plan.person(employee))
            mine = known.of(employee)
            free_time = mine.free_time
            for index in self.short_of_rest(free_time, mine.period, needed):
                shift = mine.period[index]
                end = _utc(shift.end)
                free, _, _ = free_time.longest(end - _DAY, end)
                free_h = free.total_seconds() / 3600
                found.append(self._explain(plan, shift, list(mine.shifts), free_h, needed))
        return found

    def needed(self, person: Person) -> float:
        """Hours of rest the person needs in the 24 h before each shift end."""
        return self.reduced_rest_h if person.reduced_rest_allowed else self.min_rest_h

    @staticmethod
    def short_of_rest(free_time: FreeTime, shifts: Sequence[Shift], needed: float
                      ) -> list[int]:
        """The indices of ``shifts`` (of the person whose work is ``free_time``) after
        whose end the 24 h before hold less than ``needed`` hours of rest."""
        ends = [_utc(shift.end) for shift in shifts]
        return free_time.without_rest([(end - _DAY, end) for end in ends], needed)

    def post(self, builder: RosterModel) -> None:
        """R1 in the roster model (BEK 324/2002 §3). For each shift b a person may work,
        every minimal set of their other shifts (history included) in the 24 h before b
        ends that leaves less than the needed rest free is forbidden:
        x_b + Σ x_set ≤ |set|. Rest is real elapsed time (UTC), so a DST night counts
        right; people under a local agreement (R20) need ``reduced_rest_h``."""
        for member in builder.members:
            e = member.employee
            needed = (self.reduced_rest_h if member.person.reduced_rest_allowed
                      else self.min_rest_h)
            everyone = builder.all_slots(e)
            for anchor in builder.slots[e]:
                since = anchor.end_utc - timedelta(hours=24)
                mates = [s for s in everyone if s is not anchor
                         and s.end_utc > since and s.start_utc < anchor.end_utc]
                text = (f"{member.name} skal have mindst {duration_da(needed)} hvile i døgnet "
                        "før en vagt slutter")
                builder.forbid_combinations(
                    self, anchor, mates,
                    lambda chosen, a=anchor, n=needed: _free_before_end(a, chosen) + 1e-9 < n,
                    text)

    def _explain(self, plan: RosterPlan, shift: Shift, shifts: list[Shift], free_h: float,
                 needed: float) -> Violation:
        name = plan.person(shift.employee).name or shift.employee
        before = [s for s in shifts if s.end <= shift.start and s is not shift]
        previous = before[-1] if before else None
        if previous is not None and shift.start - previous.end < timedelta(hours=24):
            gap_h = (_utc(shift.start) - _utc(previous.end)).total_seconds() / 3600
            earliest = local(_utc(previous.end) + timedelta(hours=needed))
            message = (f"{name} har kun {duration_da(gap_h)} hvile mellem vagten, der slutter "
                       f"{moment_da(previous.end)}, og vagten, der begynder "
                       f"{moment_da(shift.start)}. Reglen kræver mindst "
                       f"{duration_da(needed)} hvile inden for 24 timer.")
            suggestion = (f"Flyt vagten {day_da(shift.day)}, så den begynder tidligst "
                          f"kl. {earliest:%H:%M}, eller byt den med en kollega, der har fri.")
            dates = tuple(sorted({previous.day, shift.day}))
            ids = tuple(i for i in (previous.shift_id, shift.shift_id) if i)
        else:
            message = (f"{name} har kun {duration_da(free_h)} hvile i døgnet op til "
                       f"{moment_da(shift.end)}; vagten er for lang til {duration_da(needed)} "
                       "hvile.")
            suggestion = f"Del vagten {day_da(shift.day)} mellem to kolleger."
            dates = (shift.day,)
            ids = (shift.shift_id,) if shift.shift_id else ()
        return self.violation(
            employee=shift.employee, dates=dates, measured=round(free_h, 4), limit=needed,
            unit="h", message=message, suggestion=suggestion, shift_ids=ids,
            detail=(f"R1: {shift.employee} has {free_h:.2f} h rest in the 24 h before "
                    f"{shift.end.isoformat()}, needs {needed} h"),
        )


class WeeklyRest(Rule):
    """R2 — ugentligt fridøgn, BEK 324/2002 §4.

    Simpler variant of AGREEMENT.md: every window of ``window_days`` × 24 h
    (starting at local midnight) holds a work-free interval of at least
    ``weekly_rest_h`` (24 h adjacent to an 11 h rest = 35 h).
    """

    id = "R2"
    name_da = "Ugentligt fridøgn"
    name_en = "Weekly rest day"
    status = "LAW"
    default_severity = Severity.HARD
    source = "BEK 324/2002 §4; S2, S3, S11b"
    params = {
        "weekly_rest_h": Param(35, "h", 24, 72, "continuous rest once per window"),
        "window_days": Param(7, "days", 7, 13, "max days between rest periods + 1"),
    }

    def check(self, plan: RosterPlan) -> list[Violation]:
        found: list[Violation] = []
        days, bounds = self.windows(plan.period_start, plan.weeks, bool(plan.history))
        known = facts(plan)
        for employee in known.employees:
            mine = known.of(employee)
            free_time = mine.free_time
            failing: list[tuple[date, float]] = []
            for index in free_time.without_rest(bounds, self.weekly_rest_h):
                free, _, _ = free_time.longest(*bounds[index])
                failing.append((days[index], free.total_seconds() / 3600))
            for run in _runs(failing):
                found.append(self._explain(plan, employee, mine, run))
        return found

    def windows(self, period_start: date, weeks: int, with_history: bool
                ) -> tuple[list[date], list[tuple[datetime, datetime]]]:
        """The checked windows of a plan: each one's first day and its bounds in UTC
        (local midnight to local midnight ``window_days`` later), in time order."""
        return _rest_windows(period_start, weeks, with_history, self.window_days)

    def run_starts(self, free_time: FreeTime, days: list[date],
                   bounds: list[tuple[datetime, datetime]]) -> set[date]:
        """The first days of the runs of failing windows: one violation each, dated by it."""
        failing = free_time.without_rest(bounds, self.weekly_rest_h)
        return {days[i] for n, i in enumerate(failing) if n == 0 or failing[n - 1] != i - 1}

    def post(self, builder: RosterModel) -> None:
        """R2 in the roster model (BEK 324/2002 §4), the same windows the checker uses.
        A rest may start at a window's midnight or at any shift's end p; ``rest_p``
        implies no shift overlaps [p, p + weekly_rest_h). Each window of window_days
        × 24 h that touches the period needs one rest_p inside it."""
        plan = builder.base_plan
        first, last = _checked_from(plan), plan.period_end - timedelta(days=self.window_days)
        rest = timedelta(hours=self.weekly_rest_h)
        for member in builder.members:
            e = member.employee
            slots = builder.all_slots(e)
            points = {_midnight(first + timedelta(days=i))
                      for i in range((plan.period_end - first).days + 1)}
            points |= {s.end_utc for s in slots}
            ordered = sorted(points)
            rests: dict[datetime, Lit | None] = {}
            day = first
            while day <= last:
                if self._touches_period(plan, day):
                    start = _midnight(day)
                    end = _midnight(day + timedelta(days=self.window_days))
                    inside = ordered[bisect_left(ordered, start):bisect_right(ordered, end - rest)]
                    options = [_rest_literal(builder, e, slots, p, rest, rests)
                               for p in inside]
                    builder.at_least(
                        self, sum(o for o in options if o is not None), 1, employee=e,
                        group=day, dates=[day + timedelta(days=i)
                                          for i in range(self.window_days)],
                        text=(f"{member.name} skal have {duration_da(self.weekly_rest_h)} "
                              f"sammenhængende fri i hver periode på {self.window_days} døgn"))
                day += timedelta(days=1)

    def _touches_period(self, plan: RosterPlan, day: date) -> bool:
        return day + timedelta(days=self.window_days) > plan.period_start

    def _explain(self, plan: RosterPlan, employee: str, mine: PersonFacts,
                 run: list[tuple[date, float]]) -> Violation:
        name = plan.person(employee).name or employee
        start = run[0][0]
        end = start + timedelta(days=self.window_days)
        worst = min(h for _, h in run)
        days = mine.period_days
        window_shifts = list(mine.period[bisect_left(days, start):bisect_left(days, end)])
        fix = self._shift_to_move(mine, window_shifts, start, end)
        suggestion = (
            f"Flyt vagten {moment_da(fix.start)} til en kollega, så {name} får "
            f"{duration_da(self.weekly_rest_h)} sammenhængende fri." if fix else
            f"Giv {name} et fridøgn mellem {day_da(start)} og {day_da(end - timedelta(days=1))}."
        )
        return self.violation(
            employee=employee, dates=(start, end - timedelta(days=1)), measured=round(worst, 4),
            limit=self.weekly_rest_h, unit="h",
            message=(f"{name} har ikke {duration_da(self.weekly_rest_h)} sammenhængende fri i "
                     f"{self.window_days} døgn fra {day_da(start)} (længste fri: "
                     f"{duration_da(worst)})."),
            suggestion=suggestion,
            shift_ids=tuple(s.shift_id for s in window_shifts if s.shift_id),
            detail=(f"R2: {employee} lacks {self.weekly_rest_h} h continuous rest in the "
                    f"{self.window_days}-day window from {start} (longest {worst:.2f} h)"),
        )

    def _shift_to_move(self, mine: PersonFacts, candidates: list[Shift], start: date,
                       end: date) -> Shift | None:
        """The first of ``candidates`` without which the window has the weekly rest."""
        window_start, window_end = _midnight(start), _midnight(end)
        rest = timedelta(hours=self.weekly_rest_h)
        # Only shifts reaching into the window shape the free time inside it.
        near = [(s, interval) for s, interval in zip(mine.shifts, mine.utc, strict=True)
                if interval[1] > window_start and interval[0] < window_end]
        for candidate in candidates:
            blocks = merge_intervals([interval for s, interval in near if s is not candidate])
            free, _, _ = longest_free(blocks, window_start, window_end)
            if free >= rest:
                return candidate
        return None


@lru_cache(maxsize=256)
def _rest_windows(period_start: date, weeks: int, with_history: bool, window_days: int
                  ) -> tuple[list[date], list[tuple[datetime, datetime]]]:
    """R2's windows (see ``WeeklyRest.windows``): every day from the checked start (14
    days back when the history is given) whose window ends within the period and
    reaches into it. Callers only read the lists."""
    first = period_start - timedelta(days=14) if with_history else period_start
    last = period_start + timedelta(weeks=weeks) - timedelta(days=window_days)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    days = [day for day in days if day + timedelta(days=window_days) > period_start]
    return days, [(_midnight(day), _midnight(day + timedelta(days=window_days)))
                  for day in days]


class DaysOff(Rule):
    """R3 — fridøgn: ``fridoegn_per_week`` free calendar days in every week of the plan.

    A free døgn is a calendar day on which no work is done (a night shift ending
    07:00 takes the day it ends on). Counted per calendar week (AGREEMENT.md
    open question 2: weekly rather than averaged over the normperiode).
    """

    id = "R3"
    name_da = "Fridøgn pr. uge"
    name_en = "Agreement days off"
    status = "AGR"
    default_severity = Severity.HARD
    source = "79.01 §4 stk.3; S12, S13, S14, S9"
    params = {"fridoegn_per_week": Param(2, "days", 1, 4, "free calendar days per week")}

    def check(self, plan: RosterPlan) -> list[Violation]:
        found: list[Violation] = []
        known = facts(plan)
        for employee in known.employees:
            mine = known.of(employee)
            if not mine.period:
                continue
            worked = mine.worked
            for days in self.short_weeks(plan.period_start, plan.weeks, worked):
                monday = days[0]
                free = [d for d in days if d not in worked]
                name = plan.person(employee).name or employee
                lightest = min((d for d in days if d in worked),
                               key=lambda d: (len(worked[d]), d))
                found.append(self.violation(
                    employee=employee, dates=(days[0], days[-1]), measured=len(free),
                    limit=self.fridoegn_per_week, unit="days",
                    message=(f"{name} har kun {len(free)} fridøgn i ugen fra {day_da(monday)}; "
                             f"der skal være {self.fridoegn_per_week}."),
                    suggestion=(f"Giv {name} fri {day_da(lightest)}: byt vagten den dag med en "
                                "kollega."),
                    shift_ids=tuple(s.shift_id for s in worked[lightest] if s.shift_id),
                    detail=(f"R3: {employee} has {len(free)} free days in week from {monday}, "
                            f"needs {self.fridoegn_per_week}"),
                ))
        return found

    def short_weeks(self, period_start: date, weeks: int, worked: Container[date]
                    ) -> list[list[date]]:
        """The weeks (their seven days) with fewer than ``fridoegn_per_week`` days not
        in ``worked`` (the calendar days the person's period shifts touch)."""
        wanted = self.fridoegn_per_week
        return [days for days in _weeks(period_start, weeks)
                if sum(1 for d in days if d not in worked) < wanted]

    def post(self, builder: RosterModel) -> None:
        """R3 in the roster model (79.01 §4 stk.3): in every calendar week of the period at
        most 7 − fridoegn_per_week days are touched by work (a night ending 07:00 takes
        the day it ends on), as in the checker."""
        for member in builder.members:
            e = member.employee
            for week in range(builder.problem.weeks):
                monday = builder.problem.period_start + timedelta(weeks=week)
                days = [monday + timedelta(days=i) for i in range(7)]
                builder.at_most(
                    self, sum(builder.touches(e, d) for d in days), 7 - self.fridoegn_per_week,
                    employee=e, group=monday, dates=days,
                    text=(f"{member.name} skal have mindst {self.fridoegn_per_week} fridøgn "
                          "om ugen"))

class ReducedRest(Rule):
    """R20 — nedsat hviletid (Aftale om hviletid og fridøgn), only with a local agreement.

    For people flagged ``reduced_rest_allowed``: rest below R1's full minimum at
    most ``max_per_week`` times per calendar week, never on consecutive days.
    """

    id = "R20"
    name_da = "Nedsat hvileperiode (lokalaftale)"
    name_en = "Reduced rest"
    status = "AGR (UNV)"
    unverified = True
    default_severity = Severity.HARD
    source = "KL/DR Aftale om hviletid og fridøgn; S11, S39"
    params = {
        "full_rest_h": Param(11, "h", 8, 24, "rest that does not count as reduced"),
        "max_per_week": Param(1, "times", 0, 2, "reduced rests per week"),
    }

    def check(self, plan: RosterPlan) -> list[Violation]:
        found: list[Violation] = []
        known = facts(plan)
        for employee in known.employees:
            if not plan.person(employee).reduced_rest_allowed:
                continue
            shifts = known.of(employee).shifts
            reduced: list[date] = []
            for previous, shift in zip(shifts, shifts[1:], strict=False):
                if shift.start < datetime.combine(plan.period_start, datetime.min.time()):
                    continue
                gap = (_utc(shift.start) - _utc(previous.end)).total_seconds() / 3600
                if gap + 1e-9 < self.full_rest_h:
                    reduced.append(shift.day)
            by_week: dict[date, list[date]] = {}
            for day in reduced:
                by_week.setdefault(day - timedelta(days=day.weekday()), []).append(day)
            name = plan.person(employee).name or employee
            for monday, days in sorted(by_week.items()):
                consecutive = any(b - a == timedelta(days=1) for a, b in zip(days, days[1:],
                                                                               strict=False))
                if len(days) <= self.max_per_week and not consecutive:
                    continue
                found.append(self.violation(
                    employee=employee, dates=tuple(days), measured=len(days),
                    limit=self.max_per_week, unit="times",
                    message=(f"{name} har nedsat hviletid {len(days)} gange i ugen fra "
                             f"{day_da(monday)}; lokalaftalen tillader højst "
                             f"{self.max_per_week} og ikke to dage i træk."),
                    suggestion=f"Flyt vagten {day_da(days[-1])} til en kollega.",
                    detail=f"R20: {employee} has {len(days)} reduced rests in week {monday}",
                ))
        return found


    def post(self, builder: RosterModel) -> None:
        """R20 in the roster model (KL/DR Aftale om hviletid og fridøgn, UNV): for people
        under the local agreement, a day whose shift starts less than full_rest_h after
        the previous one ends is a reduced rest; at most max_per_week per calendar week
        and never on two consecutive days of one week (as the checker counts)."""
        gap = timedelta(hours=self.full_rest_h)
        for member in builder.members:
            if not member.person.reduced_rest_allowed:
                continue
            e, slots = member.employee, builder.all_slots(member.employee)
            reduced: dict[date, Lit] = {}
            for b in builder.slots[e]:
                for a in slots:
                    if a.day >= b.day or b.start_utc >= a.end_utc + gap:
                        continue
                    if b.day not in reduced:
                        reduced[b.day] = builder.new_bool(f"reduced_rest_{e}_{b.day:%Y%m%d}")
                    pair = b.lit if a.lit is None else a.lit + b.lit - 1
                    builder.model.add(reduced[b.day] >= pair)
            for week in range(builder.problem.weeks):
                monday = builder.problem.period_start + timedelta(weeks=week)
                days = [monday + timedelta(days=i) for i in range(7)]
                marks = [reduced[d] for d in days if d in reduced]
                text = (f"{member.name} må højst have nedsat hviletid {self.max_per_week} "
                        "gange om ugen og ikke to dage i træk")
                builder.at_most(self, sum(marks), self.max_per_week, employee=e, group=monday,
                                dates=days, text=text)
                for d, nxt in zip(days, days[1:], strict=False):
                    if d in reduced and nxt in reduced:
                        builder.at_most(self, reduced[d] + reduced[nxt], 1, employee=e,
                                        group=monday, dates=days, text=text)

@lru_cache(maxsize=256)
def _weeks(period_start: date, weeks: int) -> tuple[list[date], ...]:
    """The period's calendar weeks, each as its seven days (callers only read them)."""
    return tuple([period_start + timedelta(weeks=week, days=i) for i in range(7)]
                 for week in range(weeks))


def _runs(failing: list[tuple[date, float]]) -> list[list[tuple[date, float]]]:
    """Group consecutive failing windows so one problem is reported once."""
    runs: list[list[tuple[date, float]]] = []
    for day, hours in failing:
        if runs and day - runs[-1][-1][0] == timedelta(days=1):
            runs[-1].append((day, hours))
        else:
            runs.append([(day, hours)])
    return runs


def _free_before_end(anchor: Slot, others: list[Slot]) -> float:
    """Hours of the longest work-free interval in the 24 h before ``anchor`` ends, when
    the anchor and ``others`` are worked (real elapsed time, translation invariant)."""
    ref = anchor.end_utc
    key = tuple(sorted(((s.start_utc - ref).total_seconds(), (s.end_utc - ref).total_seconds())
                       for s in [anchor, *others]))
    return _free_hours(key)


_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@lru_cache(maxsize=65536)
def _free_hours(intervals: tuple[tuple[float, float], ...]) -> float:
    shifts = [Shift("x", _EPOCH + timedelta(seconds=a), _EPOCH + timedelta(seconds=b))
              for a, b in intervals]
    free, _, _ = longest_free(work_blocks(shifts), _EPOCH - timedelta(hours=24), _EPOCH)
    return free.total_seconds() / 3600


def _rest_literal(builder: RosterModel, employee: str, slots: list[Slot], start: datetime,
                  rest: timedelta, cache: dict[datetime, Lit | None]) -> Lit | None:
    """A literal meaning "no shift overlaps [start, start + rest)", or None if history
    already overlaps it."""
    if start not in cache:
        first = bisect_left(slots, start - timedelta(days=2), key=lambda s: s.start_utc)
        last = bisect_left(slots, start + rest, key=lambda s: s.start_utc)
        overlapping = [s for s in slots[first:last] if s.end_utc > start]
        if any(s.lit is None for s in overlapping):
            cache[start] = None
        else:
            lit = builder.new_bool(f"rest_{employee}_{local(start):%Y%m%dT%H%M}")
            for s in overlapping:
                builder.model.add_implication(lit, ~s.lit)
            cache[start] = lit
    return cache[start]
