"""The benchmark history generator: its sick days never break the domain's rules."""

from __future__ import annotations

from datetime import date, timedelta

from domain.employees import Employee
from domain.values import Profession
from scripts.bench_history import ACTOR, fall_sick


def test_a_sick_day_touching_the_last_sickness_is_skipped_not_raised() -> None:
    # A person falls sick for two days; the generator may pick them again the next day.
    person = Employee.hire("B-01", "Medarbejder 1", Profession.SSH, 37, date(2020, 1, 1),
                           False, ACTOR)
    day = date(2024, 9, 1)
    assert fall_sick(person, day) is True
    # The next day overlaps (absences are inclusive of their end day): skipped.
    assert fall_sick(person, day + timedelta(days=1)) is False
    # Two days later it is a new sickness.
    assert fall_sick(person, day + timedelta(days=2)) is True
    assert sorted(a["start"] for a in person.absences.values()) == [
        day, day + timedelta(days=2)]
