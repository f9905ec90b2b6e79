"""Shift-shape rules: nights (R13, R14), length (R15, R16), split shifts (R17),
weekends off (R18) and breaks (R19)."""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from typing import TYPE_CHECKING

from planning.clock import shift_hours
from planning.danish import day_da, duration_da, number_da
from planning.model import RosterPlan, Severity, Shift, Violation
from planning.rules.base import Param, Rule
from planning.rules.facts import facts

if TYPE_CHECKING:
    from planning.roster_model import Expr, RosterModel


def night_hours(shift: Shift, start_h: int = 22, end_h: int = 5) -> float:
    """Hours of the shift inside the night band [22:00, 05:00) (wall clock)."""
    return _night_hours(shift.start, shift.end, start_h, end_h, shift.start.tzinfo)


@lru_cache(maxsize=65536)
def _night_hours(start: datetime, end: datetime, start_h: int, end_h: int,
                 zone: tzinfo | None) -> float:
    """``night_hours`` by the shift's times (cached: a roster repeats a few shift times;
    ``zone`` is part of the key, as equal aware moments in two zones differ on the clock)."""
    total = 0.0
    day = start.date() - timedelta(days=1)
    while day <= end.date():
        band_start = datetime.combine(day, time(start_h))
        band_end = datetime.combine(day + timedelta(days=1), time(end_h))
        overlap = min(end, band_end) - max(start, band_start)
        total += max(overlap.total_seconds(), 0) / 3600
        day += timedelta(days=1)
    return total


def is_night_shift(shift: Shift, min_hours: float = 3.0) -> bool:
    """A night shift has at least 3 hours in 22–05 (arbejdstidsloven's definition)."""
    return shift.layer == "nat" or night_hours(shift) >= min_hours


class NightWork(Rule):
    """R13 — natarbejde (arbejdstidsloven): night workers average ≤ 8 h per 24 h.

    A night worker regularly works ≥ 3 h in 22–05 (here: at least
    ``min_night_shifts`` such shifts in the period) or is flagged so.
    """

    id = "R13"
    name_da = "Natarbejde (gennemsnit pr. døgn)"
    name_en = "Night work (law)"
    status = "LAW"
    default_severity = Severity.HARD
    source = "Arbejdstidsloven; S7, S9"
    params = {
        "max_avg_h_per_24h": Param(8.0, "h", 4, 13),
        "min_night_shifts": Param(4, "shifts", 1, 60, "night shifts that make a night worker"),
    }

    def check(self, plan: RosterPlan) -> list[Violation]:
        found: list[Violation] = []
        days = plan.weeks * 7
        known = facts(plan)
        for employee in known.employees:
            mine = known.of(employee)
            flagged = plan.person(employee).night_worker
            if not (flagged or (flagged is None and sum(
                    1 for s in mine.period if is_night_shift(s)) >= self.min_night_shifts)):
                continue
            average = mine.period_hours / days
            if average <= self.max_avg_h_per_24h + 1e-9:
                continue
            name = plan.person(employee).name or employee
            found.append(self.violation(
                employee=employee, dates=(plan.period_start, plan.period_end - timedelta(1)),
                measured=round(average, 3), limit=self.max_avg_h_per_24h, unit="h/24h",
                message=(f"{name} er natarbejder og arbejder i gennemsnit "
                         f"{number_da(average)} timer pr. døgn; højst "
                         f"{number_da(self.max_avg_h_per_24h)} er tilladt."),
                suggestion=f"Flyt nogle af {name}s vagter til kolleger.",
                detail=f"R13: night worker {employee} averages {average:.2f} h per 24 h",
            ))
        return found

    def post(self, builder: RosterModel) -> None:
        """R13 in the roster model (arbejdstidsloven): a night worker's planned minutes stay
        within max_avg_h_per_24h × the period's days. Someone flagged is a night worker;
        someone unflagged becomes one with min_night_shifts night shifts (a literal)."""
        days = len(builder.days)
        limit = math.floor(self.max_avg_h_per_24h * days * 60 + 1e-6)
        for member in builder.members:
            e, flagged = member.employee, member.person.night_worker
            nights = [s.lit for s in builder.slots[e] if s.lit is not None and s.is_night]
            if flagged is False or (flagged is None and len(nights) < self.min_night_shifts):
                continue
            text = (f"{member.name} må som natarbejder højst arbejde "
                    f"{number_da(self.max_avg_h_per_24h)} timer pr. døgn i gennemsnit")
            if flagged:
                builder.at_most(self, builder.minutes(e), limit, employee=e, text=text,
                                dates=builder.days)
                continue
            night_worker = builder.new_bool(f"night_worker_{e}")
            builder.model.add(sum(nights) <= self.min_night_shifts - 1).only_enforce_if(
                ~night_worker)
            builder.at_most(self, builder.minutes(e), limit, employee=e, text=text,
                            dates=builder.days, enforce=night_worker)


