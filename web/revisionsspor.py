"""Revisionsspor: who changed what in a team, when and why, from the audit-trail read model.

``/teams/<code>/revisionsspor?fra=YYYY-MM-DD&til=YYYY-MM-DD&side=N`` lists,
newest first and ``PAGE`` lines a page, the recorded changes to the team
itself, to its rosters covering the period, to its day plans of the period's
days and to its citizens: the time it was written, the actor (name and role),
what kind of change in Danish, the event's safe fields and the reason. The
page says how many changes the period holds and links to newer and older
pages. The trail never holds names or addresses (``projections.audittrail``);
the page writes the stored fields in Danish when it shows them: employees by
name (else their number), citizens by case code, times as local dates, and
never an id the reader cannot use.

Leaders, planners and administrative staff of the team read it; members see
their roster's history on the Vagtplan page, and evaluators see no actors.
``GET /api/teams/<id>/audit`` gives the same lines (the newest ``LIMIT``, with the
stored fields as they are).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, render_template, request
from flask_login import current_user

from domain.dayplans import dayplan_id
from domain.errors import Forbidden, NotFound, ValidationFailed
from domain.teams import team_id
from domain.values import Role
from projections.audittrail import AuditEntry, AuditTrail
from projections.catalogue import VIEW_POOL
from projections.pseudonyms import pseudonym as citizen_pseudonym
from projections.pseudonyms import pseudonym_key
from projections.runner import make_view
from web import services
from web.auth import ROLE_DA
from web.authz import pseudonym, require_team, sees_names
from web.borgere import TRIAGE_DA, caught_up, parse_period, warm_up
from web.dates import danish_date
from web.grid import LAYER_DA

bp = Blueprint("revisionsspor", __name__)

AUDITORS = frozenset({Role.LEADER, Role.PLANNER, Role.ADMINISTRATIVE})
DEFAULT_DAYS = 14
MAX_DAYS = 92
LIMIT = 500  # lines of the API's answer
PAGE = 200  # lines of a page
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
    """The team's newest ``LIMIT`` changes of [first, last] (default the last 14 days),
    newest first.

    :raise ValidationFailed: naming the field for a bad or backwards date, or a period
        longer than ``MAX_DAYS``.
    """
    first, last = parse_period(first_text, last_text, names, date.today(), DEFAULT_DAYS,
                               MAX_DAYS)
    entries, total = _changes(team, first, last, 0, LIMIT)
    return Trail(first, last, [_line(e, subject) for e, subject in entries], total > LIMIT)


def _changes(team: dict[str, Any], first: date, last: date, offset: int, limit: int
             ) -> tuple[list[tuple[AuditEntry, str]], int]:
    """``limit`` of the team's changes of [first, last] from the ``offset``-th newest on,
    each with its subject, and how many changes the period holds.

    The period's changes are a day plan's changes of one of its days, whenever they were
    written, and the changes written in the period to the team, its rosters covering
    the period and its citizens: one query for the page and one to count them.
    """
    app, tid = services().app, UUID(team["id"])
    days = [first + timedelta(n) for n in range((last - first).days + 1)]
    rosters = {r for r in (app.roster_covering(tid, d) for d in days[::7] + [last]) if r}
    subjects = {str(dayplan_id(tid, d)): f"dagsplan {d.day}/{d.month}" for d in days}
    plans = list(subjects)  # a day plan's changes, whenever they were written
    others = {str(tid): "team", **{str(r): "vagtplan" for r in rosters},
              **{str(c): "borger" for c in app.citizen_ids_of_team(tid)}}
    written = list(others)  # other changes written in the period
    subjects.update(others)
    where = (f"aggregate_id IN ({', '.join('?' * len(plans))}) OR (aggregate_id IN "
             f"({', '.join('?' * len(written))}) AND at >= ? AND at <= ?)")
    params = (*plans, *written, first.isoformat(), (last + timedelta(1)).isoformat())
    with trail_view() as view:
        total = int(view.select(f"SELECT COUNT(*) AS n FROM {{entries}} WHERE {where}",
                                params)[0]["n"])
        rows = view.select(f"SELECT * FROM {{entries}} WHERE {where} "
                           "ORDER BY seq DESC LIMIT ? OFFSET ?",
                           (*params, int(limit), int(offset)))
    entries = [(AuditEntry(r["seq"], r["at"], r["actor_id"], r["actor_role"], r["aggregate"],
                           r["aggregate_id"], r["version"], r["event"], r["reason"],
                           r["what"]), subjects.get(r["aggregate_id"], "")) for r in rows]
    return entries, total


def _local_time(at: str) -> str:
    try:
        return datetime.fromisoformat(at).astimezone(COPENHAGEN).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return at[:16]


def _line(entry: AuditEntry, subject: str) -> TrailLine:
    return TrailLine(_local_time(entry.at), entry.actor_id, entry.actor_role, subject,
                     entry.event, EVENT_DA.get(entry.event, entry.event), entry.what,
                     entry.reason)


# -- the page: the stored fields in Danish ------------------------------------------------

UUID_PATTERN = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
#: Danish labels of the stored fields (``projections.audittrail.SAFE_FIELDS``).
FIELD_DA = {
    "action": "handling", "shift_id": "vagt", "other_shift_id": "anden vagt",
    "employee_id": "medarbejder", "to_employee_id": "til medarbejder", "kind": "type",
    "day": "dag", "date": "dato", "layer": "lag", "route": "rute", "route_code": "rute",
    "visit_id": "besøg", "citizen_id": "borger", "start": "start", "end": "slut",
    "effective": "gælder fra", "triage": "triage", "weeks": "uger",
    "period_start": "periode fra", "hard_violations": "skarpe brud",
    "soft_violations": "anbefalinger", "notice_days": "varsel", "notice_hours": "varsel",
    "published_at": "offentliggjort", "changed_at": "ændret", "on": "den",
    "team_id": "team", "sister_team_id": "søsterteam", "profession": "faggruppe",
    "weekly_hours": "timer om ugen", "hired_on": "ansat fra", "registered_on": "oprettet",
    "is_substitute": "vikar", "role": "rolle", "number": "nummer", "minutes": "minutter",
    "actual_start": "faktisk start", "actual_end": "faktisk slut", "reason": "begrundelse",
    "services": "ydelser", "code": "kode",
}
#: Internal ids that say nothing to a reader.
HIDDEN_FIELDS = frozenset({"bid_id", "absence_id"})
#: Counted lists: (one, many).
COUNTED_DA = {"shifts": ("{n} vagt", "{n} vagter"),
              "employee_ids": ("{n} medarbejder", "{n} medarbejdere"),
              "previous_employee_ids": ("før {n} medarbejder", "før {n} medarbejdere"),
              "team_ids": ("{n} team", "{n} teams")}
ACTION_DA = {"take": "tog", "release": "afgav", "swap": "byttede"}
KIND_DA = {"want_shift": "ønsker vagt", "avoid_shift": "vil helst ikke have vagt",
           "day_off": "ønsker fri", "want_route": "ønsker rute", "services": "ydelser",
           "package": "pakke", "open": "åben", "sick": "syg", "holiday": "ferie",
           "course": "kursus", "other": "fravær"}
TIMES = frozenset({"start", "end", "actual_start", "actual_end", "published_at",
                   "changed_at"})
DATES = frozenset({"day", "date", "effective", "period_start", "on", "hired_on",
                   "registered_on"})
PEOPLE = frozenset({"employee_id", "to_employee_id"})


@dataclass(frozen=True)
class Part:
    """One stored field in Danish: its label (empty for a count) and value."""

    label: str
    value: str


@dataclass(frozen=True)
class ShownLine:
    """One change as the page shows it."""

    at: str
    who: str
    role: str  # empty when ``who`` already says it (the system)
    subject: str
    what_da: str
    reason: str | None
    parts: list[Part]


@dataclass(frozen=True)
class TrailPage:
    """One page of the period's changes, newest first."""

    first: date
    last: date
    lines: list[ShownLine]
    total: int  # changes in the period
    page: int
    pages: int

    @property
    def shown_from(self) -> int:
        return (self.page - 1) * PAGE + 1 if self.lines else 0

    @property
    def shown_to(self) -> int:
        return (self.page - 1) * PAGE + len(self.lines)


