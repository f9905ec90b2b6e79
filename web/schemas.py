"""Marshmallow schemas at the edge: one per command of ``domain.application.Pusleplan``.

Every schema rejects unknown fields (``unknown = RAISE``) and loads into exactly
the keyword arguments of its application method (without ``actor``), so
``app.<method>(actor, **schema.load(payload))`` is the whole call.

Conventions:

* Aggregate ids (team, employee, citizen, roster) load as ``uuid.UUID``; ids a
  client chooses inside an aggregate (shift, bid, absence, visit) and codes stay
  strings. Ids nested in dicts the domain stores (proposal shifts, night
  workers) are checked as UUIDs and handed on as ``str``, the form the domain
  keeps them in.
* Dates are ISO ``YYYY-MM-DD``. Times are naive ISO datetimes on the Danish wall
  clock (Europe/Copenhagen), e.g. ``2026-11-23T07:30``; a datetime with a
  timezone offset is **rejected**, not converted, so nobody's shift moves by an
  hour because a program sent UTC.
* Our own messages are English; ``DANISH`` translates them for people
  (``web.commands.translate_to_danish`` covers marshmallow's own messages).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from domain.citizens import MAX_MINUTES_PER_VISIT, MAX_PACKAGE_MINUTES_PER_WEEK
from domain.employees import MAX_WEEKLY_HOURS
from domain.rosters import MAX_WEEKS, MIN_WEEKS
from domain.values import (
    WEEKDAYS,
    AbsenceKind,
    BidKind,
    Profession,
    Role,
    ShiftLayer,
    Triage,
    VisitationKind,
)

CODE_MAX, LOCAL_ID_MAX, NAME_MAX, REASON_MAX = 40, 64, 200, 1000

# Our own messages (English for logs and programs) and their Danish for people.
NOT_BLANK = "Must not be blank."
NAIVE_ONLY = "Must be a local time (Europe/Copenhagen) without a timezone offset."
HHMM = "Must be a time of day HH:MM."
DUPLICATES = "Must not contain the same value twice."
END_AFTER_START = "Must be after the start."
END_NOT_BEFORE_START = "Must not be before the start."
WINDOW_ORDER = "The time window must end after it starts."
WINDOW_TOO_SHORT = "The time window is shorter than the service's minutes."
MONDAY_ONLY = "Must be a Monday."
SERVICES_NEEDED = "A services visitation needs at least one service."
PACKAGE_MINUTES_NEEDED = "A package visitation needs its minutes per week."
LAYER_NEEDED = "A shift bid needs a layer (dag, aften or nat)."
ROUTE_NEEDED = "A route bid needs a route."
OWN_SISTER = "A team cannot be its own sister team."
NO_RULES = "Give at least one ground rule."

DANISH: dict[str, str] = {
    NOT_BLANK: "Feltet må ikke være tomt.",
    NAIVE_ONLY: "Angiv lokal dansk tid uden tidszone, fx 2026-11-23T07:30.",
    HHMM: "Skal være et klokkeslæt TT:MM, fx 07:30.",
    DUPLICATES: "Den samme værdi står der to gange.",
    END_AFTER_START: "Sluttidspunktet skal ligge efter starttidspunktet.",
    END_NOT_BEFORE_START: "Slutdatoen må ikke ligge før startdatoen.",
    WINDOW_ORDER: "Tidsvinduets slut skal ligge efter dets start.",
    WINDOW_TOO_SHORT: "Tidsvinduet er kortere end ydelsens varighed.",
    MONDAY_ONLY: "Skal være en mandag.",
    SERVICES_NEEDED: "En visitation med ydelser skal have mindst én ydelse.",
    PACKAGE_MINUTES_NEEDED: "En pakke skal have et antal minutter om ugen.",
    LAYER_NEEDED: "Et ønske om en vagt skal angive vagtlaget (dag, aften eller nat).",
    ROUTE_NEEDED: "Et ønske om en rute skal angive ruten.",
    OWN_SISTER: "Et team kan ikke være sit eget søsterteam.",
    NO_RULES: "Angiv mindst én grundregel.",
}


# -- fields ----------------------------------------------------------------------------


class LocalDate(fields.Date):
    """An ISO date; a datetime is not a date (it would silently keep its time)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        if isinstance(value, datetime):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class WholeNumber(fields.Integer):
    """An integer; integral floats and digit strings load, 1.5 does not (no truncation)."""

    def _validated(self, value: Any) -> int:
        if isinstance(value, float) and not value.is_integer():
            raise self.make_error("invalid", input=value)
        return super()._validated(value)


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError(NOT_BLANK)


