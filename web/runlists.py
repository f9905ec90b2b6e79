"""Kørelister for pages and the API: the day as stored, a proposal, a puslemøde replanning.

* ``stored_day`` turns a stored day plan (``Pusleplan.day_plan``) into the route
  planner's own terms — the problem and a ``RouteProposal`` — so that the same
  view and the same replanning serve stored plans and fresh proposals.
* ``Draft`` is a proposal or replanning waiting for "Godkend"; ``web.daydrafts``
  keeps drafts in the data directory so every web process can show and accept them.
* ``record_proposal`` writes an accepted proposal through the application's
  ``plan_visits``; the puslemøde's replanning and its recording are in
  ``web.puslemoede``.
* ``web.dayview`` is what the page and the API show of a plan.

Citizens appear by case code (evaluators: by pseudonym), never by name.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from secrets import token_urlsafe
from typing import Any, ClassVar
from uuid import UUID

from domain.application import CONFLICT_MESSAGE, Pusleplan
from domain.errors import Conflict, RuleBroken, ValidationFailed
from domain.values import Actor
from planning.replan import ReplanResult, plan_from_assignments
from planning.routing_problem import (
    Caregiver,
    Location,
    Profession,
    RoutingProblem,
    TimeWindow,
    Triage,
    VisitRequest,
    minutes,
)
from planning.routing_proposal import (
    RouteProposal,
)
from planning.travel import TravelTimes
from web.dayproblem import DayContext
from web.solving import BackgroundWork

FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)  # days the pages and API plan
STORED_SLACK = 60  # minutes around a stored person's visits when they have no shift


def invalid(field_name: str, english: str, danish: str) -> ValidationFailed:
    """Bad input in one field, in English and Danish."""
    return ValidationFailed({field_name: [english]}, {field_name: [danish]})


def parse_day(text: str, field_name: str = "dato") -> date:
    """:raise ValidationFailed: (field ``dato``) unless ``text`` is a date YYYY-MM-DD."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise invalid(field_name, "Not a valid date.",
                      "Ikke en gyldig dato – skriv den som ÅÅÅÅ-MM-DD, fx 2026-11-24.") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise invalid(field_name, f"Must be between {FIRST_DAY} and {LAST_DAY}.",
                      f"Datoen skal ligge mellem {FIRST_DAY} og {LAST_DAY}.")
    return day


def parse_time(text: str | None, field_name: str = "fra") -> int:
    """:raise ValidationFailed: unless ``text`` is a time of day HH:MM (00:00–23:59)."""
    try:
        value = minutes(text or "")
    except ValueError:
        value = -1
    if not 0 <= value < 24 * 60:
        raise invalid(field_name, "Not a valid time (HH:MM).",
                      "Ikke et gyldigt klokkeslæt – skriv det som TT:MM, fx 09:30.")
    return value


def at_minute(day: date, minute: int) -> datetime:
    return datetime.combine(day, datetime.min.time()) + timedelta(minutes=minute)


