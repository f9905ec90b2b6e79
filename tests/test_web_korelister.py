"""Kørelister through HTTP (both stores): the day page, proposing and accepting run
lists, the puslemøde (someone sick from a time), the JSON API, who may do what, and
bad input answered in Danish naming the field."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from domain.settings import Settings, new_encryption_key
from planning.routing_proposal import REASON_DA, UnassignedReason
from scripts.bench_web import Client, free_port
from tests.conftest import Store
from tests.factories import LEADER, MONDAY, at
from tests.web_support import (
    PASSWORD,
    World,
    csrf_token,
    form_token,
    login,
    make_world,
    post,
    wait_until_serving,
    web_app,
)
from web import daydrafts, korelister, services
from web.dayview import NOT_IN_PLAN_DA
from web.solving import JOBS_FILE

DAY = MONDAY + timedelta(days=1)  # Tuesday 24 November 2026, inside team A's roster
PAGE = f"/teams/T1/korelister/{DAY.isoformat()}"
#: Team A's day routes; the first two members' shifts name them, the nurse's names none.
ROUTES = {"D1": "SSH", "D2": "SSA"}


def _service(code: str, start: str, end: str, minutes: int = 25, profession: str = "SSH",
             double: bool = False) -> dict[str, Any]:
    return {"code": code, "name": code, "minutes": minutes,
            "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
            "window_start": start, "window_end": end, "profession": profession,
            "double_staffed": double}


def _day_of_work(world: World) -> None:
    """Team A on Tuesday: three people on the day shift, eight citizens with visits
    (one double-staffed, one needing a nurse), plus the team's first citizen."""
    app, a = world.app, world.a
    for code, profession in ROUTES.items():
        app.define_route(LEADER, a.team, code, f"Dagrute {code}", "dag", profession)
    for n, member in enumerate(a.members):
        assert a.roster is not None
        app.take_shift(LEADER, a.roster, f"D-{n}", member, DAY, "dag", at(DAY, 7), at(DAY, 15),
                       route=list(ROUTES)[n] if n < len(ROUTES) else None)
    citizens = [a.citizen] + [
        app.register_citizen(LEADER, code=f"T1-B{k + 2}", name=f"Borger Navnesen {k}",
                             address=f"Vejen {k}", lat=55.86 + 0.004 * (k % 4),
                             lon=9.85 + 0.006 * (k // 4 + 1), team_id=a.team,
                             registered_on=date(2025, 1, 1))
        for k in range(8)]
    for k, citizen in enumerate(citizens):
        assert citizen is not None
        services = [_service("PP1", "07:00", "10:30"), _service("PP2", "11:00", "14:30", 20)]
        if k == 3:
            services[0] = _service("PP1", "08:00", "10:30", 30, double=True)
        if k == 5:
            services.append(_service("MED", "09:00", "12:00", 15, "SPL"))
        app.change_visitation(LEADER, citizen, date(2026, 1, 1), "services", services)
        if k % 3 == 1:
            app.change_triage(LEADER, citizen, "roed" if k == 1 else "gul", "test")


def _freeze(monkeypatch: pytest.MonkeyPatch, day: date, hour: int, minute: int = 0) -> None:
    """Make the run lists' "now" (and so "today") ``day`` at ``hour``:``minute``."""
    monkeypatch.setattr(korelister, "now_local",
                        lambda: datetime(day.year, day.month, day.day, hour, minute))


@pytest.fixture(autouse=True)
def monday_morning(monkeypatch: pytest.MonkeyPatch) -> None:
    """Today is Monday 23 November 2026, so DAY is tomorrow whenever the tests run."""
    _freeze(monkeypatch, MONDAY, 9)


@pytest.fixture
def world(store: Store) -> Iterator[World]:
    for built in make_world(store, PUSLEPLAN_ROUTE_SECONDS=2):
        _day_of_work(built)
        yield built


def _propose(client: FlaskClient) -> str:
    """Press "Foreslå kørelister"; the page with the proposal once the planner is done."""
    page = client.get(PAGE).get_data(as_text=True)
    response = client.post(f"{PAGE}/foreslaa", data={"csrf_token": form_token(page)})
    assert response.status_code == 303
    return _until_done(client, response.headers["Location"])


def _until_done(client: FlaskClient, location: str) -> str:
    """Follow the proposal or puslemøde page (which refreshes itself) until the planner
    is done."""
    deadline = time.monotonic() + 60
    while True:
        page = client.get(location).get_data(as_text=True)
        if "kl-solving" not in page:
            return page
        assert '<meta http-equiv="refresh"' in page and "<progress" in page
        assert time.monotonic() < deadline, "the planner never finished"
        time.sleep(0.2)


def _accept(client: FlaskClient, page: str) -> str:
    draft = re.search(r'name="forslag" value="([^"]+)"', page)
    assert draft, "the proposal page has no Godkend form"
    response = client.post(f"{PAGE}/godkend", data={"csrf_token": form_token(page),
                                                    "forslag": draft.group(1)},
                           follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _stored_day(world: World, client: FlaskClient) -> str:
    return _accept(client, _propose(client))


def _sick(client: FlaskClient, page: str, employee: str, when: str) -> Any:
    return client.post(f"{PAGE}/syg", data={"csrf_token": form_token(page),
                                            "employee_id": employee, "fra": when})


def test_a_member_proposes_run_lists_and_accepting_records_the_visits(world: World) -> None:
    client = world.client("medlem")
    empty = client.get(PAGE).get_data(as_text=True)
    assert "Ingen godkendte kørelister for dagen" in empty
    assert "Foreslå kørelister" in empty

    proposal = _propose(client)

    assert "Forslag til kørelister – ikke godkendt endnu" in proposal
    assert "T1-B5" in proposal and "Navnesen" not in proposal  # case codes, never names
    assert "2 pers." in proposal  # the double-staffed visit is marked
    assert 'class="kl-triage kl-roed"' in proposal and "<svg" in proposal
    assert world.app.day_plan(world.a.team, DAY) is None  # a proposal stores nothing

    stored = _accept(client, proposal)

    plan = world.app.day_plan(world.a.team, DAY)
    assert plan is not None and len(plan["visits"]) >= 15
    assert "Kørelisterne er godkendt" in stored and "Puslemøde: meld syg" in stored
    double = next(v for v in plan["visits"].values() if v["double_staffed"])
    assert len(set(double["employee_ids"])) == 2
    nurse = world.a.members[2]  # SPL
    assert str(nurse) in next(v for k, v in plan["visits"].items() if "/MED/" in k)[
        "employee_ids"]


def test_the_map_draws_one_numbered_route_per_person_and_the_base(world: World) -> None:
    client = world.client("planner")
    page = _propose(client)
    svg = page[page.index("<svg"):page.index("</svg>")]
    colours = re.findall(r'<polyline[^>]*stroke="(#[0-9a-f]{6})"', svg)
    legend = page[page.index('class="kl-legend"'):]
    assert len(set(colours)) == len(colours) >= 2  # one colour per person with visits
    assert all(colour in legend for colour in colours)
    assert ">1</text>" in svg and "Teamets base" in svg
    assert svg.count('r="11"') >= 15  # a numbered circle per stop


def test_the_puslemoede_moves_the_sick_persons_visits_and_accepting_records_them(
        world: World) -> None:
    client = world.client("medlem")
    stored = _stored_day(world, client)
    sick = str(world.a.members[0])
    before = world.app.day_plan(world.a.team, DAY)
    assert before is not None
    afternoon = [k for k, v in before["visits"].items()
                 if sick in v["employee_ids"] and v["start"].hour >= 11]
    assert afternoon, "the sick person had visits after 10:30"

    response = _sick(client, stored, sick, "10:30")

    assert response.status_code == 303  # the replanning runs in the background
    replanned = _until_done(client, response.headers["Location"])
    assert "er syg fra 10:30" in replanned
    assert re.search(r"\d+ besøg flyttet", replanned)
    assert "kl-stop kl-moved" in replanned and "Flyttet fra Medarbejder 0" in replanned
    assert re.search(r"\d+ besøg flyttet hertil", replanned)
    events = world.events()
    assert world.app.day_plan(world.a.team, DAY) == before  # nothing stored yet

    draft = re.search(r'name="puslemoede" value="([^"]+)"', replanned)
    assert draft
    done = client.post(f"{PAGE}/puslemoede/godkend",
                       data={"csrf_token": form_token(replanned), "puslemoede": draft.group(1)},
                       follow_redirects=True)

    assert done.status_code == 200 and "Ændringerne er godkendt" in done.get_data(as_text=True)
    assert world.events() > events
    after = world.app.day_plan(world.a.team, DAY)
    assert after is not None
    for visit_id in afternoon:
        assert sick not in after["visits"][visit_id]["employee_ids"]
    absences = world.app.employee(world.a.members[0])["absences"]
    assert any(a["kind"] == "sick" and a["start"] == DAY for a in absences.values())


def test_the_sister_team_covers_what_the_team_cannot(
        world: World) -> None:
    # Team A's only nurse goes home sick at 08:00; her medicine visit needs a nurse,
    # which nobody else in team A is. Team B (the sister team) has a nurse on shift
    # and stored run lists of its own: the replanning asks team B, and accepting records
    # the move to her.
    app, a, b = world.app, world.a, world.b
    app.link_sister_team(LEADER, a.team, b.team)
    assert b.roster is not None
    app.take_shift(LEADER, b.roster, "B-SPL", b.members[2], DAY, "dag", at(DAY, 7),
                   at(DAY, 15))
    app.change_visitation(LEADER, b.citizen, date(2026, 1, 1), "services",
                          [_service("PP1", "07:00", "09:00", profession="SPL")])
    client = world.client("planner")
    stored = _stored_day(world, client)
    sister_page = f"/teams/T2/korelister/{DAY.isoformat()}"
    sister = world.client("medlemb")
    own = sister.get(sister_page).get_data(as_text=True)
    proposed = sister.post(f"{sister_page}/foreslaa", data={"csrf_token": form_token(own)})
    sister_proposal = _until_done(sister, proposed.headers["Location"])
    draft_id = re.search(r'name="forslag" value="([^"]+)"', sister_proposal)
    assert draft_id
    assert sister.post(f"{sister_page}/godkend", data={
        "csrf_token": form_token(sister_proposal), "forslag": draft_id.group(1)}
    ).status_code == 303
    nurse = str(a.members[2])
    plan = app.day_plan(a.team, DAY)
    assert plan is not None
    medicine = next(k for k, v in plan["visits"].items() if "/MED/" in k)
    assert plan["visits"][medicine]["employee_ids"] == [nurse]
    sister_before = app.day_plan(b.team, DAY)

    response = _sick(client, stored, nurse, "08:00")
    replanned = _until_done(client, response.headers["Location"])

    assert "Søsterteamet T2 hjælper" in replanned, replanned
    assert app.day_plan(b.team, DAY) == sister_before  # nothing stored yet
    draft = re.search(r'name="puslemoede" value="([^"]+)"', replanned)
    assert draft
    done = client.post(f"{PAGE}/puslemoede/godkend",
                       data={"csrf_token": form_token(replanned), "puslemoede": draft.group(1)},
                       follow_redirects=True)
    assert done.status_code == 200 and "Ændringerne er godkendt" in done.get_data(as_text=True)
    after = app.day_plan(a.team, DAY)
    assert after is not None
    assert after["visits"][medicine]["employee_ids"] == [str(b.members[2])]


def _api_stored_day(client: FlaskClient, base: str) -> None:
    """Propose the day through the API and accept it."""
    body = post(client, f"{base}/proposals").get_json()
    assert post(client, f"{base}/proposals/{body['draft_id']}/accept").status_code == 200


def _change(client: FlaskClient, page: str, handling: str, **fields: str) -> str:
    """Post a puslemøde change form; the replanned page once the planner is done."""
    response = client.post(f"{PAGE}/{handling}",
                           data={"csrf_token": form_token(page), **fields})
    assert response.status_code == 303, response.get_data(as_text=True)
    return _until_done(client, response.headers["Location"])


def _accept_replan(client: FlaskClient, replanned: str) -> str:
    draft = re.search(r'name="puslemoede" value="([^"]+)"', replanned)
    assert draft, "the replanned page has no Godkend form"
    done = client.post(f"{PAGE}/puslemoede/godkend",
                       data={"csrf_token": form_token(replanned), "puslemoede": draft.group(1)},
                       follow_redirects=True)
    assert done.status_code == 200
    return done.get_data(as_text=True)


def test_a_past_day_shows_its_run_lists_without_the_puslemoede_forms(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    client = world.client("medlem")
    tomorrow = _stored_day(world, client)
    _freeze(monkeypatch, DAY, 10, 30)
    today = client.get(PAGE).get_data(as_text=True)
    _freeze(monkeypatch, DAY + timedelta(days=1), 8)

    past = client.get(PAGE).get_data(as_text=True)

    for offered in (tomorrow, today):
        assert 'id="meld-syg"' in offered and "Aflys et besøg" in offered
        assert "Besøget kræver nu to" in offered and "Ekstra besøg i dag" in offered
        assert "Dagen er gået" not in offered
    assert 'id="syg-fra" name="fra"' in today and 'value="10:30"' in today
    assert "Dagen er gået – kørelisterne vises som de blev godkendt." in past
    assert 'class="kl-run' in past  # the day's run lists are still shown
    for form in ('id="meld-syg"', f'action="{PAGE}/syg"', "Aflys et besøg",
                 "Besøget kræver nu to", "Ekstra besøg i dag", f'action="{PAGE}/aflys"',
                 'id="syg-fra"'):
        assert form not in past, form
    # nor does the server replan a day that is over, through the API or a stale form
    events = world.events()
    base = f"/api/teams/{world.a.team}/korelister/{DAY}"
    for path, body in ((f"{base}/sick", {"employee_id": str(world.a.members[0]),
                                         "from": "10:00"}),
                       (f"{base}/extra", {"citizen": "T1-B2", "service": "PP9", "minutes": 20,
                                          "window_start": "12:00", "window_end": "13:00",
                                          "profession": "SSH"})):
        answer = post(client, path, body)
        assert answer.status_code == 422, (path, answer.get_json())
        assert answer.get_json()["field"] == "dato"
    refused = client.post(f"{PAGE}/syg", data={"csrf_token": form_token(tomorrow),
                                                "employee_id": str(world.a.members[0]),
                                                "fra": "10:00"}, follow_redirects=True)
    assert "Dagen er gået – kørelisterne for en dag, der er gået" in \
        refused.get_data(as_text=True)
    assert world.events() == events


def test_a_cancelled_visit_is_taken_off_the_day_and_accepting_records_it(
        world: World) -> None:
    client = world.client("medlem")
    stored = _stored_day(world, client)
    assert "Aflys et besøg" in stored and "Ekstra besøg i dag" in stored
    plan = world.app.day_plan(world.a.team, DAY)
    assert plan is not None
    visit_id = next(k for k, v in plan["visits"].items() if "/PP2/" in k)

    replanned = _change(client, stored, "aflys", visit_id=visit_id, reason="Indlagt")

    assert "er aflyst" in replanned and "(PP2)" in replanned
    assert world.app.day_plan(world.a.team, DAY) == plan  # nothing stored yet
    assert "Ændringerne er godkendt" in _accept_replan(client, replanned)
    after = world.app.day_plan(world.a.team, DAY)
    assert after is not None and after["visits"][visit_id]["status"] == "cancelled"
    assert sum(v["status"] == "planned" for v in after["visits"].values()) == sum(
        v["status"] == "planned" for v in plan["visits"].values()) - 1


def test_a_visit_that_now_needs_two_gets_a_second_person_when_accepted(world: World) -> None:
    client = world.client("planner")
    stored = _stored_day(world, client)
    plan = world.app.day_plan(world.a.team, DAY)
    assert plan is not None
    visit_id = next(k for k, v in plan["visits"].items()
                    if "/PP2/" in k and not v["double_staffed"])
    first = plan["visits"][visit_id]["employee_ids"]

    replanned = _change(client, stored, "dobbelt", visit_id=visit_id)

    assert "kræver nu to" in replanned
    _accept_replan(client, replanned)
    after = world.app.day_plan(world.a.team, DAY)
    assert after is not None
    visit = after["visits"][visit_id]
    assert visit["double_staffed"] is True and len(set(visit["employee_ids"])) == 2
    assert first[0] in visit["employee_ids"]  # the first person stays on it


def test_an_extra_visit_is_placed_in_its_window_and_accepting_plans_it(world: World) -> None:
    client = world.client("medlem")
    stored = _stored_day(world, client)
    plan = world.app.day_plan(world.a.team, DAY)
    assert plan is not None

    replanned = _change(client, stored, "ekstra", citizen="T1-B4", service="SAAR",
                        minutes="15", window_start="12:00", window_end="13:30",
                        profession="SSH")

    assert "ekstra besøg hos T1-B4 (SAAR) kl. 12:00" in replanned
    _accept_replan(client, replanned)
    after = world.app.day_plan(world.a.team, DAY)
    assert after is not None
    added = after["visits"][f"T1-B4/SAAR/{DAY.isoformat()}"]
    assert added["status"] == "planned" and len(added["employee_ids"]) == 1
    assert 12 * 60 <= added["start"].hour * 60 + added["start"].minute <= 13 * 60 + 15
    assert len(after["visits"]) == len(plan["visits"]) + 1


@pytest.mark.parametrize(("handling", "fields", "field", "message"), [
    ("ekstra", {"citizen": "T9-B1"}, "citizen", "hører ikke til teamet"),
    ("ekstra", {"window_end": "11:00"}, "window_end", "Tidsvinduets slut"),
    ("ekstra", {"minutes": "0"}, "minutes", ""),
    ("aflys", {"visit_id": "T1-B2/XX/2026-11-24"}, "visit_id", "findes ikke"),
])
def test_bad_change_input_is_a_danish_message_naming_the_field(
        world: World, handling: str, fields: dict[str, str], field: str, message: str) -> None:
    client = world.client("medlem")
    stored = _stored_day(world, client)
    events = world.events()
    data = {"citizen": "T1-B4", "service": "SAAR", "minutes": "15", "window_start": "12:00",
            "window_end": "13:30", "profession": "SSH"} if handling == "ekstra" else {}
    response = client.post(f"{PAGE}/{handling}", data={"csrf_token": form_token(stored),
                                                       **data, **fields})

    page = response.get_data(as_text=True)
    assert response.status_code == 422, page
    assert f"feltet &#39;{field}&#39;" in page and message in page
    assert world.events() == events


def test_the_api_adds_an_extra_visit_and_refuses_a_second_person_twice(world: World) -> None:
    client = world.client("planner")
    base = f"/api/teams/{world.a.team}/korelister/{DAY}"
    _api_stored_day(client, base)
    plan = world.app.day_plan(world.a.team, DAY)
    assert plan is not None
    double = next(k for k, v in plan["visits"].items() if v["double_staffed"])

    refused = post(client, f"{base}/second-person", {"visit_id": double})
    extra = post(client, f"{base}/extra", {
        "citizen": "T1-B6", "service": "MED2", "minutes": 10, "window_start": "13:00",
        "window_end": "14:30", "profession": "SPL"})

    assert (refused.status_code, refused.get_json()["field"]) == (422, "visit_id")
    assert extra.status_code == 201, extra.get_json()
    answer = extra.get_json()
    assert answer["change"] == "ekstra" and answer["status"] == "ready"
    visit_id = answer["change_visit_id"]
    nurse = str(world.a.members[2])
    assert any(stop["visit_id"] == visit_id for run in answer["run_lists"]
               for stop in run["stops"] if run["employee_id"] == nurse)
    assert client.get(f"{base}/replans/{answer['draft_id']}").get_json()["change"] == "ekstra"
    accepted = post(client, f"{base}/replans/{answer['draft_id']}/accept")
    assert accepted.status_code == 200, accepted.get_json()
    stored = world.app.day_plan(world.a.team, DAY)
    assert stored is not None and stored["visits"][visit_id]["employee_ids"] == [nurse]


def test_cancelling_the_puslemoede_changes_nothing(world: World) -> None:
    client = world.client("planner")
    stored = _stored_day(world, client)
    response = _sick(client, stored, str(world.a.members[1]), "09:00")
    replanned = _until_done(client, response.headers["Location"])
    draft = re.search(r'name="puslemoede" value="([^"]+)"', replanned)
    assert draft
    events = world.events()

    done = client.post(f"{PAGE}/puslemoede/annuller",
                       data={"csrf_token": form_token(replanned), "puslemoede": draft.group(1)},
                       follow_redirects=True)

    assert "annulleret" in done.get_data(as_text=True)
    assert world.events() == events


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"fra": "25:99"}, "fra", "Ikke et gyldigt klokkeslæt"),
    ({"fra": "halv ti"}, "fra", "Ikke et gyldigt klokkeslæt"),
    ({"employee_id": "ukendt-person"}, "employee_id", "Ukendt medarbejder"),
])
def test_bad_puslemoede_input_is_a_danish_message_naming_the_field(
        world: World, fields: dict[str, str], field: str, message: str) -> None:
    client = world.client("medlem")
    stored = _stored_day(world, client)
    events = world.events()
    data = {"employee_id": str(world.a.members[0]), "fra": "10:00", **fields}

    response = _sick(client, stored, data["employee_id"], data["fra"])

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"feltet &#39;{field}&#39;" in page and message in page
    assert world.events() == events