def _unique(values: list[Any]) -> None:
    if len({str(v) for v in values}) != len(values):
        raise ValidationError(DUPLICATES)


def text(max_length: int = NAME_MAX, *, blank: bool = False, **kwargs: Any) -> fields.String:
    """A string of at most ``max_length`` characters (non-blank unless ``blank``)."""
    checks: list[Any] = [validate.Length(max=max_length)]
    if not blank:
        checks.insert(0, _not_blank)
    kwargs.setdefault("required", True)
    return fields.String(validate=checks, **kwargs)


def code(**kwargs: Any) -> fields.String:
    """A code (team, route, service, employee number): non-blank, ≤ 40 characters."""
    return text(CODE_MAX, **kwargs)


def local_id(**kwargs: Any) -> fields.String:
    """An id chosen by the client inside an aggregate (shift, bid, absence, visit)."""
    return text(LOCAL_ID_MAX, **kwargs)


def reason(required: bool = False) -> fields.String:
    """Free text explaining why; may be empty."""
    return text(REASON_MAX, blank=True, required=required)


def uuid(**kwargs: Any) -> fields.UUID:
    kwargs.setdefault("required", True)
    return fields.UUID(**kwargs)


def day(**kwargs: Any) -> LocalDate:
    kwargs.setdefault("required", True)
    return LocalDate(**kwargs)


def moment(**kwargs: Any) -> fields.NaiveDateTime:
    """A naive local datetime; timezone-aware values are rejected (see module doc)."""
    kwargs.setdefault("required", True)
    return fields.NaiveDateTime(error_messages={"invalid_awareness": NAIVE_ONLY}, **kwargs)


def number(low: float, high: float, *, low_inclusive: bool = True, **kw: Any) -> fields.Float:
    kw.setdefault("required", True)
    return fields.Float(validate=validate.Range(low, high, min_inclusive=low_inclusive), **kw)


def whole(low: int, high: int, **kwargs: Any) -> WholeNumber:
    kwargs.setdefault("required", True)
    return WholeNumber(validate=validate.Range(low, high), **kwargs)


def enum(kind: Any, **kwargs: Any) -> fields.Enum:
    kwargs.setdefault("required", True)
    return fields.Enum(kind, by_value=True, **kwargs)


def latitude() -> fields.Float:
    return number(-90, 90)


def longitude() -> fields.Float:
    return number(-180, 180)


def check_end_after_start(data: dict[str, Any], start: str, end: str) -> None:
    """Raise on ``end`` unless it lies after ``start`` (both present)."""
    if data.get(start) is not None and data.get(end) is not None and data[end] <= data[start]:
        raise ValidationError(END_AFTER_START, end)


class CommandSchema(Schema):
    """Base of every schema here: unknown fields are an error, never ignored."""

    class Meta:
        unknown = RAISE


# -- teams ------------------------------------------------------------------------------


class CreateTeamSchema(CommandSchema):
    code = code()
    name = text()
    area = text()
    base_lat = latitude()
    base_lon = longitude()


class JoinTeamSchema(CommandSchema):
    team_id = uuid()
    employee_id = uuid()


class LeaveTeamSchema(JoinTeamSchema):
    reason = reason(required=True)


class DefineRouteSchema(CommandSchema):
    team_id = uuid()
    route_code = code()
    name = text()
    layer = enum(ShiftLayer)
    profession = enum(Profession)


