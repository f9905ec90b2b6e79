"""Foreslå plan: the planner's proposal runs in the background, shows as a difference
against the current plan, and is accepted at the version it was made from."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from domain.values import BidKind, Profession, ShiftLayer
from tests.conftest import Store
from tests.factories import at
from tests.web_support import ADMIN, MONDAY, World, form_token, give_shift, make_world, post
from web.solving import Jobs

PAGE = f"/teams/T1/vagtplan/{MONDAY}"


@pytest.fixture
def world(store: Store) -> Iterator[World]:
    # Team A gets one day route (and needs nobody in the evening); the planner may
    # think for a few seconds only.
    for w in make_world(store, PUSLEPLAN_SOLVER_SECONDS=5):
        w.app.define_route(ADMIN, w.a.team, "D1", "Dagruten", ShiftLayer.DAG, Profession.SSH)
        w.app.set_ground_rules(ADMIN, w.a.team, {"min_staffing": {"dag": 1, "aften": 0,
                                                                  "nat": 0}})
        yield w


def _jobs(world: World) -> Jobs:
    return world.web.extensions["pusleplan_jobs"]  # type: ignore[no-any-return]


def _start(client: FlaskClient, world: World) -> str:
    page = client.get(PAGE).get_data(as_text=True)
    assert "Foreslå plan" in page
    response = client.post(f"/vagtplan/{world.a.roster}/foreslaa",
                           data={"csrf_token": form_token(page)})
    assert response.status_code == 303
    return str(response.headers["Location"])


def _finished(client: FlaskClient, world: World, location: str) -> str:
    job_id = location.rsplit("/", 1)[1]
    job = _jobs(world).get(job_id, str(world.a.roster))
    assert job is not None
    _jobs(world).wait(job, timeout_s=60)
    return client.get(location).get_data(as_text=True)


def test_a_planner_sees_progress_then_the_difference_and_accepts_it(world: World) -> None:
    give_shift(world, world.a, 0, "gammel", at(MONDAY, 15), layer="aften")
    world.app.bid_shift(ADMIN, world.a.roster, "fri", world.a.members[1], BidKind.DAY_OFF,
                        MONDAY)
    client = world.client("planner")

    location = _start(client, world)
    waiting = client.get(location).get_data(as_text=True)
    page = _finished(client, world, location)

    assert "Planlæggeren arbejder" in waiting or "Acceptér forslaget" in waiting
    assert '<meta http-equiv="refresh"' in waiting or "Acceptér forslaget" in waiting
    assert "Acceptér forslaget" in page and "ny i forslaget" in page
    assert 'title="Fjernes: A"' in page  # the evening shift is not in the proposal
    before = world.events()
    accepted = client.post(f"{location}/accepter", data={"csrf_token": form_token(page)},
                           follow_redirects=True)
    roster = world.roster()
    assert "Forslaget er accepteret" in accepted.get_data(as_text=True)
    assert world.events() == before + 1
    assert "gammel" not in roster["shifts"]
    days = {s["date"] for s in roster["shifts"].values() if s["route"] == "D1"}
    assert len(days) == 56  # the route is covered (or open) every day
    monday = [s for s in roster["shifts"].values() if s["date"] == MONDAY]
    assert all(s["employee_id"] != str(world.a.members[1]) for s in monday)  # the day off


def test_a_proposal_cannot_be_accepted_after_someone_puzzled(world: World) -> None:
    client = world.client("planner")
    location = _start(client, world)
    page = _finished(client, world, location)
    give_shift(world, world.a, 0, "imens", at(MONDAY, 15), layer="aften")  # meanwhile
    before = world.events()

    response = client.post(f"{location}/accepter", data={"csrf_token": form_token(page)},
                           follow_redirects=True)

    assert "En anden har ændret planen imens" in response.get_data(as_text=True)
    assert world.events() == before


@pytest.mark.parametrize("role", ["medlem", "leader", "evaluator", "medlemb"])
def test_only_planners_and_administrative_staff_ask_for_a_proposal(world: World, role: str
                                                                  ) -> None:
    client = world.client(role)
    token = form_token(client.get("/").get_data(as_text=True))
    before = world.events()

    response = client.post(f"/vagtplan/{world.a.roster}/foreslaa", data={"csrf_token": token})

    assert response.status_code == 403
    assert not re.search(r"Foreslå plan</button>", client.get(PAGE).get_data(as_text=True))
    assert world.events() == before


def test_an_impossible_plan_is_explained_instead_of_proposed(world: World) -> None:
    world.app.set_ground_rules(ADMIN, world.a.team, {"min_staffing": {"dag": 1, "aften": 1,
                                                                      "nat": 0}})
    client = world.client("planner")

    page = _finished(client, world, _start(client, world))

    assert "Ingen plan overholder alle regler" in page
    assert "mindst 1 på aftenvagt hver dag" in page
    assert "Acceptér forslaget" not in page


def test_an_unknown_proposal_is_404(world: World) -> None:
    response = world.client("planner").get(f"/vagtplan/{world.a.roster}/forslag/nope")

    assert response.status_code == 404
    assert "Forslaget findes ikke længere" in response.get_data(as_text=True)


def test_the_json_api_runs_the_planner_and_accepts_the_proposal(world: World) -> None:
    client = world.client("planner")
    base = f"/api/rosters/{world.a.roster}/proposals"

    started = post(client, base)
    job = started.get_json()
    _jobs(world).wait(_jobs(world).get(job["job_id"], str(world.a.roster)),  # type: ignore[arg-type]
                      timeout_s=60)
    done = client.get(f"{base}/{job['job_id']}").get_json()
    accepted = post(client, f"{base}/{job['job_id']}/accept",
                    **{"If-Match": str(job["version"])})

    assert started.status_code == 202 and job["status"] in ("running", "proposal")
    assert done["status"] == "proposal" and done["progress"] == 1.0
    assert done["changes"] and done["shifts"]
    assert accepted.status_code == 200
    assert accepted.get_json()["version"] == job["version"] + 1


@pytest.mark.parametrize("role", ["medlem", "leader", "evaluator", "medlemb"])
def test_the_json_api_refuses_the_planner_to_everyone_else(world: World, role: str) -> None:
    response = post(world.client(role), f"/api/rosters/{world.a.roster}/proposals")

    assert response.status_code == 403
    assert len(_jobs(world)) == 0  # nothing started