def test_a_bad_date_is_a_danish_422_naming_the_field(world: World) -> None:
    client = world.client("medlem")
    response = client.get("/teams/T1/korelister/2026-13-45")
    assert response.status_code == 422
    assert "dato" in response.get_data(as_text=True)
    assert client.get("/teams/T1/korelister?dato=igaar").status_code == 422
    api = client.get(f"/api/teams/{world.a.team}/korelister/not-a-date")
    assert api.status_code == 422 and api.get_json()["field"] == "date"


def test_the_team_page_links_to_todays_run_lists_with_a_date_picker(world: World) -> None:
    page = world.client("medlem").get("/teams/T1").get_data(as_text=True)
    assert 'id="korelister"' in page and "/teams/T1/korelister/" in page
    assert 'type="date"' in page and 'name="dato"' in page
    picked = world.client("medlem").get(f"/teams/T1/korelister?dato={DAY.isoformat()}")
    assert picked.status_code == 302 and picked.headers["Location"].endswith(PAGE)


# -- who may do what -----------------------------------------------------------------------


def test_a_member_of_another_team_may_not_see_or_change_the_run_lists(world: World) -> None:
    other = world.client("medlemb")
    events = world.events()
    assert other.get(PAGE).status_code == 403
    token = csrf_token(other)
    assert other.post(f"{PAGE}/foreslaa", data={"csrf_token": token}).status_code == 403
    assert post(other, f"/api/teams/{world.a.team}/korelister/{DAY}/proposals").status_code \
        == 403
    assert post(other, f"/api/teams/{world.a.team}/korelister/{DAY}/sick",
                {"employee_id": str(world.a.members[0]), "from": "10:00"}).status_code == 403
    assert world.events() == events


