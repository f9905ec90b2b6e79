"""The puslemøde: the day changes, and the stored run lists are replanned.

The changes: someone goes home sick from a time (``prepare_sick``), a visit is
cancelled (aflyst), a visit now needs two people (dobbeltbemanding), or an
extra visit comes in today (``prepare_change``). Each checks the request at
once (who, which visit, a stored day to start from) and gives a draft;
``replan_day`` is the work the draft store runs in the background while the
page shows progress. The replanning moves as
few other visits as possible, first inside the team; only when the team cannot
cover does it ask the sister team (søsterteam) with its own day — its stored
run lists, or a proposal when it has none — whose people then help with their
own visits still on their lists. ``record_replan`` records the moves on the
team's and, where they changed, the sister team's stored day plans in one
transaction (``move_visits``, with the cancelled and added visits and the
visits made double-staffed); ``record_sickness`` registers the absence.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from marshmallow import ValidationError, fields, validate, validates_schema

from domain.application import Pusleplan
from domain.values import AbsenceKind, Actor
from domain.values import Profession as DomainProfession
from planning.replan import (
    CaregiverSick,
    Change,
    ReplanResult,
    SecondPersonNeeded,
    SisterDay,
    VisitAdded,
    VisitCancelled,
    replan,
)
from planning.routing import plan_routes
from planning.routing_problem import (
    Location,
    Profession,
    RoutingProblem,
    TimeWindow,
    Triage,
    VisitRequest,
    hhmm,
    minutes,
)
from planning.routing_proposal import RouteProposal
from web import schemas as s
from web.commands import flatten_messages, validation_failed
from web.dayproblem import DayContext, build_day
from web.runlists import (
    Draft,
    SisterPart,
    at_minute,
    check_plan_version,
    invalid,
    may_be_stored,
    new_draft_id,
    resolve_employee,
    stored_day,
)

REPLAN = "puslemoede"
CANCELLED, SECOND_PERSON, EXTRA = "aflyst", "dobbelt", "ekstra"
MAX_SERVICE_CODE = 20


# -- the changes' input -------------------------------------------------------------------


class CancelVisitBody(s.CommandSchema):
    """A planned visit that does not take place today (aflyst), and why."""

    visit_id = fields.String(required=True, validate=validate.Length(1, s.LOCAL_ID_MAX * 4))
    reason = fields.String(load_default="Aflyst", validate=validate.Length(1, s.NAME_MAX))


class SecondPersonBody(s.CommandSchema):
    """A planned visit that now needs two people (dobbeltbemanding)."""

    visit_id = fields.String(required=True, validate=validate.Length(1, s.LOCAL_ID_MAX * 4))


class ExtraVisitBody(s.CommandSchema):
    """An extra visit today: the citizen (case code or id), the service, minutes, the
    window the visit must lie in (HH:MM), the profession, double-staffed or not."""

    citizen = fields.String(required=True, validate=validate.Length(1, s.CODE_MAX * 2))
    service = fields.String(required=True, validate=validate.Length(1, MAX_SERVICE_CODE))
    minutes = s.whole(1, 480)
    window_start = s.hhmm()
    window_end = s.hhmm()
    profession = s.enum(DomainProfession)
    double_staffed = fields.Boolean(load_default=False)

    @validates_schema
    def _window(self, data: dict[str, Any], **_: Any) -> None:
        if "window_start" in data and "window_end" in data and (
                minutes(data["window_end"]) <= minutes(data["window_start"])):
            raise ValidationError(s.WINDOW_ORDER, "window_end")


CHANGE_BODIES: dict[str, type[s.CommandSchema]] = {
    CANCELLED: CancelVisitBody, SECOND_PERSON: SecondPersonBody, EXTRA: ExtraVisitBody}


def load_change(kind: str, payload: Any) -> dict[str, Any]:
    """:raise ValidationFailed: naming every bad field (English and Danish)."""
    try:
        return CHANGE_BODIES[kind]().load(payload)  # type: ignore[no-any-return]
    except ValidationError as error:
        raise validation_failed(flatten_messages(error.messages)) from None


def prepare_sick(app: Pusleplan, context: DayContext, plan: dict[str, Any], employee_text: str,
                 from_minute: int, made_by: str) -> Draft:
    """A running replanning draft for an employee (id or number) sick from ``from_minute``.

    :raise ValidationFailed: (field ``employee_id``) if nobody on the day matches, or
        the person has no planned visit on the plan.
    """
    problem, current = stored_day(app, context, plan, planned_only=True)
    employee = resolve_employee(context, employee_text)
    if employee not in {r.caregiver_id for r in current.run_lists if r.stops}:
        raise invalid("employee_id", "The employee has no planned visit on this day.",
                      "Medarbejderen har ingen planlagte besøg i dagens kørelister.")
    return Draft(id=new_draft_id(), kind=REPLAN, team_id=str(context.team["id"]),
                 day=context.day, context=context, problem=problem, proposal=None,
                 plan_version=plan["version"], made_by=made_by, current=current,
                 sick_id=employee, sick_from=from_minute,
                 time_limit_s=replan_limit(problem))


def prepare_change(app: Pusleplan, context: DayContext, plan: dict[str, Any], kind: str,
                   data: dict[str, Any], made_by: str, now: int | None) -> Draft:
    """A running replanning draft for a cancelled, double-staffed or extra visit.

    ``data`` is the change's loaded body (``load_change``); ``now`` the minute of
    the day the change is made when the day is today (visits before it stay), else
    None.

    :raise ValidationFailed: (field ``visit_id``) for a visit not planned on the day,
        or already double-staffed; (field ``citizen``) for a citizen not of the team.
    """
    problem, current = stored_day(app, context, plan, planned_only=True)
    change: dict[str, Any] = {"kind": kind, "now": now}
    if kind == EXTRA:
        visit = _extra_visit(app, context, plan, data)
        change.update(visit_id=visit.visit_id, visit=visit, service=data["service"],
                      citizen_id=context.citizen_ids[visit.citizen_id])
        context.services[visit.visit_id] = {
            "citizen_id": change["citizen_id"], "service": data["service"],
            "profession": visit.profession.value, "double_staffed": visit.double_staffed}
    else:
        planned = next((v for v in problem.visits if v.visit_id == data["visit_id"]), None)
        if planned is None:
            raise invalid("visit_id", "No planned visit with this id on the day.",
                          "Besøget findes ikke blandt dagens planlagte besøg.")
        if kind == SECOND_PERSON and planned.double_staffed:
            raise invalid("visit_id", "The visit already has two people.",
                          "Besøget er allerede et dobbeltbesøg.")
        change.update(visit_id=planned.visit_id, reason=data.get("reason"))
    return Draft(id=new_draft_id(), kind=REPLAN, team_id=str(context.team["id"]),
                 day=context.day, context=context, problem=problem, proposal=None,
                 plan_version=plan["version"], made_by=made_by, current=current,
                 change=change, time_limit_s=replan_limit(problem))


def replan_limit(problem: RoutingProblem) -> float:
    """The most a replanning takes: the team's solve, and one with the sister team."""
    return 2 * problem.time_limit_s


