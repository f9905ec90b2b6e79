"""Borgerforløb: a team's citizens and each citizen's history, from the read model.

``/teams/<code>/borgere`` lists the team's citizens (case code, triage colour,
granted minutes a week, discharge) and ``/teams/<code>/borgere/<ref>`` shows
one citizen's course: visitations, triage changes, contact person, discharge,
and the visits of a period (planned, delivered by whom, cancelled and why),
with how many different staff the citizen met. The data come from the citizen
history read model (``projections.citizenhistory``), caught up with the event
log on each request; names and addresses are never in it.

Everyone who may read the team sees it; evaluators see the citizen as the
installation's pseudonym (``B-…``, the same as in the evaluation reports),
staff as pseudonyms and no free-text reasons (they might name someone).

The JSON API (``GET /api/teams/<id>/citizens`` and ``…/citizens/<ref>``) gives
the same.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from flask import Blueprint, Flask, current_app, render_template, request
from flask_login import current_user

from domain.errors import NotFound, ValidationFailed
from domain.teams import team_id
from projections.catalogue import VIEW_POOL
from projections.citizenhistory import CitizenHistory, HistoryEntry
from projections.pseudonyms import pseudonym as citizen_pseudonym
from projections.pseudonyms import pseudonym_key
from projections.runner import catch_up_all, make_view
from web import services
from web.authz import pseudonym, require_team, sees_names
from web.runlists import invalid, parse_day

bp = Blueprint("borgere", __name__)
log = logging.getLogger(__name__)

DEFAULT_DAYS = 28
MAX_DAYS = 366
CONTINUITY_DAYS = 14
TRIAGE_DA = {"roed": "rød", "gul": "gul", "groen": "grøn"}
KIND_DA = {"registered": "Oprettet i teamet", "visitation": "Visitation",
           "triage": "Triage", "contact_person": "Kontaktperson", "discharged": "Afsluttet",
           "visit": "Besøg"}
STATUS_DA = {"planned": "planlagt", "delivered": "leveret", "cancelled": "aflyst"}
ROLE_DA = {"member": "teammedlem", "planner": "planlægger", "leader": "leder",
           "administrative": "administrativ", "evaluator": "evaluator", "system": "system"}


@dataclass(frozen=True)
class Line:
    """One line of a citizen's course, in Danish."""

    day: str
    kind: str
    what: str
    who: str
    reason: str | None


@dataclass(frozen=True)
class VisitLine:
    """One visit of the period: planned time and minutes, status, delivered when and by
    whom, and why it was cancelled."""

    day: str
    planned: str
    services: str
    minutes: int | None
    status: str
    actual: str | None
    staff: str | None
    reason: str | None


@dataclass(frozen=True)
class Course:
    """A citizen's course for a period, ready for the page and the API."""

    ref: str
    title: str
    triage: str | None
    granted_minutes: int | None
    discharged_on: str | None
    contact: str | None
    first: date
    last: date
    events: list[Line]  # visitations, triage, contact person, discharge (all time)
    visits: list[VisitLine]  # the period's visits, newest first
    delivered: int
    staff_met: int  # distinct staff on delivered visits in the last 14 days of the period


# -- the read model ---------------------------------------------------------------------------


@contextmanager
def caught_up(key: str) -> Iterator[Any]:
    """The view of read model ``current_app.extensions[key]``, caught up with the log,
    for one reader at a time (its row cache is not shared between threads)."""
    projection, lock = current_app.extensions[key]
    with lock:
        catch_up_all(services().app, [projection])
        yield projection.view


def history_view() -> Any:
    """The citizen history view (a context manager, as ``caught_up``)."""
    return caught_up("pusleplan_citizen_history")


def parse_period(first_text: str | None, last_text: str | None, names: tuple[str, str],
                 default_last: date, default_days: int, max_days: int) -> tuple[date, date]:
    """[first, last] from two optional dates (defaults: ``default_days`` up to
    ``default_last``). :raise ValidationFailed: naming the field for a bad date, a
    backwards period or one longer than ``max_days``."""
    last = parse_day(last_text, names[1]) if last_text else default_last
    first = (parse_day(first_text, names[0]) if first_text
             else last - timedelta(default_days - 1))
    if last < first:
        raise invalid(names[1], "The end lies before the start.",
                      "Til-datoen ligger før fra-datoen.")
    if (last - first).days >= max_days:
        raise invalid(names[1], f"More than {max_days} days.", f"Vis højst {max_days} dage.")
    return first, last