def danish_time(text: str) -> str:
    """'2026-11-28T07:00:00' as '28.11.2026 kl. 07:00' (local time), a date as
    '28.11.2026' (``web.dates.danish_date``); anything else with its ids shortened."""
    shown = danish_date(text)
    return shorten_ids(text) if shown == text else shown


def _role_da(role: str) -> str:
    return next((da for r, da in ROLE_DA.items() if r == role), role)


def _number(text: str) -> str:
    """'37.5' as '37,5', '37.0' as '37'."""
    try:
        return f"{float(text):g}".replace(".", ",")
    except ValueError:
        return text


def shorten_ids(text: str) -> str:
    """``text`` with every UUID cut to its first eight digits."""
    return UUID_PATTERN.sub(lambda m: m.group(0)[:8] + "…", text)


@dataclass
class Reader:
    """Writes the trail's stored fields in Danish for the logged-in user: staff by name
    (else number) and citizens by case code; for evaluators, pseudonyms (cached per
    page)."""

    real: bool
    #: (kind, id) -> what was shown for it: each is looked up once per page.
    _seen: dict[tuple[str, str], str] = field(default_factory=dict)

    def _once(self, kind: str, key: str, look: Callable[[str], str]) -> str:
        shown = self._seen.get((kind, key))
        if shown is None:
            shown = self._seen[(kind, key)] = look(key)
        return shown

    def person(self, employee_id: str) -> str:
        return self._once("person", employee_id, self._person)

    def _person(self, employee_id: str) -> str:
        if not self.real:
            return f"Person {pseudonym(employee_id)[2:8]}"
        try:
            person = services().app.employee(UUID(employee_id))
        except (NotFound, ValueError):
            return "ukendt medarbejder"
        return str(person.get("name") or f"medarbejder nr. {person['number']}")

    def citizen(self, citizen_id: str) -> str:
        return self._once("citizen", citizen_id, self._citizen)

    def _citizen(self, citizen_id: str) -> str:
        if not self.real:
            return citizen_pseudonym(pseudonym_key(services().settings), citizen_id)
        try:
            return str(services().app.citizen(UUID(citizen_id))["code"])
        except (NotFound, ValueError):
            return "ukendt borger"

    def team(self, team_id: str) -> str:
        return self._once("team", team_id, self._team)

    @staticmethod
    def _team(team_id: str) -> str:
        try:
            return str(services().app.team(UUID(team_id))["code"])
        except (NotFound, ValueError):
            return "ukendt team"

    def actor(self, actor_id: str, role: str) -> tuple[str, str]:
        """Who acted (a user by name) and their role in Danish; an actor named as its
        role (the system) once."""
        role_da = _role_da(role)
        if not self.real:
            return (role_da, "") if actor_id == role else (
                f"Person {pseudonym(actor_id)[2:8]}", role_da)
        name = self._once("user", actor_id, self._user)
        if name:
            return name, role_da
        if not actor_id or actor_id == role:
            return role_da, ""
        return shorten_ids(actor_id), role_da

    @staticmethod
    def _user(actor_id: str) -> str:
        """A user's display name ("" for the system or an id that names no user)."""
        user = (services().app.user(actor_id)
                if actor_id and not UUID_PATTERN.search(actor_id) else None)
        return str(user.get("display_name") or "") if user else ""

    def parts(self, what: str) -> list[Part]:
        """The stored description (``name=value`` and ``name: count`` parts joined by
        "; ") in Danish."""
        shown = []
        for text in what.split("; ") if what else []:
            name, sep, value = text.partition("=")
            if not sep:
                name, sep, value = text.partition(": ")
                if sep and name in COUNTED_DA and value.isdigit():
                    forms = COUNTED_DA[name]
                    shown.append(Part("", forms[value != "1"].format(n=value)))
                    continue
                if sep and name not in FIELD_DA:
                    shown.append(Part(name, shorten_ids(value)))
                    continue
                if not sep:
                    shown.append(Part("", shorten_ids(text)))
                    continue
            part = self.part(name, value)
            if part is not None:
                shown.append(part)
        return shown

    def part(self, name: str, value: str) -> Part | None:
        """One ``name=value`` in Danish, or None for an internal id."""
        if name in HIDDEN_FIELDS:
            return None
        label = FIELD_DA.get(name, name)
        if name in PEOPLE:
            value = self.person(value)
        elif name == "citizen_id":
            value = self.citizen(value)
        elif name in ("team_id", "sister_team_id"):
            value = self.team(value)
        elif name in TIMES or name in DATES:
            value = danish_time(value)
        elif name == "action":
            value = ACTION_DA.get(value, value)
        elif name == "kind":
            value = KIND_DA.get(value, value)
        elif name == "layer":
            value = LAYER_DA.get(value, value)
        elif name == "triage":
            value = TRIAGE_DA.get(value, value)
        elif name == "role":
            value = _role_da(value)
        elif name == "is_substitute":
            value = {"True": "ja", "False": "nej"}.get(value, value)
        elif name == "notice_days":
            value = f"{value} dage"
        elif name == "notice_hours":
            value = f"{_number(value)} timer"
        elif name == "weekly_hours":
            value = _number(value)
        elif name == "services":
            value = value.replace(",", ", ")
        if name not in FIELD_DA and UUID_PATTERN.fullmatch(value):
            return None  # a bare id of a field the page does not know
        return Part(label, shorten_ids(value))

    def line(self, entry: AuditEntry, subject: str) -> ShownLine:
        who, role = self.actor(entry.actor_id, entry.actor_role)
        if subject == "borger":
            subject = f"borger {self.citizen(entry.aggregate_id)}"
        return ShownLine(_local_time(entry.at), who, role, subject,
                         EVENT_DA.get(entry.event, entry.event), entry.reason,
                         self.parts(entry.what))


