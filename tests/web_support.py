"""Helpers for the web tests: a small world of two teams with a log-in per role.

Team A (T1) and team B (T2) each have three members and an open 8-week roster
(``tests.factories.team_scenario``). The users, all with password ``PASSWORD``:

* ``medlem`` — member of team A, employee ``a.members[0]``;
* ``medlemb`` — member of team B, employee ``b.members[0]``;
* ``planner`` — planner of team A; ``leader`` — leader of team A;
* ``admin`` — administrative staff of both teams; ``evaluator`` — both teams.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient

from domain.application import Pusleplan
from domain.values import Actor, Role
from tests.conftest import Store
from tests.factories import MONDAY, Scenario, at, team_scenario
from web import create_app, services

PASSWORD = "hemmelig-kode-42"
ADMIN = Actor("opsaetning", Role.ADMINISTRATIVE)
ROLES = ("medlem", "medlemb", "planner", "leader", "admin", "evaluator")


@cache
def password_hash() -> str:
    """One cheap argon2id hash of ``PASSWORD`` for every test user.

    Real hashes (``web.auth.hash_password``) take ~0.4 s to verify on purpose;
    verifying uses the parameters stored in the hash, so these log in quickly.
    """
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)


@dataclass
class World:
    web: Flask
    a: Scenario
    b: Scenario

    @property
    def app(self) -> Pusleplan:
        with self.web.app_context():
            return services().app

    def events(self) -> int:
        """The position of the newest stored event (unchanged = nothing was stored)."""
        return self.app.recorder.max_notification_id() or 0

    def client(self, username: str | None = None) -> FlaskClient:
        """A test client, logged in as ``username`` unless None."""
        client = self.web.test_client()
        if username is not None:
            login(client, username)
        return client

    def roster(self, scenario: Scenario | None = None) -> dict[str, Any]:
        scenario = scenario or self.a
        assert scenario.roster is not None
        return self.app.roster(scenario.roster)


def web_app(store: Store, **config: Any) -> Flask:
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                       "PUSLEPLAN_SETTINGS": store.settings,
                       "PUSLEPLAN_EXTRA_ENV": store.extra_env, **config})


def make_world(store: Store, **config: Any) -> Iterator[World]:
    """Build the world on ``store``; yields it and closes the app afterwards."""
    web = web_app(store, **config)
    with web.app_context():
        app = services().app
    a = team_scenario(app, "T1", members=3)
    b = team_scenario(app, "T2", members=3)
    users: list[tuple[str, Role, list[Any], Any]] = [
        ("medlem", Role.MEMBER, [a.team], a.members[0]),
        ("medlemb", Role.MEMBER, [b.team], b.members[0]),
        ("planner", Role.PLANNER, [a.team], None),
        ("leader", Role.LEADER, [a.team], None),
        ("admin", Role.ADMINISTRATIVE, [a.team, b.team], None),
        ("evaluator", Role.EVALUATOR, [a.team, b.team], None),
    ]
    for username, role, teams, employee in users:
        app.register_user(ADMIN, username, username.capitalize(), role, password_hash(),
                          teams, employee)
    try:
        yield World(web, a, b)
    finally:
        with web.app_context():
            services().close()


def wait_until_serving(server: subprocess.Popen[bytes], url: str, log: Path) -> None:
    """Wait (at most a minute) until the server process answers ``GET /api/session``;
    fail with its log if it exits first."""
    from scripts.bench_web import Client

    deadline = time.monotonic() + 60
    while True:
        assert server.poll() is None, log.read_text()
        probe = Client(url)
        try:
            if probe.request("GET", "/api/session")[0] == 200:
                return
        except OSError:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        finally:
            probe.close()


def csrf_token(client: FlaskClient) -> str:
    """The session's CSRF token (what a browser finds in the page)."""
    return str(client.get("/api/session").get_json()["csrf_token"])


def login(client: FlaskClient, username: str, password: str = PASSWORD) -> None:
    response = client.post("/api/session", json={"username": username, "password": password},
                           headers={"X-CSRFToken": csrf_token(client)})
    assert response.status_code == 200, response.get_json()


def post(client: FlaskClient, path: str, body: Any = None, **headers: str) -> Any:
    """POST JSON as a browser's script would: with the X-CSRFToken header."""
    return client.post(path, json=body if body is not None else {},
                       headers={"X-CSRFToken": csrf_token(client), **headers})


def form_token(page: str) -> str:
    """The CSRF token in a rendered form."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "the page has no CSRF field"
    return match.group(1)


def give_shift(world: World, scenario: Scenario, member: int, shift_id: str, day: datetime,
               layer: str = "dag") -> None:
    """Put a shift on a member directly through the application (test set-up)."""
    assert scenario.roster is not None
    hours = {"dag": (7, 15), "aften": (15, 23)}[layer]
    world.app.take_shift(ADMIN, scenario.roster, shift_id, scenario.members[member], day.date(),
                         layer, at(day.date(), hours[0]), at(day.date(), hours[1]))


__all__ = ["MONDAY", "PASSWORD", "ROLES", "World", "csrf_token", "form_token", "give_shift",
           "login", "wait_until_serving", "make_world", "post", "web_app"]
