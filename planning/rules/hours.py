"""Hours rules: 48-hour average (R4), norm hours (R5), holidays (R12), overtime (R10)."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import TYPE_CHECKING

from planning.calendar_dk import norm_reducing_holidays
from planning.danish import day_da, number_da
from planning.model import CostLine, RosterPlan, Severity, Violation
from planning.rules.base import Param, Rule
from planning.rules.facts import facts

if TYPE_CHECKING:
    from planning.roster_model import RosterModel


class FortyEightHours(Rule):
    """R4 — 48-timers-reglen (EU 2003/88): average ≤ 48 h/week over the reference period.

    Checked over the plan period plus the given history (a plan is normally
    shorter than the 4-month reference period, so this is the stricter reading).
    """

    id = "R4"
    name_da = "48-timers-reglen"
    name_en = "48-hour average"
    status = "LAW"
    default_severity = Severity.HARD
    source = "EU 2003/88, arbejdstidsloven; S4, S5, S6"
    params = {"max_avg_weekly_h": Param(48.0, "h", 20, 48)}

    def check(self, plan: RosterPlan) -> list[Violation]:
        found: list[Violation] = []
        history_days = 14 if plan.history else 0
        weeks = (plan.weeks * 7 + history_days) / 7
        known = facts(plan)
        for employee in known.employees:
            total = known.of(employee).total_hours
            average = total / weeks
            if average <= self.max_avg_weekly_h + 1e-9:
                continue
            name = plan.person(employee).name or employee
            excess = total - self.max_avg_weekly_h * weeks
            found.append(self.violation(
                employee=employee, dates=(plan.period_start, plan.period_end - timedelta(1)),
                measured=round(average, 3), limit=self.max_avg_weekly_h, unit="h/week",
                message=(f"{name} arbejder i gennemsnit {number_da(average)} timer om ugen; "
                         f"loven tillader højst {number_da(self.max_avg_weekly_h, 0)}."),
                suggestion=f"Flyt mindst {number_da(excess)} timer fra {name} til kolleger.",
                detail=f"R4: {employee} averages {average:.2f} h/week",
            ))
        return found

    def post(self, builder: RosterModel) -> None:
        """R4 in the roster model (EU 2003/88): planned minutes plus the history's stay
        within max_avg_weekly_h × the checked weeks (period + 14 history days when a
        history is given, as the checker counts)."""
        plan = builder.base_plan
        weeks = (plan.weeks * 7 + (14 if plan.history else 0)) / 7
        for member in builder.members:
            e = member.employee
            done = sum(s.minutes for s in builder.history[e])
            limit = math.floor(self.max_avg_weekly_h * weeks * 60 + 1e-6) - done
            builder.at_most(self, builder.minutes(e), limit, employee=e, unit=60,
                            dates=builder.days,
                            text=(f"{member.name} må i gennemsnit højst arbejde "
                                  f"{number_da(self.max_avg_weekly_h, 0)} timer om ugen"))


class Holidays(Rule):
    """R12 — søgnehelligdage: the norm falls by weekly_h/5 per holiday on a weekday.

    The holiday calendar comes from the ``holidays`` library (planning.calendar_dk);
    R5 uses ``reduction_h`` and R11 the holiday pay band. R12 raises no violation itself.
    """

    id = "R12"
    name_da = "Søgnehelligdage"
    name_en = "Public holidays"
    status = "AGR"
    default_severity = Severity.COST
    source = "S18, S19, S20, S21"
    params = {"reduce_norm": Param(True, "flag")}

    def reduction_h(self, plan: RosterPlan, weekly_hours: float) -> float:
        if not self.reduce_norm:
            return 0.0
        days = norm_reducing_holidays(plan.period_start, plan.period_end)
        return len(days) * weekly_hours / 5

    def post(self, builder: RosterModel) -> None:
        """R12 posts nothing itself: its holidays lower the norm that R5 posts
        (``reduction_h``) and set the holiday band of R11's supplements."""


