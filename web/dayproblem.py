"""Build one team's day for the route planner from the event-sourced domain.

The visits due (from each citizen's visitation), the people on shift (from the
roster covering the day, minus absences) and each citizen's recent caregivers
(from the day plans of the previous 14 days) become a ``RoutingProblem``.
Citizens are named by their case code, never by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from domain.application import Pusleplan
from domain.settings import Settings
from domain.values import WEEKDAYS
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
from planning.travel import HaversineTravelTimes, TravelTimes, travel_times_from_config

RECENT_DAYS = 14


@dataclass
class DayContext:
    """The problem plus what is needed to present and record its answer."""

    team: dict[str, Any]
    day: date
    problem: RoutingProblem
    names: dict[str, str] = field(default_factory=dict)  # employee id -> name
    numbers: dict[str, str] = field(default_factory=dict)  # employee id -> number
    citizen_ids: dict[str, str] = field(default_factory=dict)  # citizen code -> id
    services: dict[str, dict[str, Any]] = field(default_factory=dict)  # visit id -> facts
    skipped: list[str] = field(default_factory=list)  # why some help got no visit
    routes: dict[str, str] = field(default_factory=dict)  # employee id -> shift's route
    travel: TravelTimes = field(default_factory=HaversineTravelTimes)


def travel_times(settings: Settings | None = None) -> TravelTimes:
    """The travel-time provider the settings name (``PUSLEPLAN_TRAVEL``; haversine default)."""
    return travel_times_from_config((settings or Settings.from_env()).travel_config())


def _minutes_after(day: date, moment: datetime) -> int:
    return int((moment - datetime.combine(day, datetime.min.time())).total_seconds() // 60)


def build_day(app: Pusleplan, team_id: UUID, day: date, *, time_limit_s: float = 10.0,
              seed: int = 0, travel: TravelTimes | None = None) -> DayContext:
    """The team's route problem for ``day``; raises NotFound for an unknown team.

    ``travel`` is the travel-time provider to plan with (``context.travel``);
    by default the one ``PUSLEPLAN_TRAVEL`` names.
    """
    team = app.team(team_id)
    base = Location(team["base_lat"], team["base_lon"])
    context = DayContext(team, day, RoutingProblem((), ()),
                         travel=travel if travel is not None else travel_times())
    caregivers = _caregivers(app, team_id, day, base, context)
    recent = _recent_caregivers(app, team_id, day)
    visits = _visits(app, team_id, day, recent, context)
    context.problem = RoutingProblem(tuple(visits), tuple(caregivers), time_limit_s=time_limit_s,
                                     seed=seed)
    return context


def _caregivers(app: Pusleplan, team_id: UUID, day: date, base: Location,
                context: DayContext) -> list[Caregiver]:
    shifts = _shifts_touching(app, team_id, day, context)
    caregivers: list[Caregiver] = []
    for shift in sorted(shifts, key=lambda s: (s["start"], s["employee_id"])):
        person = app.employee(UUID(shift["employee_id"]))
        worked_on = shift["date"]  # last night's shift: absent on the day it began?
        if any(a["start"] <= worked_on and (a["end"] is None or worked_on <= a["end"])
               for a in person["absences"].values()):
            continue
        if shift.get("route"):  # the first shift naming a route gives the person's route
            context.routes.setdefault(person["id"], shift["route"])
        if person["id"] in context.names:
            continue  # a second shift the same day: the planner knows one shift a person
        context.names[person["id"]] = person["name"]
        context.numbers[person["id"]] = person["number"]
        caregivers.append(Caregiver(
            caregiver_id=person["id"], profession=Profession(person["profession"]),
            shift=TimeWindow(max(_minutes_after(day, shift["start"]), 0),
                             _minutes_after(day, shift["end"])),
            base=base, is_substitute=person["is_substitute"],
        ))
    return caregivers


def _shifts_touching(app: Pusleplan, team_id: UUID, day: date, context: DayContext
                     ) -> list[dict[str, Any]]:
    """Day and evening shifts starting on ``day``, and the night shift that ends on it.

    Tonight's night shift (23:00 → 07:00) serves tomorrow's night visits, so it
    belongs to tomorrow's plan; last night's covers today's 01:00–05:00 visits.
    """
    shifts: list[dict[str, Any]] = []
    for which in (day - timedelta(days=1), day):
        roster_id = app.roster_covering(team_id, which)
        if roster_id is None:
            if which == day:
                context.skipped.append(f"ingen vagtplan dækker {day}")
            continue
        for shift in app.roster(roster_id)["shifts"].values():
            if shift["date"] != which or not shift["employee_id"]:
                continue
            is_night = shift["layer"] == "nat"
            if (which == day and not is_night) or (which < day and is_night):
                shifts.append(shift)
    return shifts


def _recent_caregivers(app: Pusleplan, team_id: UUID, day: date) -> dict[str, set[str]]:
    recent: dict[str, set[str]] = {}
    for back in range(1, RECENT_DAYS + 1):
        plan = app.day_plan(team_id, day - timedelta(days=back))
        for visit in (plan or {}).get("visits", {}).values():
            people = visit.get("delivered_by") or visit["employee_ids"]
            recent.setdefault(visit["citizen_id"], set()).update(people)
    return recent


def _visits(app: Pusleplan, team_id: UUID, day: date, recent: dict[str, set[str]],
            context: DayContext) -> list[VisitRequest]:
    weekday = WEEKDAYS[day.weekday()]
    visits: list[VisitRequest] = []
    for citizen_id in app.citizen_ids_of_team(team_id):
        citizen = app.citizen(citizen_id)
        if citizen["discharged_on"] is not None and citizen["discharged_on"] <= day:
            continue
        visitation = citizen["visitation"]
        if not visitation or visitation["effective"] > day:
            continue
        if visitation["kind"] != "services":
            context.skipped.append(f"{citizen['code']}: {visitation['kind']}-visitation "
                                   "(teamet fordeler selv tiden)")
            continue
        context.citizen_ids[citizen["code"]] = citizen["id"]
        for service in visitation["services"]:
            if weekday not in service["days"]:
                continue
            start, end = minutes(service["window_start"]), minutes(service["window_end"])
            visit_id = f"{citizen['code']}/{service['code']}/{day.isoformat()}"
            context.services[visit_id] = {"citizen_id": citizen["id"],
                                          "service": service["code"],
                                          "profession": service["profession"],
                                          "double_staffed": service["double_staffed"]}
            visits.append(VisitRequest(
                visit_id=visit_id, citizen_id=citizen["code"],
                location=Location(citizen["lat"], citizen["lon"]),
                duration=service["minutes"],
                window=TimeWindow(start, max(start, end - service["minutes"])),
                preferred=start, profession=Profession(service["profession"]),
                double_staffed=service["double_staffed"],
                contact_person=citizen["contact_person_id"],
                recent_caregivers=frozenset(recent.get(citizen["id"], set())),
                triage=Triage(citizen["triage"]),
            ))
    return visits
