"""Priced rules: supplements for unsocial hours (R11) and change fees (R7, R8, R9),
and the publication notice (R6)."""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from typing import TYPE_CHECKING

from planning.calendar_dk import is_holiday_moment
from planning.clock import UTC, aware, local, shift_hours, span_hours
from planning.danish import day_da, kroner_da, moment_da, number_da
from planning.model import CostLine, RosterPlan, Severity, Shift, Violation
from planning.rules.base import Param, Rule
from planning.rules.facts import facts

if TYPE_CHECKING:
    from planning.roster_model import RosterModel

#: Dated supplement rates (share of the hourly wage), 79.01 §13. The newest row
#: whose date is on or before the work applies. Saturday's 2025 start date is
#: not stated in the sources (AGREEMENT.md open question 6).
RATE_TABLE: list[tuple[date, dict[str, float]]] = [
    (date(2016, 4, 1), {"evening": 0.30, "night": 0.35, "saturday": 0.30, "holiday": 0.50}),
    (date(2025, 1, 1), {"evening": 0.3512, "night": 0.3926, "saturday": 0.3171,
                        "holiday": 0.50}),
]

BAND_NAMES_DA = {"evening": "aften", "night": "nat", "saturday": "lørdag",
                 "holiday": "søn-/helligdag"}


def rates_on(day: date) -> tuple[date, dict[str, float]]:
    """The rate table row (valid from, rates) that applies to work on ``day``."""
    applicable = [row for row in RATE_TABLE if row[0] <= day]
    return applicable[-1] if applicable else RATE_TABLE[0]


@lru_cache(maxsize=16384)
def band_of(moment: datetime) -> str | None:
    """The pay band of a local moment; the highest-paid band wins (no stacking, UNV)."""
    candidates = []
    if is_holiday_moment(moment):
        candidates.append("holiday")
    if moment.weekday() == 5 and moment.time() >= time(8):
        candidates.append("saturday")
    if moment.time() >= time(23) or moment.time() < time(6):
        candidates.append("night")
    elif moment.time() >= time(17):
        candidates.append("evening")
    if not candidates:
        return None
    rates = rates_on(moment.date())[1]
    return max(candidates, key=lambda band: rates[band])


def half_hours_by_band(shift: Shift) -> dict[str, int]:
    """Started half hours of the shift in each pay band (real elapsed time)."""
    return dict(_half_hours_by_band(shift.start, shift.end, shift.start.tzinfo))


@lru_cache(maxsize=16384)
def _half_hours_by_band(start: datetime, end: datetime, zone: tzinfo | None
                        ) -> tuple[tuple[str, int], ...]:
    """``half_hours_by_band`` by the shift's times (cached: a roster repeats a few shift
    times; ``zone`` is part of the key, as equal aware moments in two zones differ on
    the clock), as (band, count) pairs in the order the bands are first met."""
    return tuple(_count_half_hours(start, end).items())


def _count_half_hours(start: datetime, end: datetime) -> dict[str, int]:
    counts: dict[str, int] = {}
    step = timedelta(minutes=30)
    if span_hours(start, end) * 3600 == (end - start).total_seconds():
        moment = start  # no DST switch inside: wall-clock steps are real steps
        while moment < end:
            band = band_of(moment)
            if band:
                counts[band] = counts.get(band, 0) + 1
            moment += step
        return counts
    cursor = aware(start).astimezone(UTC)
    last = aware(end).astimezone(UTC)
    while cursor < last:
        band = band_of(local(cursor))
        if band:
            counts[band] = counts.get(band, 0) + 1
        cursor += step
    return counts


@lru_cache(maxsize=16384)
def _supplement_bands(start: datetime, end: datetime, zone: tzinfo | None
                      ) -> tuple[date, tuple[tuple[str, int, float], ...]]:
    """A shift's rate table (its valid-from date) and, per pay band met, the started half
    hours and the rate: what R11 prices, by the shift's times (a roster repeats a few)."""
    valid_from, rates = rates_on(start.date())
    return valid_from, tuple((band, halves, rates[band])
                             for band, halves in _half_hours_by_band(start, end, zone))


