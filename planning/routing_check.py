"""An independent check of run lists against the hard conditions of a day.

It recomputes from the problem and the travel times, never from the solver:
profession, substitute at a red/yellow citizen, time window, shift, travel
between stops, double-staffing, the R19 break. The domain can use it to refuse a
manual move (VisitMoved) that breaks a hard condition, with the reason.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from planning.routing_eligibility import qualified, substitute_allowed
from planning.routing_problem import Caregiver, RoutingProblem
from planning.routing_proposal import RouteProposal, RunList
from planning.travel import TravelTimes


@dataclass(frozen=True)
class Breach:
    """One broken hard condition: which, who, which visit, explained (English)."""

    condition: str
    caregiver_id: str
    visit_id: str
    detail: str


def check_proposal(problem: RoutingProblem, proposal: RouteProposal,
                   travel_times: TravelTimes) -> list[Breach]:
    """Every hard condition the proposal breaks (empty when it is feasible)."""
    people = {c.caregiver_id: c for c in problem.caregivers}
    locations = [c.base for c in problem.caregivers] + [v.location for v in problem.visits]
    matrix = travel_times.matrix(locations)
    row = {c.caregiver_id: i for i, c in enumerate(problem.caregivers)}
    row.update({v.visit_id: len(problem.caregivers) + i for i, v in enumerate(problem.visits)})
    breaches: list[Breach] = []
    for run in proposal.run_lists:
        caregiver = people.get(run.caregiver_id)
        if caregiver is None:
            breaches.append(Breach("caregiver", run.caregiver_id, "", "not on shift today"))
            continue
        breaches += _check_run(problem, caregiver, run, matrix, row)
    breaches += _check_double_staffing(problem, proposal)
    return breaches


def _check_run(problem: RoutingProblem, caregiver: Caregiver, run: RunList,
               matrix: list[list[int]], row: dict[str, int]) -> list[Breach]:
    """Conditions on one person's run list."""
    who, out = caregiver.caregiver_id, []
    place, ready = who, caregiver.shift.start
    busy: list[tuple[int, int]] = []
    for stop in run.stops:
        visit = problem.visit(stop.visit_id)
        if not qualified(caregiver, visit):
            out.append(Breach("profession", who, visit.visit_id,
                              f"{caregiver.profession} cannot do a {visit.profession} visit"))
        if not substitute_allowed(caregiver, visit):
            out.append(Breach("substitute", who, visit.visit_id,
                              f"substitute at a {visit.triage} citizen"))
        pinned = problem.fixed.get(stop.key)
        if pinned is None and not visit.window.start <= stop.start <= visit.window.end:
            out.append(Breach("window", who, visit.visit_id,
                              f"starts {stop.start}, window {visit.window}"))
        earliest = ready + matrix[row[place]][row[visit.visit_id]]
        if stop.start < earliest:
            out.append(Breach("travel", who, visit.visit_id,
                              f"starts {stop.start} but cannot arrive before {earliest}"))
        if stop.end != stop.start + visit.duration:
            out.append(Breach("duration", who, visit.visit_id,
                              f"lasts {stop.end - stop.start}, needs {visit.duration}"))
        busy.append((stop.start, stop.end))
        place, ready = visit.visit_id, stop.end
    if run.stops:
        home = ready + matrix[row[place]][row[who]]
        if home > caregiver.shift.end:
            out.append(Breach("shift", who, "", f"back at base {home} after shift end "
                                                f"{caregiver.shift.end}"))
    out += _check_break(problem, caregiver, run, busy)
    return out


def _check_break(problem: RoutingProblem, caregiver: Caregiver, run: RunList,
                 busy: list[tuple[int, int]]) -> list[Breach]:
    """R19: a shift over the limit has its break inside the window, clear of every visit."""
    rule = problem.break_rule
    window = rule.window(caregiver) if rule is not None else None
    if rule is None or window is None or not run.stops:
        return []
    who = caregiver.caregiver_id
    if run.break_start is None:
        return [Breach("break", who, "", "shift over the R19 limit has no break")]
    start, end = run.break_start, run.break_start + rule.minutes
    out = []
    if not window.start <= start <= window.end:
        out.append(Breach("break", who, "", f"break at {start} outside {window}"))
    out += [Breach("break", who, "", f"break {start}–{end} overlaps a visit {a}–{b}")
            for a, b in busy if a < end and start < b]
    return out


def _check_double_staffing(problem: RoutingProblem, proposal: RouteProposal) -> list[Breach]:
    """Two different people, same start, for every served double-staffed visit."""
    served: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for run in proposal.run_lists:
        for stop in run.stops:
            served[stop.visit_id].append((run.caregiver_id, stop.start))
    out = []
    for visit in problem.visits:
        staff = served.get(visit.visit_id, [])
        need = 2 if visit.double_staffed else 1
        if staff and len(staff) != need:
            out.append(Breach("staffing", "", visit.visit_id,
                              f"served by {len(staff)} people, needs {need}"))
        elif need == 2 and staff and (staff[0][0] == staff[1][0] or staff[0][1] != staff[1][1]):
            out.append(Breach("double", "", visit.visit_id,
                              f"needs two different people starting together, got {staff}"))
    return out
