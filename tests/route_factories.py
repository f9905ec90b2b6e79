"""Small route-planning scenarios for the routing and replanning tests.

Everyone works from one base in central Copenhagen; citizens live a few
minutes' drive away. Times are minutes after midnight (``at("09:30")``).
"""

from __future__ import annotations

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

BASE = Location(55.6761, 12.5683, "urban")


def at(text: str) -> int:
    return minutes(text)


def home(k: int) -> Location:
    """The k-th citizen's home, on a small grid around the base (1–6 km away)."""
    return Location(55.6761 + 0.006 * (k % 5 + 1), 12.5683 + 0.01 * (k // 5 + 1), "urban")


def caregiver(name: str, profession: Profession | str = Profession.SSH, start: str = "07:00",
              end: str = "15:00", **extra: object) -> Caregiver:
    return Caregiver(name, Profession(profession), TimeWindow(at(start), at(end)), BASE,
                     **extra)  # type: ignore[arg-type]


def visit(visit_id: str, citizen: int = 0, start: str = "08:00", end: str = "10:00",
          duration: int = 20, profession: Profession | str = Profession.SSH,
          **extra: object) -> VisitRequest:
    return VisitRequest(visit_id, f"borger{citizen}", home(citizen), duration,
                        TimeWindow(at(start), at(end)), profession=Profession(profession),
                        **extra)  # type: ignore[arg-type]


def problem(visits: list[VisitRequest], caregivers: list[Caregiver],
            **extra: object) -> RoutingProblem:
    options: dict[str, object] = {"time_limit_s": 1.0}
    options.update(extra)
    return RoutingProblem(tuple(visits), tuple(caregivers), **options)  # type: ignore[arg-type]


def morning(citizens: int = 12, visits_each: int = 2) -> tuple[list[VisitRequest], list[Caregiver]]:
    """A small morning: three SSH and one SSA, each citizen seen a few times."""
    people = [caregiver("anna"), caregiver("bo"), caregiver("cai"),
              caregiver("dina", Profession.SSA)]
    visits = []
    for k in range(citizens):
        for n in range(visits_each):
            start = at("07:30") + n * 180 + (k % 4) * 30
            visits.append(VisitRequest(
                f"b{k}-{n}", f"borger{k}", home(k), 20 if k % 3 else 30,
                TimeWindow(start, start + 90), preferred=start + 30,
                contact_person=people[k % 3].caregiver_id,
                recent_caregivers=frozenset({people[k % 3].caregiver_id}),
                triage=Triage.GREEN))
    return visits, people
