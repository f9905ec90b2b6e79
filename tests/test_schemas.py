"""The schemas at the edge: unknown fields, required fields, types, ranges, cross-field rules.

These tests need no store: they validate payloads with ``web.commands.load_command``.
"""

from __future__ import annotations

import inspect
from datetime import date, datetime
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.application import Pusleplan
from domain.errors import ValidationFailed
from domain.teams import DEFAULT_GROUND_RULES
from domain.values import WEEKDAYS, Profession
from web.commands import COMMANDS, load_command
from web.schemas import GroundRulesSchema, VisitSchema

ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
OTHER_ID = "16fd2706-8baf-433b-82eb-8c7fada847da"
SERVICE = {"code": "PP1", "name": "Personlig pleje", "minutes": 30, "days": ["mon", "thu"],
           "window_start": "07:00", "window_end": "10:00", "profession": "SSH"}
SHIFT = {"date": "2026-11-23", "layer": "dag", "start": "2026-11-23T07:00",
         "end": "2026-11-23T15:00"}
VISIT = {"visit_id": "v1", "citizen_id": ID, "service_codes": ["PP1"],
         "start": "2026-11-23T08:00", "minutes": 30, "employee_ids": [ID],
         "required_profession": "SSH"}
DAY = {"team_id": ID, "date": "2026-11-23"}

#: One valid payload per command, in JSON's own types.
VALID: dict[str, dict[str, Any]] = {
    "create_team": {"code": "T1", "name": "Team Øst", "area": "Øst", "base_lat": 55.86,
                    "base_lon": 9.85},
    "join_team": {"team_id": ID, "employee_id": OTHER_ID},
    "leave_team": {"team_id": ID, "employee_id": OTHER_ID, "reason": "Ny stilling"},
    "define_route": {"team_id": ID, "route_code": "R1", "name": "Morgenrute", "layer": "dag",
                     "profession": "SSH"},
    "link_sister_team": {"team_id": ID, "sister_team_id": OTHER_ID},
    "set_ground_rules": {"team_id": ID, "rules": {"weekend_off_every_n": 3}},
    "hire_employee": {"number": "E1", "name": "Mette Hansen", "profession": "SSA",
                      "weekly_hours": 37, "hired_on": "2020-01-01", "is_substitute": False},
    "change_contract": {"employee_id": ID, "weekly_hours": 32.5, "profession": "SPL",
                        "effective": "2026-01-01"},
    "register_absence": {"employee_id": ID, "absence_id": "a1", "kind": "sick",
                         "start": "2026-11-23", "end": None},
    "end_absence": {"employee_id": ID, "absence_id": "a1", "end": "2026-11-25"},
    "register_citizen": {"code": "B1", "name": "Karen Jensen", "address": "Strandvejen 1",
                         "lat": 55.87, "lon": 9.86, "team_id": ID,
                         "registered_on": "2025-01-01"},
    "change_visitation": {"citizen_id": ID, "effective": "2026-01-01", "kind": "services",
                          "services": [SERVICE], "reason": "Revisitation"},
    "change_triage": {"citizen_id": ID, "triage": "gul"},
    "assign_contact_person": {"citizen_id": ID, "employee_id": OTHER_ID},
    "discharge_citizen": {"citizen_id": ID, "on": "2026-12-01", "reason": "Flyttet"},
    "open_roster": {"team_id": ID, "period_start": "2026-11-23", "weeks": 8},
    "bid_shift": {"roster_id": ID, "bid_id": "b1", "employee_id": OTHER_ID,
                  "kind": "want_shift", "date": "2026-11-24", "layer": "aften", "weight": 3},
    "take_shift": {"roster_id": ID, "shift_id": "s1", "employee_id": OTHER_ID, **SHIFT},
    "release_shift": {"roster_id": ID, "shift_id": "s1", "employee_id": OTHER_ID},
    "swap_shifts": {"roster_id": ID, "shift_id": "s1", "to_employee_id": OTHER_ID},
    "accept_proposal": {"roster_id": ID,
                        "shifts": [{"shift_id": "s1", "employee_id": OTHER_ID, **SHIFT},
                                   {"shift_id": "s2", "employee_id": None, **SHIFT}],
                        "objective": {"cover": 10}},
    "record_roster_check": {"roster_id": ID, "hard_violations": 0, "soft_violations": 2},
    "publish_roster": {"roster_id": ID, "published_at": "2026-10-01T12:00"},
    "change_shift_after_publish": {
        "roster_id": ID, "shift_id": "s1", "employee_id": None, "start": "2026-11-23T08:00",
        "end": "2026-11-23T16:00", "changed_at": "2026-11-20T09:00", "reason": "Sygdom"},
    "assign_route": {**DAY, "route_code": "R1", "employee_id": OTHER_ID},
    "plan_visits": {**DAY, "visits": [VISIT], "routes": {"R1": OTHER_ID}},
    "plan_visit": {**DAY, **VISIT},
    "move_visit": {**DAY, "visit_id": "v1", "employee_ids": [OTHER_ID],
                   "start": "2026-11-23T09:00", "reason": "Puslemøde"},
    "move_visits": {"date": "2026-11-23", "moves": {ID: [
        {"visit_id": "v1", "employee_ids": [OTHER_ID], "start": "2026-11-23T09:00",
         "reason": "Puslemøde"}]}},
    "cancel_visit": {**DAY, "visit_id": "v1", "reason": "Indlagt"},
    "record_deliveries": {**DAY, "deliveries": [
        {"visit_id": "v1", "actual_start": "2026-11-23T08:05",
         "actual_end": "2026-11-23T08:40", "employee_ids": [ID]}]},
    "register_user": {"username": "medlem1", "display_name": "Medlem 1", "role": "member",
                      "password_hash": "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
                      "team_ids": [ID], "employee_id": OTHER_ID},
    "change_password": {"username": "medlem1",
                        "password_hash": "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"},
}