@pytest.mark.parametrize("role", ["evaluator", "leader"])
def test_evaluators_and_leaders_read_but_may_not_plan_the_day(world: World, role: str) -> None:
    _stored_day(world, world.client("planner"))
    client = world.client(role)
    page = client.get(PAGE)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Puslemøde: meld syg" not in text and "Foreslå kørelister" not in text
    events = world.events()
    base = f"/api/teams/{world.a.team}/korelister/{DAY}"
    assert post(client, f"{base}/sick", {"employee_id": str(world.a.members[0]),
                                         "from": "10:00"}).status_code == 403
    assert client.post(f"{PAGE}/syg", data={"csrf_token": csrf_token(client),
                                            "employee_id": str(world.a.members[0]),
                                            "fra": "10:00"}).status_code == 403
    assert world.events() == events


def test_evaluators_see_pseudonyms_not_names_or_case_codes(world: World) -> None:
    _stored_day(world, world.client("planner"))
    page = world.client("evaluator").get(PAGE).get_data(as_text=True)
    assert "Medarbejder 0" not in page and "T1-B5" not in page
    assert "Person " in page
    # citizens carry the pseudonyms the Borgere pages and the evaluation reports use
    listing = world.client("evaluator").get("/teams/T1/borgere").get_data(as_text=True)
    pseudonyms = set(re.findall(r"B-[0-9A-F]{10}", listing))
    shown = set(re.findall(r"B-[0-9A-F]{10}", page))
    assert shown and shown <= pseudonyms
    answer = world.client("evaluator").get(
        f"/api/teams/{world.a.team}/korelister/{DAY}").get_json()
    assert answer["run_lists"] and all(r["employee_id"].startswith("p-")
                                       for r in answer["run_lists"])