class ConsecutiveNights(Rule):
    """R14 — NFA/AT advice: at most ``max_consecutive_nights`` nights in a row (soft)."""

    id = "R14"
    name_da = "Nattevagter i træk (anbefaling)"
    name_en = "Night-work recommendations"
    status = "advice"
    default_severity = Severity.SOFT
    source = "NFA/AT; S8, S9"
    params = {"max_consecutive_nights": Param(3, "nights", 1, 14)}

    def check(self, plan: RosterPlan) -> list[Violation]:
        found: list[Violation] = []
        known = facts(plan)
        for employee in known.employees:
            nights = sorted({s.day for s in known.of(employee).shifts if is_night_shift(s)})
            run: list[date] = []
            for day in nights + [date.max]:
                if run and day - run[-1] == timedelta(days=1):
                    run.append(day)
                    continue
                if len(run) > self.max_consecutive_nights and run[-1] >= plan.period_start:
                    name = plan.person(employee).name or employee
                    found.append(self.violation(
                        employee=employee, dates=(run[0], run[-1]), measured=len(run),
                        limit=self.max_consecutive_nights, unit="nights",
                        message=(f"{name} har {len(run)} nattevagter i træk fra "
                                 f"{day_da(run[0])}; der anbefales højst "
                                 f"{self.max_consecutive_nights}."),
                        suggestion=(f"Byt nattevagten {day_da(run[self.max_consecutive_nights])}"
                                    " med en kollega."),
                        detail=f"R14: {employee} has {len(run)} consecutive nights from {run[0]}",
                    ))
                run = [day]
        return found

    def post(self, builder: RosterModel) -> None:
        """R14 in the roster model (NFA/AT advice, soft by default): every run of
        max_consecutive_nights + 1 days ending in the period holds at most
        max_consecutive_nights nights (history nights count)."""
        k = self.max_consecutive_nights
        start = builder.problem.period_start
        for member in builder.members:
            e = member.employee
            fixed = {s.day for s in builder.history[e] if s.is_night}
            nights: dict[date, Expr] = {d: 1 for d in fixed}
            for slot in builder.slots[e]:
                if slot.is_night and slot.lit is not None and slot.day not in fixed:
                    nights[slot.day] = nights.get(slot.day, 0) + slot.lit
            for last in builder.days:
                window = [last - timedelta(days=i) for i in range(k, -1, -1)]
                terms = [nights[d] for d in window if d in nights]
                if len(terms) <= k or last < start:
                    continue
                builder.at_most(self, sum(terms), k, employee=e, group=last, dates=window,
                                text=f"{member.name} bør højst have {k} nattevagter i træk")


class _ShiftLengthRule(Rule):
    def _length_violation(self, plan: RosterPlan, shift: Shift, length: float, limit: float,
                          too_long: bool) -> Violation:
        name = plan.person(shift.employee).name or shift.employee
        word = "lang" if too_long else "kort"
        bound = "højst" if too_long else "mindst"
        return self.violation(
            employee=shift.employee, dates=(shift.day,), measured=round(length, 4),
            limit=limit, unit="h",
            message=(f"{name}s vagt {day_da(shift.day)} kl. {shift.start:%H:%M}–"
                     f"{shift.end:%H:%M} varer {duration_da(length)}; den må vare {bound} "
                     f"{duration_da(limit)}."),
            suggestion=(f"Del vagten {day_da(shift.day)} i to, eller afkort den."
                        if too_long else f"Forlæng vagten {day_da(shift.day)} til mindst "
                                         f"{duration_da(limit)}, eller slå den sammen med "
                                         "en anden."),
            shift_ids=(shift.shift_id,) if shift.shift_id else (),
            detail=f"{self.id}: shift of {shift.employee} on {shift.day} lasts {length:.2f} h "
                   f"({word})",
        )

    def _post_lengths(self, builder: RosterModel, too_long: bool, limit: float) -> None:
        """Forbid (hard) or penalise (soft) every possible shift whose real length breaks
        the limit — the same test as ``check`` (real elapsed time, so DST nights count)."""
        for member in builder.members:
            for slot in builder.slots[member.employee]:
                length = shift_hours(slot.shift)
                broken = length > limit + 1e-9 if too_long else length + 1e-9 < limit
                if broken and slot.lit is not None:
                    code = "/".join(slot.codes)
                    builder.at_most(self, slot.lit, 0, employee=member.employee, group=code,
                                    dates=[slot.day],
                                    text=(f"vagttypen {code} varer {duration_da(length)}; den må "
                                          f"vare {'højst' if too_long else 'mindst'} "
                                          f"{duration_da(limit)}"))