def errors_of(name: str, payload: Any) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        load_command(name, payload)
    assert set(caught.value.errors) == set(caught.value.errors_da)
    return caught.value


def with_(name: str, /, **changes: Any) -> dict[str, Any]:
    return {**VALID[name], **changes}


def test_every_command_of_the_application_has_a_schema() -> None:
    commands = {name for name, member in vars(Pusleplan).items()
                if inspect.isfunction(member) and not name.startswith("_")
                and "actor" in inspect.signature(member).parameters
                and name not in {"load", "store", "create", "exists"}}
    assert commands == set(COMMANDS) == set(VALID)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_schema_fields_are_the_keyword_arguments_of_the_application_method(name: str) -> None:
    schema, method = COMMANDS[name]
    parameters = dict(inspect.signature(getattr(Pusleplan, method)).parameters)
    del parameters["self"], parameters["actor"]
    required = {p for p, parameter in parameters.items()
                if parameter.default is inspect.Parameter.empty}
    names = set(parameters)
    if name == "plan_visit":  # the visit's fields arrive as **visit
        visit_fields = VisitSchema().fields
        names = names - {"visit"} | set(visit_fields)
        required = required - {"visit"} | {f for f, fl in visit_fields.items() if fl.required}
    assert set(schema().fields) == names
    assert {f for f, field in schema().fields.items() if field.required} == required


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_valid_payload_loads_for_every_command(name: str) -> None:
    method, data = load_command(name, VALID[name])
    assert method == name and "actor" not in data


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_rejects_an_unknown_field_naming_it(name: str) -> None:
    failure = errors_of(name, with_(name, colour="blue"))
    assert failure.errors == {"colour": ["Unknown field."]}
    assert failure.errors_da == {"colour": ["Ukendt felt."]}
    assert failure.field == "colour"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_refuses_an_actor_smuggled_into_the_payload(name: str) -> None:
    assert "actor" in errors_of(name, with_(name, actor={"id": "x", "role": "leader"})).errors


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_missing_required_fields_are_each_named(name: str) -> None:
    schema, _ = COMMANDS[name]
    required = {f for f, field in schema().fields.items() if field.required}
    failure = errors_of(name, {})
    assert set(failure.errors) == required
    assert all(m == ["Missing data for required field."] for m in failure.errors.values())
    assert all(m == ["Feltet skal udfyldes."] for m in failure.errors_da.values())


