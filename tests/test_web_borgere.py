"""Borgerforløb through HTTP (both stores): the team's citizens and one citizen's course
— visitation, triage, contact person, visits delivered and by how many different staff —
with case codes for the team and pseudonyms (no reasons) for evaluators."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from domain.values import Actor, Role
from tests.conftest import Store
from tests.factories import LEADER, MONDAY, MORNING, at
from tests.web_support import World, make_world
from web import danish_date

NURSE_NOTE = "Faldet i badet, ring til datteren"  # a free-text reason evaluators never see


@pytest.fixture
def world(store: Store) -> Iterator[World]:
    for built in make_world(store):
        app, a = built.app, built.a
        assert a.citizen is not None
        app.change_visitation(LEADER, a.citizen, date(2026, 1, 1), "services", [MORNING])
        app.change_triage(LEADER, a.citizen, "gul", NURSE_NOTE)
        app.assign_contact_person(LEADER, a.citizen, a.members[0])
        # Three mornings: two delivered by different people, one cancelled.
        for n, who in enumerate((a.members[0], a.members[1], a.members[0])):
            day = MONDAY - timedelta(days=3 - n)
            app.plan_visits(LEADER, a.team, day, [{
                "visit_id": f"v{n}", "citizen_id": a.citizen, "service_codes": ["PP1"],
                "start": at(day, 8), "minutes": 30, "employee_ids": [who],
                "required_profession": "SSH", "double_staffed": False}])
            if n < 2:
                app.record_deliveries(Actor("import", Role.ADMINISTRATIVE), a.team, day, [{
                    "visit_id": f"v{n}", "actual_start": at(day, 8),
                    "actual_end": at(day, 8) + timedelta(minutes=28), "employee_ids": [who]}])
            else:
                app.cancel_visit(LEADER, a.team, day, f"v{n}", "Indlagt")
        yield built


def test_a_member_sees_the_teams_citizens_and_a_course_with_its_continuity(
        world: World) -> None:
    client = world.client("medlem")
    listing = client.get("/teams/T1/borgere").get_data(as_text=True)
    assert "T1-B1" in listing and "Karen Jensen" not in listing  # case codes, never names
    link = re.search(r'href="(/teams/T1/borgere/[^"]+)">T1-B1<', listing)
    assert link

    page = client.get(link.group(1))

    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Borgerforløb" in body and "T1-B1" in body
    assert "210 min om ugen (PP1)" in body  # 30 min every day
    assert "Nu gul" in body and NURSE_NOTE in body
    assert "Medarbejder 0" in body  # the contact person, by name for the team
    assert body.count('<td data-label="Status">leveret</td>') == 2
    assert "aflyst: Indlagt" in body
    assert ('<td data-label="Leveret">08:00–08:28</td><td data-label="Af">Medarbejder 1</td>'
            in body)
    figures = re.search(r'<span class="kl-figure">(\d+)</span> leverede besøg', body)
    staff = re.search(r'<span class="kl-figure">(\d+)</span> forskellige medarbejdere', body)
    assert figures and figures.group(1) == "2"
    assert staff and staff.group(1) == "2"


def _listing_and_first_course(world: World) -> tuple[str, str]:
    """A member's Borgere page and the course page of T1-B1, reached by its link."""
    client = world.client("medlem")
    listing = client.get("/teams/T1/borgere").get_data(as_text=True)
    link = re.search(r'href="(/teams/T1/borgere/[^"]+)">T1-B1<', listing)
    assert link
    return listing, client.get(link.group(1)).get_data(as_text=True)


def test_every_cell_is_labelled_with_its_column_for_the_phone_cards(world: World) -> None:
    """On a phone the tables become cards whose values are labelled by ``data-label``."""
    listing, body = _listing_and_first_course(world)

    for page in (listing, body):
        cells = re.findall(r"<td\b[^>]*>", page)
        assert cells and all("data-label=" in cell for cell in cells), cells
    labels = set(re.findall(r'<td\b[^>]*data-label="([^"]+)"', body))
    assert labels == {"Dato", "Hvad", "Detaljer", "Årsag", "Af", "Planlagt", "Ydelse", "Min",
                      "Status", "Leveret"}
    assert set(re.findall(r'data-label="([^"]+)"', listing)) == {
        "Borger (sagsnr.)", "Triage", "Bevilget min/uge", "Afsluttet"}


