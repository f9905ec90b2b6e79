"""DayPlan invariants: routes, visits, professions, substitutes, deliveries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.dayplans import dayplan_id
from domain.errors import RuleBroken
from tests.factories import LEADER, MONDAY, MORNING, at, team_scenario


def visit(s, visit_id="v1", who=None, start=8, required="SSH", double=False, citizen=None):
    return {
        "visit_id": visit_id, "citizen_id": citizen or s.citizen, "service_codes": ["PP1"],
        "start": at(MONDAY, start), "minutes": 30,
        "employee_ids": who if who is not None else [s.members[0]],
        "required_profession": required, "double_staffed": double,
    }


@pytest.fixture
def s(memory_app):
    scenario = team_scenario(memory_app)  # members: SSH, SSA, SPL
    memory_app.change_visitation(LEADER, scenario.citizen, date(2025, 1, 1), "services",
                                 [MORNING])
    return scenario


def test_a_route_must_exist_and_a_person_drives_one_route_a_day(memory_app, s):
    with pytest.raises(RuleBroken):
        memory_app.assign_route(LEADER, s.team, MONDAY, "R9", s.members[0])
    memory_app.define_route(LEADER, s.team, "R1", "Rute 1", "dag", "SSH")
    memory_app.define_route(LEADER, s.team, "R2", "Rute 2", "dag", "SSH")
    with pytest.raises(RuleBroken):
        memory_app.assign_route(LEADER, s.team, MONDAY, "R1", s.outsider)
    memory_app.assign_route(LEADER, s.team, MONDAY, "R1", s.members[0])
    with pytest.raises(RuleBroken):
        memory_app.assign_route(LEADER, s.team, MONDAY, "R2", s.members[0])
    memory_app.assign_route(LEADER, s.team, MONDAY + timedelta(days=1), "R2", s.members[0])


def test_an_under_qualified_person_never_gets_the_visit(memory_app, s):
    with pytest.raises(RuleBroken) as caught:
        memory_app.plan_visits(LEADER, s.team, MONDAY, [visit(s, required="SSA")])
    assert "kræver SSA" in caught.value.message
    memory_app.plan_visits(LEADER, s.team, MONDAY, [visit(s, who=[s.members[2]],
                                                          required="SSA")])


def test_a_double_staffed_visit_needs_two_different_people(memory_app, s):
    with pytest.raises(RuleBroken):
        memory_app.plan_visits(LEADER, s.team, MONDAY, [visit(s, double=True)])
    with pytest.raises(RuleBroken):
        memory_app.plan_visits(LEADER, s.team, MONDAY,
                               [visit(s, who=[s.members[0], s.members[0]], double=True)])
    memory_app.plan_visits(LEADER, s.team, MONDAY,
                           [visit(s, who=[s.members[0], s.members[1]], double=True)])


def test_a_substitute_never_visits_a_red_or_yellow_citizen(memory_app, s):
    substitute = memory_app.hire_employee(LEADER, number="V1", name="Vikar", profession="SSA",
                                          weekly_hours=20, hired_on=date(2024, 1, 1),
                                          is_substitute=True)
    memory_app.join_team(LEADER, s.team, substitute)
    memory_app.change_triage(LEADER, s.citizen, "gul", reason="Faldet")
    with pytest.raises(RuleBroken) as caught:
        memory_app.plan_visits(LEADER, s.team, MONDAY, [visit(s, who=[substitute])])
    assert "vikar" in caught.value.message.lower()
    memory_app.change_triage(LEADER, s.citizen, "groen")
    memory_app.plan_visits(LEADER, s.team, MONDAY, [visit(s, who=[substitute])])


def test_a_discharged_citizen_gets_no_new_visits(memory_app, s):
    memory_app.discharge_citizen(LEADER, s.citizen, date(2026, 11, 1), "Død")
    with pytest.raises(RuleBroken) as caught:
        memory_app.plan_visits(LEADER, s.team, MONDAY, [visit(s)])
    assert caught.value.field == "citizen_id"


def test_one_bad_visit_stores_none_of_the_batch(memory_app, s):
    before = memory_app.recorder.max_notification_id()
    with pytest.raises(RuleBroken):
        memory_app.plan_visits(LEADER, s.team, MONDAY,
                               [visit(s, "ok"), visit(s, "bad", required="SPL")])
    assert memory_app.recorder.max_notification_id() == before


def test_a_visit_must_be_on_the_plans_date(memory_app, s):
    bad = {**visit(s), "start": at(MONDAY + timedelta(days=1), 8)}
    with pytest.raises(RuleBroken):
        memory_app.plan_visits(LEADER, s.team, MONDAY, [bad])


def test_moving_a_visit_rechecks_qualification_and_a_delivered_visit_is_final(memory_app, s):
    memory_app.plan_visits(LEADER, s.team, MONDAY, [visit(s)])
    with pytest.raises(RuleBroken):
        memory_app.move_visit(LEADER, s.team, MONDAY, "v1", [s.outsider, s.members[1]],
                              at(MONDAY, 9), "syg")
    memory_app.move_visit(LEADER, s.team, MONDAY, "v1", [s.members[1]], at(MONDAY, 9),
                          "Medarbejder syg")
    with pytest.raises(RuleBroken):
        memory_app.record_deliveries(LEADER, s.team, MONDAY, [
            {"visit_id": "v1", "actual_start": at(MONDAY, 9), "actual_end": at(MONDAY, 9),
             "employee_ids": [s.members[1]]}])
    memory_app.record_deliveries(LEADER, s.team, MONDAY, [
        {"visit_id": "v1", "actual_start": at(MONDAY, 9, 5), "actual_end": at(MONDAY, 9, 40),
         "employee_ids": [s.members[1]]}])
    with pytest.raises(RuleBroken) as caught:
        memory_app.cancel_visit(LEADER, s.team, MONDAY, "v1", "for sent")
    assert "leveret" in caught.value.message
    plan = memory_app.repository.get(dayplan_id(s.team, MONDAY))
    assert plan.visits["v1"]["status"] == "delivered"


def test_a_manual_move_outside_the_citizens_time_window_is_refused(memory_app, s):
    # The morning care (07:00–10:00, 30 min) may start 07:00–09:30.
    memory_app.plan_visits(LEADER, s.team, MONDAY, [visit(s)])
    with pytest.raises(RuleBroken) as caught:
        memory_app.move_visit(LEADER, s.team, MONDAY, "v1", [s.members[1]],
                              at(MONDAY, 9, 45), "flyttet")
    assert caught.value.field == "start"
    assert "07:00" in caught.value.message and "09:30" in caught.value.message
    with pytest.raises(RuleBroken):
        memory_app.move_visit(LEADER, s.team, MONDAY, "v1", [s.members[1]],
                              at(MONDAY, 6, 55), "flyttet")
    memory_app.move_visit(LEADER, s.team, MONDAY, "v1", [s.members[1]], at(MONDAY, 9, 30),
                          "flyttet")
    plan = memory_app.day_plan(s.team, MONDAY)
    assert plan["visits"]["v1"]["start"] == at(MONDAY, 9, 30)


def test_a_manual_move_to_an_under_qualified_person_or_a_substitute_is_refused(memory_app, s):
    memory_app.plan_visits(LEADER, s.team, MONDAY, [visit(s, who=[s.members[1]],
                                                          required="SSA")])
    with pytest.raises(RuleBroken) as caught:  # members[0] is an SSH
        memory_app.move_visit(LEADER, s.team, MONDAY, "v1", [s.members[0]], at(MONDAY, 8),
                              "flyttet")
    assert caught.value.field == "employee_ids" and "kræver SSA" in caught.value.message
    substitute = memory_app.hire_employee(LEADER, number="V2", name="Vikar", profession="SSA",
                                          weekly_hours=20, hired_on=date(2024, 1, 1),
                                          is_substitute=True)
    memory_app.join_team(LEADER, s.team, substitute)
    memory_app.change_triage(LEADER, s.citizen, "roed", reason="Indlagt og hjemme igen")
    before = memory_app.recorder.max_notification_id()
    with pytest.raises(RuleBroken) as caught:
        memory_app.move_visit(LEADER, s.team, MONDAY, "v1", [substitute], at(MONDAY, 8),
                              "flyttet")
    assert caught.value.field == "employee_ids" and "vikar" in caught.value.message.lower()
    assert memory_app.recorder.max_notification_id() == before


def test_only_the_team_and_a_borrowed_sister_team_member_may_have_the_visit(memory_app, s):
    with pytest.raises(RuleBroken) as caught:
        memory_app.plan_visits(LEADER, s.team, MONDAY, [visit(s, who=[s.outsider])])
    assert caught.value.field == "employee_ids" and "søsterteam" in caught.value.message
    sister = team_scenario(memory_app, code="T2", members=1, professions=("SSH",))
    memory_app.link_sister_team(LEADER, s.team, sister.team)
    memory_app.plan_visits(LEADER, s.team, MONDAY, [visit(s, who=[sister.members[0]])])
    with pytest.raises(RuleBroken):  # the outsider is still nobody's member
        memory_app.move_visit(LEADER, s.team, MONDAY, "v1", [s.outsider], at(MONDAY, 8),
                              "flyttet")


def test_a_person_absent_that_day_gets_no_visit(memory_app, s):
    memory_app.register_absence(LEADER, s.members[0], "syg-1", "sick", MONDAY)
    with pytest.raises(RuleBroken) as caught:
        memory_app.plan_visits(LEADER, s.team, MONDAY, [visit(s)])
    assert caught.value.field == "employee_ids" and "fraværende" in caught.value.message
    memory_app.plan_visits(LEADER, s.team, MONDAY, [visit(s, who=[s.members[1]])])
    with pytest.raises(RuleBroken):
        memory_app.move_visit(LEADER, s.team, MONDAY, "v1", [s.members[0]], at(MONDAY, 8),
                              "flyttet")
    memory_app.end_absence(LEADER, s.members[0], "syg-1", MONDAY)
    memory_app.plan_visits(LEADER, s.team, MONDAY + timedelta(days=1),
                           [{**visit(s, "v2"), "start": at(MONDAY + timedelta(days=1), 8)}])


def test_moving_visits_of_two_teams_stores_all_or_nothing(memory_app, s):
    sister = team_scenario(memory_app, code="T2", members=1, professions=("SSH",))
    memory_app.link_sister_team(LEADER, s.team, sister.team)
    memory_app.change_visitation(LEADER, sister.citizen, date(2025, 1, 1), "services", [MORNING])
    memory_app.plan_visits(LEADER, s.team, MONDAY, [visit(s)])
    memory_app.plan_visits(LEADER, sister.team, MONDAY,
                           [visit(sister, "w1", who=[sister.members[0]], citizen=sister.citizen)])
    before = memory_app.recorder.max_notification_id()
    with pytest.raises(RuleBroken):
        memory_app.move_visits(LEADER, MONDAY, {
            s.team: [{"visit_id": "v1", "employee_ids": [sister.members[0]],
                      "start": at(MONDAY, 8), "reason": "syg"}],
            sister.team: [{"visit_id": "w1", "employee_ids": [s.members[0]],
                           "start": at(MONDAY, 12), "reason": "syg"}]})  # outside window
    assert memory_app.recorder.max_notification_id() == before
    memory_app.move_visits(LEADER, MONDAY, {
        s.team: [{"visit_id": "v1", "employee_ids": [sister.members[0]],
                  "start": at(MONDAY, 8), "reason": "syg"}]})
    assert memory_app.day_plan(s.team, MONDAY)["visits"]["v1"]["employee_ids"] == [
        str(sister.members[0])]


def test_accepted_visits_and_the_days_routes_are_stored_in_one_transaction(memory_app, s):
    memory_app.define_route(LEADER, s.team, "R1", "Rute 1", "dag", "SSH")
    memory_app.define_route(LEADER, s.team, "R2", "Rute 2", "dag", "SSA")
    before = memory_app.recorder.max_notification_id()
    # A route the team does not have refuses the whole batch: no visit, no route.
    with pytest.raises(RuleBroken) as caught:
        memory_app.plan_visits(LEADER, s.team, MONDAY, [visit(s)],
                               routes={"R1": s.members[0], "R9": s.members[1]})
    assert caught.value.field == "route_code"
    with pytest.raises(RuleBroken):  # one route per person
        memory_app.plan_visits(LEADER, s.team, MONDAY, [visit(s)],
                               routes={"R1": s.members[0], "R2": s.members[0]})
    assert memory_app.recorder.max_notification_id() == before

    memory_app.plan_visits(LEADER, s.team, MONDAY, [visit(s)],
                           routes={"R1": s.members[0], "R2": s.members[1]})

    plan = memory_app.day_plan(s.team, MONDAY)
    assert plan["routes"] == {"R1": str(s.members[0]), "R2": str(s.members[1])}
    assert list(plan["visits"]) == ["v1"]
    events = memory_app.recorder.select_notifications(start=before + 1, limit=10)
    assert [n.topic.rsplit(".", 1)[-1] for n in events] == [
        "DayPlanOpened", "RouteAssigned", "RouteAssigned", "VisitPlanned"]
    # Without routes, plan_visits works as before.
    memory_app.plan_visits(LEADER, s.team, MONDAY, [visit(s, "v2", start=9)])
    assert memory_app.day_plan(s.team, MONDAY)["routes"] == plan["routes"]


def test_a_replanning_cancels_adds_and_doubles_visits_in_one_transaction(memory_app, s):
    memory_app.plan_visits(LEADER, s.team, MONDAY, [visit(s), visit(s, "v2", start=9)])
    before = memory_app.recorder.max_notification_id()
    double = {"visit_id": "v1", "employee_ids": [s.members[0], s.members[1]],
              "start": at(MONDAY, 8), "reason": "ny lift", "double_staffed": True}
    # One refused change (an unqualified person on the added visit) stores nothing.
    with pytest.raises(RuleBroken):
        memory_app.move_visits(LEADER, MONDAY, {s.team: [double]},
                               cancelled={s.team: {"v2": "indlagt"}},
                               added={s.team: [visit(s, "v3", start=10, required="SPL")]})
    assert memory_app.recorder.max_notification_id() == before
    with pytest.raises(RuleBroken):  # one person is not enough for a visit made double
        memory_app.move_visits(LEADER, MONDAY, {s.team: [{**double, "employee_ids": [
            s.members[0]]}]})

    memory_app.move_visits(LEADER, MONDAY, {s.team: [double]},
                           cancelled={s.team: {"v2": "indlagt"}},
                           added={s.team: [visit(s, "v3", start=10)]})

    plan = memory_app.day_plan(s.team, MONDAY)
    assert plan["visits"]["v1"]["double_staffed"] is True
    assert plan["visits"]["v1"]["employee_ids"] == [str(s.members[0]), str(s.members[1])]
    assert plan["visits"]["v2"]["status"] == "cancelled"
    assert plan["visits"]["v3"]["status"] == "planned"
    events = memory_app.recorder.select_notifications(start=before + 1, limit=10)
    assert [n.topic.rsplit(".", 1)[-1] for n in events] == [
        "VisitCancelled", "VisitMoved", "VisitPlanned"]


def test_a_visit_people_planned_outside_its_window_may_move_closer_to_it_never_further(
        memory_app, s):
    # People planned the morning care (may start 07:00–09:30) at 09:50. A
    # replanning may keep that breach or shrink it, never widen it.
    planned = visit(s)
    planned["start"] = at(MONDAY, 9, 50)
    memory_app.plan_visits(LEADER, s.team, MONDAY, [planned])
    with pytest.raises(RuleBroken) as caught:
        memory_app.move_visit(LEADER, s.team, MONDAY, "v1", [s.members[0]],
                              at(MONDAY, 9, 55), "senere")
    assert caught.value.field == "start" and "09:55" in caught.value.message
    memory_app.move_visit(LEADER, s.team, MONDAY, "v1", [s.members[1]], at(MONDAY, 9, 50),
                          "anden medarbejder, samme tid")
    memory_app.move_visit(LEADER, s.team, MONDAY, "v1", [s.members[1]], at(MONDAY, 9, 40),
                          "tættere på vinduet")
    with pytest.raises(RuleBroken):  # the breach shrank to 10 min: 09:50 is now too late
        memory_app.move_visit(LEADER, s.team, MONDAY, "v1", [s.members[1]],
                              at(MONDAY, 9, 50), "tilbage")
    assert memory_app.day_plan(s.team, MONDAY)["visits"]["v1"]["start"] == at(MONDAY, 9, 40)