class Supplements(Rule):
    """R11 — tillæg for forskudt tid: evening 17–23, night 23–06, Saturday 08–24,
    Sunday and holidays 00–24; per started half hour × hourly wage × dated rate."""

    id = "R11"
    name_da = "Tillæg for aften, nat, weekend og helligdag"
    name_en = "Unsocial-hours supplements"
    status = "AGR"
    default_severity = Severity.COST
    source = "79.01 §13; S15–S18"
    params = {"default_hourly_wage": Param(200.0, "DKK/h", 100, 1000)}

    def costs(self, plan: RosterPlan) -> list[CostLine]:
        lines: list[CostLine] = []
        known = facts(plan)
        for employee in known.employees:
            wage = plan.person(employee).hourly_wage or self.default_hourly_wage
            per_band: dict[str, tuple[int, float]] = {}
            tables: set[date] = set()
            for shift in known.of(employee).period:
                valid_from, bands = _supplement_bands(shift.start, shift.end,
                                                      shift.start.tzinfo)
                tables.add(valid_from)
                for band, halves, rate in bands:
                    count, amount = per_band.get(band, (0, 0.0))
                    per_band[band] = (count + halves, amount + halves * 0.5 * wage * rate)
            name = plan.person(employee).name or employee
            for band, (halves, amount) in sorted(per_band.items()):
                lines.append(CostLine(
                    rule=self.id, employee=employee, hours=halves / 2,
                    amount_dkk=round(amount, 2),
                    basis=(f"satstabel fra {', '.join(str(t) for t in sorted(tables))}; "
                           f"timeløn {kroner_da(wage)}; påbegyndte halve timer"),
                    message=f"{name}: {number_da(halves / 2)} timer {BAND_NAMES_DA[band]}tillæg.",
                ))
        return lines

    def post(self, builder: RosterModel) -> None:
        """R11 in the roster model (cost, 79.01 §13): each possible shift carries its
        supplements — started half hours per band × ½ × hourly wage × the dated rate —
        computed with the same ``half_hours_by_band`` and rate table as ``costs()``."""
        per_hour: dict[tuple[datetime, datetime], float] = {}
        for member in builder.members:
            wage = member.person.hourly_wage or self.default_hourly_wage
            for slot in builder.slots[member.employee]:
                key = (slot.shift.start, slot.shift.end)
                if key not in per_hour:
                    rates = rates_on(slot.day)[1]
                    per_hour[key] = sum(halves * 0.5 * rates[band] for band, halves
                                        in half_hours_by_band(slot.shift).items())
                if per_hour[key] and slot.lit is not None:
                    builder.cost(self, per_hour[key] * wage, slot.lit,
                                 employee=member.employee, label=f"tillæg {slot.day}")


class PlanNotice(Rule):
    """R6 — the plan is known ``plan_notice_days`` before its first day (UNV for 79.01)."""

    id = "R6"
    name_da = "Varsel for offentliggørelse af vagtplanen"
    name_en = "Plan publication notice"
    status = "UNV"
    unverified = True
    default_severity = Severity.SOFT
    source = "S33, S34 (4 weeks verified for regional agreements)"
    params = {"plan_notice_days": Param(28, "days", 0, 90)}

    def check(self, plan: RosterPlan) -> list[Violation]:
        if plan.published_at is None:
            return []
        notice = (plan.period_start - plan.published_at.date()).days
        if notice >= self.plan_notice_days:
            return []
        latest = plan.period_start - timedelta(days=self.plan_notice_days)
        return [self.violation(
            employee="", dates=(plan.published_at.date(),), measured=notice,
            limit=self.plan_notice_days, unit="days",
            message=(f"Vagtplanen blev offentliggjort {notice} dage før periodens start; der "
                     f"skal være {self.plan_notice_days} dages varsel."),
            suggestion=f"Offentliggør senest {day_da(latest)} næste gang.",
            detail=f"R6: published {notice} days before start, needs {self.plan_notice_days}",
        )]

    def post(self, builder: RosterModel) -> None:
        """R6 posts nothing: publication notice concerns when a plan is published, not
        which shifts it holds; the domain checks it at RosterPublished."""