class NormHours(Rule):
    """R5 — normtid: planned hours = weeks × contract hours − holiday and absence reductions.

    Soft: a plan more than ``tolerance_h`` over the norm gives overtime (R10);
    under it, hours are lost to the employee (no carry-over).
    """

    id = "R5"
    name_da = "Normtimer i perioden"
    name_en = "Norm hours"
    status = "AGR"
    default_severity = Severity.SOFT
    source = "S22, S19"
    params = {"tolerance_h": Param(4.0, "h", 0, 40, "deviation accepted over the period")}

    def __init__(self, holidays: Holidays | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.holidays = holidays or Holidays()

    def norm(self, plan: RosterPlan, employee: str) -> float:
        """The employee's norm hours over the plan period."""
        weekly = plan.person(employee).weekly_hours
        absences = facts(plan).absences_of(employee)
        absent_weekdays = {
            d for a in absences for d in plan.days() if a.covers(d) and d.weekday() < 5
        } if absences else set()
        return max(weekly * plan.weeks - self.holidays.reduction_h(plan, weekly)
                   - len(absent_weekdays) * weekly / 5, 0.0)

    def check(self, plan: RosterPlan) -> list[Violation]:
        found: list[Violation] = []
        known = facts(plan)
        for employee in known.employees:
            norm = self.norm(plan, employee)
            planned = known.of(employee).period_hours
            deviation = planned - norm
            if abs(deviation) <= self.tolerance_h + 1e-9:
                continue
            name = plan.person(employee).name or employee
            over = deviation > 0
            found.append(self.violation(
                employee=employee, dates=(plan.period_start, plan.period_end - timedelta(1)),
                measured=round(planned, 2), limit=round(norm, 2), unit="h",
                message=(f"{name} er planlagt {number_da(planned)} timer mod en norm på "
                         f"{number_da(norm)} ({'+' if over else ''}{number_da(deviation)} t)."),
                suggestion=(f"Giv {number_da(deviation)} timer fra {name} til en kollega med "
                            "færre timer, ellers bliver de overarbejde." if over else
                            f"Giv {name} {number_da(-deviation)} timer mere, fx en ledig vagt."),
                detail=f"R5: {employee} planned {planned:.2f} h vs norm {norm:.2f} h",
            ))
        return found

    def post(self, builder: RosterModel) -> None:
        """R5 in the roster model: planned minutes within norm ± tolerance_h, the norm
        from ``norm()`` (contract hours − R12 holidays − absences). Soft by default:
        each started hour outside the band costs the rule's weight."""
        for member in builder.members:
            e = member.employee
            norm = self.norm(builder.base_plan, e)
            upper = math.floor((norm + self.tolerance_h) * 60 + 1e-6)
            lower = math.ceil((norm - self.tolerance_h) * 60 - 1e-6)
            text = (f"{member.name} skal planlægges {number_da(norm)} timer "
                    f"± {number_da(self.tolerance_h)}")
            minutes = builder.minutes(e)
            over = builder.at_most(self, minutes, upper, employee=e, group="over", unit=60,
                                   dates=builder.days, text=text)
            under = None
            if lower > 0:
                under = builder.at_least(self, minutes, lower, employee=e, group="under",
                                         unit=60, dates=builder.days, text=text)
            # Hours come in whole shifts: when all of a person's shifts last equally long,
            # give the LP the breach as a function of the shift count (a stronger bound).
            slots = [s for s in builder.slots[e] if s.lit is not None]
            lengths = {s.minutes for s in slots}
            if len(lengths) == 1:
                [length], count = lengths, builder.count[e]
                if over is not None:
                    builder.count_cuts(over, count, len(slots), length, upper, True, 60)
                if under is not None:
                    builder.count_cuts(under, count, len(slots), length, lower, False, 60)


class Overtime(Rule):
    """R10 — overarbejde / merarbejde, priced at the period's end.

    Full-time: hours over the norm cost +50 %. Part-time: hours above contract up
    to the full-time norm are merarbejde at the plain rate; above it +50 %.
    """

    id = "R10"
    name_da = "Over- og merarbejde"
    name_en = "Overtime / part-time extra work"
    status = "AGR"
    default_severity = Severity.COST
    source = "S15, S36"
    params = {
        "full_time_weekly_h": Param(37.0, "h", 30, 40),
        "overtime_supplement": Param(0.5, "share", 0, 2),
        "default_hourly_wage": Param(200.0, "DKK/h", 100, 1000),
    }

    def __init__(self, norm_hours: NormHours | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.norm_hours = norm_hours or NormHours()

    def costs(self, plan: RosterPlan) -> list[CostLine]:
        lines: list[CostLine] = []
        known = facts(plan)
        for employee in known.employees:
            person = plan.person(employee)
            wage = person.hourly_wage or self.default_hourly_wage
            norm = self.norm_hours.norm(plan, employee)
            planned = known.of(employee).period_hours
            excess = planned - norm
            if excess <= 1e-9:
                continue
            full_norm = norm * self.full_time_weekly_h / max(person.weekly_hours, 1e-9)
            extra = max(min(planned, full_norm) - norm, 0.0)  # merarbejde, part-time only
            overtime = excess - extra
            factor = 1 + self.overtime_supplement
            amount = extra * wage + overtime * wage * factor
            lines.append(CostLine(
                rule=self.id, employee=employee, hours=round(excess, 2),
                amount_dkk=round(amount, 2),
                basis=(f"timeløn {wage:.2f} kr; merarbejde {extra:.2f} t × 100 %, "
                       f"overarbejde {overtime:.2f} t × {100 * factor:.0f} %"),
                message=(f"{person.name or employee}: {number_da(excess)} timer over normen "
                         f"fra {day_da(plan.period_start)}."),
            ))
        return lines

    def post(self, builder: RosterModel) -> None:
        """R10 in the roster model (cost): hours over the norm, split like ``costs()`` —
        part-time merarbejde up to the full-time norm at the plain wage, the rest at
        (1 + overtime_supplement) — priced per started hour."""
        for member in builder.members:
            e, person = member.employee, member.person
            norm = self.norm_hours.norm(builder.base_plan, e)
            wage = person.hourly_wage or self.default_hourly_wage
            full_norm = norm * self.full_time_weekly_h / max(person.weekly_hours, 1e-9)
            extra = builder.model.new_int_var(0, math.ceil(max(full_norm - norm, 0)),
                                              f"merarbejde_{e}")
            over = builder.model.new_int_var(0, 24 * len(builder.days), f"overarbejde_{e}")
            builder.model.add(60 * (extra + over) >= builder.minutes(e) - round(norm * 60))
            builder.cost(self, wage, extra, employee=e, label="merarbejde")
            builder.cost(self, wage * (1 + self.overtime_supplement), over, employee=e,
                         label="overarbejde")