def test_a_form_without_the_csrf_token_is_refused(world: World) -> None:
    client = world.client("medlem")
    events = world.events()
    response = client.post(f"{PAGE}/foreslaa", data={})
    assert response.status_code == 400
    assert world.events() == events


# -- the JSON API ---------------------------------------------------------------------------


def test_the_api_proposes_accepts_and_replans_a_sick_day(world: World) -> None:
    client = world.client("planner")
    base = f"/api/teams/{world.a.team}/korelister/{DAY}"
    assert client.get(base).get_json()["source"] == "none"

    proposal = post(client, f"{base}/proposals")
    assert proposal.status_code == 201
    body = proposal.get_json()
    assert body["source"] == "forslag" and body["totals"]["visits"] >= 15
    assert all(stop["citizen"].startswith("T1-B") for run in body["run_lists"]
               for stop in run["stops"])

    accepted = post(client, f"{base}/proposals/{body['draft_id']}/accept")
    assert accepted.status_code == 200
    assert accepted.get_json()["source"] == "stored"
    assert accepted.get_json()["recorded"] == body["totals"]["visits"]
    again = post(client, f"{base}/proposals")
    assert again.status_code == 409  # the day has run lists now

    sick = post(client, f"{base}/sick", {"employee_id": "T1-E0", "from": "10:30"})
    assert sick.status_code == 201
    replan = sick.get_json()
    assert replan["source"] == "puslemoede" and replan["sick_from"] == "10:30"
    assert replan["moves"] and all(m["from_employee_id"] != m["to_employee_id"]
                                   for m in replan["moves"])
    moved = post(client, f"{base}/sick/{replan['draft_id']}/accept")
    assert moved.status_code == 200 and moved.get_json()["recorded"] >= 1


