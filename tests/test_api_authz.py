"""Authorisation at the API: every role against every route (SQLite and PostgreSQL).

A refused call answers 403 and leaves the event log exactly as it was; an
allowed write stores at least one event.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from domain.values import WEEKDAYS
from tests.conftest import Store
from tests.factories import at
from tests.web_support import ADMIN, MONDAY, ROLES, World, give_shift, make_world, post
from web import korelister

TUESDAY = MONDAY + timedelta(days=1)


@pytest.fixture
def world(store: Store) -> Iterator[World]:
    yield from make_world(store)


def _team_a(w: World) -> str:
    return f"/api/teams/{w.a.team}"


def _roster_a(w: World) -> str:
    return f"/api/rosters/{w.a.roster}"


# Each write acts for team A's first member (medlem's own employee).
def _bid(w: World) -> tuple[str, dict[str, Any]]:
    return f"{_roster_a(w)}/bids", {"bid_id": "o1", "employee_id": str(w.a.members[0]),
                                    "kind": "want_shift", "date": str(TUESDAY),
                                    "layer": "aften"}


def _take(w: World) -> tuple[str, dict[str, Any]]:
    return f"{_roster_a(w)}/take", {
        "shift_id": "ny", "employee_id": str(w.a.members[0]), "date": str(TUESDAY),
        "layer": "dag", "start": at(TUESDAY, 7).isoformat(), "end": at(TUESDAY, 15).isoformat()}


def _release(w: World) -> tuple[str, dict[str, Any]]:
    return f"{_roster_a(w)}/release", {"shift_id": "mandag", "employee_id": str(w.a.members[0])}


def _swap(w: World) -> tuple[str, dict[str, Any]]:
    return f"{_roster_a(w)}/swap", {"shift_id": "mandag", "to_employee_id": str(w.a.members[1])}


def _check(w: World) -> tuple[str, dict[str, Any]]:
    return f"{_roster_a(w)}/check", {}


def _publish(w: World) -> tuple[str, dict[str, Any]]:
    return f"{_roster_a(w)}/publish", {}


READS: dict[str, Callable[[World], str]] = {
    "team": _team_a,
    "roster": _roster_a,
    "verdict": lambda w: f"{_roster_a(w)}/check",
}

WRITES: dict[str, Callable[[World], tuple[str, dict[str, Any]]]] = {
    "bid": _bid, "take": _take, "release": _release, "swap": _swap, "check": _check,
    "publish": _publish,
}

#: Who may read team A: its member, its planner and leader, admin and evaluator.
READERS_OF_A = {"medlem", "planner", "leader", "admin", "evaluator"}

#: Who may do each write on team A's roster (for medlem's own shift or bid).
WRITERS = {
    "bid": {"medlem", "planner", "admin"},
    "take": {"medlem", "planner", "admin"},
    "release": {"medlem", "planner", "admin"},
    "swap": {"medlem", "planner", "admin"},
    "check": {"planner", "leader", "admin"},
    "publish": {"leader"},
}


def _prepare(world: World) -> None:
    """medlem holds Monday's day shift; the plan is checked clean so it may be published."""
    give_shift(world, world.a, 0, "mandag", at(MONDAY, 7))
    assert world.a.roster is not None
    world.app.record_roster_check(ADMIN, world.a.roster, 0, 0)


@pytest.mark.parametrize("role", ROLES)
def test_everyone_logged_in_reads_the_team_directory(world: World, role: str) -> None:
    response = world.client(role).get("/api/teams")

    assert response.status_code == 200
    assert [t["code"] for t in response.get_json()["teams"]] == ["T1", "T2"]


@pytest.mark.parametrize("route", sorted(READS))
@pytest.mark.parametrize("role", ROLES)
def test_only_people_with_access_to_team_a_read_it(world: World, role: str, route: str
                                                   ) -> None:
    response = world.client(role).get(READS[route](world))

    expected = 200 if role in READERS_OF_A else 403
    assert response.status_code == expected, response.get_json()


@pytest.mark.parametrize("route", sorted(WRITES))
@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_change_only_what_it_is_allowed_to(world: World, role: str, route: str
                                                        ) -> None:
    _prepare(world)
    client = world.client(role)
    path, body = WRITES[route](world)
    before = world.events()

    response = post(client, path, body)

    if role in WRITERS[route]:
        assert response.status_code == 200, response.get_json()
        assert world.events() > before
    else:
        assert response.status_code == 403, response.get_json()
        assert response.get_json()["error"] == "forbidden"
        assert world.events() == before


