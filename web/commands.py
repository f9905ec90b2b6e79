"""The command registry: validate a payload with its schema, then call the application.

``execute(app, "hire_employee", payload, actor)`` is the one way the web layer
(pages and JSON API alike) runs a command. Bad input raises
``domain.errors.ValidationFailed`` naming every bad field with English messages
(for logs and programs) and Danish ones (for people); the application is not
called, so nothing is stored.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from typing import Any

from marshmallow import Schema, ValidationError

from domain.application import Pusleplan
from domain.errors import ValidationFailed
from domain.values import Actor
from web import schemas as s

log = logging.getLogger(__name__)

#: Command name -> (schema validating its payload, Pusleplan method it calls).
COMMANDS: dict[str, tuple[type[Schema], str]] = {
    "create_team": (s.CreateTeamSchema, "create_team"),
    "join_team": (s.JoinTeamSchema, "join_team"),
    "leave_team": (s.LeaveTeamSchema, "leave_team"),
    "define_route": (s.DefineRouteSchema, "define_route"),
    "link_sister_team": (s.LinkSisterTeamSchema, "link_sister_team"),
    "set_ground_rules": (s.SetGroundRulesSchema, "set_ground_rules"),
    "hire_employee": (s.HireEmployeeSchema, "hire_employee"),
    "change_contract": (s.ChangeContractSchema, "change_contract"),
    "register_absence": (s.RegisterAbsenceSchema, "register_absence"),
    "end_absence": (s.EndAbsenceSchema, "end_absence"),
    "register_citizen": (s.RegisterCitizenSchema, "register_citizen"),
    "change_visitation": (s.ChangeVisitationSchema, "change_visitation"),
    "change_triage": (s.ChangeTriageSchema, "change_triage"),
    "assign_contact_person": (s.AssignContactPersonSchema, "assign_contact_person"),
    "discharge_citizen": (s.DischargeCitizenSchema, "discharge_citizen"),
    "open_roster": (s.OpenRosterSchema, "open_roster"),
    "bid_shift": (s.BidShiftSchema, "bid_shift"),
    "take_shift": (s.TakeShiftSchema, "take_shift"),
    "release_shift": (s.ReleaseShiftSchema, "release_shift"),
    "swap_shifts": (s.SwapShiftsSchema, "swap_shifts"),
    "accept_proposal": (s.AcceptProposalSchema, "accept_proposal"),
    "record_roster_check": (s.RecordRosterCheckSchema, "record_roster_check"),
    "publish_roster": (s.PublishRosterSchema, "publish_roster"),
    "change_shift_after_publish": (s.ChangeShiftAfterPublishSchema,
                                   "change_shift_after_publish"),
    "assign_route": (s.AssignRouteSchema, "assign_route"),
    "plan_visits": (s.PlanVisitsSchema, "plan_visits"),
    "plan_visit": (s.PlanVisitSchema, "plan_visit"),
    "move_visit": (s.MoveVisitSchema, "move_visit"),
    "move_visits": (s.MoveVisitsSchema, "move_visits"),
    "cancel_visit": (s.CancelVisitSchema, "cancel_visit"),
    "record_deliveries": (s.RecordDeliveriesSchema, "record_deliveries"),
    "register_user": (s.RegisterUserSchema, "register_user"),
    "change_password": (s.ChangePasswordSchema, "change_password"),
}

UNKNOWN_COMMAND = "Unknown command."
SCHEMA_FIELD = "_schema"  # marshmallow's key for errors about the payload as a whole

# -- Danish for people ------------------------------------------------------------------

FALLBACK_DA = "Ugyldig værdi."

_EXACT_DA: dict[str, str] = {
    UNKNOWN_COMMAND: "Ukendt kommando.",
    "Missing data for required field.": "Feltet skal udfyldes.",
    "Field may not be null.": "Feltet skal have en værdi (ikke null).",
    "Unknown field.": "Ukendt felt.",
    "Invalid input type.": "Ugyldigt input – forventede et objekt med felter.",
    "Invalid type.": "Ugyldig type.",
    "Invalid value.": FALLBACK_DA,
    "Invalid input.": "Ugyldigt input.",
    "Not a valid list.": "Skal være en liste.",
    "Not a valid tuple.": "Skal være en liste.",
    "Not a valid mapping type.": "Skal være et objekt med nøgler og værdier.",
    "Not a valid string.": "Skal være en tekst.",
    "Not a valid utf-8 string.": "Teksten er ikke gyldig UTF-8.",
    "Not a valid UUID.": "Ikke et gyldigt id (UUID).",
    "Not a valid number.": "Skal være et tal.",
    "Not a valid integer.": "Skal være et helt tal.",
    "Number too large.": "Tallet er for stort.",
    "Special numeric values (nan or infinity) are not permitted.":
        "Særlige talværdier (NaN eller uendelig) er ikke tilladt.",
    "Not a valid boolean.": "Skal være sand eller falsk (true/false).",
    "Not a valid date.": "Ikke en gyldig dato (ÅÅÅÅ-MM-DD).",
    "Not a valid datetime.": "Ikke et gyldigt tidspunkt (ÅÅÅÅ-MM-DDTTT:MM).",
    "Not a valid naive datetime.": "Angiv tidspunktet uden tidszone.",
    "Not a valid aware datetime.": "Angiv tidspunktet med tidszone.",
    "Not a valid time.": "Ikke et gyldigt klokkeslæt (TT:MM).",
    "Not a valid period of time.": "Ikke en gyldig varighed.",
    "Not a valid URL.": "Ikke en gyldig webadresse.",
    "Not a valid email address.": "Ikke en gyldig e-mailadresse.",
    "String does not match expected pattern.": "Teksten har ikke det forventede format.",
}

_OPERATORS_DA = {
    "greater than or equal to": "mindst",
    "greater than": "større end",
    "less than or equal to": "højst",
    "less than": "mindre end",
}
_OPERATOR = "|".join(_OPERATORS_DA)  # longest alternatives first, as listed


def _number_da(text: str) -> str:
    """48.0 -> 48, 0.5 -> 0,5 (Danish decimal comma); anything else unchanged."""
    try:
        value = float(text)
    except ValueError:
        return text
    return str(int(value)) if value.is_integer() else text.replace(".", ",")


def _range_da(match: re.Match[str]) -> str:
    parts = [f"{_OPERATORS_DA[match[1]]} {_number_da(match[2])}"]
    if match[3]:
        parts.append(f"{_OPERATORS_DA[match[3]]} {_number_da(match[4])}")
    return "Skal være " + " og ".join(parts) + "."


_PATTERNS_DA: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(rf"^Must be ({_OPERATOR}) (\S+?)(?: and ({_OPERATOR}) (\S+?))?\.$"), _range_da),
    (re.compile(r"^Shorter than minimum length (\d+)\.$"),
     lambda m: f"Længden skal være mindst {m[1]}."),
    (re.compile(r"^Longer than maximum length (\d+)\.$"),
     lambda m: f"Længden må højst være {m[1]}."),
    (re.compile(r"^Length must be between (\d+) and (\d+)\.$"),
     lambda m: f"Længden skal være mellem {m[1]} og {m[2]}."),
    (re.compile(r"^Length must be (\d+)\.$"), lambda m: f"Længden skal være {m[1]}."),
    (re.compile(r"^Must be one of: (.*)\.$"), lambda m: f"Skal være en af: {m[1]}."),
    (re.compile(r"^Must be equal to (.*)\.$"), lambda m: f"Skal være lig med {m[1]}."),
    (re.compile(r"^One or more of the choices you made was not in: (.*)\.$"),
     lambda m: f"Et eller flere af valgene findes ikke blandt: {m[1]}."),
    (re.compile(r"^One or more of the choices you made was in: (.*)\.$"),
     lambda m: f"Et eller flere af valgene må ikke være: {m[1]}."),
]


def translate_to_danish(message: str) -> str:
    """Danish for an English validation message; never returns English.

    Knows marshmallow's standard messages, the schemas' own messages
    (``web.schemas.DANISH``) and this module's; anything else becomes the
    generic "Ugyldig værdi.".
    """
    known = s.DANISH.get(message) or _EXACT_DA.get(message)
    if known:
        return known
    for pattern, render in _PATTERNS_DA:
        match = pattern.match(message)
        if match:
            return render(match)
    return FALLBACK_DA


# -- errors -----------------------------------------------------------------------------


def flatten_messages(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested messages as dotted paths: ``{"services.0.minutes": [...]}``.

    Errors about a whole (nested) object, keyed ``_schema`` by marshmallow, go to
    the object's own path, or to ``_schema`` at the top.
    """
    flat: dict[str, list[str]] = {}

    def walk(node: Any, path: str) -> None:
        if isinstance(node, Mapping):
            for key, value in node.items():
                part = "" if key == SCHEMA_FIELD else str(key)
                walk(value, f"{path}.{part}" if path and part else path or part)
        elif isinstance(node, list | tuple):
            for item in node:
                walk(item, path)
        else:
            flat.setdefault(path or SCHEMA_FIELD, []).append(str(node))

    walk(messages, prefix)
    return flat


