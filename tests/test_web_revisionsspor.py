"""Revisionsspor through HTTP (both stores): who changed what in the team, when and why,
for leaders, planners and administrative staff only."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime

import pytest

from domain.values import Actor, Role
from tests.conftest import Store
from tests.factories import LEADER, MONDAY, MORNING, at
from tests.web_support import World, give_shift, make_world
from web.revisionsspor import UUID_PATTERN

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


def details(body: str) -> list[str]:
    """The Detaljer cells of the page."""
    return re.findall(r'<td class="trail-detail">(.*?)</td>', body, re.S)


def test_the_details_are_danish_with_names_and_local_times_and_no_ids(world: World) -> None:
    a, app = world.a, world.app
    assert a.roster is not None and a.citizen is not None
    give_shift(world, a, 0, "T1-20261124-D1", datetime(2026, 11, 24))
    app.swap_shifts(PLANNER, a.roster, "T1-20261124-D1", a.members[2])
    app.record_deliveries(PLANNER, a.team, MONDAY, [{
        "visit_id": "v1", "actual_start": at(MONDAY, 9, 5), "actual_end": at(MONDAY, 9, 40),
        "employee_ids": [a.members[1]]}])
    app.assign_contact_person(LEADER, a.citizen, a.members[1])
    app.change_triage(Actor("system", Role.SYSTEM), a.citizen, "gul", "Automatisk")

    body = world.client("planner").get("/teams/T1/revisionsspor").get_data(as_text=True)

    cells = details(body)
    text = " | ".join(cells)
    assert cells and not any(UUID_PATTERN.search(cell) for cell in cells), text
    for english in ("action", "shift_id", "employee_id", "visit_id", "actual_start",
                    "employee_ids", "citizen_id", "T09:05", "=take", "=swap"):
        assert english not in text, english
    assert "handling: byttede; vagt: T1-20261124-D1; medarbejder: Medarbejder 0" in text
    assert "til medarbejder: Medarbejder 2" in text
    assert "handling: tog" in text and "start: 24.11.2026 kl. 07:00" in text
    assert "besøg: v1; faktisk start: 23.11.2026 kl. 09:05" in text
    assert "1 medarbejder" in text and "borger: T1-B1" in text
    assert "medarbejder: Medarbejder 1" in text  # the contact person, by name
    assert "triage: gul" in text and "borger T1-B1" in body  # the citizen by case code
    assert "Karen Jensen" not in body  # never the citizen's name
    assert "system system" not in body and "<td>system</td>" in body  # the system once
    assert "Planner<br><span class=\"hint\">planlægger</span>" in body  # the user's name


def test_paging_reaches_every_change_of_the_period(world: World,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("web.revisionsspor.PAGE", 3)
    client = world.client("leader")
    period = "fra=2026-11-10&til=2026-11-23"
    everything = client.get(f"/api/teams/{world.a.team}/audit?first=2026-11-10&last=2026-11-23"
                            ).get_json()["lines"]

    first = client.get(f"/teams/T1/revisionsspor?{period}").get_data(as_text=True)
    seen, body, pages = [], first, 0
    while True:
        pages += 1
        seen += re.findall(r'<tr><td class="nowrap">', body)
        older = re.search(r'href="([^"]+)">Ældre', body)
        if older is None:
            break
        assert "fra=2026-11-10" in older.group(1) and "til=2026-11-23" in older.group(1)
        body = client.get(older.group(1).replace("&amp;", "&")).get_data(as_text=True)

    total = len(everything)
    assert total > 6 and len(seen) == total and pages == -(-total // 3)
    assert f"{total} ændringer i perioden" in first and "side 1 af" in first
    assert "Team oprettet" not in first and "Team oprettet" in body  # the oldest, last
    assert "Nyere" in body and "Nyere" not in first
    beyond = client.get(f"/teams/T1/revisionsspor?{period}&side=999").get_data(as_text=True)
    assert f"side {pages} af {pages}" in beyond and "Team oprettet" in beyond
    assert "side 1 af" in client.get(f"/teams/T1/revisionsspor?{period}&side=x").get_data(
        as_text=True)


def test_a_short_period_has_no_pages(world: World) -> None:
    body = world.client("admin").get("/teams/T1/revisionsspor").get_data(as_text=True)

    assert "ændringer i perioden." in body and "Ældre" not in body and "side 1" not in body