def test_the_api_replans_in_the_background_and_is_polled_until_ready(world: World) -> None:
    client = world.client("planner")
    base = f"/api/teams/{world.a.team}/korelister/{DAY}"
    _api_stored_day(client, base)

    started = post(client, f"{base}/sick?wait=false", {"employee_id": "T1-E0", "from": "10:30"})

    assert started.status_code in (201, 202)  # 202 while the planner works
    draft_id = started.get_json()["draft_id"]
    if started.status_code == 202:
        assert started.get_json()["status"] == "running" and not started.get_json()["moves"]
    deadline = time.monotonic() + 60
    while (polled := client.get(f"{base}/sick/{draft_id}").get_json())["status"] == "running":
        assert time.monotonic() < deadline, "the replanning never finished"
        time.sleep(0.1)
    assert polled["status"] == "ready" and polled["source"] == "puslemoede"
    assert polled["moves"] and polled["sister_team"] is None
    assert client.get(f"{base}/sick/nope").status_code == 404


def test_the_api_names_the_bad_field(world: World) -> None:
    client = world.client("planner")
    base = f"/api/teams/{world.a.team}/korelister/{DAY}"
    _api_stored_day(client, base)
    events = world.events()

    bad_time = post(client, f"{base}/sick", {"employee_id": "T1-E0", "from": "9.30"})
    unknown = post(client, f"{base}/sick", {"employee_id": "T9-E9", "from": "09:30"})
    missing = post(client, f"{base}/sick", {"employee_id": "T1-E0"})

    assert (bad_time.status_code, bad_time.get_json()["field"]) == (422, "from")
    assert "klokkeslæt" in bad_time.get_json()["message"]
    assert (unknown.status_code, unknown.get_json()["field"]) == (422, "employee_id")
    assert (missing.status_code, missing.get_json()["field"]) == (422, "from")
    assert post(client, f"{base}/sick/nope/accept").status_code == 404
    assert world.events() == events


