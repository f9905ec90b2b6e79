"""Revisionsspor through HTTP (both stores): who changed what in the team, when and why,
for leaders, planners and administrative staff only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from domain.values import Actor, Role
from tests.conftest import Store
from tests.factories import LEADER, MONDAY, MORNING, at
from tests.web_support import World, make_world

PLANNER = Actor("planner", Role.PLANNER)


@pytest.fixture
def world(store: Store) -> Iterator[World]:
    for built in make_world(store):
        app, a = built.app, built.a
        assert a.citizen is not None
        app.change_visitation(LEADER, a.citizen, date(2026, 1, 1), "services", [MORNING])
        app.plan_visits(PLANNER, a.team, MONDAY, [{
            "visit_id": "v1", "citizen_id": a.citizen, "service_codes": ["PP1"],
            "start": at(MONDAY, 8), "minutes": 30, "employee_ids": [a.members[0]],
            "required_profession": "SSH", "double_staffed": False}])
        app.move_visit(PLANNER, a.team, MONDAY, "v1", [a.members[1]], at(MONDAY, 9),
                       "Byttet ved puslemødet")
        app.change_triage(LEADER, a.citizen, "roed", "Indlagt i nat")
        yield built


def test_a_planner_reads_who_changed_what_when_and_why(world: World) -> None:
    client = world.client("planner")

    page = client.get("/teams/T1/revisionsspor")

    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Besøg flyttet" in body and "Byttet ved puslemødet" in body
    assert "Triage ændret" in body and "Indlagt i nat" in body
    assert "dagsplan 23/11" in body and "planlægger" in body
    assert "Karen Jensen" not in body  # no names or addresses in the trail
    assert body.index("Triage ændret") < body.index("Besøg flyttet")  # newest first
    team_page = client.get("/teams/T1").get_data(as_text=True)
    assert "/teams/T1/revisionsspor" in team_page


def test_only_leaders_planners_and_administrative_staff_of_the_team_read_it(
        world: World) -> None:
    for role, status in (("medlem", 403), ("evaluator", 403), ("medlemb", 403),
                         ("leader", 200), ("admin", 200)):
        client = world.client(role)
        assert client.get("/teams/T1/revisionsspor").status_code == status, role
        assert client.get(f"/api/teams/{world.a.team}/audit").status_code == status, role
    assert "/revisionsspor" not in world.client("medlem").get("/teams/T1").get_data(
        as_text=True)


def test_bad_dates_name_the_field_and_the_api_gives_the_lines(world: World) -> None:
    client = world.client("leader")
    backwards = client.get("/teams/T1/revisionsspor?fra=2026-11-20&til=2026-11-01")
    too_long = client.get(f"/api/teams/{world.a.team}/audit?first=2026-01-01&last=2026-11-01")

    answer = client.get(f"/api/teams/{world.a.team}/audit").get_json()

    assert backwards.status_code == 422 and "Til:" in backwards.get_data(as_text=True)
    assert (too_long.status_code, too_long.get_json()["field"]) == (422, "last")
    events = [line["event"] for line in answer["lines"]]
    assert {"VisitPlanned", "VisitMoved", "TriageChanged"} <= set(events)
    moved = next(line for line in answer["lines"] if line["event"] == "VisitMoved")
    assert (moved["actor_id"], moved["actor_role"], moved["reason"]) == (
        "planner", "planner", "Byttet ved puslemødet")
