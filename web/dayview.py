"""What the Kørelister page and API show of a plan (stored, proposed or replanned).

``day_view`` gives the run lists per person (ordered stops with times, travel,
profession, triage, double-staffed visits, what moved), the unassigned visits
with the reason, the day's totals and the route map. ``Presenter`` decides how
people and citizens appear: names and case codes, or pseudonyms for evaluators.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from planning.replan import ReplanResult
from planning.routing_eligibility import check_eligibility
from planning.routing_problem import RoutingProblem, Triage, VisitRequest, hhmm
from planning.routing_proposal import (
    REASON_DA,
    Continuity,
    RouteProposal,
    Unassigned,
    UnassignedReason,
)
from projections.pseudonyms import pseudonym as citizen_pseudonym
from web.authz import pseudonym
from web.dayproblem import DayContext
from web.routemap import RouteInput, RouteMap, colour, draw

TRIAGE_DA = {Triage.RED: "rød", Triage.YELLOW: "gul", Triage.GREEN: "grøn"}
NO_STAFF_DA = "Ingen medarbejder har besøget – det skal fordeles."
NOT_IN_PLAN_DA = "Besøget er ikke med i de godkendte kørelister."



@dataclass(frozen=True)
class StopView:
    number: int
    visit_id: str
    start: str
    end: str
    citizen: str
    service: str
    profession: str
    triage: str  # roed, gul, groen
    triage_da: str
    double: bool
    partner: str | None
    travel: int
    wait: int
    status: str  # planned, delivered (stored plans) or proposed
    moved_from: str | None = None  # the person who had it before a replanning
    new_time: str | None = None  # the old start when only the time changed
    added: bool = False  # a replanning put this stop on the day (an extra visit, a second person)


@dataclass(frozen=True)
class RunView:
    employee_id: str
    name: str
    number: str
    profession: str
    colour: str
    leave: str
    back: str
    travel: int
    visit_minutes: int
    stops: tuple[StopView, ...]
    break_text: str | None
    received: int = 0
    handed_over: int = 0
    sick_from: str | None = None
    route: str | None = None  # the route code of the person's shift (rute), if any
    route_name: str | None = None

    @property
    def moved(self) -> int:
        return self.received


@dataclass(frozen=True)
class UnassignedView:
    visit_id: str
    citizen: str
    service: str
    window: str
    profession: str
    reason: str
    message: str


@dataclass(frozen=True)
class DayView:
    runs: tuple[RunView, ...]
    unassigned: tuple[UnassignedView, ...]
    map: RouteMap
    visits: int
    stops: int
    travel: int
    moved: int
    continuity: Continuity

    @property
    def people(self) -> int:
        return sum(1 for run in self.runs if run.stops)


class Presenter:
    """How people and citizens appear to the user (names or pseudonyms)."""

    def __init__(self, context: DayContext, real: bool,
                 citizen_key: bytes | None = None) -> None:
        self.context = context
        self.real = real
        self.citizen_key = citizen_key  # the installation's key for citizens' pseudonyms

    def person(self, employee_id: str | None) -> str:
        if employee_id is None:
            return "ingen"
        if self.real:
            return self.context.names.get(employee_id, "Ukendt")
        return f"Person {pseudonym(employee_id)[2:8]}"

    def ident(self, employee_id: str) -> str:
        return employee_id if self.real else pseudonym(employee_id)

    def number(self, employee_id: str) -> str:
        return self.context.numbers.get(employee_id, "") if self.real else ""

    def citizen(self, code: str) -> str:
        """The case code, or for evaluators the citizen's pseudonym (``B-…``), the same
        as on the Borgere pages and in the evaluation reports."""
        if self.real:
            return code
        citizen_id = self.context.citizen_ids.get(code)
        if self.citizen_key is not None and citizen_id is not None:
            return citizen_pseudonym(self.citizen_key, citizen_id)
        return f"Borger {pseudonym(code)[2:8]}"


def day_view(context: DayContext, problem: RoutingProblem, proposal: RouteProposal,
             presenter: Presenter, *, result: ReplanResult | None = None,
             previous: RouteProposal | None = None, status: dict[str, str] | None = None,
             sick: tuple[str, int] | None = None,
             stored_ids: set[str] | None = None,
             route_codes: dict[str, str] | None = None) -> DayView:
    """The run lists, moves, unassigned visits, totals and map of one plan.

    ``route_codes`` names each person's route for the day (employee id -> route code).
    """
    team_routes = context.team.get("routes", {})
    visits = {v.visit_id: v for v in problem.visits}
    people = {c.caregiver_id: c for c in problem.caregivers}
    before = previous.assignments() if previous else {}
    moves = result.moves if result else ()
    received = Counter(m.to_caregiver for m in moves if m.to_caregiver)
    handed = Counter(m.from_caregiver for m in moves if m.from_caregiver)
    partners: dict[str, list[str]] = {}
    for run in proposal.run_lists:
        for stop in run.stops:
            partners.setdefault(stop.visit_id, []).append(run.caregiver_id)
    runs, routes = [], []
    ordered = sorted((r for r in proposal.run_lists if r.stops),
                     key=lambda r: (r.leave_base, r.caregiver_id)) + [
        r for r in proposal.run_lists if not r.stops]
    for index, run in enumerate(ordered):
        stop_views = []
        for number, stop in enumerate(run.stops, start=1):
            visit = visits[stop.visit_id]
            facts = context.services.get(stop.visit_id, {})
            old = before.get(stop.key)
            moved_from = (old[0] if old and old[0] != run.caregiver_id else None)
            added = result is not None and old is None
            if added:
                moved_from = None
            new_time = (hhmm(old[1].start) if old and moved_from is None
                        and old[1].start != stop.start else None)
            others = [p for p in partners.get(stop.visit_id, []) if p != run.caregiver_id]
            stop_views.append(StopView(
                number, stop.visit_id, hhmm(stop.start), hhmm(stop.end),
                presenter.citizen(stop.citizen_id), str(facts.get("service", "")),
                str(visit.profession), str(visit.triage), TRIAGE_DA[visit.triage],
                visit.double_staffed, presenter.person(others[0]) if others else None,
                stop.travel_minutes, stop.wait_minutes,
                (status or {}).get(stop.visit_id, "proposed"),
                presenter.person(moved_from) if moved_from else None, new_time, added))
        caregiver = people.get(run.caregiver_id)
        route = (route_codes or {}).get(run.caregiver_id)
        break_text = (f"Pause {hhmm(run.break_start)} ({run.break_minutes} min)"
                      if run.break_start is not None else None)
        runs.append(RunView(
            presenter.ident(run.caregiver_id), presenter.person(run.caregiver_id),
            presenter.number(run.caregiver_id),
            str(caregiver.profession) if caregiver else "", colour(index),
            hhmm(run.leave_base), hhmm(run.back_at_base), run.travel_minutes,
            sum(visits[s.visit_id].duration for s in run.stops), tuple(stop_views), break_text,
            received.get(run.caregiver_id, 0), handed.get(run.caregiver_id, 0),
            hhmm(sick[1]) if sick and sick[0] == run.caregiver_id else None,
            route, team_routes.get(route, {}).get("name") if route else None))
        routes.append(RouteInput(colour(index), presenter.person(run.caregiver_id), [
            (visits[s.visit_id].location.lat, visits[s.visit_id].location.lon,
             f"{n}. {hhmm(s.start)} {presenter.citizen(s.citizen_id)}",
             bool(stop_views[n - 1].moved_from or stop_views[n - 1].added))
            for n, s in enumerate(run.stops, start=1)]))
    why = _why_not_planned(context, problem, proposal, stored_ids)
    unassigned = tuple(_unassigned_view(context, visits, item, presenter, stored_ids, why)
                       for item in proposal.unassigned if item.visit_id in visits)
    loose = [(visits[u.visit_id].location.lat, visits[u.visit_id].location.lon,
              f"Ikke planlagt: {presenter.citizen(u.citizen_id)}")
             for u in proposal.unassigned if u.visit_id in visits]
    base = (context.team["base_lat"], context.team["base_lon"])
    served = {s.visit_id for r in proposal.run_lists for s in r.stops}
    return DayView(tuple(runs), unassigned, draw(base, routes, loose), len(served),
                   sum(len(r.stops) for r in proposal.run_lists),
                   sum(r.travel_minutes for r in proposal.run_lists),
                   len(moves), proposal.continuity)


def _why_not_planned(context: DayContext, problem: RoutingProblem, proposal: RouteProposal,
                     stored_ids: set[str] | None) -> dict[str, UnassignedReason]:
    """For a stored plan: why each due visit it does not hold was left out, as the
    planner would say it (nobody qualified, only substitutes, nobody on shift in the
    window; otherwise no capacity). An accepted plan keeps no reasons, so they are
    worked out again from the day's people and windows."""
    if stored_ids is None:
        return {}
    missing = {u.visit_id for u in proposal.unassigned if u.visit_id not in stored_ids}
    if not missing or not problem.caregivers:
        return {}
    travel = context.travel.matrix([c.base for c in problem.caregivers]
                                   + [v.location for v in problem.visits])
    found = check_eligibility(problem, travel)
    reasons = {u.visit_id: u.reason for u in found.unassigned}
    return {visit_id: reasons.get(visit_id, UnassignedReason.NO_CAPACITY)
            for visit_id in missing}


def _unassigned_view(context: DayContext, visits: dict[str, VisitRequest], item: Unassigned,
                     presenter: Presenter, stored_ids: set[str] | None,
                     why: dict[str, UnassignedReason]) -> UnassignedView:
    visit = visits[item.visit_id]
    facts = context.services.get(item.visit_id, {})
    message, reason = item.message, item.reason
    if stored_ids is not None and item.visit_id in stored_ids:
        message = NO_STAFF_DA
    elif stored_ids is not None:
        reason = why.get(item.visit_id, reason)
        message = f"{NOT_IN_PLAN_DA} {REASON_DA[reason]}" if item.visit_id in why \
            else NOT_IN_PLAN_DA
    return UnassignedView(item.visit_id, presenter.citizen(item.citizen_id),
                          str(facts.get("service", "")), str(visit.window),
                          str(visit.profession), str(reason), message)
