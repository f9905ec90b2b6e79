"""Employee aggregate invariants: contracts and absences."""

from __future__ import annotations

from datetime import date

import pytest

from domain.employees import Employee
from domain.errors import RuleBroken
from tests.factories import LEADER, team_scenario


@pytest.mark.parametrize("hours", [0, -1, 48.5, 100])
def test_contracted_weekly_hours_must_be_within_zero_and_forty_eight(memory_app, hours):
    with pytest.raises(RuleBroken) as caught:
        memory_app.hire_employee(LEADER, number="E9", name="X", profession="SSH",
                                 weekly_hours=hours, hired_on=date(2024, 1, 1))
    assert caught.value.field == "weekly_hours"
    assert memory_app.recorder.max_notification_id() in (None, 0)


def test_a_contract_change_cannot_predate_the_hire(memory_app):
    s = team_scenario(memory_app)
    with pytest.raises(RuleBroken) as caught:
        memory_app.change_contract(LEADER, s.members[0], 30, "SSA", date(2019, 1, 1))
    assert caught.value.field == "effective"
    memory_app.change_contract(LEADER, s.members[0], 30, "SSA", date(2026, 1, 1))
    employee = memory_app.repository.get(s.members[0])
    assert (employee.weekly_hours, employee.profession) == (30.0, "SSA")


def test_absences_cannot_overlap_and_end_before_they_start(memory_app):
    # An open-ended sickness blocks its first day; a holiday planned for later
    # can still be registered, and ending the sickness is checked against it.
    s = team_scenario(memory_app)
    e = s.members[0]
    memory_app.register_absence(LEADER, e, "a1", "sick", date(2026, 3, 2), None)
    with pytest.raises(RuleBroken):  # the same day twice
        memory_app.register_absence(LEADER, e, "a0", "course", date(2026, 3, 1),
                                    date(2026, 3, 2))
    with pytest.raises(RuleBroken) as caught:
        memory_app.end_absence(LEADER, e, "a1", date(2026, 3, 1))
    assert caught.value.field == "end"
    memory_app.end_absence(LEADER, e, "a1", date(2026, 3, 4))
    with pytest.raises(RuleBroken):
        memory_app.end_absence(LEADER, e, "a1", date(2026, 3, 5))
    memory_app.register_absence(LEADER, e, "a2", "holiday", date(2026, 7, 1), date(2026, 7, 14))
    with pytest.raises(RuleBroken):
        memory_app.register_absence(LEADER, e, "a3", "sick", date(2026, 7, 14), None)
    employee: Employee = memory_app.repository.get(e)
    assert employee.is_absent_on(date(2026, 3, 3))
    assert not employee.is_absent_on(date(2026, 3, 5))
    assert employee.is_absent_on(date(2026, 7, 14))