def validation_failed(errors: dict[str, list[str]]) -> ValidationFailed:
    """The domain's ValidationFailed for English ``errors``, with their Danish."""
    errors_da = {field: [translate_to_danish(m) for m in messages]
                 for field, messages in errors.items()}
    return ValidationFailed(errors, errors_da)


# -- running commands --------------------------------------------------------------------


def load_command(name: str, payload: Any) -> tuple[str, dict[str, Any]]:
    """Validate ``payload`` for command ``name``; return the method name and its kwargs.

    :raise ValidationFailed: if the command is unknown (field ``command``) or the
        payload is invalid (every bad field named, in English and Danish).
    """
    if name not in COMMANDS:
        log.info("rejected unknown command %.40r", name)
        raise validation_failed({"command": [UNKNOWN_COMMAND]})
    schema_class, method = COMMANDS[name]
    try:
        data = schema_class().load(payload)
    except ValidationError as error:
        errors = flatten_messages(error.messages)
        # Messages and field names only: payload values may be personal data.
        log.info("rejected command %s: %s", name, errors)
        raise validation_failed(errors) from None
    return method, data


def execute(app: Pusleplan, name: str, payload: Any, actor: Actor) -> Any:
    """Validate ``payload`` for command ``name`` and run it as ``actor``.

    Returns what the application method returns (an id or None).

    :raise ValidationFailed: on bad input; the application is not called, nothing stored.
    :raise DomainError: whatever the command itself raises (NotFound, Conflict, RuleBroken).
    """
    method, data = load_command(name, payload)
    return getattr(app, method)(actor, **data)