@pytest.mark.parametrize(("name", "field", "value", "english", "danish"), [
    ("hire_employee", "hired_on", "2020-02-30", "Not a valid date.", "Ikke en gyldig dato"),
    ("hire_employee", "hired_on", "2020-01-01T08:00", "Not a valid date.", "gyldig dato"),
    ("hire_employee", "weekly_hours", 0, "Must be greater than 0 and less than or equal to "
     "48.0.", "Skal være større end 0 og højst 48."),
    ("hire_employee", "weekly_hours", 48.5, "less than or equal to 48.0", "højst 48"),
    ("hire_employee", "weekly_hours", "NaN", "Special numeric values", "NaN"),
    ("hire_employee", "profession", "Nurse", "Must be one of: UFL, SSH, SSA, SPL, TER.",
     "Skal være en af: UFL, SSH, SSA, SPL, TER."),
    ("hire_employee", "number", "", "Must not be blank.", "må ikke være tomt"),
    ("hire_employee", "number", "E" * 41, "Longer than maximum length 40.",
     "Længden må højst være 40."),
    ("hire_employee", "name", "x" * 201, "maximum length 200", "højst være 200"),
    ("hire_employee", "is_substitute", "maybe", "Not a valid boolean.", "sand eller falsk"),
    ("join_team", "team_id", "team-1", "Not a valid UUID.", "Ikke et gyldigt id (UUID)."),
    ("join_team", "employee_id", None, "Field may not be null.", "ikke null"),
    ("create_team", "base_lat", 91, "Must be greater than or equal to -90 and less than or "
     "equal to 90.", "Skal være mindst -90 og højst 90."),
    ("create_team", "base_lon", -180.5, "greater than or equal to -180", "mindst -180"),
    ("create_team", "base_lon", "east", "Not a valid number.", "Skal være et tal."),
    ("open_roster", "weeks", 13, "Must be greater than or equal to 1 and less than or equal "
     "to 12.", "Skal være mindst 1 og højst 12."),
    ("open_roster", "weeks", 2.5, "Not a valid integer.", "Skal være et helt tal."),
    ("open_roster", "period_start", "2026-11-24", "Must be a Monday.", "Skal være en mandag."),
    ("bid_shift", "weight", 101, "less than or equal to 100", "højst 100"),
    ("bid_shift", "kind", "wish", "Must be one of: want_shift", "Skal være en af: want_shift"),
    ("change_triage", "triage", "red", "Must be one of: roed, gul, groen.", "en af: roed"),
    ("register_absence", "kind", "sick leave", "Must be one of", "Skal være en af"),
    ("take_shift", "start", "07:00", "Not a valid datetime.", "Ikke et gyldigt tidspunkt"),
    ("take_shift", "start", "2026-11-23T07:00+01:00", "without a timezone offset",
     "uden tidszone"),
    ("take_shift", "start", "2026-11-23T06:00:00Z", "Europe/Copenhagen", "lokal dansk tid"),
    ("plan_visit", "minutes", 481, "less than or equal to 480", "højst 480"),
    ("plan_visit", "employee_ids", [ID, ID], "Must not contain the same value twice.",
     "to gange"),
    ("plan_visit", "employee_ids", [ID, OTHER_ID, str(UUID(int=1))],
     "Length must be between 0 and 2.", "Længden skal være mellem 0 og 2."),
    ("plan_visit", "service_codes", [], "Length must be between 1 and 20.", "mellem 1 og 20"),
    ("record_roster_check", "hard_violations", -1, "greater than or equal to 0", "mindst 0"),
    ("change_visitation", "package_minutes_per_week", 0, "greater than or equal to 1",
     "mindst 1"),
    ("change_shift_after_publish", "reason", "  ", "Must not be blank.", "ikke være tomt"),
])
def test_a_bad_value_is_named_with_english_and_danish_messages(
    name: str, field: str, value: Any, english: str, danish: str
) -> None:
    failure = errors_of(name, with_(name, **{field: value}))
    assert list(failure.errors) == [field]
    assert english in failure.errors[field][0]
    assert danish in failure.errors_da[field][0]
    assert failure.field == field and danish in failure.message