def trail_page(team: dict[str, Any], first_text: str | None, last_text: str | None,
               page_text: str | None) -> TrailPage:
    """Page ``page_text`` (from 1; past the end: the last) of the team's changes of
    [first, last], in Danish. :raise ValidationFailed: as ``team_trail``."""
    first, last = parse_period(first_text, last_text, ("fra", "til"), date.today(),
                               DEFAULT_DAYS, MAX_DAYS)
    try:
        page = max(1, int(page_text or 1))
    except ValueError:
        page = 1
    entries, total = _changes(team, first, last, (page - 1) * PAGE, PAGE)
    pages = max(1, -(-total // PAGE))
    if page > pages:  # past the end (or the period shrank): the oldest page
        page = pages
        entries, total = _changes(team, first, last, (page - 1) * PAGE, PAGE)
    reader = Reader(sees_names(current_user))
    return TrailPage(first, last, [reader.line(e, subject) for e, subject in entries], total,
                     page, pages)


@bp.get("/teams/<code>/revisionsspor")
def page(code: str) -> Any:
    """The team's audit trail, a page at a time (``?side=``); bad dates answer the page
    again naming the field (422)."""
    team = readable_trail(code)
    first, last = request.args.get("fra") or None, request.args.get("til") or None
    try:
        trail = trail_page(team, first, last, request.args.get("side"))
    except ValidationFailed as error:
        message = error.errors_da.get(error.field or "", [error.message])[0]
        return render_template("revisionsspor.html", team=team, trail=None, fra=first or "",
                               til=last or "", error={"field": error.field,
                                                      "message": message}), 422
    return render_template("revisionsspor.html", team=team, trail=trail,
                           fra=trail.first.isoformat(), til=trail.last.isoformat(),
                           error=None)


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