class LinkSisterTeamSchema(CommandSchema):
    team_id = uuid()
    sister_team_id = uuid()

    @validates_schema
    def _not_itself(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["team_id"] == data["sister_team_id"]:
            raise ValidationError(OWN_SISTER, "sister_team_id")


class MinStaffingSchema(CommandSchema):
    """Minimum staffing per layer; all three layers, as the rule replaces the whole dict."""

    dag = whole(0, 50)
    aften = whole(0, 50)
    nat = whole(0, 50)


class GroundRulesSchema(CommandSchema):
    """Grundregler: only keys of ``domain.teams.DEFAULT_GROUND_RULES``; any subset."""

    weekend_off_every_n = whole(1, 8, required=False)
    max_nights_in_row = whole(1, 7, required=False)
    min_staffing = fields.Nested(MinStaffingSchema)
    night_workers = fields.List(fields.UUID(), validate=_unique)

    @post_load
    def _ids_as_text(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        if "night_workers" in data:
            data["night_workers"] = [str(e) for e in data["night_workers"]]
        return data


class SetGroundRulesSchema(CommandSchema):
    team_id = uuid()
    rules = fields.Nested(GroundRulesSchema, required=True)

    @validates_schema
    def _some_rule(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data["rules"]:
            raise ValidationError(NO_RULES, "rules")


# -- employees ------------------------------------------------------------------------


def weekly_hours() -> fields.Float:
    return number(0, MAX_WEEKLY_HOURS, low_inclusive=False)


class HireEmployeeSchema(CommandSchema):
    number = code()
    name = text()
    profession = enum(Profession)
    weekly_hours = weekly_hours()
    hired_on = day()
    is_substitute = fields.Boolean()


class ChangeContractSchema(CommandSchema):
    employee_id = uuid()
    weekly_hours = weekly_hours()
    profession = enum(Profession)
    effective = day()


class RegisterAbsenceSchema(CommandSchema):
    employee_id = uuid()
    absence_id = local_id()
    kind = enum(AbsenceKind)
    start = day()
    end = day(required=False, allow_none=True)

    @validates_schema
    def _end_not_before_start(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("end") is not None and data["end"] < data["start"]:
            raise ValidationError(END_NOT_BEFORE_START, "end")


class EndAbsenceSchema(CommandSchema):
    employee_id = uuid()
    absence_id = local_id()
    end = day()


# -- citizens -------------------------------------------------------------------------


def hhmm() -> fields.String:
    return fields.String(
        required=True, validate=validate.Regexp(r"^([01][0-9]|2[0-3]):[0-5][0-9]$", error=HHMM)
    )


def _minutes_of_day(value: str) -> int:
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


class ServiceSchema(CommandSchema):
    """Ydelse (see domain.citizens.check_service); loads the plain dict the domain stores."""

    code = code()
    name = text(required=False)
    minutes = whole(1, MAX_MINUTES_PER_VISIT)
    days = fields.List(
        fields.String(validate=validate.OneOf(WEEKDAYS)), required=True,
        validate=[validate.Length(1, len(WEEKDAYS)), _unique],
    )
    window_start = hhmm()
    window_end = hhmm()
    profession = fields.String(required=True,
                               validate=validate.OneOf([p.value for p in Profession]))
    double_staffed = fields.Boolean()

    @validates_schema
    def _window(self, data: dict[str, Any], **kwargs: Any) -> None:
        start = _minutes_of_day(data["window_start"])
        end = _minutes_of_day(data["window_end"])
        if end <= start:
            raise ValidationError(WINDOW_ORDER, "window_end")
        if end - start < data["minutes"]:
            raise ValidationError(WINDOW_TOO_SHORT, "window_end")


class RegisterCitizenSchema(CommandSchema):
    code = code()
    name = text()
    address = text()
    lat = latitude()
    lon = longitude()
    team_id = uuid()
    registered_on = day()


class ChangeVisitationSchema(CommandSchema):
    citizen_id = uuid()
    effective = day()
    kind = enum(VisitationKind)
    services = fields.List(fields.Nested(ServiceSchema), allow_none=True,
                           validate=validate.Length(max=100))
    package_minutes_per_week = whole(1, MAX_PACKAGE_MINUTES_PER_WEEK, required=False,
                                     allow_none=True)
    reason = reason()

    @validates_schema
    def _kind_needs(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["kind"] is VisitationKind.SERVICES and not data.get("services"):
            raise ValidationError(SERVICES_NEEDED, "services")
        if data["kind"] is VisitationKind.PACKAGE and data.get("package_minutes_per_week") is None:
            raise ValidationError(PACKAGE_MINUTES_NEEDED, "package_minutes_per_week")


class ChangeTriageSchema(CommandSchema):
    citizen_id = uuid()
    triage = enum(Triage)
    reason = reason()


class AssignContactPersonSchema(CommandSchema):
    citizen_id = uuid()
    employee_id = uuid()


class DischargeCitizenSchema(CommandSchema):
    citizen_id = uuid()
    on = day()
    reason = reason(required=True)


# -- rosters --------------------------------------------------------------------------


def _monday(value: date) -> None:
    if value.weekday() != 0:
        raise ValidationError(MONDAY_ONLY)


class OpenRosterSchema(CommandSchema):
    team_id = uuid()
    period_start = day(validate=_monday)
    weeks = whole(MIN_WEEKS, MAX_WEEKS, required=False)


class BidShiftSchema(CommandSchema):
    roster_id = uuid()
    bid_id = local_id()
    employee_id = uuid()
    kind = enum(BidKind)
    date = day()
    layer = enum(ShiftLayer, required=False, allow_none=True)
    route = code(required=False, allow_none=True)
    weight = whole(1, 100, required=False)

    @validates_schema
    def _kind_needs(self, data: dict[str, Any], **kwargs: Any) -> None:
        shift_bid = data["kind"] in (BidKind.WANT_SHIFT, BidKind.AVOID_SHIFT)
        if shift_bid and data.get("layer") is None:
            raise ValidationError(LAYER_NEEDED, "layer")
        if data["kind"] is BidKind.WANT_ROUTE and not data.get("route"):
            raise ValidationError(ROUTE_NEEDED, "route")


class ShiftTimesSchema(CommandSchema):
    """Fields of a shift with a day, a layer and local start and end times."""

    date = day()
    layer = enum(ShiftLayer)
    start = moment()
    end = moment()
    route = code(required=False, allow_none=True)

    @validates_schema
    def _end_after_start(self, data: dict[str, Any], **kwargs: Any) -> None:
        check_end_after_start(data, "start", "end")


class TakeShiftSchema(ShiftTimesSchema):
    roster_id = uuid()
    shift_id = local_id()
    employee_id = uuid()


class ReleaseShiftSchema(CommandSchema):
    roster_id = uuid()
    shift_id = local_id()
    employee_id = uuid()


class SwapShiftsSchema(CommandSchema):
    roster_id = uuid()
    shift_id = local_id()
    to_employee_id = uuid()
    other_shift_id = local_id(required=False, allow_none=True)


class ProposalShiftSchema(ShiftTimesSchema):
    """One shift of a solver proposal; an open shift has no ``employee_id``."""

    shift_id = local_id()
    employee_id = uuid(required=False, allow_none=True)

    @post_load
    def _id_as_text(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        if data.get("employee_id") is not None:
            data["employee_id"] = str(data["employee_id"])
        return data


class AcceptProposalSchema(CommandSchema):
    roster_id = uuid()
    shifts = fields.List(fields.Nested(ProposalShiftSchema), required=True,
                         validate=validate.Length(max=5000))
    objective = fields.Dict(keys=code(), values=WholeNumber(), allow_none=True)

    @validates_schema
    def _unique_shift_ids(self, data: dict[str, Any], **kwargs: Any) -> None:
        _unique_in(data["shifts"], "shift_id", "shifts")


def _unique_in(items: list[dict[str, Any]], key: str, field: str) -> None:
    try:
        _unique([item[key] for item in items])
    except ValidationError:
        raise ValidationError(DUPLICATES, field) from None


class RecordRosterCheckSchema(CommandSchema):
    roster_id = uuid()
    hard_violations = whole(0, 100_000)
    soft_violations = whole(0, 100_000)


class PublishRosterSchema(CommandSchema):
    roster_id = uuid()
    published_at = moment()


class ChangeShiftAfterPublishSchema(CommandSchema):
    roster_id = uuid()
    shift_id = local_id()
    employee_id = uuid(allow_none=True)
    start = moment()
    end = moment()
    changed_at = moment()
    reason = text(REASON_MAX)
    exchange_shift_id = local_id(required=False, load_default=None, allow_none=True)

    @validates_schema
    def _end_after_start(self, data: dict[str, Any], **kwargs: Any) -> None:
        check_end_after_start(data, "start", "end")


# -- day plans ------------------------------------------------------------------------


class DayPlanSchema(CommandSchema):
    """Fields naming one team's day plan."""

    team_id = uuid()
    date = day()


class AssignRouteSchema(DayPlanSchema):
    route_code = code()
    employee_id = uuid()


def employee_ids(low: int = 0) -> fields.List:
    """One person, two on a double-staffed visit, none on an unassigned one."""
    return fields.List(fields.UUID(), required=True,
                       validate=[validate.Length(low, 2), _unique])


class VisitSchema(CommandSchema):
    """One planned visit (besøg)."""

    visit_id = local_id()
    citizen_id = uuid()
    service_codes = fields.List(code(), required=True,
                                validate=[validate.Length(1, 20), _unique])
    start = moment()
    minutes = whole(1, MAX_MINUTES_PER_VISIT)
    employee_ids = employee_ids()
    required_profession = enum(Profession)
    double_staffed = fields.Boolean()


class PlanVisitsSchema(DayPlanSchema):
    visits = fields.List(fields.Nested(VisitSchema), required=True,
                         validate=validate.Length(1, 1000))
    routes = fields.Dict(keys=code(), values=fields.UUID(required=True), load_default=None,
                         allow_none=True, validate=validate.Length(max=100),
                         metadata={"description": "route code -> employee id for the day"})

    @validates_schema
    def _unique_visit_ids(self, data: dict[str, Any], **kwargs: Any) -> None:
        _unique_in(data["visits"], "visit_id", "visits")


class PlanVisitSchema(VisitSchema, DayPlanSchema):
    """One visit: the day plan's fields and the visit's fields side by side."""


class MoveVisitSchema(DayPlanSchema):
    visit_id = local_id()
    employee_ids = employee_ids()
    start = moment()
    reason = reason(required=True)


class VisitMoveSchema(CommandSchema):
    """One move of a visit in a day plan (to other people or another time)."""

    visit_id = local_id()
    employee_ids = employee_ids()
    start = moment()
    reason = reason(required=True)
    double_staffed = fields.Boolean(metadata={
        "description": "true: the visit now needs two people (dobbeltbemanding)"})


class MoveVisitsSchema(CommandSchema):
    """Moves in one or more teams' day plans (team id -> moves), stored together with
    the visits cancelled (team id -> visit id -> reason) and added (team id -> visits)."""

    date = day()
    moves = fields.Dict(keys=fields.UUID(), required=True, validate=validate.Length(0, 20),
                        values=fields.List(fields.Nested(VisitMoveSchema),
                                           validate=validate.Length(1, 1000)))
    cancelled = fields.Dict(keys=fields.UUID(), validate=validate.Length(1, 20),
                            values=fields.Dict(keys=local_id(), values=reason(),
                                               validate=validate.Length(1, 1000)))
    added = fields.Dict(keys=fields.UUID(), validate=validate.Length(1, 20),
                        values=fields.List(fields.Nested(VisitSchema),
                                           validate=validate.Length(1, 1000)))


class CancelVisitSchema(DayPlanSchema):
    visit_id = local_id()
    reason = reason(required=True)


class DeliverySchema(CommandSchema):
    """A delivered visit, imported from the care record system."""

    visit_id = local_id()
    actual_start = moment()
    actual_end = moment()
    employee_ids = employee_ids(low=1)

    @validates_schema
    def _end_after_start(self, data: dict[str, Any], **kwargs: Any) -> None:
        check_end_after_start(data, "actual_start", "actual_end")


class RecordDeliveriesSchema(DayPlanSchema):
    deliveries = fields.List(fields.Nested(DeliverySchema), required=True,
                             validate=validate.Length(1, 1000))

    @validates_schema
    def _unique_visit_ids(self, data: dict[str, Any], **kwargs: Any) -> None:
        _unique_in(data["deliveries"], "visit_id", "deliveries")


# -- users ---------------------------------------------------------------------------

ARGON2_ONLY = "Must be an argon2 hash; the web layer hashes passwords before the command."


def password_hash() -> fields.String:
    return fields.String(required=True, validate=[
        validate.Regexp(r"^\$argon2(id|i|d)\$", error=ARGON2_ONLY), validate.Length(max=512)])


class RegisterUserSchema(CommandSchema):
    username = fields.String(required=True, validate=[
        validate.Regexp(r"^[a-z0-9._-]{2,40}$",
                        error="Use 2–40 lowercase letters, digits, '.', '_' or '-'.")])
    display_name = text()
    role = enum(Role)
    password_hash = password_hash()
    team_ids = fields.List(uuid(), load_default=list, validate=_unique)
    employee_id = uuid(required=False, load_default=None, allow_none=True)


class ChangePasswordSchema(CommandSchema):
    username = code()
    password_hash = password_hash()


DANISH[ARGON2_ONLY] = "Adgangskoden skal være hashet (argon2), før den gemmes."
DANISH["Use 2–40 lowercase letters, digits, '.', '_' or '-'."] = (
    "Brug 2–40 små bogstaver, tal, '.', '_' eller '-'.")
