"""Revisionsspor: who changed what in a team, when and why, from the audit-trail read model.

``/teams/<code>/revisionsspor?fra=YYYY-MM-DD&til=YYYY-MM-DD`` lists, newest
first, the recorded changes to the team itself, to its rosters covering the
period, to its day plans of the period's days and to its citizens (at most
``LIMIT`` lines): the time it was written, the actor (id and role), what kind
of change in Danish, the event's safe fields and the reason. The trail never
holds names or addresses (``projections.audittrail``).

Leaders, planners and administrative staff of the team read it; members see
their roster's history on the Vagtplan page, and evaluators see no actors.
``GET /api/teams/<id>/audit`` gives the same lines.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, render_template, request
from flask_login import current_user

from domain.dayplans import dayplan_id
from domain.errors import Forbidden, ValidationFailed
from domain.teams import team_id
from domain.values import Role
from projections.audittrail import AuditEntry, AuditTrail
from projections.catalogue import VIEW_POOL
from projections.runner import make_view
from web import services
from web.auth import ROLE_DA
from web.authz import require_team
from web.borgere import caught_up, parse_period, warm_up

bp = Blueprint("revisionsspor", __name__)

AUDITORS = frozenset({Role.LEADER, Role.PLANNER, Role.ADMINISTRATIVE})
DEFAULT_DAYS = 14
MAX_DAYS = 92
LIMIT = 500
COPENHAGEN = ZoneInfo("Europe/Copenhagen")
EVENT_DA = {
    "TeamCreated": "Team oprettet", "MemberJoined": "Medlem kom til",
    "MemberLeft": "Medlem stoppede", "RouteDefined": "Rute oprettet",
    "SisterTeamLinked": "Søsterteam tilknyttet", "GroundRulesSet": "Grundregler sat",
    "RosterOpened": "Vagtplan åbnet", "ShiftBid": "Ønske", "ShiftPuzzled": "Vagt puslet",
    "ProposalAccepted": "Forslag accepteret", "RosterChecked": "Vagtplan tjekket",
    "RosterPublished": "Vagtplan offentliggjort",
    "ShiftChangedAfterPublish": "Vagt ændret efter offentliggørelse",
    "DayPlanOpened": "Dagsplan åbnet", "RouteAssigned": "Rute tildelt",
    "VisitPlanned": "Besøg planlagt", "VisitMoved": "Besøg flyttet",
    "VisitCancelled": "Besøg aflyst", "VisitDelivered": "Besøg leveret",
    "CitizenRegistered": "Borger oprettet", "VisitationChanged": "Visitation ændret",
    "TriageChanged": "Triage ændret", "ContactPersonAssigned": "Kontaktperson valgt",
    "CitizenDischarged": "Borger afsluttet",
}
AGGREGATE_DA = {"Team": "team", "Roster": "vagtplan", "DayPlan": "dagsplan",
                "Citizen": "borger"}


@dataclass(frozen=True)
class TrailLine:
    """One recorded change, for the page and the API."""

    at: str  # local time, YYYY-MM-DD HH:MM
    actor_id: str
    actor_role: str
    subject: str  # team, vagtplan, dagsplan 24/11 or borger
    event: str  # the event's name
    what_da: str
    detail: str
    reason: str | None


@dataclass(frozen=True)
class Trail:
    first: date
    last: date
    lines: list[TrailLine]
    truncated: bool


def trail_view() -> Any:
    """The audit-trail view (a context manager, as ``web.borgere.caught_up``)."""
    return caught_up("pusleplan_audit_trail")


def readable_trail(code_or_id: Any) -> dict[str, Any]:
    """The team, if the user may read its trail. :raise Forbidden: otherwise."""
    team = services().app.team(code_or_id if isinstance(code_or_id, UUID)
                               else team_id(code_or_id))
    require_team(current_user, team["id"])
    if current_user.role not in AUDITORS:
        raise Forbidden(f"Som {ROLE_DA[current_user.role]} kan du ikke se revisionssporet.",
                        f"role {current_user.role} may not read the audit trail")
    return team  # type: ignore[no-any-return]


def team_trail(team: dict[str, Any], first_text: str | None, last_text: str | None,
               names: tuple[str, str] = ("fra", "til")) -> Trail:
    """The team's changes of [first, last] (default the last 14 days), newest first.

    :raise ValidationFailed: naming the field for a bad or backwards date, or a period
        longer than ``MAX_DAYS``.
    """
    first, last = parse_period(first_text, last_text, names, date.today(), DEFAULT_DAYS,
                               MAX_DAYS)
    app, tid = services().app, UUID(team["id"])
    days = [first + timedelta(n) for n in range((last - first).days + 1)]
    rosters = {r for r in (app.roster_covering(tid, d) for d in days[::7] + [last]) if r}
    since, until = first.isoformat(), (last + timedelta(1)).isoformat()
    entries: dict[int, tuple[AuditEntry, str]] = {}
    with trail_view() as view:
        for day in days:  # a day plan's changes, whenever they were written
            for e in view.entries(aggregate_id=str(dayplan_id(tid, day)), limit=LIMIT):
                entries[e.seq] = (e, f"dagsplan {day.day}/{day.month}")
        written = [(str(tid), "team")] + [(str(r), "vagtplan") for r in rosters] + [
            (str(c), "borger") for c in app.citizen_ids_of_team(tid)]
        for aggregate, subject in written:  # other changes written in the period
            for e in view.entries(aggregate_id=aggregate, since=since, until=until,
                                  limit=LIMIT):
                entries[e.seq] = (e, subject)
    ordered = sorted(entries.values(), key=lambda item: -item[0].seq)
    return Trail(first, last, [_line(e, subject) for e, subject in ordered[:LIMIT]],
                 len(ordered) > LIMIT)


def _line(entry: AuditEntry, subject: str) -> TrailLine:
    try:
        at = datetime.fromisoformat(entry.at).astimezone(COPENHAGEN).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        at = entry.at[:16]
    return TrailLine(at, entry.actor_id, entry.actor_role, subject, entry.event,
                     EVENT_DA.get(entry.event, entry.event), entry.what, entry.reason)


@bp.get("/teams/<code>/revisionsspor")
def page(code: str) -> Any:
    """The team's audit trail; bad dates answer the page again naming the field (422)."""
    team = readable_trail(code)
    first, last = request.args.get("fra") or None, request.args.get("til") or None
    try:
        trail = team_trail(team, first, last)
    except ValidationFailed as error:
        message = error.errors_da.get(error.field or "", [error.message])[0]
        return render_template("revisionsspor.html", team=team, trail=None, fra=first or "",
                               til=last or "", role_da=ROLE_DA,
                               error={"field": error.field, "message": message}), 422
    return render_template("revisionsspor.html", team=team, trail=trail,
                           fra=trail.first.isoformat(), til=trail.last.isoformat(),
                           role_da=ROLE_DA, error=None)


def may_audit() -> bool:
    """Whether the logged-in user may read audit trails (for the team page's link)."""
    return bool(current_user.is_authenticated and current_user.role in AUDITORS)


def init_app(app: Flask) -> None:
    """Open the audit-trail read model and register the page (its API route is in
    ``web.api_borgere``)."""
    settings = app.config["PUSLEPLAN_SETTINGS"]
    extra_env = dict(app.config.get("PUSLEPLAN_EXTRA_ENV") or {})
    view = make_view(settings, {**VIEW_POOL, **extra_env}, projection_class=AuditTrail)
    app.extensions["pusleplan_audit_trail"] = (AuditTrail(view), threading.Lock())
    app.extensions["pusleplan"].closing.append(view.close)  # (closed with the app)
    if not app.testing:  # catch up now, so the first reader does not wait for the log
        warm_up(app, "pusleplan_audit_trail")
    app.register_blueprint(bp)
    app.context_processor(lambda: {"may_audit": may_audit})