def test_accepting_a_replanning_after_the_plan_changed_is_a_conflict(world: World) -> None:
    client = world.client("planner")
    base = f"/api/teams/{world.a.team}/korelister/{DAY}"
    _api_stored_day(client, base)
    first = post(client, f"{base}/sick", {"employee_id": "T1-E0", "from": "10:30"}).get_json()
    second = post(client, f"{base}/sick", {"employee_id": "T1-E1", "from": "11:00"}).get_json()
    assert post(client, f"{base}/sick/{first['draft_id']}/accept").status_code == 200
    events = world.events()

    stale = post(client, f"{base}/sick/{second['draft_id']}/accept")

    assert stale.status_code == 409
    assert world.events() == events


def test_the_openapi_document_lists_the_korelister_endpoints(world: World) -> None:
    spec = world.client().get("/api/openapi.json").get_json()
    paths = spec["paths"]
    assert "/api/teams/{team_id}/korelister/{day}" in paths
    assert "post" in paths["/api/teams/{team_id}/korelister/{day}/sick"]
    assert "SickBody" in spec["components"]["schemas"]
    for change in ("cancel", "second-person", "extra"):
        operation = paths[f"/api/teams/{{team_id}}/korelister/{{day}}/{change}"]["post"]
        assert operation["summary"].startswith("Puslemøde:")
        assert {"201", "202", "422"} <= set(operation["responses"])
    assert "get" in paths["/api/teams/{team_id}/korelister/{day}/replans/{draft_id}"]
    assert "ExtraVisitBody" in spec["components"]["schemas"]


def test_a_day_with_nobody_on_shift_is_a_clear_message_not_a_crash(world: World) -> None:
    client = world.client("planner")
    empty_day = DAY + timedelta(days=1)  # nobody took a shift on Wednesday
    events = world.events()

    answer = post(client, f"/api/teams/{world.a.team}/korelister/{empty_day}/proposals")

    assert answer.status_code == 422 and answer.get_json()["field"] == "dato"
    assert "på vagt" in answer.get_json()["message"]
    assert world.events() == events


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_dates_outside_the_planning_range_are_refused_by_field(world: World, day: str) -> None:
    response = world.client("medlem").get(f"/teams/T1/korelister/{day}")
    assert response.status_code == 422 and "dato" in response.get_data(as_text=True)


