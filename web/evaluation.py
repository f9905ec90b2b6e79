"""Evaluering: compare two periods of a team (før/efter) with numbers, charts and CSV.

``/evaluering?team=OE1&before_start=…&before_end=…&after_start=…&after_end=…``
shows every figure of both periods with the difference and the number of
observations behind it, the weekly course over both periods with the periods
shaded, and the continuity distribution; ``/evaluering/<table>.csv`` downloads
the same tables ``pusleplan evaluate`` writes (figures, weeks,
continuity_distribution), computed by the same code
(``projections.evaluation``). Missing fields take defaults: the first team the
user may read, and the team's delivered history cut in two halfway (the demo's
reorganisation). The figures are counts and shares only — no citizen or staff
appears — so evaluators, leaders, planners and administrative staff may use it
for their teams, and members for their own team.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user
from marshmallow import EXCLUDE, ValidationError, fields
from marshmallow.validate import Length

from domain.errors import ValidationFailed
from projections.evaluation import (
    CSV_TABLES,
    Comparison,
    Period,
    compare,
    csv_text,
    delivered_span,
    distribution_table,
    figure_table,
    halfway,
    period_of,
)
from projections.teamfigures import find_team, teams
from projections.teamoverview import TeamOverviewView
from web import services
from web.authz import may_read_team, require_team
from web.charts import Band, Series, bar_chart, number
from web.commands import flatten_messages, validation_failed
from web.figurepanels import panels
from web.overview import cached, invalid
from web.schemas import CommandSchema

bp = Blueprint("evaluation", __name__)

MAX_DAYS = 2 * 366
#: The days a period may name (a plan's history; keeps date arithmetic in range).
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
LABELS_DA = {"team": "Team", "before_start": "Før: fra", "before_end": "Før: til",
             "after_start": "Efter: fra", "after_end": "Efter: til"}
PERIOD_DA = {"before": "før", "after": "efter", "": ""}
BEFORE_AFTER_COLOURS = ("#8c9bab", "#2a7f62")


class EvaluationQuery(CommandSchema):
    """A team and two periods; a missing date takes the default (history cut halfway)."""

    team = fields.String(required=True, validate=Length(min=1, max=64),
                         metadata={"description": "team code (e.g. OE1) or id",
                                   "example": "OE1"})
    before_start = fields.Date(metadata={"description": "first day of the period before"})
    before_end = fields.Date(metadata={"description": "last day of the period before"})
    after_start = fields.Date(metadata={"description": "first day of the period after"})
    after_end = fields.Date(metadata={"description": "last day of the period after"})


def default_periods(view: TeamOverviewView, team_id: str) -> tuple[Period, Period]:
    """The team's delivered history cut halfway (the last 8 weeks if it has none)."""
    span = delivered_span(view, team_id)
    if span is None:
        today = date.today()
        span = (today - timedelta(days=today.weekday() + 56), today)
    return halfway(*span)


def periods(view: TeamOverviewView, team_id: str, data: dict[str, Any]
            ) -> tuple[Period, Period]:
    """The two periods from ``data``, defaults filled in.

    :raise ValidationFailed: naming the end field when a period ends before it
        starts or is longer than two years.
    """
    before, after = default_periods(view, team_id)
    result = []
    for default in (before, after):
        start = data.get(f"{default.name}_start") or default.start
        end = data.get(f"{default.name}_end") or default.end
        field = f"{default.name}_end"
        for name, day in ((f"{default.name}_start", start), (field, end)):
            if not FIRST_DAY <= day <= LAST_DAY:
                raise invalid(name, f"{name} {day} is outside {FIRST_DAY}..{LAST_DAY}",
                              f"'{LABELS_DA[name]}' skal ligge mellem {FIRST_DAY:%d-%m-%Y} "
                              f"og {LAST_DAY:%d-%m-%Y}.")
        if end < start:
            raise invalid(field, f"{field} {end} lies before {default.name}_start {start}",
                          f"'{LABELS_DA[field]}' ({end:%d-%m-%Y}) ligger før "
                          f"'{LABELS_DA[default.name + '_start']}' ({start:%d-%m-%Y}).")
        if (end - start).days + 1 > MAX_DAYS:
            raise invalid(field, f"{default.name} period longer than {MAX_DAYS} days",
                          "En periode må højst vare to år.")
        result.append(Period(default.name, start, end))
    return result[0], result[1]


