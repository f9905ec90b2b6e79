"""Team aggregate invariants (through the application service)."""

from __future__ import annotations

import pytest

from domain.errors import Conflict, NotFound, RuleBroken
from tests.factories import LEADER, team_scenario


def test_a_team_code_can_only_be_created_once(memory_app):
    team_scenario(memory_app, "T1")
    with pytest.raises(Conflict) as caught:
        memory_app.create_team(LEADER, code="T1", name="Igen", area="Øst", base_lat=55.0,
                               base_lon=9.0)
    assert "findes allerede" in caught.value.message


def test_a_member_cannot_join_the_same_team_twice(memory_app):
    s = team_scenario(memory_app)
    with pytest.raises(RuleBroken) as caught:
        memory_app.join_team(LEADER, s.team, s.members[0])
    assert caught.value.field == "employee_id"


def test_only_hired_employees_can_join_a_team(memory_app):
    from uuid import uuid4

    s = team_scenario(memory_app)
    with pytest.raises(NotFound):
        memory_app.join_team(LEADER, s.team, uuid4())


def test_a_member_who_leaves_is_no_longer_a_member(memory_app):
    s = team_scenario(memory_app)
    memory_app.leave_team(LEADER, s.team, s.members[0], reason="Ny stilling")
    assert str(s.members[0]) not in memory_app.team(s.team)["members"]
    with pytest.raises(RuleBroken):
        memory_app.leave_team(LEADER, s.team, s.members[0], reason="igen")


def test_a_route_code_is_unique_within_the_team(memory_app):
    s = team_scenario(memory_app)
    memory_app.define_route(LEADER, s.team, "R1", "Rute 1", "dag", "SSH")
    with pytest.raises(RuleBroken) as caught:
        memory_app.define_route(LEADER, s.team, "R1", "Rute 1 igen", "aften", "SSH")
    assert caught.value.field == "route_code"
    assert memory_app.team(s.team)["routes"]["R1"]["layer"] == "dag"


def test_a_team_cannot_be_its_own_sister_team(memory_app):
    s = team_scenario(memory_app)
    with pytest.raises(RuleBroken):
        memory_app.link_sister_team(LEADER, s.team, s.team)
    other = team_scenario(memory_app, "T2")
    memory_app.link_sister_team(LEADER, s.team, other.team)
    assert memory_app.team(s.team)["sister_team_id"] == str(other.team)


def test_ground_rules_refuse_unknown_rules_and_non_members_on_nights(memory_app):
    s = team_scenario(memory_app)
    with pytest.raises(RuleBroken) as caught:
        memory_app.set_ground_rules(LEADER, s.team, {"free_cake": True})
    assert caught.value.field == "free_cake"
    with pytest.raises(RuleBroken) as caught:
        memory_app.set_ground_rules(LEADER, s.team, {"night_workers": [str(s.outsider)]})
    assert caught.value.field == "night_workers"
    memory_app.set_ground_rules(LEADER, s.team, {"weekend_off_every_n": 3,
                                                 "night_workers": [str(s.members[0])]})
    rules = memory_app.team(s.team)["ground_rules"]
    assert rules["weekend_off_every_n"] == 3
    assert rules["max_nights_in_row"] == 3  # untouched default kept


def test_every_event_records_the_actor_and_role(memory_app):
    team_scenario(memory_app)
    notifications = memory_app.recorder.select_notifications(start=1, limit=1000)
    assert notifications
    for n in notifications:
        event = memory_app.mapper.to_domain_event(n)
        if type(event).__name__ == "Snapshot":
            continue
        assert event.actor == {"id": "leder", "role": "leader"}, n.topic


def test_ground_rules_merge_nested_staffing_and_accept_uuid_night_workers(memory_app):
    s = team_scenario(memory_app)
    memory_app.set_ground_rules(LEADER, s.team, {"min_staffing": {"nat": 1},
                                                 "night_workers": [s.members[0]]})
    rules = memory_app.team(s.team)["ground_rules"]
    assert rules["min_staffing"] == {"dag": 1, "aften": 1, "nat": 1}
    assert rules["night_workers"] == [str(s.members[0])]
