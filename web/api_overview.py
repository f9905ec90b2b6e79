"""The JSON API of Teamoverblik and Evaluering (flask-smorest, in the OpenAPI document).

``GET /api/teams/<team id>/overview?first=2026-W02&last=2026-W09`` gives the
team's figures per ISO week; ``GET /api/evaluation?team=OE1&before_start=…``
compares two periods as the Evaluering page does. Shares are fractions 0–1 in
the week and period figures, percentages in the comparison table (as in
figures.csv). Bad input answers 422 naming the field; another team's figures 403.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Flask
from flask.views import MethodView
from marshmallow import RAISE, fields

from projections.evaluation import distribution_table, figure_table, period_of
from web import api_schemas as a
from web.api import Blueprint
from web.evaluation import EvaluationQuery, comparison
from web.figurepanels import figures_answer
from web.overview import team_weeks
from web.schemas import CommandSchema

blp = Blueprint("overview_api", __name__, url_prefix="/api",
                description="Teamoverblik og evaluering: nøgletal pr. uge og før/efter")

WEEK_PATTERN = r"^\d{4}-W\d{1,2}$"


class OverviewQuery(CommandSchema):
    """Which weeks (ISO, inclusive); default the 8 weeks up to the latest delivered day."""

    first = fields.String(metadata={"description": "first ISO week", "example": "2026-W02",
                                    "pattern": WEEK_PATTERN})
    last = fields.String(metadata={"description": "last ISO week", "example": "2026-W09",
                                   "pattern": WEEK_PATTERN})


class TeamRef(a.Answer):
    id = fields.String()
    code = fields.String()
    name = fields.String()
    area = fields.String()


class FiguresAnswer(a.Answer):
    """A team's figures for a week or period; shares are fractions 0–1, null without data."""

    week = fields.String(metadata={"description": "ISO week of the first day"})
    start = fields.Date()
    end = fields.Date()
    period = fields.String(metadata={"description": "before, after or empty (evaluation)"})
    visits = fields.Integer(metadata={"description": "delivered visits"})
    staff_visits = fields.Integer()
    direct_minutes = fields.Integer()
    attended_minutes = fields.Integer()
    shifts = fields.Integer()
    continuity_mean = fields.Float(allow_none=True)
    continuity_median = fields.Float(allow_none=True)
    continuity_n = fields.Integer(metadata={"description": "citizen-windows of 14 days"})
    continuity_distribution = fields.Dict(keys=fields.String(), values=fields.Integer())
    contact_visits = fields.Integer()
    contact_share = fields.Float(allow_none=True)
    btp_direct = fields.Float(allow_none=True)
    btp_buurtzorg = fields.Float(allow_none=True)
    members = fields.Integer()
    planned_minutes = fields.Integer()
    sick_minutes = fields.Integer()
    sick_days = fields.Integer()
    sick_rate = fields.Float(allow_none=True)
    rehab_courses = fields.Integer()
    rehab_minutes_change = fields.Integer()
    rehab_mean_change = fields.Float(allow_none=True)
    visitation_changes = fields.Integer()
    granted_change = fields.Integer()
    bids = fields.Integer()
    bids_met = fields.Integer()
    bids_met_share = fields.Float(allow_none=True)
    swaps = fields.Integer()
    takes = fields.Integer()
    releases = fields.Integer()
    proposals = fields.Integer()
    proposal_shifts = fields.Integer()
    proposal_shifts_changed = fields.Integer()
    proposal_changed_share = fields.Float(allow_none=True)
    changes_after_publish = fields.Integer()


class OverviewAnswer(a.Answer):
    team = fields.Nested(TeamRef)
    first = fields.String(metadata={"description": "first ISO week shown"})
    last = fields.String(metadata={"description": "last ISO week shown"})
    weeks = fields.List(fields.Nested(FiguresAnswer))


class PeriodAnswer(a.Answer):
    name = fields.String()
    start = fields.Date()
    end = fields.Date()
    days = fields.Integer()


class FigureRowAnswer(a.Answer):
    """One figure compared: percentages for shares; difference = after − before."""

    figure = fields.String()
    label = fields.String(metadata={"description": "Danish"})
    unit = fields.String()
    before = fields.Float(allow_none=True)
    after = fields.Float(allow_none=True)
    difference = fields.Float(allow_none=True)
    n_before = fields.Integer()
    n_after = fields.Integer()
    observations = fields.String(metadata={"description": "what n counts (Danish)"})


class DistributionAnswer(a.Answer):
    distinct_staff = fields.String()
    before = fields.Integer()
    after = fields.Integer()


class EvaluationAnswer(a.Answer):
    team = fields.Nested(TeamRef)
    before = fields.Nested(PeriodAnswer)
    after = fields.Nested(PeriodAnswer)
    figures = fields.List(fields.Nested(FigureRowAnswer))
    periods = fields.Dict(keys=fields.String(), values=fields.Nested(FiguresAnswer))
    weeks = fields.List(fields.Nested(FiguresAnswer))
    distribution = fields.List(fields.Nested(DistributionAnswer))


@blp.route("/teams/<uuid:team_id>/overview")
class Overview(MethodView):
    @blp.arguments(OverviewQuery, location="query", unknown=RAISE)
    @blp.response(200, OverviewAnswer)
    def get(self, query: dict[str, Any], team_id: UUID) -> dict[str, Any]:
        """The team's figures per ISO week (Teamoverblik), with observations."""
        team, weeks = team_weeks(team_id, query.get("first"), query.get("last"))
        return {"team": _team(team), "first": weeks[0].week, "last": weeks[-1].week,
                "weeks": [figures_answer(w) for w in weeks]}


@blp.route("/evaluation")
class Evaluation(MethodView):
    @blp.arguments(EvaluationQuery, location="query", unknown=RAISE)
    @blp.response(200, EvaluationAnswer)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Compare two periods of a team (before/after); missing dates: history cut halfway."""
        result = comparison(query)
        team = {"id": result.team["team_id"], **result.team}
        return {
            "team": team, "before": _period(result.before), "after": _period(result.after),
            "figures": figure_table(result),
            "periods": {name: figures_answer(f) for name, f in result.figures.items()},
            "weeks": [{**figures_answer(w), "period": period_of(result, w)}
                      for w in result.weeks],
            "distribution": distribution_table(result),
        }


def _team(team: dict[str, Any]) -> dict[str, Any]:
    return {k: str(team[k]) if k == "id" else team[k] for k in ("id", "code", "name", "area")}


def _period(period: Any) -> dict[str, Any]:
    return {"name": period.name, "start": period.start, "end": period.end, "days": period.days}


def init_app(app: Flask) -> None:
    """Register the API blueprint with the app's Api (``web.api.init_app`` made it)."""
    app.extensions["pusleplan_api"].register_blueprint(blp)