def comparison(data: dict[str, Any]) -> Comparison:
    """The comparison the (validated) query asks for (cached per log position).

    :raise ValidationFailed: unknown team (field ``team``) or a bad period.
    :raise Forbidden: the team is not the user's.
    """

    def compute() -> Comparison:
        with services().overview() as view:
            found = find_team(view, data["team"])
            if found is None:
                raise invalid("team", f"unknown team {data['team'][:64]!r}",
                              f"Der findes intet team '{data['team'][:64]}'.")
            require_team(current_user, found["team_id"])
            before, after = periods(view, found["team_id"], data)
            return compare(view, found["team_id"], before, after)

    key = ("comparison", data["team"].lower(),
           *(data.get(f"{p}_{e}") for p in ("before", "after") for e in ("start", "end")))
    result = cached(key, compute)
    require_team(current_user, result.team["team_id"])  # also when it came from the cache
    return result


def readable_teams() -> list[dict[str, Any]]:
    """The teams the user may evaluate, by code."""
    with services().overview() as view:
        return [t for t in teams(view) if may_read_team(current_user, t["team_id"])]


def load_query(args: Any, choices: list[dict[str, Any]]) -> dict[str, Any]:
    """The page's query (unknown fields ignored; team defaults to the first readable)."""
    try:
        data: dict[str, Any] = EvaluationQuery(partial=("team",), unknown=EXCLUDE).load(
            {k: v for k, v in args.items() if v != ""})
    except ValidationError as error:
        raise validation_failed(flatten_messages(error.messages)) from None
    if not data.get("team"):
        if not choices:
            abort(403)
        data["team"] = choices[0]["code"]
    return data


def charts(result: Comparison) -> dict[str, Any]:
    """The distribution chart and the weekly panels with the periods shaded."""
    weeks = result.weeks
    bands = []
    for period, label in ((result.before, "Før"), (result.after, "Efter")):
        inside = [i for i, w in enumerate(weeks) if period_of(result, w) == period.name]
        if inside:
            bands.append(Band(inside[0], inside[-1], label, period.name))
    rows = distribution_table(result)
    totals = {p: sum(r[p] for r in rows) for p in ("before", "after")}
    series = [Series(label, [100 * r[p] / totals[p] if totals[p] else None for r in rows],
                     [r[p] for r in rows]) for p, label in (("before", "Før"), ("after", "Efter"))]
    distribution = bar_chart(
        "Kontinuitet: fordeling", [r["distinct_staff"] for r in rows], series, unit="%",
        y_label="% af borger-perioder", decimals=0, colours=BEFORE_AFTER_COLOURS,
        x_label="forskellige medarbejdere hos borgeren på 14 dage",
        empty="Ingen borgere fik leverede besøg i de to perioder – der er intet at fordele.")
    return {"distribution": distribution, "distribution_rows": rows, "totals": totals,
            "panels": panels(weeks, bands, lambda w: PERIOD_DA[period_of(result, w)])}


@bp.get("/evaluering")
def page() -> tuple[str, int] | str:
    """The Evaluering page: the form, and the comparison when the query is good."""
    choices = readable_teams()
    args = {k: v.strip() for k, v in request.args.items()}
    try:
        data = load_query(args, choices)
        result = comparison(data)
    except ValidationFailed as error:
        errors = {field: messages[0] for field, messages in error.errors_da.items()}
        return render_template("evaluering.html", choices=choices, args=args, errors=errors,
                               labels=LABELS_DA, result=None), 422
    form = {"team": result.team["code"], **{
        f"{p.name}_{end}": getattr(p, end).isoformat()
        for p in (result.before, result.after) for end in ("start", "end")}}
    return render_template("evaluering.html", choices=choices, args=form, errors={},
                           labels=LABELS_DA, result=result, figures=figure_table(result),
                           number=number, query=form, **charts(result))


@bp.get("/evaluering/<table>.csv")
def download(table: str) -> Response:
    """A table of the comparison as CSV (the files ``pusleplan evaluate`` writes)."""
    if table not in CSV_TABLES:
        abort(404)
    data = load_query({k: v.strip() for k, v in request.args.items()}, readable_teams())
    result = comparison(data)
    name = f"evaluering-{result.team['code']}-{result.before.start}-{result.after.end}-{table}"
    return Response(csv_text(CSV_TABLES[table](result)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
