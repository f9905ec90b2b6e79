"""Schemas of the JSON API's answers and of the bodies it takes beside the command schemas.

The command bodies themselves reuse ``web.schemas`` (one schema per command);
where the roster id comes from the URL, a subclass leaves it out of the body.
"""

from __future__ import annotations

from marshmallow import Schema, fields

from web import schemas as s


class Answer(Schema):
    """Base of the answer schemas (dump only)."""


# -- command bodies without the roster id (it is in the URL) -------------------------------


def _without_roster_id(schema: type[s.CommandSchema], name: str) -> type[s.CommandSchema]:
    meta = type("Meta", (s.CommandSchema.Meta,), {"exclude": ("roster_id",)})
    return type(name, (schema,), {"Meta": meta, "__doc__": schema.__doc__})


BidBody = _without_roster_id(s.BidShiftSchema, "BidBody")
TakeBody = _without_roster_id(s.TakeShiftSchema, "TakeBody")
ReleaseBody = _without_roster_id(s.ReleaseShiftSchema, "ReleaseBody")
SwapBody = _without_roster_id(s.SwapShiftsSchema, "SwapBody")


class LoginBody(s.CommandSchema):
    """Log in with a user name and password (JSON clients)."""

    username = fields.String(required=True, metadata={"example": "medlem1"})
    password = fields.String(required=True, load_only=True)


# -- answers ------------------------------------------------------------------------------


class UserAnswer(Answer):
    username = fields.String()
    display_name = fields.String()
    role = fields.String()
    team_ids = fields.List(fields.String())
    employee_id = fields.String(allow_none=True)


class SessionAnswer(Answer):
    user = fields.Nested(UserAnswer, allow_none=True)
    csrf_token = fields.String(metadata={"description": "send as the X-CSRFToken header"})


class TeamRowAnswer(Answer):
    id = fields.String()
    code = fields.String()
    name = fields.String()
    area = fields.String()
    members = fields.Integer()
    routes = fields.Integer()
    citizens = fields.Integer()
    sister_team_id = fields.String(allow_none=True)
    sister_team_code = fields.String(allow_none=True)
    sister_team_name = fields.String(allow_none=True)


class TeamListAnswer(Answer):
    teams = fields.List(fields.Nested(TeamRowAnswer))


class MemberAnswer(Answer):
    employee_id = fields.String()
    name = fields.String()
    profession = fields.String()
    weekly_hours = fields.Float()


class RosterPeriodAnswer(Answer):
    roster_id = fields.String()
    period_start = fields.Date()
    weeks = fields.Integer()
    published = fields.Boolean()


class TeamAnswer(Answer):
    id = fields.String()
    code = fields.String()
    name = fields.String()
    area = fields.String()
    members = fields.List(fields.Nested(MemberAnswer))
    routes = fields.Dict(keys=fields.String(), values=fields.Dict())
    rosters = fields.List(fields.Nested(RosterPeriodAnswer))
    version = fields.Integer()


class ShiftAnswer(Answer):
    shift_id = fields.String()
    employee_id = fields.String(allow_none=True)
    date = fields.Date()
    layer = fields.String()
    start = fields.NaiveDateTime()
    end = fields.NaiveDateTime()
    route = fields.String(allow_none=True)


class BidAnswer(Answer):
    bid_id = fields.String()
    employee_id = fields.String()
    kind = fields.String()
    date = fields.Date()
    layer = fields.String(allow_none=True)
    route = fields.String(allow_none=True)
    weight = fields.Integer()


class RosterAnswer(Answer):
    id = fields.String()
    team_id = fields.String()
    period_start = fields.Date()
    weeks = fields.Integer()
    published_at = fields.NaiveDateTime(allow_none=True)
    version = fields.Integer(metadata={"description": "send as If-Match to detect conflicts"})
    people = fields.List(fields.Nested(MemberAnswer))
    shifts = fields.List(fields.Nested(ShiftAnswer))
    bids = fields.List(fields.Nested(BidAnswer))


class ViolationAnswer(Answer):
    rule = fields.String(metadata={"example": "R1"})
    severity = fields.String(metadata={"description": "hard, soft or cost"})
    employee = fields.String()
    dates = fields.List(fields.Date())
    measured = fields.Float()
    limit = fields.Float()
    unit = fields.String()
    message = fields.String(metadata={"description": "Danish, for people"})
    suggestion = fields.String(metadata={"description": "Danish, what would fix it"})
    shift_ids = fields.List(fields.String())


class VerdictAnswer(Answer):
    roster_id = fields.String()
    version = fields.Integer()
    ok = fields.Boolean(metadata={"description": "no hard rule is broken"})
    hard = fields.Integer()
    soft = fields.Integer()
    violations = fields.List(fields.Nested(ViolationAnswer))


class CommandAnswer(Answer):
    roster_id = fields.String()
    version = fields.Integer()


class ErrorAnswer(Answer):
    error = fields.String()
    message = fields.String(metadata={"description": "Danish, for people"})
    detail = fields.String(metadata={"description": "English, for programs and logs"})
    field = fields.String(allow_none=True)
    fields_ = fields.Dict(data_key="fields", keys=fields.String(),
                          values=fields.List(fields.String()))