@pytest.mark.parametrize("route", ["bid", "take", "release", "swap"])
def test_a_member_cannot_act_for_a_colleague_in_the_same_team(world: World, route: str
                                                             ) -> None:
    give_shift(world, world.a, 1, "kollegas", at(MONDAY, 7))
    path, body = WRITES[route](world)
    body = {**body, "shift_id": "kollegas"} if route in ("release", "swap") else body
    if "employee_id" in body:
        body["employee_id"] = str(world.a.members[1])
    if route == "swap":
        body["to_employee_id"] = str(world.a.members[0])
    if route == "take":
        body["shift_id"] = "ny"
    before = world.events()

    response = post(world.client("medlem"), path, body)

    assert response.status_code == 403
    assert "egne vagter" in response.get_json()["message"]
    assert world.events() == before


def test_logged_out_the_api_answers_401_and_stores_nothing(world: World) -> None:
    client = world.client()
    path, body = _bid(world)
    before = world.events()

    reads = [client.get(READS[route](world)) for route in READS]
    write = post(client, path, body)

    assert {r.status_code for r in reads} == {401}
    assert write.status_code == 401 and write.get_json()["error"] == "unauthorized"
    assert world.events() == before


# -- the routes the run lists, the team overview, the evaluation and the planner added --

@pytest.fixture(autouse=True)
def monday_morning(monkeypatch: pytest.MonkeyPatch) -> None:
    """Today is Monday 23 November 2026 at 09:00, whenever the tests run: the route
    proposal below is for that day, and a day that is over takes no proposal."""
    monkeypatch.setattr(korelister, "now_local", lambda: at(MONDAY, 9))


@pytest.fixture
def quick_world(store: Store) -> Iterator[World]:
    """The same world with short solver limits (a proposal that starts runs briefly),
    and team A's first citizen due one morning visit every day."""
    for world in make_world(store, PUSLEPLAN_SOLVER_SECONDS=1, PUSLEPLAN_ROUTE_SECONDS=1):
        world.app.change_visitation(ADMIN, world.a.citizen, date(2026, 1, 1), "services", [
            {"code": "PP1", "name": "Personlig pleje", "minutes": 25, "days": list(WEEKDAYS),
             "window_start": "07:00", "window_end": "10:30", "profession": "SSH",
             "double_staffed": False}])
        yield world


MORE_READS: dict[str, Callable[[World], str]] = {
    "korelister": lambda w: f"{_team_a(w)}/korelister/{MONDAY}",
    "overview": lambda w: f"{_team_a(w)}/overview",
    "evaluation": lambda w: "/api/evaluation?team=T1",
    "citizens": lambda w: f"{_team_a(w)}/citizens",
}

#: (path, expected answers when allowed, who is allowed)
MORE_WRITES: dict[str, tuple[Callable[[World], str], set[int], set[str]]] = {
    "route proposal": (lambda w: f"{_team_a(w)}/korelister/{MONDAY}/proposals?wait=false",
                       {201, 202}, {"medlem", "planner", "admin"}),
    "roster proposal": (lambda w: f"{_roster_a(w)}/proposals", {202}, {"planner", "admin"}),
}


@pytest.mark.parametrize("route", sorted(MORE_READS))
@pytest.mark.parametrize("role", ROLES)
def test_only_people_with_access_to_team_a_read_its_run_lists_and_figures(
    quick_world: World, role: str, route: str
) -> None:
    _prepare(quick_world)
    response = quick_world.client(role).get(MORE_READS[route](quick_world))

    expected = 200 if role in READERS_OF_A else 403
    assert response.status_code == expected, response.get_json()


@pytest.mark.parametrize("route", sorted(MORE_WRITES))
@pytest.mark.parametrize("role", ROLES)
def test_only_the_allowed_roles_start_a_proposal_and_a_refusal_stores_nothing(
    quick_world: World, role: str, route: str
) -> None:
    _prepare(quick_world)
    path, allowed_answers, allowed = MORE_WRITES[route]
    before = quick_world.events()

    response = post(quick_world.client(role), path(quick_world), {})

    if role in allowed:
        assert response.status_code in allowed_answers, response.get_json()
    else:
        assert response.status_code == 403, response.get_json()
        assert response.get_json()["error"] == "forbidden"
    assert quick_world.events() == before  # a proposal stores nothing until accepted
