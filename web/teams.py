"""Teams (teams): the team directory as a page and as JSON, and the health check."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from flask import Blueprint, render_template

from projections.teams import TeamRow
from web import services

bp = Blueprint("teams", __name__)


@bp.get("/")
def index() -> str:
    """The placeholder front page: every team from the team directory."""
    teams = services().teams()
    return render_template(
        "teams.html", teams=teams, heading=area_heading(teams),
        totals={"members": sum(t.members for t in teams),
                "citizens": sum(t.citizens for t in teams)},
        updated=datetime.now().strftime("%H:%M"),
    )


@bp.get("/api/teams")
def api_teams() -> dict[str, Any]:
    """The team directory as JSON: ``{"teams": [{code, name, area, members, …}]}``."""
    return {"teams": [asdict(team) for team in services().teams()]}


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