class MaxShiftLength(_ShiftLengthRule):
    """R15 — vagtlængde: a shift lasts at most ``max_shift_h`` (real elapsed, incl. breaks)."""

    id = "R15"
    name_da = "Længste vagt"
    name_en = "Max shift length"
    status = "UNV"
    unverified = True
    default_severity = Severity.HARD
    source = "S31, S32 (regional 5–12 h; 79.01 not verified)"
    params = {"max_shift_h": Param(12.0, "h", 4, 13, "13 h is the ceiling R1 implies")}

    def check(self, plan: RosterPlan) -> list[Violation]:
        limit = self.max_shift_h
        return [
            self._length_violation(plan, s, shift_hours(s), limit, True)
            for s in plan.shifts if shift_hours(s) > limit + 1e-9
        ]

    def post(self, builder: RosterModel) -> None:
        """R15 in the roster model (UNV): no shift longer than max_shift_h."""
        self._post_lengths(builder, True, self.max_shift_h)


class MinShiftLength(_ShiftLengthRule):
    """R16 — mindste tjenestelængde: a shift lasts at least ``min_shift_h`` (assumed default)."""

    id = "R16"
    name_da = "Korteste vagt"
    name_en = "Min shift length"
    status = "UNV"
    unverified = True
    default_severity = Severity.HARD
    source = "no source found for 79.01; assumed default"
    params = {"min_shift_h": Param(3.0, "h", 0, 8)}

    def check(self, plan: RosterPlan) -> list[Violation]:
        limit = self.min_shift_h
        return [
            self._length_violation(plan, s, shift_hours(s), limit, False)
            for s in plan.shifts if shift_hours(s) + 1e-9 < limit
        ]

    def post(self, builder: RosterModel) -> None:
        """R16 in the roster model (UNV): no shift shorter than min_shift_h."""
        self._post_lengths(builder, False, self.min_shift_h)


class SplitShift(Rule):
    """R17 — delt tjeneste: two shifts on one day with a gap; the span is reported (soft)."""

    id = "R17"
    name_da = "Delt tjeneste"
    name_en = "Split shift"
    status = "UNV"
    unverified = True
    default_severity = Severity.SOFT
    source = "S15, S37 (state rule: fee for span > 11 h)"
    params = {"max_span_h": Param(11.0, "h", 4, 16, "span above which a split shift is flagged")}

    def check(self, plan: RosterPlan) -> list[Violation]:
        found: list[Violation] = []
        known = facts(plan)
        for employee in known.employees:
            mine = known.of(employee)
            if len(set(mine.period_days)) == len(mine.period_days):
                continue  # one shift a day at most: nothing split
            by_day: dict[date, list[Shift]] = {}
            for shift in mine.period:
                by_day.setdefault(shift.day, []).append(shift)
            for day, shifts in sorted(by_day.items()):
                if len(shifts) < 2:
                    continue
                span = (max(s.end for s in shifts) - min(s.start for s in shifts))
                span_h = span.total_seconds() / 3600
                if span_h <= self.max_span_h + 1e-9:
                    continue
                name = plan.person(employee).name or employee
                found.append(self.violation(
                    employee=employee, dates=(day,), measured=round(span_h, 3),
                    limit=self.max_span_h, unit="h",
                    message=(f"{name} har delt tjeneste {day_da(day)} over "
                             f"{duration_da(span_h)}; mere end {duration_da(self.max_span_h)}."),
                    suggestion="Saml vagterne, eller giv den ene til en kollega.",
                    shift_ids=tuple(s.shift_id for s in shifts if s.shift_id),
                    detail=f"R17: split shift of {employee} on {day} spans {span_h:.2f} h",
                ))
        return found

    def post(self, builder: RosterModel) -> None:
        """R17 posts nothing: the roster model gives each person at most one shift per day
        (``RosterModel._one_shift_a_day``), so a generated plan has no split shifts."""


