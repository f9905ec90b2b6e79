"""Teams (teams): the team directory and one team's page, and the health check."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from flask import Blueprint, render_template
from flask_login import current_user

from domain.teams import team_id
from projections.teams import TeamRow
from web import services
from web.authz import may_read_team, require_team
from web.puzzle import now_local
from web.rosterdata import Names, current_period, team_rosters

bp = Blueprint("teams", __name__)


@bp.get("/")
def index() -> str:
    """The front page: every team from the team directory; one's own teams are links."""
    teams = services().teams()
    return render_template(
        "teams.html", teams=teams, heading=area_heading(teams),
        totals={"members": sum(t.members for t in teams),
                "citizens": sum(t.citizens for t in teams)},
        readable={t.id for t in teams if may_read_team(current_user, t.id)},
        updated=datetime.now().strftime("%H:%M"),
    )


@bp.get("/teams/<code>")
def team(code: str) -> str:
    """One team: its members, routes, sister team and rosters (vagtplaner)."""
    app = services().app
    data = app.team(team_id(code))
    require_team(current_user, data["id"])
    employees = {e: app.employee(UUID(e)) for e in data["members"]}
    names = Names(current_user, employees)
    periods = team_rosters(app, UUID(data["id"]), now_local().date())
    sister = app.team(UUID(data["sister_team_id"])) if data["sister_team_id"] else None
    return render_template(
        "team.html", team=data, members=sorted(employees, key=names.name), names=names,
        employees=employees, periods=periods, sister=sister,
        sister_readable=sister is not None and may_read_team(current_user, sister["id"]),
        current=current_period(periods, now_local().date()))


@bp.get("/healthz")
def healthz() -> dict[str, Any]:
    """Liveness and the event log's length: ``{"status": "ok", "events": n}``."""
    return {"status": "ok", "events": services().event_count()}


def area_heading(teams: list[TeamRow]) -> str:
    """'Område Øst' (also for its sub-areas 'Område Øst – Stensballe', …),
    'Område Nord og Område Øst', or 'Teams' when there are none."""
    areas = sorted({team.area.split(" – ")[0].strip() for team in teams})
    if not areas:
        return "Teams"
    named = [a if a.lower().startswith("område") else f"Område {a}" for a in areas]
    if len(named) == 1:
        return named[0]
    return ", ".join(named[:-1]) + " og " + named[-1]
