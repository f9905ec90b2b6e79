"""DayPlan: one team's routes and visits (besøg) on one date.

Facts the plan cannot know itself — a citizen's triage and discharge, the
staff's professions and whether they are substitutes — are handed in by the
application service, which loads them from their own aggregates.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import RuleBroken
from domain.values import Profession, Triage

MAX_VISIT_MINUTES = 8 * 60


class DayPlan(Aggregate):
    """The run lists (kørelister) of one team on one day."""

    @staticmethod
    def create_id(team_id: str, day: date) -> UUID:
        return dayplan_id(team_id, day)

    @event("DayPlanOpened")
    def __init__(self, team_id: str, day: date, actor: dict[str, str]) -> None:
        self.team_id = team_id
        self.day = day
        self.routes: dict[str, str] = {}
        self.visits: dict[str, dict[str, Any]] = {}

    # -- commands ---------------------------------------------------------------

    def assign_route(
        self, route_code: str, employee_id: UUID, known_routes: set[str], is_member: bool,
        actor: dict[str, str],
    ) -> None:
        """Give a route to one person for the day (one route per person)."""
        if route_code not in known_routes:
            raise RuleBroken(
                f"Ruten {route_code} findes ikke i teamet.", f"unknown route {route_code}",
                field="route_code",
            )
        if not is_member:
            raise RuleBroken(
                "Kun teamets medlemmer kan få en rute.",
                f"employee {employee_id} not a member", field="employee_id",
            )
        for other_route, holder in self.routes.items():
            if holder == str(employee_id) and other_route != route_code:
                raise RuleBroken(
                    f"Medarbejderen kører allerede rute {other_route} i dag.",
                    f"employee {employee_id} already on route {other_route}",
                    field="employee_id",
                )
        self._route_assigned(route_code=route_code, employee_id=str(employee_id), actor=actor)

    def plan_visit(
        self, visit_id: str, citizen_id: UUID, service_codes: list[str], start: datetime,
        minutes: int, employee_ids: list[str], required_profession: Profession,
        double_staffed: bool, citizen: dict[str, Any], staff: dict[str, dict[str, Any]],
        actor: dict[str, str],
    ) -> None:
        """Plan a visit at a citizen's home, with one person (two if double-staffed)."""
        if visit_id in self.visits:
            raise RuleBroken("Besøget findes allerede.", f"visit {visit_id} exists",
                             field="visit_id")
        if citizen["discharged"]:
            raise RuleBroken(
                "Borgeren er afsluttet og kan ikke få nye besøg.",
                f"citizen {citizen_id} is discharged", field="citizen_id",
            )
        if not 0 < minutes <= MAX_VISIT_MINUTES:
            raise RuleBroken(
                "Et besøg skal vare mellem 1 og 480 minutter.",
                f"visit minutes {minutes} outside 1..480", field="minutes",
            )
        self.check_on_day(start)
        self.check_staffing(
            employee_ids, Profession(required_profession), double_staffed, citizen, staff
        )
        self._visit_planned(
            visit_id=visit_id, citizen_id=str(citizen_id), service_codes=list(service_codes),
            start=start, minutes=minutes, employee_ids=list(employee_ids),
            required_profession=str(Profession(required_profession)),
            double_staffed=double_staffed, actor=actor,
        )

    def move_visit(
        self, visit_id: str, employee_ids: list[str], start: datetime, reason: str,
        citizen: dict[str, Any], staff: dict[str, dict[str, Any]], actor: dict[str, str],
        window: tuple[time, time] | None = None, double_staffed: bool | None = None,
    ) -> None:
        """Move a visit to other people or another time (manual move or replanning).

        ``window`` is the visit's hard time window from the citizen's visitation
        (tidsvindue): the moved visit must start in it and, where the window is
        long enough, end in it. None when the visitation no longer names the service.
        ``double_staffed`` changes the visit to need two people (True) or one
        (False) with this move, e.g. after a new lift (dobbeltbemanding); None
        keeps it as it is.
        """
        visit = self.get_open_visit(visit_id)
        self.check_on_day(start)
        if window is not None:
            check_window(start, visit["minutes"], *window, previous=visit["start"])
        staffed = visit["double_staffed"] if double_staffed is None else double_staffed
        self.check_staffing(
            employee_ids, Profession(visit["required_profession"]), staffed, citizen, staff,
        )
        self._visit_moved(
            visit_id=visit_id, employee_ids=list(employee_ids), start=start,
            previous_employee_ids=visit["employee_ids"], previous_start=visit["start"],
            reason=reason, actor=actor,
            double_staffed=None if staffed == visit["double_staffed"] else staffed,
        )

    def cancel_visit(self, visit_id: str, reason: str, actor: dict[str, str]) -> None:
        """Aflys a visit (the citizen is in hospital, declined the visit…)."""
        self.get_open_visit(visit_id)
        self._visit_cancelled(visit_id=visit_id, reason=reason, actor=actor)

    def record_delivery(
        self, visit_id: str, actual_start: datetime, actual_end: datetime,
        employee_ids: list[str], actor: dict[str, str],
    ) -> None:
        """Record the delivered visit (imported from the care record system)."""
        self.get_open_visit(visit_id)
        if not actual_start < actual_end:
            raise RuleBroken(
                "Besøgets sluttid skal ligge efter starttiden.",
                f"delivered visit {actual_start}..{actual_end} empty", field="actual_end",
            )
        if not employee_ids:
            raise RuleBroken(
                "Et leveret besøg skal have mindst én medarbejder.",
                "delivered visit without employee", field="employee_ids",
            )
        self._visit_delivered(
            visit_id=visit_id, actual_start=actual_start, actual_end=actual_end,
            employee_ids=list(employee_ids), actor=actor,
        )

    # -- guards -----------------------------------------------------------------

    def check_on_day(self, start: datetime) -> None:
        if start.date() != self.day:
            raise RuleBroken(
                "Besøget skal ligge på dagsplanens dato.",
                f"visit starts {start.date()}, plan is for {self.day}", field="start",
            )

    @staticmethod
    def check_staffing(
        employee_ids: list[str], required: Profession, double_staffed: bool,
        citizen: dict[str, Any], staff: dict[str, dict[str, Any]],
    ) -> None:
        """Right number of distinct, qualified people; no substitute at a red/yellow citizen."""
        if len(set(employee_ids)) != len(employee_ids):
            raise RuleBroken(
                "Den samme medarbejder står på besøget to gange.",
                "duplicate employee on visit", field="employee_ids",
            )
        needed = 2 if double_staffed else 1
        if employee_ids and len(employee_ids) != needed:
            raise RuleBroken(
                "Et dobbeltbesøg kræver to medarbejdere." if double_staffed
                else "Et besøg har én medarbejder.",
                f"visit needs {needed} employees, got {len(employee_ids)}",
                field="employee_ids",
            )
        for employee_id in employee_ids:
            person = staff[employee_id]
            check_available(employee_id, person)
            if not Profession(person["profession"]).can_do(required):
                raise RuleBroken(
                    f"Besøget kræver {required}; medarbejderen er {person['profession']}.",
                    f"employee {employee_id} ({person['profession']}) cannot do a "
                    f"{required} visit",
                    field="employee_ids",
                )
            if person["is_substitute"] and citizen["triage"] in (Triage.RED, Triage.YELLOW):
                raise RuleBroken(
                    "En vikar må ikke komme hos en borger, der er rød eller gul.",
                    f"substitute {employee_id} at a {citizen['triage']} citizen",
                    field="employee_ids",
                )

    def get_open_visit(self, visit_id: str) -> dict[str, Any]:
        visit = self.visits.get(visit_id)
        if visit is None:
            raise RuleBroken("Besøget findes ikke.", f"no visit {visit_id}", field="visit_id")
        if visit["status"] != "planned":
            raise RuleBroken(
                "Besøget er allerede " + ("leveret." if visit["status"] == "delivered"
                                          else "aflyst."),
                f"visit {visit_id} is {visit['status']}", field="visit_id",
            )
        return visit

    # -- events -----------------------------------------------------------------

    @event("RouteAssigned")
    def _route_assigned(self, route_code: str, employee_id: str, actor: dict[str, str]) -> None:
        self.routes[route_code] = employee_id

    @event("VisitPlanned")
    def _visit_planned(
        self, visit_id: str, citizen_id: str, service_codes: list[str], start: datetime,
        minutes: int, employee_ids: list[str], required_profession: str,
        double_staffed: bool, actor: dict[str, str],
    ) -> None:
        self.visits[visit_id] = {
            "citizen_id": citizen_id, "service_codes": service_codes, "start": start,
            "minutes": minutes, "employee_ids": employee_ids,
            "required_profession": required_profession, "double_staffed": double_staffed,
            "status": "planned",
        }

    @event("VisitMoved")
    def _visit_moved(
        self, visit_id: str, employee_ids: list[str], start: datetime,
        previous_employee_ids: list[str], previous_start: datetime, reason: str,
        actor: dict[str, str], double_staffed: bool | None = None,
    ) -> None:
        self.visits[visit_id].update(employee_ids=employee_ids, start=start)
        if double_staffed is not None:  # (events before this field keep the visit's own)
            self.visits[visit_id]["double_staffed"] = double_staffed

    @event("VisitCancelled")
    def _visit_cancelled(self, visit_id: str, reason: str, actor: dict[str, str]) -> None:
        self.visits[visit_id]["status"] = "cancelled"

    @event("VisitDelivered")
    def _visit_delivered(
        self, visit_id: str, actual_start: datetime, actual_end: datetime,
        employee_ids: list[str], actor: dict[str, str],
    ) -> None:
        self.visits[visit_id].update(
            status="delivered", actual_start=actual_start, actual_end=actual_end,
            delivered_by=employee_ids,
        )