def _extra_visit(app: Pusleplan, context: DayContext, plan: dict[str, Any],
                 data: dict[str, Any]) -> VisitRequest:
    """The extra visit as the route planner sees it (a fresh id on the day)."""
    wanted = data["citizen"].strip()
    citizen = None
    for citizen_id in app.citizen_ids_of_team(UUID(context.team["id"])):
        candidate = app.citizen(citizen_id)
        if wanted.lower() in (candidate["code"].lower(), str(candidate["id"])) and (
                candidate["discharged_on"] is None or candidate["discharged_on"] > context.day):
            citizen = candidate
    if citizen is None:
        raise invalid("citizen", "Not a current citizen of the team.",
                      "Borgeren hører ikke til teamet (eller er afsluttet).")
    context.citizen_ids[citizen["code"]] = citizen["id"]
    base = f"{citizen['code']}/{data['service']}/{context.day.isoformat()}"
    taken = set(plan["visits"]) | {v.visit_id for v in context.problem.visits}
    visit_id, n = base, 1
    while visit_id in taken:
        n += 1
        visit_id = f"{base}/{n}"
    start, end = minutes(data["window_start"]), minutes(data["window_end"])
    return VisitRequest(
        visit_id=visit_id, citizen_id=citizen["code"],
        location=Location(citizen["lat"], citizen["lon"]), duration=data["minutes"],
        window=TimeWindow(start, max(start, end - data["minutes"])), preferred=start,
        profession=Profession(data["profession"].value),
        double_staffed=data["double_staffed"], contact_person=citizen["contact_person_id"],
        triage=Triage(citizen["triage"]))


def change_of(draft: Draft) -> Change:
    """The planner's change for a draft."""
    if draft.change is None:
        assert draft.sick_id is not None
        return CaregiverSick(draft.sick_id, draft.sick_from or 0)
    kind, visit_id = draft.change["kind"], draft.change["visit_id"]
    if kind == CANCELLED:
        return VisitCancelled(visit_id)
    if kind == SECOND_PERSON:
        return SecondPersonNeeded(visit_id)
    return VisitAdded(draft.change["visit"])


