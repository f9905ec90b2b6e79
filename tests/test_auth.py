"""Log-in: argon2 passwords, the Danish log-in page, cookies, CSRF and the rate limit."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import Store
from tests.web_support import (
    PASSWORD,
    World,
    csrf_token,
    form_token,
    login,
    make_world,
    web_app,
)
from web.auth import hash_password, safe_next, verify_password


@pytest.fixture
def world(store: Store) -> Iterator[World]:
    yield from make_world(store, PUSLEPLAN_LOGIN_LIMIT="3 per minute")


def _login_form(client, username: str, password: str, next_path: str | None = None):  # type: ignore[no-untyped-def]
    token = form_token(client.get("/login").get_data(as_text=True))
    data = {"brugernavn": username, "adgangskode": password, "csrf_token": token}
    if next_path:
        data["next"] = next_path
    return client.post("/login", data=data)


def test_a_password_is_stored_as_an_argon2id_hash_that_verifies() -> None:
    stored = hash_password("kaffe og kage")

    assert stored.startswith("$argon2id$") and "kaffe" not in stored
    assert verify_password(stored, "kaffe og kage")
    assert not verify_password(stored, "Kaffe og kage")
    assert not verify_password("not-a-hash", "kaffe og kage")


def test_a_page_sends_a_logged_out_person_to_the_danish_log_in_page(world: World) -> None:
    client = world.client()

    response = client.get("/teams/T1", follow_redirects=True)

    page = response.get_data(as_text=True)
    assert response.request.path == "/login"
    assert "Log ind" in page and "Brugernavn" in page and "Adgangskode" in page
    assert 'name="csrf_token"' in page


def test_logging_in_on_the_page_goes_back_to_where_the_person_was_going(world: World) -> None:
    client = world.client()

    response = _login_form(client, "Medlem", PASSWORD, "/teams/T1")

    assert response.status_code == 302 and response.headers["Location"] == "/teams/T1"
    assert client.get("/teams/T1").status_code == 200


def test_a_wrong_password_is_refused_in_danish_without_saying_which_part_was_wrong(
    world: World
) -> None:
    client = world.client()

    page = _login_form(client, "medlem", "forkert")
    unknown = _login_form(client, "findes-ikke", PASSWORD)

    for response in (page, unknown):
        assert response.status_code == 401
        assert "Forkert brugernavn eller adgangskode." in response.get_data(as_text=True)
    assert client.get("/teams/T1").status_code == 302


def test_the_session_cookie_is_httponly_and_samesite_lax(world: World) -> None:
    client = world.client()

    response = _login_form(client, "medlem", PASSWORD)

    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_the_session_cookie_is_secure_when_served_over_https(store: Store) -> None:
    world = make_world(store, SESSION_COOKIE_SECURE=True)
    w = next(world)
    client = w.client()

    response = _login_form(client, "medlem", PASSWORD)

    assert "Secure" in response.headers["Set-Cookie"]
    world.close()


def test_the_log_in_never_sends_people_to_another_site() -> None:
    assert safe_next("/teams/T1?x=1") == "/teams/T1?x=1"
    for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)", ""):
        assert safe_next(target) is None


def test_a_form_without_the_csrf_token_is_refused(world: World) -> None:
    client = world.client()

    response = client.post("/login", data={"brugernavn": "medlem", "adgangskode": PASSWORD})

    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert client.get("/teams/T1").status_code == 302


def test_log_in_attempts_are_rate_limited_per_client(world: World) -> None:
    client = world.client()

    answers = [_login_form(client, "medlem", "forkert").status_code for _ in range(3)]
    blocked = _login_form(client, "medlem", PASSWORD)

    assert answers == [401, 401, 401]
    assert blocked.status_code == 429
    assert "For mange forsøg" in blocked.get_data(as_text=True)
    assert client.get("/teams/T1").status_code == 302


def test_the_json_log_in_shares_the_rate_limit(world: World) -> None:
    client = world.client()
    for _ in range(3):
        client.post("/api/session", json={"username": "medlem", "password": "x"},
                    headers={"X-CSRFToken": csrf_token(client)})

    response = client.post("/api/session", json={"username": "medlem", "password": PASSWORD},
                           headers={"X-CSRFToken": csrf_token(client)})

    assert response.status_code == 429
    assert response.get_json()["error"] == "too_many_requests"


def test_a_json_client_logs_in_and_out_with_the_csrf_header(world: World) -> None:
    client = world.client()
    token = csrf_token(client)

    without = client.post("/api/session", json={"username": "medlem", "password": PASSWORD})
    wrong = client.post("/api/session", json={"username": "medlem", "password": "nej"},
                        headers={"X-CSRFToken": token})
    right = client.post("/api/session", json={"username": "medlem", "password": PASSWORD},
                        headers={"X-CSRFToken": token})

    assert without.status_code == 400 and without.get_json()["error"] == "csrf"
    assert wrong.status_code == 401 and wrong.get_json()["message"] == (
        "Forkert brugernavn eller adgangskode.")
    assert right.status_code == 200
    assert right.get_json()["user"]["role"] == "member"
    out = client.delete("/api/session", headers={"X-CSRFToken": csrf_token(client)})
    assert out.get_json()["user"] is None
    assert client.get("/api/teams").status_code == 401


def test_logging_out_needs_the_csrf_token(world: World) -> None:
    client = world.client()
    login(client, "medlem")

    refused = client.post("/logout")
    page = client.get("/").get_data(as_text=True)
    done = client.post("/logout", data={"csrf_token": form_token(page)})

    assert refused.status_code == 400
    assert done.status_code == 302
    assert client.get("/").status_code == 302


def test_behind_a_proxy_each_client_address_has_its_own_log_in_budget(store: Store) -> None:
    worlds = make_world(store, PUSLEPLAN_LOGIN_LIMIT="2 per minute", PUSLEPLAN_BEHIND_PROXY=True)
    world = next(worlds)
    try:
        first, second = world.client(), world.client()
        first.environ_base["HTTP_X_FORWARDED_FOR"] = "192.0.2.1"
        second.environ_base["HTTP_X_FORWARDED_FOR"] = "192.0.2.2"

        spent = [_login_form(first, "medlem", "forkert").status_code for _ in range(3)]
        other = _login_form(second, "medlem", PASSWORD)

        assert spent == [401, 401, 429]
        assert other.status_code == 302
    finally:
        worlds.close()


def test_an_app_made_without_rate_limits_leaves_them_on_for_the_next_app(store: Store) -> None:
    # Flask-Limiter's limiter is shared by the apps of a process: one made with the
    # limits switched off (a test, a tool) must not switch them off for the next.
    unlimited = web_app(store, RATELIMIT_ENABLED=False)
    assert unlimited.config["RATELIMIT_ENABLED"] is False
    for world in make_world(store, PUSLEPLAN_LOGIN_LIMIT="3 per minute"):
        client = world.client()
        answers = [_login_form(client, "medlem", "forkert").status_code for _ in range(3)]

        assert answers == [401, 401, 401]
        assert _login_form(client, "medlem", PASSWORD).status_code == 429