# -- drafts shared by web processes, routes recorded on accept --------------------------------


def test_accepting_a_proposal_records_each_persons_route_from_the_shift(world: World) -> None:
    client = world.client("planner")
    proposal = _propose(client)
    assert 'class="kl-route"' in proposal and "Rute D1" in proposal  # shown before Godkend

    stored = _accept(client, proposal)

    plan = world.app.day_plan(world.a.team, DAY)
    assert plan is not None
    members = world.a.members
    assert plan["routes"] == {"D1": str(members[0]), "D2": str(members[1])}
    assert "Rute D1" in stored and "Rute D2" in stored
    assert 'title="Rute D2: Dagrute D2"' in stored
    answer = client.get(f"/api/teams/{world.a.team}/korelister/{DAY}").get_json()
    routes = {run["employee_id"]: run["route"] for run in answer["run_lists"]}
    assert routes[str(members[0])] == "D1" and routes[str(members[2])] is None


def test_a_proposal_made_by_one_app_is_followed_and_accepted_through_another(
        world: World, store: Store) -> None:
    # Two web processes on one data directory: each its own app (and store connection).
    other = web_app(store, PUSLEPLAN_ROUTE_SECONDS=2)
    world.web.config["PUSLEPLAN_ROUTE_SECONDS"] = 6  # long enough to watch it work
    try:
        first, second = world.client("planner"), other.test_client()
        login(second, "planner")
        base = f"/api/teams/{world.a.team}/korelister/{DAY}"

        started = post(first, f"{base}/proposals?wait=false")
        body = started.get_json()
        # At once: 202 while the planner works (no run lists yet), 201 if it was quick.
        assert (started.status_code, body["status"]) in ((202, "running"), (201, "ready"))
        assert body["run_lists"] == [] or body["status"] == "ready"
        deadline = time.monotonic() + 60
        polled_once = False
        while body["status"] == "running" or not polled_once:  # the other app follows it
            polled_once = True
            assert time.monotonic() < deadline
            time.sleep(0.2)
            polled = second.get(f"{base}/proposals/{body['draft_id']}")
            assert polled.status_code == 200
            body = polled.get_json()
        assert body["status"] == "ready" and body["totals"]["visits"] >= 15
        page = _until_done(second, f"{PAGE}?forslag={body['draft_id']}")
        assert "Godkend kørelisterne" in page

        accepted = post(second, f"{base}/proposals/{body['draft_id']}/accept")

        assert accepted.status_code == 200, accepted.get_json()
        assert accepted.get_json()["recorded"] == body["totals"]["visits"]
        plan = world.app.day_plan(world.a.team, DAY)
        assert plan is not None and plan["routes"]["D1"] == str(world.a.members[0])
        gone = post(first, f"{base}/proposals/{body['draft_id']}/accept")
        assert gone.status_code == 404  # accepted drafts are forgotten by every process

        # A puslemøde replanning made through one app is accepted through the other.
        sick = post(second, f"{base}/sick", {"employee_id": "T1-E0", "from": "10:30"})
        assert sick.status_code == 201
        moved = post(first, f"{base}/sick/{sick.get_json()['draft_id']}/accept")
        assert moved.status_code == 200 and moved.get_json()["recorded"] >= 1
    finally:
        with other.app_context():
            services().close()


def test_an_expired_draft_is_gone_with_a_clear_message(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    client = world.client("planner")
    base = f"/api/teams/{world.a.team}/korelister/{DAY}"
    body = post(client, f"{base}/proposals").get_json()
    assert body["status"] == "ready"
    monkeypatch.setattr(daydrafts, "EXPIRE_S", 0.0)
    events = world.events()

    answer = post(client, f"{base}/proposals/{body['draft_id']}/accept")

    assert answer.status_code == 404 and "bed om et nyt" in answer.get_json()["message"]
    assert world.events() == events


def test_two_worker_processes_share_the_proposal_and_either_accepts_it(
        tmp_path: Path) -> None:
    """``pusleplan serve --workers 2``: the proposal started through one worker is
    followed through both and accepted through whichever takes the request."""
    store = Store("sqlite", Settings(data_dir=tmp_path / "data"), {})
    worlds = make_world(store)
    world = next(worlds)
    _day_of_work(world)
    port = free_port()
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "scripts.cli", "serve", "--data-dir", str(tmp_path / "data"),
         "--port", str(port), "--threads", "4", "--workers", "2"],
        env={**os.environ, "PUSLEPLAN_ROUTE_SECONDS": "2"},
        stdout=subprocess.DEVNULL, stderr=log)
    log.close()
    url = f"http://127.0.0.1:{port}"
    planner = Client(url)
    try:
        wait_until_serving(server, url, tmp_path / "server.log")
        planner.log_in("planner", PASSWORD)
        base = f"/api/teams/{world.a.team}/korelister/{DAY}"

        status, body, started_by = _fresh(planner, "POST", f"{base}/proposals?wait=false")
        assert status == 202 and body["status"] == "running", body
        answered: dict[str, str] = {}
        deadline = time.monotonic() + 90
        while body["status"] == "running" or len(answered) < 2:
            assert time.monotonic() < deadline, answered
            status, body, worker = _fresh(planner, "GET", f"{base}/proposals/{body['draft_id']}")
            assert status == 200, body  # never "no such draft", whichever worker answers
            answered[worker] = body["status"]
            time.sleep(0.1)
        assert set(answered) == {"1", "2"} and started_by in answered
        assert body["status"] == "ready" and body["totals"]["visits"] >= 15

        status, accepted, _ = _fresh(planner, "POST", f"{base}/proposals/{body['draft_id']}"
                                                      "/accept")
        assert status == 200, accepted
        assert accepted["recorded"] == body["totals"]["visits"]
        plan = world.app.day_plan(world.a.team, DAY)
        assert plan is not None and plan["routes"]["D2"] == str(world.a.members[1])
    finally:
        planner.close()
        server.terminate()
        assert server.wait(timeout=30) is not None
        worlds.close()