def replan_day(app: Pusleplan, draft: Draft) -> dict[str, Any]:
    """Replan the draft's day (the background work); the draft's fields to set.

    When the sister team helped, the draft's problem becomes the joined day
    (both teams' visits and people), its ``current`` both teams' run lists, and
    its context learns the sister team's names and services.
    """
    assert draft.current is not None
    asked: list[SisterPart] = []

    def sister() -> SisterDay | None:
        part = sister_part(app, draft.context)
        if part is None:
            return None
        asked.append(part)
        return SisterDay(part.problem, part.current)

    result = replan(draft.problem, draft.current, change_of(draft),
                    now=(draft.change or {}).get("now"), travel_times=draft.context.travel,
                    sister_day=sister)
    if not (asked and result.used_sister_team):
        return {"result": settle(result, draft.current, result.problem),
                "problem": result.problem}
    part = asked[0]
    current = replace(draft.current, run_lists=draft.current.run_lists
                      + part.current.run_lists)
    context = replace(draft.context, names={**part.context.names, **draft.context.names},
                      numbers={**part.context.numbers, **draft.context.numbers},
                      services={**part.context.services, **draft.context.services})
    return {"result": settle(result, current, result.problem), "sister": part,
            "problem": result.problem, "current": current, "context": context}


def sister_part(app: Pusleplan, context: DayContext) -> SisterPart | None:
    """The sister team's day (stored, else proposed), or None without a sister team or
    without anybody of it on shift."""
    sister = context.team.get("sister_team_id")
    if not sister:
        return None
    sister_context = build_day(app, UUID(sister), context.day,
                               time_limit_s=context.problem.time_limit_s,
                               travel=context.travel)
    plan = app.day_plan(UUID(sister), context.day)
    code = sister_context.team["code"]
    if may_be_stored(plan):
        assert plan is not None
        problem, current = stored_day(app, sister_context, plan, planned_only=True)
        return SisterPart(sister, code, sister_context, problem, current, plan["version"])
    if not sister_context.problem.caregivers:
        return None
    return SisterPart(sister, code, sister_context, sister_context.problem,
                      plan_routes(sister_context.problem, sister_context.travel), None)


def settle(result: ReplanResult, current: RouteProposal,
           problem: RoutingProblem) -> ReplanResult:
    """Keep the stored run lists of everyone the replanning did not touch.

    The solver may shift the times of people who neither gave nor got a visit;
    those shifts serve nobody, so their stored run lists stay as they are (and
    no VisitMoved is recorded for them). Partners on a double-staffed visit of a
    touched person count as touched, so both keep one start time.
    """
    touched = {m.from_caregiver for m in result.moves} | {m.to_caregiver for m in result.moves}
    double = {v.visit_id for v in problem.visits if v.double_staffed}
    new_runs = {run.caregiver_id: run for run in result.proposal.run_lists}
    changed = True
    while changed:
        changed = False
        for run in list(new_runs.values()) + list(current.run_lists):
            if run.caregiver_id not in touched:
                continue
            for stop in run.stops:
                if stop.visit_id in double:
                    for other in (*new_runs.values(), *current.run_lists):
                        if other.caregiver_id not in touched and any(
                                s.visit_id == stop.visit_id for s in other.stops):
                            touched.add(other.caregiver_id)
                            changed = True
    old_runs = {run.caregiver_id: run for run in current.run_lists}
    runs = tuple(run if run.caregiver_id in touched or run.caregiver_id not in old_runs
                 else old_runs[run.caregiver_id] for run in result.proposal.run_lists)
    return replace(result, proposal=replace(result.proposal, run_lists=runs))


# -- recording -------------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitChange:
    """One stored visit's new people and start after a replanning."""

    visit_id: str
    employee_ids: list[str]
    start: datetime


def replan_changes(proposal: RouteProposal, visits: tuple[VisitRequest, ...],
                   plan: dict[str, Any], day: Any) -> list[VisitChange]:
    """Every planned visit of ``plan`` whose people or start the replanning changed."""
    new = proposal.assignments()
    changes = []
    for visit in visits:
        stored = plan["visits"].get(visit.visit_id)
        if stored is None or stored["status"] != "planned":
            continue
        slots = [new.get((visit.visit_id, slot)) for slot in visit.slots]
        if all(slots):
            people = [who for who, _ in slots]  # type: ignore[misc]
            start = at_minute(day, slots[0][1].start)  # type: ignore[index]
        else:
            people, start = [], stored["start"]
        if people != stored["employee_ids"] or start != stored["start"]:
            changes.append(VisitChange(visit.visit_id, people, start))
    return changes