def citizen_key() -> bytes | None:
    """The pseudonym key for evaluators; None for everyone who sees case codes."""
    return None if sees_names(current_user) else pseudonym_key(services().settings)


def readable_team(code_or_id: Any) -> dict[str, Any]:
    team = services().app.team(code_or_id if isinstance(code_or_id, UUID)
                               else team_id(code_or_id))
    require_team(current_user, team["id"])
    return team  # type: ignore[no-any-return]


def team_citizens(team: dict[str, Any]) -> list[dict[str, Any]]:
    """The team's citizens: ``ref`` (id, or pseudonym for evaluators), code, triage,
    granted minutes a week, discharge date."""
    with history_view() as view:
        rows = view.citizens(str(team["id"]), citizen_key())
    return [{"ref": r["citizen_id"], "code": r["code"], "triage": r["triage"],
             "granted_minutes": r["granted"], "discharged_on": r["discharged_on"]}
            for r in rows]


def course(team: dict[str, Any], ref: str, first_text: str | None,
           last_text: str | None, names: tuple[str, str] = ("fra", "til")) -> Course:
    """One citizen's course; visits of [first, last] (default the last 28 days).

    :raise NotFound: the team has no such citizen. :raise ValidationFailed: bad dates,
        naming the field (``names``: the page's ``fra``/``til``, the API's).
    """
    key = citizen_key()
    with history_view() as view:
        citizen_id = _citizen_id(view, team, ref, key)
        data = view.history(citizen_id, key) if citizen_id else None
    if data is None or data.team_id != str(team["id"]):
        raise NotFound("Borgeren findes ikke i teamet.", f"no citizen {ref[:40]!r} in team")
    visits = [e for e in data.entries if e.kind == "visit"]
    latest = max((date.fromisoformat(e.day) for e in visits if e.day), default=date.today())
    first, last = parse_period(first_text, last_text, names, latest, DEFAULT_DAYS, MAX_DAYS)
    period = [e for e in visits if e.day and first <= date.fromisoformat(e.day) <= last]
    names = _Names(key is None)
    recent = last - timedelta(CONTINUITY_DAYS - 1)
    met = {who for e in period if e.detail.get("status") == "delivered"
           and date.fromisoformat(e.day) >= recent for who in e.detail.get("staff", []) if who}
    contact = next((e.detail.get("employee_id") for e in reversed(data.entries)
                    if e.kind == "contact_person"), None)
    return Course(
        ref=ref, title=data.code or data.subject, triage=data.triage,
        granted_minutes=data.granted_minutes, discharged_on=data.discharged_on,
        contact=names.person(contact) if contact else None, first=first, last=last,
        events=[_line(e, names) for e in data.entries if e.kind != "visit"],
        visits=[_visit_line(e, names) for e in reversed(period)],
        delivered=sum(e.detail.get("status") == "delivered" for e in period),
        staff_met=len(met))


def _citizen_id(view: Any, team: dict[str, Any], ref: str, key: bytes | None) -> str | None:
    """The citizen id behind ``ref``: the id itself, or (evaluators) the one of the team's
    citizens whose pseudonym it is."""
    if key is None:
        return ref
    return next((r["citizen_id"] for r in view.citizens(str(team["id"]))
                 if citizen_pseudonym(key, r["citizen_id"]) == ref), None)


class _Names:
    """Staff names for people who see names, pseudonyms for evaluators (cached)."""

    def __init__(self, real: bool) -> None:
        self.real = real
        self._cache: dict[str, str] = {}

    def person(self, employee_id: str) -> str:
        if not self.real:
            return f"Person {pseudonym(employee_id)[2:8]}"
        if employee_id not in self._cache:
            try:
                self._cache[employee_id] = services().app.employee(UUID(employee_id))["name"]
            except (NotFound, ValueError):
                self._cache[employee_id] = "Ukendt"
        return self._cache[employee_id]