@pytest.mark.parametrize(("name", "payload", "field", "english"), [
    ("take_shift", {"end": "2026-11-23T07:00"}, "end", "Must be after the start."),
    ("change_shift_after_publish", {"end": "2026-11-23T07:00"}, "end", "after the start"),
    ("register_absence", {"end": "2026-11-22"}, "end", "Must not be before the start."),
    ("link_sister_team", {"sister_team_id": ID}, "sister_team_id", "its own sister team"),
    ("change_visitation", {"services": []}, "services", "at least one service"),
    ("change_visitation", {"kind": "package"}, "package_minutes_per_week", "minutes per week"),
    ("bid_shift", {"layer": None}, "layer", "needs a layer"),
    ("bid_shift", {"kind": "want_route"}, "route", "needs a route"),
    ("set_ground_rules", {"rules": {}}, "rules", "at least one ground rule"),
    ("plan_visits", {"visits": [VISIT, VISIT]}, "visits", "the same value twice"),
    ("plan_visits", {"routes": {"R1": "nobody"}}, "routes.R1.value", "Not a valid UUID."),
    ("plan_visits", {"routes": {" ": ID}}, "routes. .key", "Must not be blank."),
    ("accept_proposal", {"shifts": [{"shift_id": "s1", **SHIFT}] * 2}, "shifts", "twice"),
    ("record_deliveries", {"deliveries": [{**VALID["record_deliveries"]["deliveries"][0],
                                           "actual_end": "2026-11-23T08:05"}]},
     "deliveries.0.actual_end", "after the start"),
])
def test_cross_field_rules_name_the_field_to_fix(
    name: str, payload: dict[str, Any], field: str, english: str
) -> None:
    failure = errors_of(name, with_(name, **payload))
    assert list(failure.errors) == [field]
    assert english in failure.errors[field][0]
    assert failure.errors_da[field][0] != failure.errors[field][0]


@pytest.mark.parametrize(("service", "field", "english"), [
    ({"minutes": 0}, "services.0.minutes", "greater than or equal to 1"),
    ({"days": []}, "services.0.days", "Length must be between 1 and 7."),
    ({"days": ["mon", "man"]}, "services.0.days.1", "Must be one of: mon, tue"),
    ({"days": ["mon", "mon"]}, "services.0.days", "twice"),
    ({"window_start": "7:00"}, "services.0.window_start", "HH:MM"),
    ({"window_end": "24:00"}, "services.0.window_end", "HH:MM"),
    ({"window_end": "06:00"}, "services.0.window_end", "must end after it starts"),
    ({"window_end": "07:20"}, "services.0.window_end", "shorter than the service's minutes"),
    ({"profession": "Nurse"}, "services.0.profession", "Must be one of: UFL"),
    ({"colour": "blue"}, "services.0.colour", "Unknown field."),
])
def test_a_bad_service_in_a_visitation_is_named_by_its_dotted_path(
    service: dict[str, Any], field: str, english: str
) -> None:
    failure = errors_of("change_visitation",
                        with_("change_visitation", services=[{**SERVICE, **service}]))
    assert list(failure.errors) == [field]
    assert english in failure.errors[field][0]


def test_a_service_that_is_not_an_object_is_named_by_its_index() -> None:
    failure = errors_of("change_visitation", with_("change_visitation", services=[SERVICE, 7]))
    assert failure.errors == {"services.1": ["Invalid input type."]}
    assert failure.errors_da["services.1"] == [
        "Ugyldigt input – forventede et objekt med felter."]


def test_a_payload_that_is_not_an_object_is_rejected_as_a_whole() -> None:
    failure = errors_of("create_team", ["T1"])
    assert failure.errors == {"_schema": ["Invalid input type."]}


def test_ground_rules_accept_exactly_the_keys_of_the_default_ground_rules() -> None:
    assert set(GroundRulesSchema().fields) == set(DEFAULT_GROUND_RULES)
    failure = errors_of("set_ground_rules", with_("set_ground_rules", rules={"lunch": 30}))
    assert failure.errors == {"rules.lunch": ["Unknown field."]}


def test_ground_rules_need_all_three_layers_of_minimum_staffing() -> None:
    rules = {"min_staffing": {"dag": 2, "aften": 1}}
    failure = errors_of("set_ground_rules", with_("set_ground_rules", rules=rules))
    assert failure.errors == {"rules.min_staffing.nat": ["Missing data for required field."]}


def test_ids_nested_in_stored_dicts_load_as_text_and_top_level_ids_as_uuids() -> None:
    _, proposal = load_command("accept_proposal", VALID["accept_proposal"])
    assert proposal["roster_id"] == UUID(ID)
    assert [s["employee_id"] for s in proposal["shifts"]] == [OTHER_ID, None]
    rules = {"night_workers": [ID.upper()]}
    _, ground = load_command("set_ground_rules", with_("set_ground_rules", rules=rules))
    assert ground["rules"] == {"night_workers": [ID]}