def record_replan(app: Pusleplan, actor: Actor, draft: Draft, plan: dict[str, Any]) -> int:
    """Record a replanning's moves on the team's (and the sister team's stored) day plan
    in one transaction (``move_visits``); the number of visits moved.

    :raise RuleBroken: if the planner is not done, or a move breaks a rule of the day
        plan (nothing is stored). :raise Conflict: the sister team's stored day changed
        since the replanning was made.
    """
    if draft.failed:
        raise invalid(REPLAN, "The replanning failed.",
                      "Genplanlægningen fejlede – meld syg igen for et nyt forslag.")
    if draft.proposal is None:
        raise invalid(REPLAN, "The replanning is still running.",
                      "Puslemødet er ikke færdigt endnu – vent et øjeblik.")
    reason = replan_reason(draft)
    days = [(draft.team_id, plan)]
    if draft.sister is not None and draft.sister.plan_version is not None:
        sister_plan = app.day_plan(UUID(draft.sister.team_id), draft.day)
        check_plan_version(sister_plan, draft.sister.plan_version)
        assert sister_plan is not None
        days.append((draft.sister.team_id, sister_plan))
    change = draft.change or {}
    moves: dict[UUID, list[dict[str, Any]]] = {}
    for team, stored in days:
        changes = replan_changes(draft.proposal, draft.problem.visits, stored, draft.day)
        if changes:
            moves[UUID(team)] = [
                {"visit_id": c.visit_id, "employee_ids": [UUID(e) for e in c.employee_ids],
                 "start": c.start, "reason": reason,
                 **({"double_staffed": True} if change.get("kind") == SECOND_PERSON
                    and c.visit_id == change["visit_id"] else {})} for c in changes]
    team_id = UUID(draft.team_id)
    cancelled = ({team_id: {change["visit_id"]: change["reason"] or "Aflyst"}}
                 if change.get("kind") == CANCELLED else None)
    added = ({team_id: [_added_visit(draft)]} if change.get("kind") == EXTRA else None)
    if moves or cancelled or added:
        app.move_visits(actor, draft.day, moves, cancelled=cancelled, added=added)
    return sum(len(m) for m in moves.values())


def replan_reason(draft: Draft) -> str:
    """Why the visits moved, in the words the day plan records."""
    change = draft.change or {}
    kind = change.get("kind")
    if kind is None:
        number = draft.context.numbers.get(draft.sick_id or "", "")
        return f"Puslemøde: {number} syg fra {hhmm(draft.sick_from or 0)}"
    code = change["visit_id"].split("/", 1)[0]
    return {CANCELLED: f"Puslemøde: besøg hos {code} aflyst",
            SECOND_PERSON: f"Puslemøde: besøg hos {code} kræver to",
            EXTRA: f"Puslemøde: ekstra besøg hos {code}"}[kind]


def _added_visit(draft: Draft) -> dict[str, Any]:
    """The extra visit to plan, with the people and start the replanning gave it (none
    when it could not be placed: it is planned uncovered, for the team to place)."""
    assert draft.change is not None and draft.proposal is not None
    visit: VisitRequest = draft.change["visit"]
    served = draft.proposal.assignments()
    slots = [served.get((visit.visit_id, slot)) for slot in visit.slots]
    placed = all(slots)
    start = slots[0][1].start if placed else visit.window.start  # type: ignore[index]
    return {"visit_id": visit.visit_id, "citizen_id": UUID(draft.change["citizen_id"]),
            "service_codes": [draft.change["service"]], "start": at_minute(draft.day, start),
            "minutes": visit.duration,
            "employee_ids": [UUID(who) for who, _ in slots] if placed else [],  # type: ignore[misc]
            "required_profession": visit.profession.value,
            "double_staffed": visit.double_staffed}


def record_sickness(app: Pusleplan, actor: Actor, draft: Draft) -> bool:
    """Register the sick person's absence for the day (sygdom), unless already registered."""
    if draft.sick_id is None:
        return False
    person = app.employee(UUID(draft.sick_id))
    if any(a["start"] <= draft.day and (a["end"] is None or draft.day <= a["end"])
           for a in person["absences"].values()):
        return False
    app.register_absence(actor, UUID(draft.sick_id), f"syg-{draft.day.isoformat()}",
                         AbsenceKind.SICK, draft.day, draft.day)
    return True
