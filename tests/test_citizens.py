"""Citizen aggregate invariants: visitation, triage, contact person, discharge."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import RuleBroken
from tests.factories import LEADER, MORNING, team_scenario


def test_a_visitation_with_services_needs_at_least_one_service(memory_app):
    s = team_scenario(memory_app)
    with pytest.raises(RuleBroken) as caught:
        memory_app.change_visitation(LEADER, s.citizen, date(2026, 1, 1), "services", [])
    assert caught.value.field == "services"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"minutes": 0}, "services.0.minutes"),
        ({"minutes": 500}, "services.0.minutes"),
        ({"window_start": "10:00", "window_end": "09:00"}, "services.0.window_end"),
        ({"window_start": "07:00", "window_end": "07:20"}, "services.0.window_end"),
        ({"days": []}, "services.0.days"),
        ({"days": ["man"]}, "services.0.days"),
        ({"profession": "LÆGE"}, "services.0.profession"),
        ({"window_start": "7"}, "services.0.window_start"),
    ],
)
def test_a_service_needs_positive_minutes_days_and_a_valid_window(memory_app, change, field):
    s = team_scenario(memory_app)
    with pytest.raises(RuleBroken) as caught:
        memory_app.change_visitation(LEADER, s.citizen, date(2026, 1, 1), "services",
                                     [{**MORNING, **change}])
    assert caught.value.field == field


def test_a_package_needs_positive_weekly_minutes_and_an_open_visitation_none(memory_app):
    s = team_scenario(memory_app)
    with pytest.raises(RuleBroken):
        memory_app.change_visitation(LEADER, s.citizen, date(2026, 1, 1), "package",
                                     package_minutes_per_week=0)
    memory_app.change_visitation(LEADER, s.citizen, date(2026, 1, 1), "package",
                                 package_minutes_per_week=240, reason="Pakke")
    assert memory_app.repository.get(s.citizen).minutes_per_week() == 240
    memory_app.change_visitation(LEADER, s.citizen, date(2026, 2, 1), "open", reason="Åben")
    assert memory_app.repository.get(s.citizen).minutes_per_week() == 0


def test_granted_minutes_follow_the_visitation_history(memory_app):
    s = team_scenario(memory_app)
    memory_app.change_visitation(LEADER, s.citizen, date(2026, 1, 1), "services", [MORNING])
    memory_app.change_visitation(LEADER, s.citizen, date(2026, 3, 1), "services",
                                 [{**MORNING, "days": ["mon", "thu"]}],
                                 reason="Rehabiliteringsforløb afsluttet")
    history = memory_app.repository.get(s.citizen).visitation_history
    assert [h["minutes_per_week"] for h in history] == [210, 60]


def test_the_contact_person_must_be_in_the_citizens_team(memory_app):
    s = team_scenario(memory_app)
    with pytest.raises(RuleBroken):
        memory_app.assign_contact_person(LEADER, s.citizen, s.outsider)
    memory_app.assign_contact_person(LEADER, s.citizen, s.members[1])
    assert memory_app.repository.get(s.citizen).contact_person_id == str(s.members[1])


def test_a_discharged_citizen_cannot_be_changed(memory_app):
    s = team_scenario(memory_app)
    memory_app.discharge_citizen(LEADER, s.citizen, date(2026, 5, 1), "Flyttet på plejehjem")
    for attempt in (
        lambda: memory_app.change_triage(LEADER, s.citizen, "roed"),
        lambda: memory_app.change_visitation(LEADER, s.citizen, date(2026, 6, 1), "open"),
        lambda: memory_app.discharge_citizen(LEADER, s.citizen, date(2026, 6, 1), "igen"),
    ):
        with pytest.raises(RuleBroken) as caught:
            attempt()
        assert "afsluttet" in caught.value.message
