"""The puslemøde from the stored day plan: ``pusleplan routes sick``.

The accepted day plan (the DayPlan aggregate) is the starting point when there
is one; otherwise the day is proposed first. The replanning moves as few other
visits as possible, asks the sister team (søsterteam) — with its own day — only
when the team cannot cover, and ``--accept`` records the moves as VisitMoved
events on the day plans in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from domain.application import Pusleplan
from domain.values import Actor
from planning.replan import (
    CaregiverSick,
    ReplanResult,
    SisterDay,
    plan_from_assignments,
    replan,
)
from planning.routing import plan_routes
from planning.routing_problem import StopKey
from planning.routing_proposal import RouteProposal
from web.dayproblem import DayContext, build_day


@dataclass
class CurrentDay:
    """A team's current plan for the replanning, and where it came from."""

    context: DayContext
    plan: RouteProposal
    source: str  # "stored" (the accepted day plan) or "proposed" (none stored)
    stored_ids: dict[str, str] = field(default_factory=dict)  # problem visit -> stored visit
    left_alone: int = 0  # stored visits the day's problem cannot replan (kept as they are)


def _minute(context: DayContext, moment: datetime) -> int:
    return int((moment - datetime.combine(context.day, datetime.min.time()))
               .total_seconds() // 60)


def current_day(app: Pusleplan, context: DayContext) -> CurrentDay:
    """The team's day plan as stored, or a fresh proposal when nothing is stored.

    Stored visits are matched to the day's visits by id, or by citizen and
    service (plans recorded by other programs use other ids). Cancelled visits
    leave the problem; visits by people not on shift in the problem (borrowed
    from another team) and visits the problem does not know stay as they are.
    """
    stored = app.day_plan(UUID(context.team["id"]), context.day)
    planned = {k: v for k, v in (stored or {}).get("visits", {}).items()
               if v["status"] != "cancelled"}
    if not planned:
        return CurrentDay(context, plan_routes(context.problem, context.travel), "proposed")
    known = {v.visit_id for v in context.problem.visits}
    on_shift = {c.caregiver_id for c in context.problem.caregivers}
    code_of = {cid: code for code, cid in context.citizen_ids.items()}
    cancelled = {k if k in known else _match(v, code_of, context, known)
                 for k, v in (stored or {}).get("visits", {}).items()
                 if v["status"] == "cancelled"}
    assignments: dict[StopKey, tuple[str, int]] = {}
    stored_ids: dict[str, str] = {}
    outside: set[str] = set()
    left_alone = 0
    for stored_id, visit in planned.items():
        match = stored_id if stored_id in known else _match(visit, code_of, context, known)
        if match is None or match in stored_ids:
            left_alone += 1
            continue
        if any(e not in on_shift for e in visit["employee_ids"]):
            outside.add(match)
            left_alone += 1
            continue
        stored_ids[match] = stored_id
        for slot, who in enumerate(visit["employee_ids"]):
            assignments[(match, slot)] = (who, _minute(context, visit["start"]))
    drop = outside | (cancelled - {None})
    problem = replace(context.problem,
                      visits=tuple(v for v in context.problem.visits if v.visit_id not in drop))
    context = replace(context, problem=problem)
    plan = plan_from_assignments(problem, assignments, context.travel)
    return CurrentDay(context, plan, "stored", stored_ids, left_alone)


def _match(visit: dict[str, Any], code_of: dict[str, str], context: DayContext,
           known: set[str]) -> str | None:
    code = code_of.get(visit["citizen_id"])
    for service in visit["service_codes"]:
        candidate = f"{code}/{service}/{context.day.isoformat()}"
        if candidate in known:
            return candidate
    return None


def sister_day(app: Pusleplan, context: DayContext, time_limit_s: float,
               seed: int) -> CurrentDay | None:
    """The sister team's current day, or None when the team has no sister team."""
    sister = context.team.get("sister_team_id")
    if not sister:
        return None
    sister_context = build_day(app, UUID(sister), context.day, time_limit_s=time_limit_s,
                               seed=seed, travel=context.travel)
    return current_day(app, sister_context)


def replan_sick(app: Pusleplan, team: CurrentDay, sick_id: str, from_time: int, *,
                time_limit_s: float, seed: int = 0) -> tuple[ReplanResult, CurrentDay | None]:
    """Replan the team's day after ``sick_id`` goes home at ``from_time``.

    The sister team's day is loaded only when the team cannot cover alone.
    Returns the result and the sister team's day (None when not asked, or
    when its help did not cover more than the team alone).
    """
    asked: list[CurrentDay] = []

    def sister() -> SisterDay | None:
        found = sister_day(app, team.context, time_limit_s, seed)
        if found is None:
            return None
        asked.append(found)
        return SisterDay(found.context.problem, found.plan)

    result = replan(team.context.problem, team.plan, CaregiverSick(sick_id, from_time),
                    travel_times=team.context.travel, sister_day=sister)
    # asked but not taken (it covered no more): the sister team's day is not changed
    return result, (asked[0] if asked and result.used_sister_team else None)


def record_moves(app: Pusleplan, actor: Actor, team: CurrentDay, sister: CurrentDay | None,
                 result: ReplanResult, reason: str) -> dict[str, int]:
    """Record the replanning: VisitMoved per changed stored visit, in one transaction.

    A visit that now has nobody is recorded with no people (ikke dækket); a
    visit of the day that was not in the stored plan and now has people is
    planned (VisitPlanned), and so is the whole replanned day when nothing
    was stored; a visit kept by the same people at a new time is
    moved too. Returns the counts: ``moved`` (other people), ``retimed``
    (same people, new time) and ``planned``.
    """
    new = result.proposal.assignments()
    midnight = datetime.combine(team.context.day, datetime.min.time())
    moves: dict[UUID, list[dict[str, Any]]] = {}
    added: list[dict[str, Any]] = []
    retimed = 0
    if team.source != "stored":  # nothing stored yet: the replanned day is the plan
        for visit in team.context.problem.visits:
            after = [new[(visit.visit_id, s)] for s in visit.slots if (visit.visit_id, s) in new]
            if after and len(after) == len(visit.slots):
                added.append(_planned(team, visit.visit_id, [who for who, _ in after],
                                      midnight + timedelta(minutes=after[0][1].start)))
    for day in (d for d in (team, sister) if d is not None):
        if day.source != "stored":
            continue  # nothing stored to move (the sister's day was only proposed)
        old = day.plan.assignments()
        for visit in day.context.problem.visits:
            before = [old[(visit.visit_id, s)] for s in visit.slots if (visit.visit_id, s) in old]
            after = [new[(visit.visit_id, s)] for s in visit.slots if (visit.visit_id, s) in new]
            if len(after) != len(visit.slots):
                after = []  # nobody (or half a double visit): not covered
            people = [who for who, _ in after]
            if [w for w, _ in before] == people and (
                    not after or before[0][1].start == after[0][1].start):
                continue
            start = after[0][1].start if after else before[0][1].start if before else None
            if start is None:
                continue
            stored_id = day.stored_ids.get(visit.visit_id)
            team_uuid = UUID(day.context.team["id"])
            if stored_id is None:
                if people and day is team:
                    added.append(_planned(team, visit.visit_id, people,
                                          midnight + timedelta(minutes=start)))
                continue
            same_people = [w for w, _ in before] == people
            retimed += same_people
            moves.setdefault(team_uuid, []).append({
                "visit_id": stored_id, "employee_ids": people,
                "start": midnight + timedelta(minutes=start),
                "reason": (f"{reason} – nyt tidspunkt" if same_people else reason)
                if people else f"{reason} – ikke dækket"})
    if moves:
        app.move_visits(actor, team.context.day, moves)
    if added:
        app.plan_visits(actor, UUID(team.context.team["id"]), team.context.day, added)
    recorded = sum(len(m) for m in moves.values())
    return {"moved": recorded - retimed, "retimed": retimed, "planned": len(added)}


def _planned(team: CurrentDay, visit_id: str, people: list[str],
             start: datetime) -> dict[str, Any]:
    facts = team.context.services[visit_id]
    visit = team.context.problem.visit(visit_id)
    return {"visit_id": visit_id, "citizen_id": UUID(facts["citizen_id"]),
            "service_codes": [facts["service"]], "start": start, "minutes": visit.duration,
            "employee_ids": people, "required_profession": facts["profession"],
            "double_staffed": facts["double_staffed"]}