def _visit_line(entry: HistoryEntry, names: _Names) -> VisitLine:
    detail = entry.detail
    staff = ", ".join(names.person(s) for s in detail.get("staff", []) if s)
    return VisitLine(entry.day, detail.get("planned", ""),
                     str(detail.get("services", "")).replace(",", ", "),
                     detail.get("planned_minutes"),
                     STATUS_DA.get(detail.get("status", ""), detail.get("status", "")),
                     (detail.get("actual") or "").replace("-", "–") or None, staff or None,
                     entry.reason)


def _line(entry: HistoryEntry, names: _Names) -> Line:
    detail, kind = entry.detail, entry.kind
    if kind == "visitation":
        services_ = ", ".join(detail.get("services") or [])
        what = f"{detail.get('minutes_per_week')} min om ugen" + (
            f" ({services_})" if services_ else "")
    elif kind == "triage":
        what = f"Nu {TRIAGE_DA.get(detail.get('triage', ''), detail.get('triage'))}"
    elif kind == "contact_person":
        what = names.person(detail["employee_id"]) if detail.get("employee_id") else "Ingen"
    else:
        what = ""
    who = ROLE_DA.get(entry.actor_role, entry.actor_role or "")
    return Line(entry.day, KIND_DA.get(kind, kind), what, who, entry.reason)


def warm_up(app: Flask, key: str) -> None:
    """Bring the read model ``app.extensions[key]`` up to the end of the log in a thread."""
    projection, lock = app.extensions[key]
    svc = app.extensions["pusleplan"]

    def run() -> None:
        try:
            with lock:
                catch_up_all(svc.app, [projection])
        except Exception:  # the app was closed meanwhile, or the store is unreachable
            log.warning("read model %s could not catch up in the background", key,
                        exc_info=True)

    threading.Thread(target=run, name=f"warm-up-{key}", daemon=True).start()


# -- pages -------------------------------------------------------------------------------------


@bp.get("/teams/<code>/borgere")
def citizens_page(code: str) -> str:
    """The team's citizens, each linking to their course."""
    team = readable_team(code)
    return render_template("borgere.html", team=team, citizens=team_citizens(team),
                           triage_da=TRIAGE_DA, names=sees_names(current_user))


@bp.get("/teams/<code>/borgere/<ref>")
def course_page(code: str, ref: str) -> Any:
    """One citizen's course (``?fra=&til=`` pick the visits' period); bad dates answer
    the page again with the field named (422)."""
    team = readable_team(code)
    first, last = request.args.get("fra") or None, request.args.get("til") or None
    try:
        shown = course(team, ref, first, last)
    except ValidationFailed as error:  # a bad date: the same page with the message
        shown = course(team, ref, None, None)
        message = error.errors_da.get(error.field or "", [error.message])[0]
        return render_template("borgerforloeb.html", team=team, course=shown,
                               triage_da=TRIAGE_DA, fra=first or "", til=last or "",
                               error={"field": error.field, "message": message}), 422
    return render_template("borgerforloeb.html", team=team, course=shown, triage_da=TRIAGE_DA,
                           fra=shown.first.isoformat(), til=shown.last.isoformat(), error=None)


def init_app(app: Flask) -> None:
    """Open the citizen history read model, register the pages and the API."""
    from web import api_borgere

    settings = app.config["PUSLEPLAN_SETTINGS"]
    extra_env = dict(app.config.get("PUSLEPLAN_EXTRA_ENV") or {})
    view = make_view(settings, {**VIEW_POOL, **extra_env}, projection_class=CitizenHistory)
    projection = CitizenHistory(view)
    app.extensions["pusleplan_citizen_history"] = (projection, threading.Lock())
    app.extensions["pusleplan"].closing.append(view.close)  # (closed with the app)
    if not app.testing:  # catch up now, so the first reader does not wait for the log
        warm_up(app, "pusleplan_citizen_history")
    app.register_blueprint(bp)
    api_borgere.init_app(app)

