"""The checker's shortcuts give the verdicts of the plain computations they replace:
free-time windows, per-plan facts and the suggestion engine's quick look at R1–R3."""

from __future__ import annotations

import gc
import random
from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest

import planning.rules.facts as facts_module
from planning.checker import check
from planning.clock import (
    COPENHAGEN,
    UTC,
    FreeTime,
    longest_free,
    rest_threshold,
    shift_hours,
    to_utc,
    work_blocks,
)
from planning.model import Absence, Person, RosterPlan, Severity, Shift
from planning.rules import Catalogue
from planning.rules.facts import days_touched, facts
from planning.suggest import _Finder, _QuickRules, with_suggestions

MONDAY = date(2026, 3, 16)  # the period holds the spring DST switch (29 March)
LAYERS = {"dag": (7, 8), "aften": (15, 8), "nat": (23, 8)}


def _utc(day: date, hour: int, minute: int = 0) -> datetime:
    return to_utc(datetime.combine(day, time(hour, minute)))


def _slow_short(blocks: list[tuple[datetime, datetime]],
                windows: list[tuple[datetime, datetime]], rest_h: float) -> list[int]:
    return [i for i, (start, end) in enumerate(windows)
            if longest_free(blocks, start, end)[0].total_seconds() / 3600 + 1e-9 < rest_h]


def test_eleven_hours_free_is_rest_and_ten_fifty_nine_is_not():
    blocks = [(_utc(MONDAY, 7), _utc(MONDAY, 15)), (_utc(MONDAY, 15, 1) + timedelta(hours=11),
                                                    _utc(MONDAY + timedelta(days=1), 12))]
    windows = [(_utc(MONDAY, 15) - timedelta(hours=1), _utc(MONDAY, 15) + timedelta(hours=23)),
               (_utc(MONDAY, 15, 1), _utc(MONDAY, 15, 1) + timedelta(hours=24))]
    free = FreeTime(blocks)
    assert free.without_rest(windows, 11) == []  # 11 h 01 min and 11 h 00 min free
    assert free.without_rest(windows, 11.02) == [0, 1]
    assert rest_threshold(11) == timedelta(hours=11) - timedelta(microseconds=3)


def test_without_rest_agrees_with_longest_free_on_random_work():
    rng = random.Random(7)
    for _ in range(200):
        shifts = []
        for _ in range(rng.randrange(0, 12)):
            start = datetime.combine(MONDAY + timedelta(days=rng.randrange(0, 21)),
                                     time(rng.randrange(24), rng.choice((0, 1, 30, 59))))
            shifts.append(Shift("x", start, start + timedelta(minutes=rng.randrange(30, 900))))
        blocks = work_blocks(shifts)
        rest_h = rng.choice((8, 11, 24, 35, 10 + 59 / 60))
        days = [MONDAY + timedelta(days=i) for i in range(-2, 21)]
        sliding = [(_utc(d, 0), _utc(d + timedelta(days=7), 0)) for d in days]
        shuffled = [(_utc(d, rng.randrange(24)), _utc(d, 0) + timedelta(hours=24))
                    for d in days]
        for windows in (sliding, shuffled):
            assert FreeTime(blocks).without_rest(windows, rest_h) == \
                _slow_short(blocks, windows, rest_h)
            for start, end in windows:
                assert FreeTime(blocks).longest(start, end) == longest_free(blocks, start, end)


def test_facts_are_made_once_per_plan_and_let_the_plan_go():
    plan = _roster(6, 2, seed=1)
    assert facts(plan) is facts(plan)
    assert facts(plan) is not facts(replace(plan))
    # real hours: the night across the DST switch is an hour short
    assert facts(plan).of("p1").period_hours == sum(
        shift_hours(s) for s in plan.shifts_of("p1", with_history=False))
    before = len(facts_module._CACHE)
    facts(_roster(3, 1, seed=2))  # the plan is gone right after
    gc.collect()
    assert len(facts_module._CACHE) == before


