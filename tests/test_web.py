"""The web app's front page, team JSON, health check and error mapping (both stores).

Everything but the health check needs a log-in: ``client`` is logged in as an
administrative user without teams.
"""

from __future__ import annotations

import logging
import stat
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from domain.application import Pusleplan
from domain.errors import (
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    RuleBroken,
    ValidationFailed,
)
from domain.values import Role
from tests.conftest import Store
from tests.factories import LEADER, team_scenario
from tests.web_support import ADMIN, login, password_hash
from web import SECRET_KEY_FILE, create_app, services

ERRORS: dict[str, DomainError] = {
    "not-found": NotFound("Teamet findes ikke.", "team x not found"),
    "conflict": Conflict("En anden har ændret planen imens.", "version clash"),
    "rule": RuleBroken("Ruten R1 findes allerede i teamet.", "route exists", field="route_code"),
    "invalid": ValidationFailed({"weeks": ["Must be positive."]},
                                {"weeks": ["Skal være positivt."]}),
    "forbidden": Forbidden("Du må kun ændre dit eget teams vagtplan.", "not your team"),
}


@pytest.fixture
def web(store: Store) -> Iterator[Flask]:
    flask_app = create_app({
        "TESTING": True, "SECRET_KEY": "test",
        "PUSLEPLAN_SETTINGS": store.settings, "PUSLEPLAN_EXTRA_ENV": store.extra_env,
    })

    def boom(kind: str) -> Any:
        if kind == "crash":
            raise RuntimeError("unexpected")
        raise ERRORS[kind]

    # Test-only routes that raise, registered before the first request.
    flask_app.add_url_rule("/api/test/<kind>", "api_boom", boom)
    flask_app.add_url_rule("/test/<kind>", "page_boom", boom)
    yield flask_app
    flask_app.extensions["pusleplan"].close()


@pytest.fixture
def client(web: Flask) -> FlaskClient:
    pusleplan(web).register_user(ADMIN, "kontor", "Kontoret", Role.ADMINISTRATIVE,
                                 password_hash())
    client = web.test_client()
    login(client, "kontor")
    return client


def pusleplan(web: Flask) -> Pusleplan:
    with web.app_context():
        return services().app


def test_the_front_page_lists_the_teams_in_danish(web: Flask, client: FlaskClient) -> None:
    team_scenario(pusleplan(web), "T1", members=3)
    team_scenario(pusleplan(web), "T2", members=2)

    response = client.get("/")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="da">' in page
    assert "Pusleplan — Område Øst" in page
    for heading in ("Team", "Område", "Medlemmer", "Ruter", "Borgere", "Søsterteam"):
        assert f">{heading}</th>" in page
    assert "Team T1" in page and "Team T2" in page


def test_the_front_page_says_when_there_are_no_teams(client: FlaskClient) -> None:
    response = client.get("/")

    assert response.status_code == 200
    assert "Der er ingen teams endnu." in response.get_data(as_text=True)


def test_the_api_lists_the_teams_as_json(web: Flask, client: FlaskClient) -> None:
    app = pusleplan(web)
    t1 = team_scenario(app, "T1", members=3)
    t2 = team_scenario(app, "T2", members=2)
    app.link_sister_team(LEADER, t1.team, t2.team)

    response = client.get("/api/teams")

    assert response.status_code == 200
    first, second = response.get_json()["teams"]
    assert first == {
        "id": str(t1.team), "code": "T1", "name": "Team T1", "area": "Øst", "members": 3,
        "routes": 0, "citizens": 1, "sister_team_id": str(t2.team),
        "sister_team_code": "T2", "sister_team_name": "Team T2",
    }
    assert second["code"] == "T2"


def test_the_health_check_reports_the_number_of_events_without_a_log_in(web: Flask) -> None:
    client = web.test_client()
    assert client.get("/healthz").get_json() == {"status": "ok", "events": 0}
    team_scenario(pusleplan(web), "T1", members=1)

    events = client.get("/healthz").get_json()["events"]

    assert events == pusleplan(web).recorder.max_notification_id()


def test_an_unknown_address_gives_a_danish_404_page(client: FlaskClient) -> None:
    response = client.get("/findes-ikke")

    assert response.status_code == 404
    assert "Siden findes ikke" in response.get_data(as_text=True)


def test_an_unknown_api_address_gives_json_404(client: FlaskClient) -> None:
    response = client.get("/api/findes-ikke")

    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


@pytest.mark.parametrize(("kind", "status", "field"), [
    ("not-found", 404, None), ("conflict", 409, None), ("rule", 422, "route_code"),
    ("invalid", 422, "weeks"), ("forbidden", 403, None),
])
def test_a_domain_error_maps_to_its_status_with_a_danish_message(
    client: FlaskClient, kind: str, status: int, field: str | None
) -> None:
    api = client.get(f"/api/test/{kind}")
    page = client.get(f"/test/{kind}")

    assert api.status_code == status
    body = api.get_json()
    assert body["message"] == ERRORS[kind].message
    assert body["field"] == field
    assert page.status_code == status
    assert page.mimetype == "text/html"
    assert str(escape(ERRORS[kind].message)) in page.get_data(as_text=True)


def test_validation_errors_list_every_field_in_danish(client: FlaskClient) -> None:
    body = client.get("/api/test/invalid").get_json()

    assert body["fields"] == {"weeks": ["Skal være positivt."]}


def test_an_unexpected_error_shows_a_danish_500_page_without_a_stack_trace(
    web: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    web.config["PROPAGATE_EXCEPTIONS"] = False

    with caplog.at_level(logging.ERROR):
        page = client.get("/test/crash")
    api = client.get("/api/test/crash")

    text = page.get_data(as_text=True)
    assert page.status_code == 500
    assert "Der skete en fejl" in text
    assert "Traceback" not in text and "RuntimeError" not in text
    assert api.status_code == 500 and api.get_json()["error"] == "internal_error"
    assert any(record.exc_info for record in caplog.records)


def test_a_secret_key_is_created_once_and_kept_private(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PUSLEPLAN_SECRET_KEY", raising=False)
    config = {"PUSLEPLAN_SETTINGS": store.settings, "PUSLEPLAN_EXTRA_ENV": store.extra_env}
    first = create_app(config)
    second = create_app(config)
    try:
        key_file = store.settings.data_dir / SECRET_KEY_FILE
        assert first.secret_key == second.secret_key == key_file.read_text().strip()
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    finally:
        first.extensions["pusleplan"].close()
        second.extensions["pusleplan"].close()


def test_the_heading_names_the_area_once_for_all_its_sub_areas():
    from projections.teams import TeamRow
    from web.teams import area_heading

    def row(area: str) -> TeamRow:
        return TeamRow(id="1", code="T", name="T", area=area, members=0, routes=0,
                       citizens=0, sister_team_id=None, sister_team_code=None,
                       sister_team_name=None)

    assert area_heading([row("Område Øst – Stensballe"), row("Område Øst – Østbyen")]) \
        == "Område Øst"
    assert area_heading([row("Nord"), row("Område Øst")]) == "Område Nord og Område Øst"
    assert area_heading([]) == "Teams"