def test_an_evaluator_sees_pseudonyms_and_no_free_text(world: World) -> None:
    client = world.client("evaluator")
    listing = client.get("/teams/T1/borgere").get_data(as_text=True)
    assert "T1-B1" not in listing
    link = re.search(r'href="(/teams/T1/borgere/(B-[0-9A-F]{10}))">', listing)
    assert link

    body = client.get(link.group(1)).get_data(as_text=True)

    assert link.group(2) in body and "T1-B1" not in body
    assert NURSE_NOTE not in body and "Indlagt" not in body
    assert "Medarbejder 0" not in body and "Person " in body
    api = client.get(f"/api/teams/{world.a.team}/citizens").get_json()
    assert [c["ref"] for c in api] == [link.group(2)] and api[0]["code"] is None
    # The real id does not open the course for an evaluator.
    assert client.get(f"/teams/T1/borgere/{world.a.citizen}").status_code == 404


def test_another_team_an_unknown_citizen_and_bad_dates_are_clear_answers(world: World) -> None:
    other = world.client("medlemb")
    member = world.client("medlem")
    assert other.get("/teams/T1/borgere").status_code == 403
    assert other.get(f"/api/teams/{world.a.team}/citizens").status_code == 403
    assert member.get("/teams/T1/borgere/ikke-en-borger").status_code == 404
    ref = str(world.a.citizen)
    assert member.get(f"/teams/T2/borgere/{world.b.citizen}").status_code == 403

    bad = member.get(f"/teams/T1/borgere/{ref}?fra=2026-13-01")
    backwards = member.get(f"/api/teams/{world.a.team}/citizens/{ref}"
                           "?first=2026-11-20&last=2026-11-01")

    assert bad.status_code == 422 and "Fra:" in bad.get_data(as_text=True)
    assert (backwards.status_code, backwards.get_json()["field"]) == (422, "last")


def test_the_api_gives_a_citizens_course_for_a_period(world: World) -> None:
    client = world.client("leader")
    ref = str(world.a.citizen)
    day = (MONDAY - timedelta(days=3)).isoformat()

    answer = client.get(f"/api/teams/{world.a.team}/citizens/{ref}?first={day}&last={day}")

    course = answer.get_json()
    assert answer.status_code == 200, course
    assert course["title"] == "T1-B1" and course["triage"] == "gul"
    assert course["granted_minutes"] == 210 and course["delivered"] == 1
    assert [v["day"] for v in course["visits"]] == [day]
    assert [e["kind"] for e in course["events"]][:2] == ["Oprettet i teamet", "Visitation"]


def test_dates_are_written_the_danish_way(world: World) -> None:
    _, body = _listing_and_first_course(world)
    days = re.findall(r'data-label="Dato">([^<]*)<', body)
    assert days and all(re.fullmatch(r"\d{2}\.\d{2}\.\d{4}", d) for d in days), days
    assert danish_date("2026-11-18") == "18.11.2026"
    assert danish_date("2026-11-18T14:25:00+01:00") == "18.11.2026 kl. 14:25"
    assert danish_date(None) == "" and danish_date("uge 47") == "uge 47"


def test_the_count_of_citizens_leaves_out_the_discharged_and_says_so(world: World) -> None:
    client = world.client("planner")
    before = re.search(r'class="summary">(\d+) borgere', client.get("/teams/T1/borgere")
                       .get_data(as_text=True))
    assert before
    world.app.discharge_citizen(LEADER, world.a.citizen, date(2026, 11, 20), "flyttet")
    after = client.get("/teams/T1/borgere").get_data(as_text=True)
    assert f'class="summary">{int(before.group(1)) - 1} borgere og 1 afsluttede' in after
