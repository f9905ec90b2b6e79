"""Commands through ``web.commands.execute`` on the real application (SQLite and PostgreSQL).

A rejected command stores nothing; a valid one is stored; schema output fits the
domain for every command (the narrative scenario runs each of them once).
"""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.application import Pusleplan
from domain.citizens import Citizen
from domain.errors import ValidationFailed
from domain.values import Actor, Role
from tests.test_schemas import VALID
from web.commands import COMMANDS, execute, flatten_messages, translate_to_danish

LEADER = Actor("leder", Role.LEADER)
MONDAY = "2026-11-23"


def run(app: Pusleplan, name: str, /, **payload: Any) -> Any:
    return execute(app, name, payload, LEADER)


def stored(app: Pusleplan) -> int | None:
    return app.recorder.max_notification_id()


def test_an_unknown_command_is_rejected_naming_the_command_field(app: Pusleplan) -> None:
    with pytest.raises(ValidationFailed) as caught:
        execute(app, "drop_everything", {}, LEADER)
    assert caught.value.field == "command"
    assert caught.value.errors == {"command": ["Unknown command."]}
    assert caught.value.errors_da == {"command": ["Ukendt kommando."]}
    assert stored(app) is None


def test_a_valid_command_is_stored(app: Pusleplan) -> None:
    before = stored(app)
    team = run(app, "create_team", **VALID["create_team"])
    assert team == UUID(app.team(team)["id"]) and app.team(team)["name"] == "Team Øst"
    assert (stored(app) or 0) > (before or 0)


def test_a_rejected_command_stores_nothing(app: Pusleplan) -> None:
    team = run(app, "create_team", **VALID["create_team"])
    before = stored(app)
    with pytest.raises(ValidationFailed) as caught:
        run(app, "register_citizen", **{**VALID["register_citizen"], "team_id": str(team),
                                        "lat": 555.0})
    assert caught.value.errors == {"lat": [
        "Must be greater than or equal to -90 and less than or equal to 90."]}
    assert stored(app) == before
    assert not app.exists(Citizen.create_id(VALID["register_citizen"]["code"]))


def test_no_command_with_an_unknown_field_reaches_the_store(app: Pusleplan) -> None:
    run(app, "create_team", **VALID["create_team"])
    before = stored(app)
    for name in COMMANDS:
        with pytest.raises(ValidationFailed):
            run(app, name, **{**VALID[name], "colour": "blue"})
    assert stored(app) == before


def test_rejections_are_logged_in_english_without_personal_data(
    app: Pusleplan, caplog: pytest.LogCaptureFixture
) -> None:
    payload = {**VALID["register_citizen"], "lat": "far north"}
    with caplog.at_level(logging.INFO, logger="web.commands"), pytest.raises(ValidationFailed):
        run(app, "register_citizen", **payload)
    assert "register_citizen" in caplog.text and "Not a valid number." in caplog.text
    assert payload["name"] not in caplog.text and payload["address"] not in caplog.text
    assert "far north" not in caplog.text


