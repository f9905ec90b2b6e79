"""Bad input never makes a 500: random bodies against every POST route of the OpenAPI document.

Bodies mix the schema's own field names with arbitrary JSON values (and some
arbitrary keys), sent by a logged-in administrative user with the CSRF header.
Every answer must be a client error or a success — never a server error.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.settings import Settings
from tests.conftest import Store
from tests.web_support import World, csrf_token, make_world

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
    | st.text(max_size=30)
    | st.sampled_from(["2026-11-24", "2026-11-24T07:00", "dag", "want_shift",
                       "00000000-0000-0000-0000-000000000000"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=3),
    max_leaves=8,
)


def _post_routes(world: World) -> list[tuple[str, list[str]]]:
    """Every POST path (ids filled in) with the property names of its body schema."""
    spec = world.client().get("/api/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    routes = []
    for path, operations in spec["paths"].items():
        if "post" not in operations or path == "/api/session":
            continue
        body = operations["post"].get("requestBody", {})
        ref = body.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
        names = list(schemas[ref.rsplit("/", 1)[1]]["properties"]) if ref else []
        concrete = re.sub(r"\{roster_id\}", str(world.a.roster), path)
        routes.append((concrete.replace("{job_id}", "nope"), names))
    return routes


def test_random_bodies_never_cause_a_server_error(tmp_path: Path) -> None:
    store = Store("sqlite", Settings(data_dir=tmp_path / "data"), {})
    worlds = make_world(store, PUSLEPLAN_SOLVER_SECONDS=1)
    world = next(worlds)
    client = world.client("admin")
    headers = {"X-CSRFToken": csrf_token(client)}
    routes = _post_routes(world)
    assert len(routes) >= 8

    @settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(route=st.sampled_from(routes), data=st.data())
    def post_anything(route: tuple[str, list[str]], data: st.DataObject) -> None:
        path, names = route
        keys = st.sampled_from(names) if names else st.text(max_size=8)
        body: Any = data.draw(st.dictionaries(keys | st.text(max_size=8), JSON,
                                              max_size=len(names) + 2) | JSON)
        response = client.post(path, json=body, headers=headers)
        assert response.status_code < 500, (path, body, response.get_json())

    try:
        post_anything()
    finally:
        worlds.close()


FORM_FIELDS = ["employee_id", "date", "kind", "layer", "shift_id", "target", "version",
               "person", "dato"]
FORM_VALUES = st.text(max_size=40) | st.sampled_from(
    ["2026-11-24", "dag", "aften", "want_shift", "day_off", "1", "-1", "x|y", ""])


def test_random_forms_on_the_vagtplan_never_cause_a_server_error(tmp_path: Path) -> None:
    store = Store("sqlite", Settings(data_dir=tmp_path / "data"), {})
    worlds = make_world(store, PUSLEPLAN_SOLVER_SECONDS=1)
    world = next(worlds)
    client = world.client("planner")
    token = csrf_token(client)
    actions = ["oenske", "tag", "afgiv", "byt", "tjek", "offentliggoer", "foreslaa", "ukendt"]

    @settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(action=st.sampled_from(actions),
           form=st.dictionaries(st.sampled_from(FORM_FIELDS), FORM_VALUES, max_size=6))
    def post_anything(action: str, form: dict[str, str]) -> None:
        response = client.post(f"/vagtplan/{world.a.roster}/{action}",
                               data={**form, "csrf_token": token})
        assert response.status_code < 500, (action, form)

    try:
        post_anything()
    finally:
        worlds.close()


# -- schemathesis: the OpenAPI document drives the requests ---------------------------------

#: Examples per operation: enough to reach every branch of the schemas, CI stays modest.
SCHEMATHESIS_EXAMPLES = 25


def test_schemathesis_finds_no_server_error_in_any_operation(store: Store) -> None:
    """Every operation of /api/openapi.json, with bodies, paths and queries generated
    from the document itself, sent by a logged-in user with the CSRF header: no 5xx."""
    worlds = make_world(store, PUSLEPLAN_SOLVER_SECONDS=1)
    world = next(worlds)
    try:
        schema = schemathesis.openapi.from_wsgi("/api/openapi.json", world.web)
        client = world.client("admin")
        token = csrf_token(client)
        cookie = client.get_cookie("session")
        assert cookie is not None
        real_ids = {"roster_id": str(world.a.roster), "team_id": str(world.a.team)}
        operations = [result.ok() for result in schema.get_all_operations()]
        # Logging in and out is the session's own business (and rate limited).
        operations = [op for op in operations if op.path != "/api/session" or op.method == "get"]
        assert len(operations) >= 10
        statuses: Counter[int] = Counter()
        for operation in operations:
            _no_server_error(operation, real_ids, token, cookie.value, statuses)
    finally:
        worlds.close()
    # The handlers were reached as the logged-in user, not only refused at the door.
    assert sum(n for status, n in statuses.items() if status < 300) >= len(operations)
    assert statuses[401] == 0, statuses


def _no_server_error(operation: Any, real_ids: dict[str, str], token: str, session: str,
                     statuses: Counter[int]) -> None:
    @settings(max_examples=SCHEMATHESIS_EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(), real=st.booleans())
    def call(case: Any, real: bool) -> None:
        if real:  # half the time the path names what exists, so the handlers run
            for name in (case.path_parameters or {}):
                if name in real_ids:
                    case.path_parameters[name] = real_ids[name]
        response = case.call(headers={"X-CSRFToken": token}, cookies={"session": session})
        statuses[response.status_code] += 1
        assert response.status_code < 500, (
            operation.method, case.formatted_path, case.body, response.text[:500])

    call()
