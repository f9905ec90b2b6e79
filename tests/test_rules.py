"""The agreement-rule checker: exact at the boundaries, across midnight, DST and periods."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from planning.checker import check
from planning.clock import shift_hours
from planning.model import Absence, Person, RosterPlan, Severity, Shift, ShiftChange
from planning.rules import Catalogue

MONDAY = date(2026, 11, 23)


def dt(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, datetime.min.time()).replace(hour=hh, minute=mm)


def plan(*shifts: Shift, history: tuple[Shift, ...] = (), weeks: int = 1,
         start: date = MONDAY, **kwargs) -> RosterPlan:
    people = {s.employee: Person(s.employee, name="Anna") for s in shifts + history}
    return RosterPlan(period_start=start, weeks=weeks, shifts=tuple(shifts), history=history,
                      people=kwargs.pop("people", people), **kwargs)


def shift(day: date, start: tuple[int, int], end_day: date, end: tuple[int, int],
          who: str = "anna", sid: str | None = None) -> Shift:
    return Shift(who, dt(day, *start), dt(end_day, *end), shift_id=sid)


TUE = MONDAY + timedelta(days=1)


def test_exactly_eleven_hours_of_rest_passes():
    result = check(plan(shift(MONDAY, (7, 0), MONDAY, (15, 0)),
                        shift(TUE, (2, 0), TUE, (10, 0))))
    assert result.by_rule("R1") == []


def test_ten_hours_fifty_nine_minutes_of_rest_fails_and_is_explained():
    result = check(plan(shift(MONDAY, (7, 0), MONDAY, (15, 1), sid="mon"),
                        shift(TUE, (2, 0), TUE, (10, 0), sid="tue")))
    [violation] = result.by_rule("R1")
    assert violation.severity is Severity.HARD
    assert violation.measured == pytest.approx(10 + 59 / 60, abs=1e-3)
    assert violation.limit == 11
    assert "10 t 59 min" in violation.message
    assert "mandag 23. november kl. 15:01" in violation.message
    assert "tidligst kl. 02:01" in violation.suggestion
    assert violation.shift_ids == ("mon", "tue")
    assert not result.ok


def test_rest_is_measured_across_midnight():
    # evening until 23:30, next morning from 07:00: 7 h 30 min of rest
    result = check(plan(shift(MONDAY, (15, 30), MONDAY, (23, 30)),
                        shift(TUE, (7, 0), TUE, (15, 0))))
    [violation] = result.by_rule("R1")
    assert violation.measured == pytest.approx(7.5)


def test_rest_is_checked_across_the_period_boundary_with_the_history():
    sunday = MONDAY - timedelta(days=1)
    history = (shift(sunday, (15, 0), sunday, (23, 0)),)
    result = check(plan(shift(MONDAY, (7, 0), MONDAY, (15, 0)), history=history))
    [violation] = result.by_rule("R1")
    assert violation.measured == pytest.approx(8)
    assert violation.dates == (sunday, MONDAY)


def test_a_night_shift_across_the_spring_switch_is_an_hour_shorter():
    saturday = date(2026, 3, 28)
    night = Shift("anna", dt(saturday, 23), dt(saturday + timedelta(days=1), 7))
    assert shift_hours(night) == pytest.approx(7)
    autumn = Shift("anna", dt(date(2026, 10, 24), 23), dt(date(2026, 10, 25), 7))
    assert shift_hours(autumn) == pytest.approx(9)


def test_rest_after_a_spring_night_counts_real_hours():
    # Night ends Sunday 29 March 07:00 (after the switch); the next shift starts 18:00:
    # 11 wall-clock hours and 11 real hours. Starting 17:59 fails.
    sat, sun = date(2026, 3, 28), date(2026, 3, 29)
    night = shift(sat, (23, 0), sun, (7, 0))
    ok = check(plan(night, shift(sun, (18, 0), sun, (23, 0)), start=date(2026, 3, 23)))
    bad = check(plan(night, shift(sun, (17, 59), sun, (23, 0)), start=date(2026, 3, 23)))
    assert ok.by_rule("R1") == [] and len(bad.by_rule("R1")) == 1


def test_a_thirteen_and_a_half_hour_shift_breaks_rest_and_max_length():
    result = check(plan(shift(MONDAY, (7, 0), MONDAY, (20, 30))))
    assert {v.rule for v in result.hard} >= {"R1", "R15"}


def test_seven_working_days_in_a_row_break_the_weekly_rest_and_days_off():
    days = [MONDAY + timedelta(days=i) for i in range(7)]
    result = check(plan(*(shift(d, (7, 0), d, (15, 0), sid=f"s{i}") for i, d in enumerate(days))))
    [weekly] = result.by_rule("R2")
    assert weekly.limit == 35 and weekly.measured < 35
    assert "Flyt vagten" in weekly.suggestion
    [days_off] = result.by_rule("R3")
    assert days_off.measured == 0 and days_off.limit == 2


def test_five_days_with_a_free_weekend_keeps_weekly_rest_and_days_off():
    days = [MONDAY + timedelta(days=i) for i in range(5)]
    result = check(plan(*(shift(d, (7, 0), d, (15, 0)) for d in days)))
    assert result.by_rule("R2") == [] and result.by_rule("R3") == []
    assert result.by_rule("R18") == []


def test_four_nights_in_a_row_is_a_soft_warning():
    nights = [shift(MONDAY + timedelta(days=i), (23, 0), MONDAY + timedelta(days=i + 1), (7, 0))
              for i in range(4)]
    result = check(plan(*nights))
    [warning] = result.by_rule("R14")
    assert warning.severity is Severity.SOFT and warning.measured == 4


def test_a_two_hour_shift_is_too_short():
    [violation] = check(plan(shift(MONDAY, (7, 0), MONDAY, (9, 0)))).by_rule("R16")
    assert violation.limit == 3


def test_norm_hours_account_for_holidays_and_absence():
    # Week 52 of 2026: 24, 25 December (Thu, Fri) reduce the norm by 2 × 7.4 h.
    christmas_week = date(2026, 12, 21)
    catalogue = Catalogue.default()
    empty = plan(start=christmas_week, people={"anna": Person("anna", weekly_hours=37)})
    assert catalogue["R5"].norm(empty, "anna") == pytest.approx(37 - 14.8)
    absent = plan(start=christmas_week, people={"anna": Person("anna", weekly_hours=37)},
                  absences=(Absence("anna", christmas_week, christmas_week + timedelta(1)),))
    assert catalogue["R5"].norm(absent, "anna") == pytest.approx(37 - 14.8 - 14.8)


def test_evening_and_sunday_work_is_priced_with_the_dated_rate_table():
    sunday = MONDAY + timedelta(days=6)
    result = check(plan(shift(MONDAY, (15, 0), MONDAY, (23, 0)),
                        shift(sunday, (7, 0), sunday, (15, 0))))
    by_rule = [c for c in result.costs if c.rule == "R11"]
    assert sorted(c.hours for c in by_rule) == [6.0, 8.0]  # 17–23 evening, Sunday 07–15
    evening = next(c for c in by_rule if "aftentillæg" in c.message)
    assert evening.hours == 6.0
    assert evening.amount_dkk == pytest.approx(6 * 200 * 0.3512)
    assert "2025-01-01" in evening.basis
    assert "timeløn 200,00 kr." in evening.basis


def test_a_shift_moved_with_short_notice_costs_the_fee_per_started_half_hour():
    change = ShiftChange("anna", changed_at=dt(MONDAY, 8), old_start=dt(TUE, 7),
                         old_end=dt(TUE, 15), new_start=dt(TUE, 8), new_end=dt(TUE, 16, 10))
    result = check(plan(shift(TUE, (8, 0), TUE, (16, 10)), changes=(change,)))
    [fee] = [c for c in result.costs if c.rule == "R7"]
    assert fee.hours == pytest.approx(70 / 60, abs=0.01)
    assert fee.amount_dkk == pytest.approx(3 * 44.07)
    assert fee.basis.startswith("44,07 kr. pr. påbegyndt halve time")  # Danish decimals


def test_a_late_publication_is_a_soft_warning():
    result = check(plan(shift(MONDAY, (7, 0), MONDAY, (15, 0)),
                        published_at=datetime(2026, 11, 1, 12)))
    [warning] = result.by_rule("R6")
    assert warning.measured == 22 and warning.severity is Severity.SOFT


def _named(who: str, name: str, profession: str) -> Person:
    return Person(who, name=name, profession=profession)


def test_a_rest_breach_suggests_the_free_colleague_with_fewest_hours_who_breaks_no_rule():
    # Anna works Monday evening and Tuesday morning: 8 h rest. The Tuesday day shift
    # needs an SSA. Cille (SSH) is not qualified, Emil works Tuesday himself, Dorte has
    # fewest hours but would get the same 8 h rest after her own Monday evening. Bo is
    # free, qualified and breaks nothing by taking it: he is the one named.
    wed, thu = MONDAY + timedelta(days=2), MONDAY + timedelta(days=3)
    tuesday = Shift("anna", dt(TUE, 7), dt(TUE, 15), "dag", shift_id="tue", profession="SSA")
    shifts = (
        Shift("anna", dt(MONDAY, 15), dt(MONDAY, 23), "aften", shift_id="mon"), tuesday,
        Shift("bo", dt(wed, 7), dt(wed, 15), "dag", shift_id="bo1"),
        Shift("bo", dt(thu, 7), dt(thu, 15), "dag", shift_id="bo2"),
        Shift("dorte", dt(MONDAY, 15), dt(MONDAY, 23), "aften", shift_id="do1"),
        Shift("emil", dt(TUE, 15), dt(TUE, 23), "aften", shift_id="em1"),
    )
    people = {p.employee: p for p in (
        _named("anna", "Anna", "SSA"), _named("bo", "Bo", "SSA"), _named("cille", "Cille", "SSH"),
        _named("dorte", "Dorte", "SSA"), _named("emil", "Emil", "SPL"))}

    [violation] = check(plan(*shifts, people=people)).by_rule("R1")

    assert violation.suggestion.startswith(
        "Byt dagvagten tirsdag 24. november med Bo, der har fri (16,0 af 37,0 "
        "kontrakttimer planlagt).")
    assert "tidligst kl. 10:00" in violation.suggestion  # the rule's own fix stays


def test_without_a_free_colleague_the_shift_moves_to_a_day_the_person_is_free():
    shifts = (Shift("anna", dt(MONDAY, 15), dt(MONDAY, 23), "aften", shift_id="mon"),
              Shift("anna", dt(TUE, 7), dt(TUE, 15), "dag", shift_id="tue"))

    [violation] = check(plan(*shifts)).by_rule("R1")

    assert violation.suggestion.startswith(
        "Flyt dagvagten tirsdag 24. november til onsdag 25. november, hvor Anna har fri.")


def test_a_suggestion_never_hands_a_shift_to_someone_it_would_put_in_breach():
    # Bo is free on Tuesday, but Tuesday would be his seventh working day in the week (R3).
    bo_days = [MONDAY + timedelta(days=i) for i in (0, 2, 3, 4, 5)]
    shifts = (Shift("anna", dt(MONDAY, 15), dt(MONDAY, 23), "aften", shift_id="mon"),
              Shift("anna", dt(TUE, 7), dt(TUE, 15), "dag", shift_id="tue"),
              *(Shift("bo", dt(d, 7), dt(d, 15), "dag", shift_id=f"bo{d.day}") for d in bo_days))

    result = check(plan(*shifts))

    assert result.by_rule("R3") == []  # Bo is within the rules as planned
    [violation] = result.by_rule("R1")
    assert "Bo" not in violation.suggestion
    assert violation.suggestion.startswith("Flyt dagvagten tirsdag")


def test_the_checker_can_leave_the_rules_general_suggestions():
    shifts = (Shift("anna", dt(MONDAY, 15), dt(MONDAY, 23), "aften", shift_id="mon"),
              Shift("anna", dt(TUE, 7), dt(TUE, 15), "dag", shift_id="tue"))

    [violation] = check(plan(*shifts), suggest=False).by_rule("R1")

    assert violation.suggestion.startswith("Flyt vagten tirsdag 24. november, så den")