def _roster(people: int, weeks: int, seed: int) -> RosterPlan:
    """A roster with breaches of all kinds, professions, absences and a history."""
    rng = random.Random(seed)
    shifts: list[Shift] = []
    history: list[Shift] = []
    for p in range(people):
        for day in range(-14, weeks * 7):
            if rng.random() < 0.4:
                continue
            layer = rng.choice(list(LAYERS))
            hour, length = LAYERS[layer]
            begin = datetime.combine(MONDAY + timedelta(days=day),
                                     time(hour, rng.choice((0, 0, 1, 59))))
            made = Shift(f"p{p}", begin, begin + timedelta(hours=length), layer,
                         shift_id=f"s{p}-{day}", profession=rng.choice((None, "SSH", "SSA")))
            (history if day < 0 else shifts).append(made)
    persons = {f"p{p}": Person(f"p{p}", name=f"Person {p}", weekly_hours=rng.choice((37.0, 28.0)),
                               night_worker=rng.choice((None, False)),
                               reduced_rest_allowed=p % 5 == 0,
                               profession=rng.choice(("SSH", "SSA", "SPL")))
               for p in range(people)}
    absences = (Absence("p3", MONDAY + timedelta(days=8), MONDAY + timedelta(days=12)),)
    return RosterPlan(MONDAY, weeks, tuple(shifts), history=tuple(history), people=persons,
                      absences=absences)


CUSTOM = """
[rules.R1]
min_rest_h = 12
[rules.R2]
window_days = 10
weekly_rest_h = 40
[rules.R3]
fridoegn_per_week = 3
[rules.R14]
severity = "hard"
"""


@pytest.mark.parametrize("custom", [False, True], ids=["shipped", "municipal"])
def test_the_quick_look_only_rejects_what_the_full_check_rejects(custom: bool, tmp_path):
    plan = _roster(24, 4, seed=3)
    catalogue = Catalogue.default()
    if custom:
        (tmp_path / "rules.toml").write_text(CUSTOM, encoding="utf-8")
        catalogue = Catalogue.from_toml(tmp_path / "rules.toml")
    finder = _Finder(plan, [r for r in catalogue if r.severity is Severity.HARD])
    rng = random.Random(3)
    rejected = 0
    for shift in rng.sample(plan.shifts, 60):
        changes = [(e, replace(shift, employee=e)) for e in rng.sample(plan.employees(), 3)]
        changes += [(shift.employee, replace(shift, start=shift.start + timedelta(days=d),
                                             end=shift.end + timedelta(days=d)))
                    for d in (1, -1, 2)]
        for employee, changed in changes:
            if not plan.period_start <= changed.day < plan.period_end:
                continue
            shifts = [s for s in plan.shifts_of(employee, with_history=False)
                      if s is not shift] + [changed]
            if finder._surely_breaks(employee, shifts, changed, shift.day):
                rejected += 1
                assert not (finder._hard_keys(employee, shifts, shift.day)
                            <= finder._base_keys(employee, shift.day))
    assert rejected > 20  # the quick look is put to the test


def test_suggestions_are_the_same_without_the_quick_look(monkeypatch: pytest.MonkeyPatch):
    plan = _roster(30, 4, seed=4)
    catalogue = Catalogue.default()
    violations = [v for rule in catalogue for v in rule.check(plan)]
    quick = with_suggestions(plan, list(catalogue), violations)
    monkeypatch.setattr(_QuickRules, "of", classmethod(lambda cls, rules: cls()))
    full = with_suggestions(plan, list(catalogue), violations)
    assert quick == full
    assert sum(q.suggestion != v.suggestion for q, v in zip(quick, violations, strict=True)) > 5


def test_a_plan_checked_twice_gives_the_same_verdict():
    plan = _roster(12, 3, seed=5)
    first, again = check(plan), check(plan)
    assert first == again
    assert first == check(replace(plan))
    assert first.hard and first.costs


def test_cached_wall_clock_figures_tell_zones_apart():
    """Equal aware moments in two zones are equal datetimes but other calendar days."""
    late = Shift("a", datetime(2026, 11, 23, 23, 30, tzinfo=COPENHAGEN),
                 datetime(2026, 11, 24, 0, 30, tzinfo=COPENHAGEN))
    late_utc = Shift("a", late.start.astimezone(UTC), late.end.astimezone(UTC))
    assert (late.start, late.end) == (late_utc.start, late_utc.end)
    assert days_touched(late) == (date(2026, 11, 23), date(2026, 11, 24))
    assert days_touched(late_utc) == (date(2026, 11, 23),)