def _fresh(client: Client, method: str, path: str) -> tuple[int, Any, str]:
    """One request on a new connection (either worker may take it): status, JSON, worker."""
    client.close()
    headers = {"X-CSRFToken": client.csrf} if method == "POST" else {}
    status, answer, _ = client.request(method, path, {} if method == "POST" else None,
                                       headers)
    assert client.headers is not None
    return status, answer, client.headers["X-Pusleplan-Worker"]


def test_drafts_are_encrypted_at_rest_when_the_store_is(store_factory: Any) -> None:
    key = new_encryption_key()
    worlds = make_world(store_factory("sqlite", encryption_key=key), PUSLEPLAN_ROUTE_SECONDS=1)
    world = next(worlds)
    try:
        _day_of_work(world)
        client = world.client("planner")
        base = f"/api/teams/{world.a.team}/korelister/{DAY}"
        body = post(client, f"{base}/proposals").get_json()
        assert body["status"] == "ready"
        with world.web.app_context():
            jobs = services().settings.data_dir / JOBS_FILE
        raw = jobs.read_bytes()
        assert body["draft_id"].encode() in raw  # the draft is there, its content is not
        assert b"T1-B" not in raw and b"Medarbejder" not in raw

        accepted = post(client, f"{base}/proposals/{body['draft_id']}/accept")

        assert accepted.status_code == 200 and accepted.get_json()["recorded"] >= 15
    finally:
        worlds.close()


def test_a_plan_that_names_its_visits_its_own_way_still_counts_them_as_planned(
        world: World) -> None:
    # A plan recorded by another program (the demo's history, an import) calls the
    # citizen's PP1 "hist-1": it is planned, not "ikke med i de godkendte kørelister".
    app, a = world.app, world.a
    citizen = app.citizen(a.citizen)
    morning = {"citizen_id": a.citizen, "service_codes": ["PP1"], "start": at(DAY, 8),
               "minutes": 25, "employee_ids": [a.members[0]], "required_profession": "SSH",
               "double_staffed": False}
    app.plan_visits(LEADER, a.team, DAY, [{**morning, "visit_id": "hist-1"}])
    client = world.client("planner")
    first = client.get(PAGE).get_data(as_text=True).count(NOT_IN_PLAN_DA)
    app.plan_visits(LEADER, a.team, DAY, [{**morning, "visit_id": "hist-2",
                                            "service_codes": ["PP2"], "start": at(DAY, 12),
                                            "minutes": 20}])
    second = client.get(PAGE).get_data(as_text=True).count(NOT_IN_PLAN_DA)
    due = 9 * 2 + 1  # nine citizens' PP1 and PP2, one MED
    assert citizen["code"] == "T1-B1"
    assert (first, second) == (due - 1, due - 2)


def test_a_visit_left_out_of_the_accepted_plan_says_why_as_the_planner_would(
        world: World) -> None:
    app, a = world.app, world.a
    app.change_visitation(LEADER, a.citizen, date(2026, 1, 1), "services", [
        _service("PP1", "07:00", "10:30"), _service("PP2", "11:00", "14:30", 20),
        _service("NAT", "22:00", "23:00", 15)])  # nobody is on shift at night
    app.plan_visits(LEADER, a.team, DAY, [{
        "visit_id": "hist-1", "citizen_id": a.citizen, "service_codes": ["PP1"],
        "start": at(DAY, 8), "minutes": 25, "employee_ids": [a.members[0]],
        "required_profession": "SSH", "double_staffed": False}])
    page = world.client("planner").get(PAGE).get_data(as_text=True)
    night = f"{NOT_IN_PLAN_DA} {REASON_DA[UnassignedReason.NO_QUALIFIED_PERSON_IN_WINDOW]}"
    busy = f"{NOT_IN_PLAN_DA} {REASON_DA[UnassignedReason.NO_CAPACITY]}"
    assert page.count(night) == 1
    assert page.count(busy) == 9 * 2 + 1 - 1  # every other due visit but the planned PP1