class ChangeFee(Rule):
    """R7 — omlagt tjeneste: a shift moved with less than ``change_notice_h`` notice costs
    ``fee_per_half_hour`` per started half hour of moved time (2020-21 level)."""

    id = "R7"
    name_da = "Omlagt tjeneste (for kort varsel)"
    name_en = "Change of shift placement"
    status = "AGR"
    default_severity = Severity.COST
    source = "79.01 §7 stk.1; S15, S35"
    params = {
        "change_notice_h": Param(96.0, "h", 0, 24 * 28),
        "fee_per_half_hour": Param(44.07, "DKK", 0, 1000),
    }

    def moved_hours(self, old: tuple[datetime, datetime], new: tuple[datetime, datetime]
                    ) -> float:
        """Hours of the new placement outside the old one."""
        total = (new[1] - new[0]).total_seconds()
        overlap = max((min(old[1], new[1]) - max(old[0], new[0])).total_seconds(), 0)
        return (total - overlap) / 3600

    def costs(self, plan: RosterPlan) -> list[CostLine]:
        lines: list[CostLine] = []
        for change in plan.changes:
            if None in (change.old_start, change.old_end, change.new_start, change.new_end):
                continue
            assert change.old_start and change.old_end and change.new_start and change.new_end
            notice_h = (min(change.old_start, change.new_start) - change.changed_at
                        ).total_seconds() / 3600
            moved = self.moved_hours((change.old_start, change.old_end),
                                     (change.new_start, change.new_end))
            if notice_h >= self.change_notice_h or moved <= 0:
                continue
            halves = math.ceil(moved * 2 - 1e-9)
            name = plan.person(change.employee).name or change.employee
            lines.append(CostLine(
                rule=self.id, employee=change.employee, hours=round(moved, 2),
                amount_dkk=round(halves * self.fee_per_half_hour, 2),
                basis=(f"{kroner_da(self.fee_per_half_hour)} pr. påbegyndt halve time "
                       "(2020-21-niveau)"),
                message=(f"{name}s vagt {moment_da(change.old_start)} blev flyttet med "
                         f"{number_da(notice_h)} timers varsel."),
            ))
        return lines

    def post(self, builder: RosterModel) -> None:
        """R7 in the roster model (cost, 79.01 §7 stk.1): on a re-solve (a current plan and
        ``changed_at``), a person's shift moved within its day with less than
        change_notice_h notice costs fee_per_half_hour per started half hour of moved
        time (``moved_hours``), on the new placement. A first plan posts nothing."""
        now = builder.problem.changed_at
        if now is None:
            return
        for (e, day), old in builder.current.items():
            for slot in builder.slots.get(e, []):
                new = (slot.shift.start, slot.shift.end)
                if slot.day != day or slot.lit is None or new == (old.start, old.end):
                    continue
                notice_h = (min(old.start, new[0]) - now).total_seconds() / 3600
                moved = self.moved_hours((old.start, old.end), new)
                if notice_h < self.change_notice_h and moved > 0:
                    fee = math.ceil(moved * 2 - 1e-9) * self.fee_per_half_hour
                    builder.cost(self, fee, slot.lit, employee=e, label=f"omlagt {day}")


class ShortNoticeExtraWork(Rule):
    """R8 — over-/merarbejde over ``min_hours`` not notified the day before costs a varsko fee."""

    id = "R8"
    name_da = "Varsling af over- og merarbejde"
    name_en = "Short-notice over/extra work"
    status = "AGR"
    default_severity = Severity.COST
    source = "79.01 §11 stk.1/§12 stk.2; S15"
    params = {"min_hours": Param(1.0, "h", 0, 8), "varsko_fee": Param(39.87, "DKK", 0, 1000)}

    def costs(self, plan: RosterPlan) -> list[CostLine]:
        lines: list[CostLine] = []
        for change in plan.changes:
            if change.new_start is None or change.new_end is None:
                continue
            added = (change.new_end - change.new_start).total_seconds() / 3600
            if change.old_start is not None and change.old_end is not None:
                added -= (change.old_end - change.old_start).total_seconds() / 3600
            if added <= self.min_hours or change.changed_at.date() < change.new_start.date():
                continue
            name = plan.person(change.employee).name or change.employee
            lines.append(CostLine(
                rule=self.id, employee=change.employee, hours=round(added, 2),
                amount_dkk=self.varsko_fee, basis=f"varsko {kroner_da(self.varsko_fee)} (2020-21)",
                message=(f"{name} fik {number_da(added)} ekstra timer {day_da(change.new_start)}"
                         " uden varsel dagen før."),
            ))
        return lines

    def post(self, builder: RosterModel) -> None:
        """R8 in the roster model (cost): on a re-solve, a shift added or lengthened by more
        than min_hours on or before the day of ``changed_at`` costs varsko_fee. The
        planner plans ahead, so this rarely bites; a first plan posts nothing."""
        now = builder.problem.changed_at
        if now is None or not builder.problem.current_plan:
            return
        for member in builder.members:
            e = member.employee
            for slot in builder.slots[e]:
                old = builder.current.get((e, slot.day))
                added = (slot.shift.end - slot.shift.start).total_seconds() / 3600
                if old is not None:
                    added -= (old.end - old.start).total_seconds() / 3600
                if slot.lit is not None and added > self.min_hours and (
                        now.date() >= slot.shift.start.date()):
                    builder.cost(self, self.varsko_fee, slot.lit, employee=e,
                                 label=f"varsko {slot.day}")


