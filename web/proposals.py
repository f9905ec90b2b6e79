"""Foreslå plan: the roster solver on the domain's roster, and its answer as a difference.

``problem_for`` turns a ``RosterContext`` into ``planning.roster_problem.RosterProblem``:
one shift type per route (its layer's standard times), demand of one person of the
route's profession per route and day, the members with their contracts, absences
and ground rules, the bids, the previous roster's last 14 days as history and the
current plan (so a re-solve moves as little as possible). ``proposal_shifts``
turns a proposal into the ``accept_proposal`` command's shifts (uncovered demand
stays in the plan as open shifts), and ``difference`` says what would change.

Bids name a layer, the planner's shift types name routes: "avoid the evening
shift" becomes one avoid-bid per evening route; "want the evening shift" becomes
a wish to work that day (the planner cannot express "any evening route").
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from planning.roster_problem import (
    Bid,
    BidKind,
    Demand,
    GroundRules,
    Member,
    RosterProblem,
    ShiftType,
)
from planning.roster_solver import RosterInfeasible, RosterProposal
from planning.rules import Catalogue
from web.puzzle import LAYER_TIMES
from web.rosterplan import RosterContext, to_plan

DEFAULT_TIME_LIMIT_S = 20.0


def shift_types(context: RosterContext) -> tuple[ShiftType, ...]:
    """One shift type per route of the team, at its layer's standard times."""
    types = []
    for code, route in sorted(context.team["routes"].items()):
        hour, hours = LAYER_TIMES[route["layer"]]
        end = (hour + hours) % 24
        types.append(ShiftType(code, route["layer"], time(hour), time(end), route=code))
    return tuple(types)


def problem_for(context: RosterContext, catalogue: Catalogue | None = None,
                time_limit_s: float = DEFAULT_TIME_LIMIT_S, seed: int = 1) -> RosterProblem:
    """The roster problem for this roster as it stands (see the module docstring)."""
    plan = to_plan(context)
    rules = context.team["ground_rules"]
    night_workers = set(rules.get("night_workers") or [])
    members = tuple(
        Member(plan.person(e), profession=context.employees[e]["profession"],
               may_work_nights=not night_workers or e in night_workers)
        for e in context.team["members"] if e in context.employees)
    types = shift_types(context)
    demand = tuple(Demand(day, t.code, 1, context.team["routes"][t.code]["profession"])
                   for day in plan.days() for t in types)
    ground = GroundRules(
        weekend_off_every_n=rules.get("weekend_off_every_n"),
        max_nights_in_row=rules.get("max_nights_in_row"),
        min_staffing=tuple(sorted((rules.get("min_staffing") or {}).items())))
    return RosterProblem(
        period_start=plan.period_start, weeks=plan.weeks, members=members,
        shift_types=types, demand=demand, bids=tuple(_bids(context, types)),
        absences=plan.absences, history=plan.history, ground_rules=ground,
        current_plan=plan.shifts, catalogue=catalogue, time_limit_s=time_limit_s,
        seed=seed)


def _bids(context: RosterContext, types: tuple[ShiftType, ...]) -> list[Bid]:
    members = set(context.team["members"])
    found = []
    for bid in context.roster["bids"].values():
        employee, day, weight = bid["employee_id"], bid["date"], bid["weight"]
        if employee not in members:
            continue
        if bid["kind"] == "day_off":
            found.append(Bid(employee, day, BidKind.DAY_OFF, weight=weight))
        elif bid["kind"] == "want_route" and bid.get("route"):
            found.append(Bid(employee, day, BidKind.WANT_ROUTE, weight=weight,
                             route=bid["route"]))
        elif bid["kind"] == "avoid_shift":
            found += [Bid(employee, day, BidKind.AVOID, t.code, weight)
                      for t in types if t.layer == bid["layer"]]
        elif bid["kind"] == "want_shift":
            found.append(Bid(employee, day, BidKind.WANT, None, weight))
    return found


def proposal_shifts(context: RosterContext, proposal: RosterProposal) -> list[dict[str, Any]]:
    """The proposal as ``accept_proposal`` shifts; uncovered demand becomes open shifts."""
    routes = {t.code: t for t in shift_types(context)}
    shifts: list[dict[str, Any]] = []
    for s in sorted(proposal.shifts, key=lambda s: (s.start, s.route or "", s.employee)):
        shifts.append({"shift_id": _shift_id(s.day, s.route or s.layer or "V", shifts),
                       "employee_id": s.employee, "date": s.day, "layer": s.layer,
                       "start": s.start, "end": s.end, "route": s.route})
    for day, code, count in proposal.uncovered:
        start, end = routes[code].times_on(day)
        for _ in range(count):
            shifts.append({"shift_id": _shift_id(day, code, shifts), "employee_id": None,
                           "date": day, "layer": routes[code].layer, "start": start,
                           "end": end, "route": code})
    return shifts


def _shift_id(day: date, code: str, taken: list[dict[str, Any]]) -> str:
    base = f"F-{day:%Y%m%d}-{code}"
    used = {s["shift_id"] for s in taken}
    n = 1
    while (f"{base}-{n}" if n > 1 else base) in used:
        n += 1
    return f"{base}-{n}" if n > 1 else base


@dataclass(frozen=True)
class Change:
    """One person's day that the proposal changes: before and after (layer letters)."""

    employee_id: str | None
    day: date
    before: str
    after: str


def difference(context: RosterContext, proposed: list[dict[str, Any]]) -> list[Change]:
    """Per person and day, what the proposal changes against the current plan."""
    def cells(shifts: list[dict[str, Any]]) -> dict[tuple[str | None, date], str]:
        found: dict[tuple[str | None, date], list[str]] = defaultdict(list)
        for s in shifts:
            found[(s["employee_id"], s["date"])].append(
                f"{s['layer'][:1].upper()}{' ' + s['route'] if s.get('route') else ''}")
        return {k: ", ".join(sorted(v)) for k, v in found.items()}

    before = cells(list(context.roster["shifts"].values()))
    after = cells(proposed)
    keys = sorted(set(before) | set(after), key=lambda k: (k[1], k[0] or ""))
    return [Change(k[0], k[1], before.get(k, ""), after.get(k, "")) for k in keys
            if before.get(k, "") != after.get(k, "")]


def summary_da(result: RosterProposal | RosterInfeasible) -> str:
    """One Danish sentence about the solver's answer."""
    if isinstance(result, RosterInfeasible):
        return result.message
    proven = "bevist optimal" if result.proven_optimal else "bedste fundne"
    uncovered = sum(count for _, _, count in result.uncovered)
    return (f"Forslaget ({proven}, {result.wall_time_s:.0f} s): {len(result.shifts)} vagter, "
            f"{uncovered} udækkede, {len(result.unmet_bids)} ønsker ikke opfyldt.")