def minute_of(day: date, moment: datetime) -> int:
    return int((moment - datetime.combine(day, datetime.min.time())).total_seconds() // 60)


# -- the stored day plan in the planner's terms -------------------------------------------


def open_visits(plan: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """The plan's visits that are not cancelled (planned or delivered)."""
    return {k: v for k, v in (plan or {}).get("visits", {}).items()
            if v["status"] != "cancelled"}


def stored_day(app: Pusleplan, context: DayContext, plan: dict[str, Any], *,
               planned_only: bool = False, with_missing: bool = False,
               ) -> tuple[RoutingProblem, RouteProposal]:
    """The stored plan as a problem and the proposal that is that plan.

    ``with_missing`` (for showing the day) adds the visits due today that the
    plan does not hold; they come out unassigned.

    Visits the day problem knows keep their windows (widened to the stored
    start if needed); others (planned by hand or by an older visitation) get a
    window at their stored start. People on the plan without a shift today get
    one around their visits. ``context.services`` learns the stored facts.
    """
    known = {v.visit_id: v for v in context.problem.visits}
    people = {c.caregiver_id: c for c in context.problem.caregivers}
    base = Location(context.team["base_lat"], context.team["base_lon"])
    visits: list[VisitRequest] = []
    starts: dict[str, int] = {}
    for visit_id, stored in sorted(open_visits(plan).items(),
                                   key=lambda item: (item[1]["start"], item[0])):
        if planned_only and stored["status"] != "planned":
            continue
        start = minute_of(context.day, stored["start"])
        starts[visit_id] = start
        request = known.get(visit_id) or _request_from_facts(app, visit_id, stored, start)
        window = TimeWindow(min(request.window.start, start), max(request.window.end, start))
        preferred = (None if request.preferred is None
                     else min(max(request.preferred, window.start), window.end))
        visits.append(replace(request, window=window, preferred=preferred,
                              duration=stored["minutes"],
                              double_staffed=stored["double_staffed"]))
        context.services.setdefault(visit_id, {
            "citizen_id": stored["citizen_id"],
            "service": ", ".join(stored["service_codes"]),
            "profession": stored["required_profession"],
            "double_staffed": stored["double_staffed"]})
    if with_missing:
        visits += _missing(context, plan)
    caregivers = list(people.values())
    for employee in sorted({e for v in open_visits(plan).values() for e in v["employee_ids"]}
                           - set(people)):
        caregivers.append(_caregiver_from_visits(app, context, employee, plan, base))
    problem = replace(context.problem, visits=tuple(visits), caregivers=tuple(caregivers))
    return problem, _as_proposal(problem, plan, starts, context.travel)


def _missing(context: DayContext, plan: dict[str, Any]) -> list[VisitRequest]:
    """The visits due today that the stored plan holds under no id and no service.

    A plan recorded by another program, imported or made by hand names its visits
    in its own way (``20261116-OE1-B018-NAT``): a due visit is in the plan when a
    stored visit of its citizen holds its service (planned, delivered or cancelled).
    """
    codes = {citizen_id: code for code, citizen_id in context.citizen_ids.items()}
    held = {(codes.get(str(v["citizen_id"])), service)
            for v in plan["visits"].values() for service in v["service_codes"]}
    return [v for v in context.problem.visits if v.visit_id not in plan["visits"]
            and (v.citizen_id, _service_of(v.visit_id)) not in held]


def _service_of(visit_id: str) -> str | None:
    """The service code of a day-problem visit id (``<citizen>/<service>/<day>``)."""
    parts = visit_id.split("/")
    return parts[1] if len(parts) == 3 else None


def _request_from_facts(app: Pusleplan, visit_id: str, stored: dict[str, Any],
                        start: int) -> VisitRequest:
    citizen = app.citizen(UUID(stored["citizen_id"]))
    return VisitRequest(
        visit_id=visit_id, citizen_id=citizen["code"],
        location=Location(citizen["lat"], citizen["lon"]), duration=stored["minutes"],
        window=TimeWindow(start, start), preferred=start,
        profession=Profession(stored["required_profession"]),
        double_staffed=stored["double_staffed"],
        contact_person=citizen["contact_person_id"], triage=Triage(citizen["triage"]))


def _caregiver_from_visits(app: Pusleplan, context: DayContext, employee: str,
                           plan: dict[str, Any], base: Location) -> Caregiver:
    person = app.employee(UUID(employee))
    context.names.setdefault(employee, person["name"])
    context.numbers.setdefault(employee, person["number"])
    mine = [v for v in open_visits(plan).values() if employee in v["employee_ids"]]
    first = min(minute_of(context.day, v["start"]) for v in mine)
    last = max(minute_of(context.day, v["start"]) + v["minutes"] for v in mine)
    return Caregiver(employee, Profession(person["profession"]),
                     TimeWindow(max(0, first - STORED_SLACK), last + STORED_SLACK), base,
                     is_substitute=person["is_substitute"], needs_break=False)


def _as_proposal(problem: RoutingProblem, plan: dict[str, Any], starts: dict[str, int],
                 travel: TravelTimes) -> RouteProposal:
    """Run lists from the stored visits, in time order, with travel between stops."""
    stored = open_visits(plan)
    assignments = {(vid, slot): (who, starts[vid])
                   for vid in starts for slot, who in enumerate(stored[vid]["employee_ids"])}
    return plan_from_assignments(problem, assignments, travel)


# -- drafts: proposals and replannings waiting for "Godkend" ----------------------------


@dataclass
class SisterPart:
    """The sister team's day as a puslemøde replanning found it (søsterteamet).

    ``plan_version`` is its stored day plan's version, or None when it had no
    stored run lists and its day was proposed for the replanning (then only
    the team's own visits are recorded).
    """

    team_id: str
    code: str
    context: DayContext
    problem: RoutingProblem
    current: RouteProposal
    plan_version: int | None


@dataclass
class Draft(BackgroundWork):
    """A proposal (kind ``forslag``) or a puslemøde replanning (kind ``puslemoede``).

    A proposal is made in the background (``web.daydrafts``): until the route
    planner is done, ``proposal`` is None and ``running`` is true.
    """

    id: str
    kind: str
    team_id: str
    day: date
    context: DayContext
    problem: RoutingProblem
    proposal: RouteProposal | None
    plan_version: int | None  # the stored plan it was made from (None: no plan)
    made_by: str
    result: ReplanResult | None = None
    current: RouteProposal | None = None  # the stored plan a replanning starts from
    sick_id: str | None = None
    sick_from: int | None = None
    sister: SisterPart | None = None  # the sister team's day, when it helped
    change: dict[str, Any] | None = None  # another puslemøde change (web.puslemoede)
    routes: dict[str, str] = field(default_factory=dict)  # employee id -> shift's route
    time_limit_s: float = 0.0
    made_at: float = field(default_factory=time.time)  # wall clock: shared by processes
    finished: float | None = None
    failed: bool = False
    START_FIELD: ClassVar[str] = "made_at"


def new_draft_id() -> str:
    return token_urlsafe(8)


# -- recording accepted drafts -------------------------------------------------------------


def check_plan_version(plan: dict[str, Any] | None, expected: int | None) -> None:
    """:raise Conflict: if the stored plan is not the one the draft was made from."""
    version = plan["version"] if plan and open_visits(plan) else None
    if version != expected:
        raise Conflict(CONFLICT_MESSAGE, f"day plan is at version {version}, not {expected}")


def record_proposal(app: Pusleplan, actor: Actor, draft: Draft,
                    plan: dict[str, Any] | None = None) -> int:
    """Record a proposal's served visits and the people's routes in one transaction
    (``plan_visits``); the number of visits.

    :raise RuleBroken: if the planner is not done, or the proposal serves no visit.
    """
    if draft.proposal is None:
        raise RuleBroken("Planlæggeren er ikke færdig med forslaget endnu.",
                         "proposal still running", field="forslag")
    served: dict[str, list[tuple[int, str, int]]] = {}
    for run in draft.proposal.run_lists:
        for stop in run.stops:
            served.setdefault(stop.visit_id, []).append((stop.slot, run.caregiver_id,
                                                         stop.start))
    visits = []
    for visit in draft.problem.visits:
        people = sorted(served.get(visit.visit_id, []))
        if len(people) != len(visit.slots):
            continue  # unassigned: stays for the team to place
        facts = draft.context.services[visit.visit_id]
        visits.append({
            "visit_id": visit.visit_id, "citizen_id": UUID(facts["citizen_id"]),
            "service_codes": [facts["service"]],
            "start": at_minute(draft.day, people[0][2]), "minutes": visit.duration,
            "employee_ids": [UUID(p) for _, p, _ in people],
            "required_profession": facts["profession"],
            "double_staffed": facts["double_staffed"]})
    if not visits:
        raise RuleBroken("Forslaget har ingen planlagte besøg at godkende.",
                         "proposal serves no visit", field="forslag")
    routes = routes_to_record(draft.routes, draft.context.team, plan)
    app.plan_visits(actor, UUID(draft.team_id), draft.day, visits,
                    routes={code: UUID(e) for code, e in routes.items()} or None)
    return len(visits)


def routes_to_record(routes: dict[str, str], team: dict[str, Any],
                     plan: dict[str, Any] | None) -> dict[str, str]:
    """The RouteAssigned to record on accepting: route code -> employee id.

    Only the team's own routes and members; one person per route (the earliest
    shift wins) and one route per person; what the day plan already holds is
    not recorded again, and a person who already drives another route keeps it.
    """
    held = dict((plan or {}).get("routes", {}))
    holder_of = {e: code for code, e in held.items()}
    chosen: dict[str, str] = {}
    for employee, code in routes.items():
        if code not in team["routes"] or employee not in team["members"]:
            continue
        if code in chosen or held.get(code) == employee or employee in holder_of:
            continue
        chosen[code] = employee
    return chosen


def route_of(draft: Draft | None, plan: dict[str, Any] | None) -> dict[str, str]:
    """Employee id -> route code to show: the stored plan's, else the draft's shifts'."""
    stored = {e: code for code, e in (plan or {}).get("routes", {}).items()}
    if draft is not None and draft.kind == "forslag":
        return {**draft.routes, **stored}
    return stored


def resolve_employee(context: DayContext, text: str | None) -> str:
    """An employee id from a form or body: the id itself or the employee number.

    :raise ValidationFailed: (field ``employee_id``) if nobody on the day matches.
    """
    value = (text or "").strip()
    if value in context.names:
        return value
    for employee, number in context.numbers.items():
        if number.lower() == value.lower() and value:
            return employee
    raise invalid("employee_id", "Unknown employee for this day.",
                  "Ukendt medarbejder – vælg en, der er på vagt i dag.")


def may_be_stored(plan: dict[str, Any] | None) -> bool:
    """Whether the day has stored run lists (a plan with visits)."""
    return bool(open_visits(plan))


def statuses(plan: dict[str, Any] | None) -> dict[str, str]:
    return {k: v["status"] for k, v in open_visits(plan).items()}
