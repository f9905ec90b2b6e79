"""The JSON API of Borgerforløb (flask-smorest, in the OpenAPI document).

``GET /api/teams/<team id>/citizens`` lists the team's citizens and ``GET
/api/teams/<team id>/citizens/<ref>?first=YYYY-MM-DD&last=YYYY-MM-DD`` gives one
citizen's course, as the pages show them (evaluators: pseudonyms, no reasons).
``GET /api/teams/<team id>/audit?first=&last=`` is the team's audit trail
(``web.revisionsspor``). Another team answers 403, an unknown citizen 404, bad
dates 422 naming the field.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from uuid import UUID

from flask import Flask
from flask.views import MethodView
from marshmallow import fields

from web import api_schemas as a
from web.api import Blueprint
from web.borgere import course, readable_team, team_citizens
from web.revisionsspor import readable_trail, team_trail
from web.schemas import CommandSchema

blp = Blueprint("borgere_api", __name__, url_prefix="/api/teams",
                description="Borgerforløb: teamets borgere og hver borgers forløb")


class CitizenAnswer(a.Answer):
    ref = fields.String(metadata={"description": "citizen id (evaluators: pseudonym B-…)"})
    code = fields.String(allow_none=True, metadata={"description": "case code (not for "
                                                                    "evaluators)"})
    triage = fields.String(allow_none=True, metadata={"description": "roed, gul or groen"})
    granted_minutes = fields.Integer(allow_none=True, metadata={"description": "per week"})
    discharged_on = fields.String(allow_none=True)


class LineAnswer(a.Answer):
    day = fields.String()
    kind = fields.String()
    what = fields.String(metadata={"description": "Danish"})
    who = fields.String(metadata={"description": "the role that did it"})
    reason = fields.String(allow_none=True)


class CourseAnswer(a.Answer):
    ref = fields.String()
    title = fields.String(metadata={"description": "case code (evaluators: pseudonym)"})
    triage = fields.String(allow_none=True)
    granted_minutes = fields.Integer(allow_none=True)
    discharged_on = fields.String(allow_none=True)
    contact = fields.String(allow_none=True, metadata={"description": "the contact person"})
    first = fields.Date()
    last = fields.Date()
    events = fields.List(fields.Nested(LineAnswer))
    visits = fields.List(fields.Nested(LineAnswer))
    delivered = fields.Integer(metadata={"description": "delivered visits in the period"})
    staff_met = fields.Integer(metadata={
        "description": "distinct staff on delivered visits in the period's last 14 days"})


class CourseQuery(CommandSchema):
    first = fields.String(metadata={"description": "YYYY-MM-DD (default: 28 days before "
                                                   "last)"})
    last = fields.String(metadata={"description": "YYYY-MM-DD (default: the latest visit)"})


@blp.route("/<uuid:team_id>/citizens")
class Citizens(MethodView):
    @blp.response(200, CitizenAnswer(many=True))
    def get(self, team_id: UUID) -> list[dict[str, Any]]:
        """The team's citizens (evaluators: by pseudonym)."""
        return team_citizens(readable_team(team_id))


@blp.route("/<uuid:team_id>/citizens/<ref>")
class Citizen(MethodView):
    @blp.arguments(CourseQuery, location="query")
    @blp.response(200, CourseAnswer)
    def get(self, query: dict[str, Any], team_id: UUID, ref: str) -> dict[str, Any]:
        """One citizen's course: visitations, triage, contact person and the period's
        visits."""
        team = readable_team(team_id)
        return asdict(course(team, ref, query.get("first"), query.get("last"),
                             ("first", "last")))


class TrailLineAnswer(a.Answer):
    at = fields.String(metadata={"description": "local time YYYY-MM-DD HH:MM (written)"})
    actor_id = fields.String()
    actor_role = fields.String()
    subject = fields.String(metadata={"description": "team, vagtplan, dagsplan D/M, borger"})
    event = fields.String()
    what_da = fields.String()
    detail = fields.String(metadata={"description": "the event's safe fields"})
    reason = fields.String(allow_none=True)


class TrailAnswer(a.Answer):
    first = fields.Date()
    last = fields.Date()
    lines = fields.List(fields.Nested(TrailLineAnswer))
    truncated = fields.Boolean(metadata={"description": "more lines than shown"})


@blp.route("/<uuid:team_id>/audit")
class Audit(MethodView):
    @blp.arguments(CourseQuery, location="query")
    @blp.response(200, TrailAnswer)
    def get(self, query: dict[str, Any], team_id: UUID) -> dict[str, Any]:
        """Revisionsspor: who changed what in the team, when and why (leaders, planners
        and administrative staff; default the last 14 days)."""
        team = readable_trail(team_id)
        return asdict(team_trail(team, query.get("first"), query.get("last"),
                                 ("first", "last")))


def init_app(app: Flask) -> None:
    """Register the API blueprint with the app's Api (``web.api.init_app`` made it)."""
    app.extensions["pusleplan_api"].register_blueprint(blp)