class CancelledDayOff(Rule):
    """R9 — inddragelse af fridøgn: work added on a planned day off with under
    ``notice_days`` notice costs ``overtime_h`` hours of overtime; under
    ``varsko_days`` also a varsko (UNV: source predates the 2016 agreement)."""

    id = "R9"
    name_da = "Inddragelse af fridøgn"
    name_en = "Cancelling a day off"
    status = "AGR (UNV)"
    unverified = True
    default_severity = Severity.COST
    source = "S14, S12 (FOA 2015)"
    params = {
        "notice_days": Param(28, "days", 0, 90),
        "overtime_h": Param(6.0, "h", 0, 24),
        "varsko_days": Param(14, "days", 0, 90),
        "varsko_fee": Param(571.83, "DKK", 0, 5000),
        "default_hourly_wage": Param(200.0, "DKK/h", 100, 1000),
    }

    def costs(self, plan: RosterPlan) -> list[CostLine]:
        lines: list[CostLine] = []
        for change in plan.changes:
            if change.old_start is not None or change.new_start is None:
                continue
            day = change.new_start.date()
            worked_that_day = any(
                s.day == day and s.start != change.new_start
                for s in plan.shifts_of(change.employee, with_history=False)
            )
            if worked_that_day:
                continue
            notice = (day - change.changed_at.date()).days
            if notice >= self.notice_days:
                continue
            wage = plan.person(change.employee).hourly_wage or self.default_hourly_wage
            amount = self.overtime_h * wage * 1.5
            basis = f"{number_da(self.overtime_h)} t overarbejde à {kroner_da(wage * 1.5)}"
            if notice < self.varsko_days:
                amount += self.varsko_fee
                basis += f" + varsko {kroner_da(self.varsko_fee)}"
            name = plan.person(change.employee).name or change.employee
            lines.append(CostLine(
                rule=self.id, employee=change.employee, hours=self.overtime_h,
                amount_dkk=round(amount, 2), basis=basis,
                message=f"{name}s fridøgn {day_da(day)} blev inddraget med {notice} dages varsel.",
            ))
        return lines

    def post(self, builder: RosterModel) -> None:
        """R9 in the roster model (cost, UNV): on a re-solve, work planned on a day the
        current plan left free, with less than notice_days notice, costs overtime_h hours
        of overtime (+ varsko under varsko_days), as ``costs()`` prices it."""
        now = builder.problem.changed_at
        if now is None or not builder.problem.current_plan:
            return
        for member in builder.members:
            e = member.employee
            wage = member.person.hourly_wage or self.default_hourly_wage
            for slot in builder.slots[e]:
                notice = (slot.day - now.date()).days
                if (slot.lit is None or (e, slot.day) in builder.current
                        or notice >= self.notice_days):
                    continue
                amount = self.overtime_h * wage * 1.5
                if notice < self.varsko_days:
                    amount += self.varsko_fee
                builder.cost(self, amount, slot.lit, employee=e, label=f"fridøgn {slot.day}")

def period_hours(plan: RosterPlan, employee: str) -> float:
    return sum(shift_hours(s) for s in plan.shifts_of(employee, with_history=False))