class WeekendOff(Rule):
    """R18 — friweekend: at least one fully free Sat+Sun per ``weekend_off_every_n`` weeks."""

    id = "R18"
    name_da = "Friweekender"
    name_en = "Weekend off"
    status = "local"
    default_severity = Severity.SOFT
    source = "Local ground rule; AT advice S8, S38"
    params = {"weekend_off_every_n": Param(2, "weeks", 1, 8)}

    def check(self, plan: RosterPlan) -> list[Violation]:
        found: list[Violation] = []
        needed = plan.weeks // self.weekend_off_every_n
        weekends = [plan.period_start + timedelta(weeks=w, days=5) for w in range(plan.weeks)]
        known = facts(plan)
        for employee in known.employees:
            mine = known.of(employee)
            if not mine.period:
                continue
            worked = mine.worked
            free = [sat for sat in weekends
                    if sat not in worked and sat + timedelta(days=1) not in worked]
            if len(free) >= needed:
                continue
            name = plan.person(employee).name or employee
            busy = [sat for sat in weekends if sat not in free]
            found.append(self.violation(
                employee=employee, dates=tuple(busy), measured=len(free), limit=needed,
                unit="weekends",
                message=(f"{name} har {len(free)} friweekender i perioden; grundreglen giver "
                         f"{needed} (hver {self.weekend_off_every_n}. weekend)."),
                suggestion=(f"Byt weekendvagterne {day_da(busy[0])} med en kollega."
                            if busy else "Giv en friweekend."),
                detail=f"R18: {employee} has {len(free)} free weekends, ground rule {needed}",
            ))
        return found

    def post(self, builder: RosterModel) -> None:
        """R18 in the roster model (local ground rule, soft by default): at least
        weeks // weekend_off_every_n weekends with neither Saturday nor Sunday touched."""
        needed = builder.problem.weeks // self.weekend_off_every_n
        if needed == 0:
            return
        saturdays = [d for d in builder.days if d.weekday() == 5]
        for member in builder.members:
            e, free = member.employee, []
            for sat in saturdays:
                weekend_free = builder.new_bool(f"weekend_free_{e}_{sat:%Y%m%d}")
                for day in (sat, sat + timedelta(days=1)):
                    builder.model.add_implication(weekend_free, ~builder.touches(e, day))
                free.append(weekend_free)
            builder.at_least(self, sum(free), needed, employee=e, dates=saturdays,
                             text=(f"{member.name} skal have {needed} friweekender "
                                   f"(hver {self.weekend_off_every_n}. weekend)"))


class Break(Rule):
    """R19 — pause: a shift longer than ``over_h`` must include a break.

    Only checked where the plan states the break (``break_minutes``); a plan
    without break data is not flagged.
    """

    id = "R19"
    name_da = "Pause"
    name_en = "Break"
    status = "LAW"
    default_severity = Severity.HARD
    source = "Arbejdsmiljøloven (minimum); S5, S6"
    params = {"over_h": Param(6.0, "h", 4, 10), "min_break_min": Param(15, "min", 1, 60)}

    def check(self, plan: RosterPlan) -> list[Violation]:
        found: list[Violation] = []
        over_h = self.over_h
        for shift in plan.shifts:
            if shift.break_minutes is None or shift_hours(shift) <= over_h + 1e-9:
                continue
            if shift.break_minutes >= self.min_break_min:
                continue
            name = plan.person(shift.employee).name or shift.employee
            found.append(self.violation(
                employee=shift.employee, dates=(shift.day,), measured=shift.break_minutes,
                limit=self.min_break_min, unit="min",
                message=(f"{name}s vagt {day_da(shift.day)} er over "
                         f"{duration_da(self.over_h)} uden pause."),
                suggestion=f"Læg en pause på mindst {self.min_break_min} minutter ind i vagten.",
                shift_ids=(shift.shift_id,) if shift.shift_id else (),
                detail=f"R19: shift of {shift.employee} on {shift.day} has no break",
            ))
        return found

    def post(self, builder: RosterModel) -> None:
        """R19 in the roster model: a shift type over over_h whose stated break is shorter
        than min_break_min is not planned (types without break data are not judged,
        as in ``check``)."""
        for member in builder.members:
            for slot in builder.slots[member.employee]:
                minutes = slot.shift.break_minutes
                if (slot.lit is None or minutes is None or minutes >= self.min_break_min
                        or shift_hours(slot.shift) <= self.over_h + 1e-9):
                    continue
                code = "/".join(slot.codes)
                builder.at_most(self, slot.lit, 0, employee=member.employee, group=code,
                                dates=[slot.day],
                                text=f"vagttypen {code} er over {duration_da(self.over_h)} "
                                     f"uden {self.min_break_min} minutters pause")