def test_every_command_runs_through_execute_into_the_domain(app: Pusleplan) -> None:
    # A team with three colleagues, a route, a sister team and ground rules.
    team = run(app, "create_team", code="T1", name="Team Øst", area="Øst", base_lat=55.86,
               base_lon=9.85)
    sister = run(app, "create_team", code="T2", name="Team Vest", area="Vest",
                 base_lat=55.8, base_lon=9.7)
    people = [run(app, "hire_employee", number=f"E{n}", name=f"Kollega {n}",
                  profession=profession, weekly_hours="37", hired_on="2020-01-01")
              for n, profession in enumerate(["SSH", "SSA", "SPL", "SSH"])]
    e1, e2, e3, e4 = (str(p) for p in people)
    for person in (e1, e2, e3, e4):
        run(app, "join_team", team_id=str(team), employee_id=person)
    run(app, "leave_team", team_id=str(team), employee_id=e4, reason="Ny stilling")
    run(app, "define_route", team_id=str(team), route_code="R1", name="Morgen", layer="dag",
        profession="SSH")
    run(app, "link_sister_team", team_id=str(team), sister_team_id=str(sister))
    run(app, "set_ground_rules", team_id=str(team), rules={
        "night_workers": [e3], "min_staffing": {"dag": 2, "aften": 1, "nat": 0}})
    assert app.team(team)["ground_rules"]["night_workers"] == [e3]
    # Contracts and absences.
    run(app, "change_contract", employee_id=e1, weekly_hours=30, profession="SSA",
        effective="2026-01-01")
    run(app, "register_absence", employee_id=e2, absence_id="a1", kind="sick",
        start="2026-11-01")
    run(app, "end_absence", employee_id=e2, absence_id="a1", end="2026-11-03")
    # A citizen with a visitation, triage and a contact person.
    citizen = str(run(app, "register_citizen", **{**VALID["register_citizen"],
                                                   "team_id": str(team)}))
    run(app, "change_visitation", citizen_id=citizen, effective="2026-01-01",
        kind="services", services=VALID["change_visitation"]["services"])
    run(app, "change_visitation", citizen_id=citizen, effective="2026-02-01", kind="package",
        package_minutes_per_week=210, services=None)
    run(app, "change_triage", citizen_id=citizen, triage="gul", reason="Faldet")
    run(app, "assign_contact_person", citizen_id=citizen, employee_id=e1)
    # The roster: bids, puzzling, a proposal, a check, publication, a late change.
    roster = str(run(app, "open_roster", team_id=str(team), period_start=MONDAY))
    run(app, "bid_shift", roster_id=roster, bid_id="b1", employee_id=e1, kind="day_off",
        date="2026-11-28")
    shift = {"date": MONDAY, "layer": "dag", "start": f"{MONDAY}T07:00",
             "end": f"{MONDAY}T15:00"}
    run(app, "take_shift", roster_id=roster, shift_id="s1", employee_id=e1, **shift)
    run(app, "take_shift", roster_id=roster, shift_id="s2", employee_id=e2,
        **{**shift, "date": "2026-11-24", "start": "2026-11-24T07:00",
           "end": "2026-11-24T15:00"})
    run(app, "swap_shifts", roster_id=roster, shift_id="s1", to_employee_id=e2,
        other_shift_id="s2")
    run(app, "release_shift", roster_id=roster, shift_id="s1", employee_id=e2)
    run(app, "accept_proposal", roster_id=roster, objective={"cover": 3}, shifts=[
        {"shift_id": "p1", "employee_id": e1, **shift},
        {"shift_id": "p2", "employee_id": None, **shift, "layer": "aften",
         "start": f"{MONDAY}T15:00", "end": f"{MONDAY}T23:00"}])
    assert app.roster(UUID(roster))["shifts"]["p1"]["employee_id"] == e1
    run(app, "record_roster_check", roster_id=roster, hard_violations=0, soft_violations=1)
    run(app, "publish_roster", roster_id=roster, published_at="2026-10-01T12:00")
    run(app, "change_shift_after_publish", roster_id=roster, shift_id="p2", employee_id=e3,
        start=f"{MONDAY}T15:00", end=f"{MONDAY}T22:00", changed_at="2026-11-20T09:00",
        reason="Dækker for en syg kollega")
    # The day plan: a route, visits planned, moved, delivered and cancelled.
    day = {"team_id": str(team), "date": MONDAY}
    run(app, "assign_route", **day, route_code="R1", employee_id=e1)
    visit = {"citizen_id": citizen, "service_codes": ["PP1"], "minutes": 30,
             "required_profession": "SSH"}
    run(app, "plan_visit", **day, **visit, visit_id="v1", start=f"{MONDAY}T08:00",
        employee_ids=[e1])
    run(app, "plan_visits", **day, visits=[
        {**visit, "visit_id": "v2", "start": f"{MONDAY}T12:00", "employee_ids": [e1]},
        {**visit, "visit_id": "v3", "start": f"{MONDAY}T18:00", "employee_ids": [e2, e3],
         "double_staffed": True}])
    run(app, "move_visit", **day, visit_id="v1", employee_ids=[e3],
        start=f"{MONDAY}T08:30", reason="Puslemøde")
    run(app, "record_deliveries", **day, deliveries=[
        {"visit_id": "v1", "actual_start": f"{MONDAY}T08:35",
         "actual_end": f"{MONDAY}T09:05", "employee_ids": [e3]}])
    run(app, "cancel_visit", **day, visit_id="v2", reason="Indlagt")
    run(app, "discharge_citizen", citizen_id=citizen, on="2026-12-01", reason="Flyttet")
    assert app.repository.get(UUID(citizen)).is_discharged


# -- translation -----------------------------------------------------------------------


@pytest.mark.parametrize(("english", "danish"), [
    ("Missing data for required field.", "Feltet skal udfyldes."),
    ("Unknown field.", "Ukendt felt."),
    ("Field may not be null.", "Feltet skal have en værdi (ikke null)."),
    ("Not a valid date.", "Ikke en gyldig dato (ÅÅÅÅ-MM-DD)."),
    ("Not a valid datetime.", "Ikke et gyldigt tidspunkt (ÅÅÅÅ-MM-DDTTT:MM)."),
    ("Not a valid UUID.", "Ikke et gyldigt id (UUID)."),
    ("Not a valid integer.", "Skal være et helt tal."),
    ("Not a valid number.", "Skal være et tal."),
    ("Not a valid string.", "Skal være en tekst."),
    ("Not a valid boolean.", "Skal være sand eller falsk (true/false)."),
    ("Must be one of: dag, aften, nat.", "Skal være en af: dag, aften, nat."),
    ("Must be greater than or equal to 1 and less than or equal to 12.",
     "Skal være mindst 1 og højst 12."),
    ("Must be greater than 0 and less than or equal to 48.0.",
     "Skal være større end 0 og højst 48."),
    ("Must be less than 2.5.", "Skal være mindre end 2,5."),
    ("Length must be between 1 and 7.", "Længden skal være mellem 1 og 7."),
    ("Shorter than minimum length 3.", "Længden skal være mindst 3."),
    ("Longer than maximum length 40.", "Længden må højst være 40."),
    ("Must be after the start.", "Sluttidspunktet skal ligge efter starttidspunktet."),
    ("Something nobody foresaw.", "Ugyldig værdi."),
])
def test_messages_are_translated_to_danish(english: str, danish: str) -> None:
    assert translate_to_danish(english) == danish


@settings(max_examples=50, deadline=None, database=None)
@given(st.text(max_size=60))
def test_no_message_is_ever_left_untranslated(message: str) -> None:
    danish = translate_to_danish(message)
    assert danish and (danish != message or message == "Ugyldig værdi.")


def test_nested_messages_flatten_to_dotted_paths() -> None:
    messages = {"services": {0: {"minutes": ["Too many."], "_schema": ["Bad."]}},
                "objective": {"x": {"value": ["Not a valid integer."]}}, "_schema": ["Odd."]}
    assert flatten_messages(messages) == {
        "services.0.minutes": ["Too many."], "services.0": ["Bad."],
        "objective.x.value": ["Not a valid integer."], "_schema": ["Odd."]}
