"""The JSON API: the OpenAPI document, error mapping, CSRF, conflicts and pseudonyms."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest

from tests.conftest import Store
from tests.factories import at
from tests.web_support import ADMIN, MONDAY, World, give_shift, make_world, post

TUESDAY = MONDAY + timedelta(days=1)


@pytest.fixture
def world(store: Store) -> Iterator[World]:
    yield from make_world(store)


def _bid(world: World, **changes: object) -> dict[str, object]:
    return {"bid_id": "o1", "employee_id": str(world.a.members[0]), "kind": "want_shift",
            "date": str(TUESDAY), "layer": "aften", **changes}


def test_the_openapi_document_describes_every_route_and_the_body_schemas(world: World) -> None:
    spec = world.client().get("/api/openapi.json").get_json()

    assert spec["openapi"].startswith("3.")
    for path in ("/api/teams", "/api/teams/{team_id}", "/api/rosters/{roster_id}",
                 "/api/rosters/{roster_id}/bids", "/api/rosters/{roster_id}/take",
                 "/api/rosters/{roster_id}/release", "/api/rosters/{roster_id}/swap",
                 "/api/rosters/{roster_id}/check", "/api/rosters/{roster_id}/publish",
                 "/api/session"):
        assert path in spec["paths"], path
    body = spec["components"]["schemas"]["BidBody"]
    assert "roster_id" not in body["properties"]
    assert set(body["required"]) >= {"bid_id", "employee_id", "kind", "date"}


def test_the_documentation_page_is_served_by_the_app_without_a_cdn(world: World) -> None:
    page = world.client().get("/api/docs").get_data(as_text=True)

    assert "/api/rosters/{roster_id}/swap" in page
    assert "https://" not in page and "http://" not in page


def test_an_unknown_roster_is_404_and_a_bad_id_is_404(world: World) -> None:
    client = world.client("admin")

    missing = client.get(f"/api/rosters/{uuid.uuid4()}")
    malformed = client.get("/api/rosters/not-a-uuid")

    assert missing.status_code == 404 and missing.get_json()["message"] == (
        "Vagtplanen findes ikke.")
    assert malformed.status_code == 404 and malformed.get_json()["error"] == "not_found"


@pytest.mark.parametrize(("body", "field"), [
    ({"kind": "ønske"}, "kind"),
    ({"date": "24-11-2026"}, "date"),
    ({"layer": None}, "layer"),
    ({"roster_id": "x"}, "roster_id"),
    ({"weight": 1.5}, "weight"),
])
def test_bad_input_is_422_naming_the_field_in_english_and_danish(
    world: World, body: dict[str, object], field: str
) -> None:
    before = world.events()

    response = post(world.client("medlem"), f"/api/rosters/{world.a.roster}/bids",
                    _bid(world, **body))

    answer = response.get_json()
    assert response.status_code == 422
    assert field in answer["fields"]
    assert answer["field"] == field
    assert world.events() == before


@pytest.mark.parametrize("payload", [[1, 2], "tekst", 42, None])
def test_a_body_that_is_not_an_object_is_a_client_error_never_a_500(
    world: World, payload: object
) -> None:
    client = world.client("medlem")
    path = f"/api/rosters/{world.a.roster}/bids"

    response = post(client, path, payload)
    garbage = client.post(path, data=b"{not json", content_type="application/json",
                          headers={"X-CSRFToken": client.get("/api/session").get_json()[
                              "csrf_token"]})

    assert response.status_code in (400, 422)
    assert garbage.status_code == 400


def test_a_broken_rule_is_422_with_the_domains_danish_message(world: World) -> None:
    give_shift(world, world.a, 0, "mandag", at(MONDAY, 7))
    overlapping = {"shift_id": "dobbelt", "employee_id": str(world.a.members[0]),
                   "date": str(MONDAY), "layer": "dag",
                   "start": at(MONDAY, 8).isoformat(), "end": at(MONDAY, 16).isoformat()}

    response = post(world.client("medlem"), f"/api/rosters/{world.a.roster}/take", overlapping)

    assert response.status_code == 422
    assert response.get_json()["message"] == (
        "Medarbejderen har allerede en vagt på det tidspunkt.")


def test_a_stale_version_is_409_someone_changed_the_plan_reload(world: World) -> None:
    client = world.client("medlem")
    seen = client.get(f"/api/rosters/{world.a.roster}").get_json()["version"]
    give_shift(world, world.a, 1, "kollegas", at(MONDAY, 7))  # someone else puzzles
    before = world.events()

    response = post(client, f"/api/rosters/{world.a.roster}/bids", _bid(world),
                    **{"If-Match": str(seen)})

    assert response.status_code == 409
    assert "genindlæs" in response.get_json()["message"]
    assert world.events() == before


def test_the_current_version_is_accepted_and_the_answer_gives_the_next(world: World) -> None:
    client = world.client("medlem")
    seen = client.get(f"/api/rosters/{world.a.roster}").get_json()["version"]

    response = post(client, f"/api/rosters/{world.a.roster}/bids", _bid(world),
                    **{"If-Match": f'"{seen}"'})

    assert response.status_code == 200
    assert response.get_json()["version"] == seen + 1


def test_a_state_changing_call_without_the_csrf_header_is_refused(world: World) -> None:
    client = world.client("medlem")
    before = world.events()

    response = client.post(f"/api/rosters/{world.a.roster}/bids", json=_bid(world))

    assert response.status_code == 400
    assert response.get_json()["error"] == "csrf"
    assert world.events() == before


def test_a_member_of_team_b_cannot_change_team_a(world: World) -> None:
    before = world.events()

    response = post(world.client("medlemb"), f"/api/rosters/{world.a.roster}/bids",
                    _bid(world, employee_id=str(world.b.members[0])))

    assert response.status_code == 403
    assert response.get_json()["message"] == "Du har kun adgang til dine egne teams."
    assert world.events() == before


def test_the_evaluator_sees_the_roster_and_verdict_with_pseudonyms_only(world: World) -> None:
    give_shift(world, world.a, 0, "mandag", at(MONDAY, 7))
    client = world.client("evaluator")

    roster = client.get(f"/api/rosters/{world.a.roster}")
    team = client.get(f"/api/teams/{world.a.team}")
    verdict = client.get(f"/api/rosters/{world.a.roster}/check")

    text = roster.get_data(as_text=True) + team.get_data(as_text=True) + verdict.get_data(
        as_text=True)
    assert roster.status_code == team.status_code == verdict.status_code == 200
    for employee in world.a.members:
        assert str(employee) not in text
    assert "Medarbejder 0" not in text
    shift = roster.get_json()["shifts"][0]
    assert shift["employee_id"].startswith("p-")
    assert shift["employee_id"] in {p["employee_id"] for p in roster.get_json()["people"]}


def test_the_checker_explains_a_rest_breach_and_a_planner_records_it(world: World) -> None:
    give_shift(world, world.a, 0, "aften", at(MONDAY, 15), layer="aften")
    give_shift(world, world.a, 0, "dag", at(TUESDAY, 7))

    verdict = post(world.client("planner"), f"/api/rosters/{world.a.roster}/check").get_json()

    rest = [v for v in verdict["violations"] if v["rule"] == "R1"]
    assert not verdict["ok"] and verdict["hard"] >= 1
    assert rest and rest[0]["employee"] == str(world.a.members[0])
    assert "hvile" in rest[0]["message"].lower() and rest[0]["suggestion"]
    assert world.roster()["version"] > 0


def test_a_leader_publishes_a_checked_roster_and_then_puzzling_stops(world: World) -> None:
    give_shift(world, world.a, 0, "mandag", at(MONDAY, 7))
    assert world.a.roster is not None
    world.app.record_roster_check(ADMIN, world.a.roster, 0, 0)

    published = post(world.client("leader"), f"/api/rosters/{world.a.roster}/publish")
    late_bid = post(world.client("medlem"), f"/api/rosters/{world.a.roster}/bids", _bid(world))

    assert published.status_code == 200
    assert world.roster()["published_at"] is not None
    assert late_bid.status_code == 422