def test_values_load_as_the_types_the_domain_expects() -> None:
    _, data = load_command("take_shift", VALID["take_shift"])
    assert data["date"] == date(2026, 11, 23)
    assert data["start"] == datetime(2026, 11, 23, 7, 0) and data["start"].tzinfo is None
    _, hired = load_command("hire_employee", VALID["hire_employee"])
    assert hired["profession"] is Profession.SSA and hired["weekly_hours"] == 37.0
    _, visitation = load_command("change_visitation", VALID["change_visitation"])
    assert visitation["services"][0]["profession"] == "SSH"
    assert type(visitation["services"][0]["profession"]) is str


# -- properties -----------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=3),
    max_leaves=8,
)
FAST = settings(max_examples=50, deadline=None, database=None)


@FAST
@given(name=st.sampled_from(sorted(COMMANDS)), payload=st.one_of(
    JSON, st.dictionaries(st.text(max_size=12), JSON, max_size=5)))
def test_garbage_never_raises_anything_but_validation_failed(name: str, payload: Any) -> None:
    with pytest.raises(ValidationFailed) as caught:
        load_command(name, payload)
    assert caught.value.errors and set(caught.value.errors) == set(caught.value.errors_da)


@FAST
@given(data=st.data(), name=st.sampled_from(sorted(COMMANDS)))
def test_garbage_in_known_fields_is_rejected_field_by_field_or_loads(
    data: st.DataObject, name: str
) -> None:
    schema, _ = COMMANDS[name]
    fields = data.draw(st.sets(st.sampled_from(sorted(schema().fields)), min_size=1))
    payload = {**VALID[name], **{f: data.draw(JSON, label=f) for f in fields}}
    try:
        load_command(name, payload)
    except ValidationFailed as failure:
        assert {path.split(".")[0] for path in failure.errors} <= set(payload)
        assert all(da for messages in failure.errors_da.values() for da in messages)


@FAST
@given(hours=st.one_of(st.floats(max_value=0), st.floats(min_value=48, exclude_min=True)))
def test_weekly_hours_outside_zero_to_forty_eight_are_named(hours: float) -> None:
    failure = errors_of("hire_employee", with_("hire_employee", weekly_hours=hours))
    assert list(failure.errors) == ["weekly_hours"]


@FAST
@given(lat=st.floats(allow_nan=False).filter(lambda v: abs(v) > 90),
       lon=st.floats(allow_nan=False).filter(lambda v: abs(v) > 180))
def test_coordinates_off_the_globe_are_named(lat: float, lon: float) -> None:
    failure = errors_of("register_citizen", with_("register_citizen", lat=lat, lon=lon))
    assert set(failure.errors) == {"lat", "lon"}


CODES = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1,
                max_size=40).filter(str.strip)


@FAST
@given(code=CODES, name=CODES, lat=st.floats(-90, 90), lon=st.floats(-180, 180))
def test_generated_valid_teams_load(code: str, name: str, lat: float, lon: float) -> None:
    payload = {"code": code, "name": name, "area": name, "base_lat": lat, "base_lon": lon}
    assert load_command("create_team", payload)[1] == payload


@FAST
@given(start=st.integers(0, 23 * 60 + 58), length=st.integers(1, 24 * 60),
       minutes=st.integers(1, 480), days=st.sets(st.sampled_from(WEEKDAYS), min_size=1))
def test_generated_services_load_exactly_when_the_window_fits_the_minutes(
    start: int, length: int, minutes: int, days: set[str]
) -> None:
    end = min(start + length, 23 * 60 + 59)
    service = {**SERVICE, "minutes": minutes, "days": sorted(days),
               "window_start": f"{start // 60:02}:{start % 60:02}",
               "window_end": f"{end // 60:02}:{end % 60:02}"}
    payload = with_("change_visitation", services=[service])
    if end - start >= minutes:
        assert load_command("change_visitation", payload)[1]["services"] == [service]
    else:
        assert list(errors_of("change_visitation", payload).errors) == [
            "services.0.window_end"]