def check_available(employee_id: str, person: dict[str, Any]) -> None:
    """The person belongs to the team (or is borrowed from the sister team) and is not absent.

    ``person`` may carry ``in_team``, ``in_sister_team``, ``serves_teams`` and
    ``absent`` (handed in by the application service); facts not handed in
    are not checked. A therapist (terapeut) serves several teams of the district
    (DESIGN.md: TER stands apart), so ``serves_teams`` lets them in.
    """
    if "in_team" in person and not (person["in_team"] or person.get("in_sister_team")
                                    or person.get("serves_teams")):
        raise RuleBroken(
            "Medarbejderen er hverken med i teamet eller i søsterteamet.",
            f"employee {employee_id} is neither in the team nor in its sister team",
            field="employee_ids",
        )
    if person.get("absent"):
        raise RuleBroken(
            "Medarbejderen er registreret fraværende (syg, ferie eller kursus) den dag.",
            f"employee {employee_id} is absent that day", field="employee_ids",
        )


def check_window(start: datetime, minutes: int, window_start: time, window_end: time,
                 previous: datetime | None = None) -> None:
    """A visit starts inside its time window and ends by its end (tidsvindue).

    When the visit is longer than the window (services merged into one visit),
    it must start at the window's start. A move of a visit that already starts
    outside its window (people planned it so) may keep or shrink that breach
    (``previous``: its current start), never widen it.
    """
    first = window_start.hour * 60 + window_start.minute
    last = max(first, window_end.hour * 60 + window_end.minute - minutes)
    at = start.hour * 60 + start.minute

    def outside(minute: int) -> int:
        return max(first - minute, minute - last, 0)

    before = outside(previous.hour * 60 + previous.minute) if previous is not None else 0
    if outside(at) > before:
        latest = f"{last // 60:02d}:{last % 60:02d}"
        raise RuleBroken(
            f"Besøget skal starte mellem {window_start:%H:%M} og {latest} "
            f"(borgerens tidsvindue {window_start:%H:%M}–{window_end:%H:%M}); "
            f"{start:%H:%M} ligger uden for.",
            f"visit start {start:%H:%M} outside its window "
            f"{window_start:%H:%M}-{window_end:%H:%M} for {minutes} min",
            field="start",
        )


def visit_end(visit: dict[str, Any]) -> datetime:
    return visit["start"] + timedelta(minutes=visit["minutes"])


def dayplan_id(team_id: UUID | str, day: date) -> UUID:
    """Deterministic id of a team's day plan."""
    return uuid5(NAMESPACE_URL, f"/pusleplan/dayplans/{team_id}/{day.isoformat()}")
