"""Bad input never makes a 500: random bodies against every POST route of the OpenAPI document.

Bodies mix the schema's own field names with arbitrary JSON values (and some
arbitrary keys), sent by a logged-in administrative user with the CSRF header.
Every answer must be a client error or a success — never a server error.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

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
