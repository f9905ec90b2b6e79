"""The counterfactual: re-plan historic days with the route planner and compare.

For each chosen day the team's route problem is built as the web's planner
builds it (``web.dayproblem.build_day``: the visits due from the visitations,
the people on shift in the roster, each citizen's recent caregivers), solved by
``planning.routing.plan_routes`` with the chosen weights, and compared with
what happened that day (the delivered visits in the day plan) on the same
measures: distinct staff per citizen that day, share of visits by the contact
person, travel minutes (the planner's travel model over each person's visits
in the order they were delivered, from and back to the team's base) and
lateness (minutes started after the preferred start plus the planner's
tolerance). The problem is built from today's visitations and contact persons,
so days long ago are re-planned with the help the citizens have now.

When the route planner cannot be imported or fails, the evaluation says the
counterfactual is not available and why; the rest of the report stands.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any
from uuid import UUID

from domain.application import Pusleplan


@dataclass(frozen=True)
class DayOutcome:
    """One day, as it happened or as re-planned."""

    day: date
    visits: int
    mean_distinct_staff: float | None
    contact_share: float | None
    travel_minutes: int
    lateness_minutes: int
    unassigned: int = 0


@dataclass(frozen=True)
class Counterfactual:
    """Re-planned days next to what happened, or why it is not available."""

    available: bool
    reason: str = ""
    weights: dict[str, int] = field(default_factory=dict)
    time_limit_s: float = 0.0
    days: list[tuple[DayOutcome, DayOutcome]] = field(default_factory=list)


def counterfactual(app: Pusleplan, team_id: UUID, days: list[date], weights: dict[str, int],
                   time_limit_s: float) -> Counterfactual:
    """Re-plan ``days`` with ``weights`` (``planning.routing_problem.Weights`` fields)."""
    try:
        from planning.routing import plan_routes
        from planning.routing_problem import Weights
        from planning.travel import HaversineTravelTimes
        from web.dayproblem import build_day
    except ImportError as error:
        return Counterfactual(False, f"the route planner is not available yet ({error})")
    try:
        chosen = replace(Weights(), **weights)
    except TypeError as error:
        return Counterfactual(False, f"unknown weight: {error}")
    travel = HaversineTravelTimes()
    compared: list[tuple[DayOutcome, DayOutcome]] = []
    try:
        for day in days:
            context = build_day(app, team_id, day, time_limit_s=time_limit_s)
            problem = replace(context.problem, weights=chosen)
            if not problem.visits or not problem.caregivers:
                continue
            proposal = plan_routes(problem, travel)
            unassigned = len(proposal.unassigned)
            replanned = DayOutcome(
                day, len(problem.visits) - unassigned, proposal.continuity.mean_distinct_staff,
                proposal.continuity.contact_share, proposal.objective.travel_minutes,
                proposal.objective.lateness_minutes, unassigned)
            compared.append((actual_day(app, team_id, day, context, travel,
                                        chosen.lateness_tolerance), replanned))
    except Exception as error:  # the planner is being written: report, do not crash
        return Counterfactual(False, f"the route planner failed: {type(error).__name__}: "
                                     f"{error}")
    fields = {name: getattr(chosen, name) for name in chosen.__dataclass_fields__}
    return Counterfactual(True, "", fields, time_limit_s, compared)


def _minutes(day: date, moment: datetime) -> int:
    return int((moment - datetime.combine(day, datetime.min.time())).total_seconds() // 60)


def actual_day(app: Pusleplan, team_id: UUID, day: date, context: Any, travel: Any,
               tolerance: int) -> DayOutcome:
    """What happened on ``day``, measured as the planner measures its proposals."""
    plan = app.day_plan(team_id, day) or {"visits": {}}
    code_of = {cid: code for code, cid in context.citizen_ids.items()}
    requests = {v.visit_id: v for v in context.problem.visits}
    location = {v.citizen_id: v.location for v in context.problem.visits}
    base = context.problem.caregivers[0].base if context.problem.caregivers else None
    staff_of: dict[str, set[str]] = defaultdict(set)
    contact = [0, 0]
    late = 0
    rounds: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    delivered = [v for v in plan["visits"].values() if v["status"] == "delivered"]
    for visit in delivered:
        code = code_of.get(visit["citizen_id"], visit["citizen_id"])
        people = visit.get("delivered_by") or visit["employee_ids"]
        staff_of[code].update(people)
        request = requests.get(f"{code}/{visit['service_codes'][0]}/{day.isoformat()}")
        if request is not None:
            if request.contact_person:
                contact[1] += 1
                contact[0] += request.contact_person in people
            if request.preferred is not None:
                late += max(0, _minutes(day, visit["actual_start"]) - request.preferred
                            - tolerance)
        for person in people:
            rounds[person].append((visit["actual_start"], code))
    driven = 0
    if base is not None:
        for stops in rounds.values():
            here = base
            for _, code in sorted(stops):
                there = location.get(code, here)
                driven += travel.minutes(here, there)
                here = there
            driven += travel.minutes(here, base)
    counts = [len(s) for s in staff_of.values()]
    return DayOutcome(day, len(delivered), statistics.fmean(counts) if counts else None,
                      contact[0] / contact[1] if contact[1] else None, driven, late)
