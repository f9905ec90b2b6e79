"""The application service: every command loads aggregates, calls them, saves.

This is the only place that loads and saves aggregates (DESIGN.md). Commands
take plain values (already validated at the edge by the marshmallow schemas in
``web/schemas.py``) and an ``Actor``; they return ids, never aggregates.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, ClassVar, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Transcoding

from domain.citizens import Citizen, citizen_id
from domain.dayplans import DayPlan, dayplan_id
from domain.employees import Employee, employee_id
from domain.errors import Conflict, NotFound, RuleBroken
from domain.rosters import Roster, roster_id
from domain.settings import Settings
from domain.teams import Team, team_id
from domain.users import User, user_id
from domain.values import (
    AbsenceKind,
    Actor,
    BidKind,
    Profession,
    Role,
    ShiftLayer,
    Triage,
    VisitationKind,
    parse_hhmm,
)

log = logging.getLogger(__name__)

A = TypeVar("A", bound=Aggregate)

CONFLICT_MESSAGE = "En anden har ændret planen imens – genindlæs og prøv igen."


@dataclass
class Expectation:
    """A command's claim that it acts on ``aggregate_id`` as it stood at ``version``
    (None: any version); ``loaded`` is the aggregate the command loaded, so its version
    after the command is the one the command saved."""

    aggregate_id: UUID
    version: int | None
    loaded: Aggregate | None = None


_EXPECTED: ContextVar[Expectation | None] = ContextVar("pusleplan_expected", default=None)


class DateAsISO(Transcoding):
    """Transcode ``datetime.date`` as an ISO string (datetime has its own)."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class Pusleplan(Application[UUID]):
    """Pusleplan's event-sourced application (commands and simple queries)."""

    name = "Pusleplan"
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {Roster: 50, DayPlan: 200}

    @classmethod
    def from_settings(cls, settings: Settings, **extra_env: str) -> Pusleplan:
        """Construct the application on the store the settings describe."""
        return cls(env={**settings.eventsourcing_env(), **extra_env})

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    # -- infrastructure -----------------------------------------------------------

    def load(self, cls: type[A], aggregate_id: UUID, what: str) -> A:
        """Load an aggregate or raise NotFound with a Danish message."""
        try:
            aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFound(f"{what} findes ikke.", f"{cls.__name__} {aggregate_id} not found")\
                from None
        if not isinstance(aggregate, cls):
            raise NotFound(f"{what} findes ikke.", f"{aggregate_id} is not a {cls.__name__}")
        expected = _EXPECTED.get()
        if expected is not None and expected.aggregate_id == aggregate_id:
            if expected.version is not None and aggregate.version != expected.version:
                raise Conflict(CONFLICT_MESSAGE, f"{cls.__name__} {aggregate_id} is at version "
                                                 f"{aggregate.version}, not {expected.version}")
            expected.loaded = aggregate
        return aggregate

    @contextmanager
    def expecting(self, aggregate_id: UUID, version: int | None) -> Iterator[Expectation]:
        """Run commands on ``aggregate_id`` only if it is still at ``version``.

        The check happens when a command loads the aggregate, and the optimistic
        concurrency of ``store`` covers the rest, so a command never acts on a newer
        plan than the client saw (If-Match); the expectation then holds the saved
        aggregate, whose version is the one to answer with.
        """
        expectation = Expectation(aggregate_id, version)
        token = _EXPECTED.set(expectation)
        try:
            yield expectation
        finally:
            _EXPECTED.reset(token)

    def store(self, *aggregates: Aggregate) -> None:
        """Save, turning a concurrent write into a clear Conflict; nothing is half-written."""
        try:
            self.save(*aggregates)
        except IntegrityError:
            log.info("conflict saving %s", [type(a).__name__ for a in aggregates])
            raise Conflict(
                CONFLICT_MESSAGE,
                "someone else changed this plan since it was loaded — reload and retry",
            ) from None

    def create(self, aggregate: Aggregate, what: str) -> UUID:
        """Save a new aggregate; if it already exists, say so."""
        try:
            self.save(aggregate)
        except IntegrityError:
            raise Conflict(f"{what} findes allerede.", f"{aggregate.id} already exists")\
                from None
        return aggregate.id

    def exists(self, aggregate_id: UUID) -> bool:
        return aggregate_id in self.repository

    # -- teams ----------------------------------------------------------------------

    def create_team(
        self, actor: Actor, code: str, name: str, area: str, base_lat: float, base_lon: float
    ) -> UUID:
        team = Team(code=code, name=name, area=area, base_lat=base_lat, base_lon=base_lon,
                    actor=actor.as_dict())
        return self.create(team, f"Teamet {code}")

    def join_team(self, actor: Actor, team_id: UUID, employee_id: UUID) -> None:
        team = self.load(Team, team_id, "Teamet")
        self.load(Employee, employee_id, "Medarbejderen")
        team.join(employee_id, actor.as_dict())
        self.store(team)

    def leave_team(self, actor: Actor, team_id: UUID, employee_id: UUID, reason: str) -> None:
        team = self.load(Team, team_id, "Teamet")
        team.leave(employee_id, reason, actor.as_dict())
        self.store(team)

    def define_route(
        self, actor: Actor, team_id: UUID, route_code: str, name: str, layer: ShiftLayer,
        profession: Profession,
    ) -> None:
        team = self.load(Team, team_id, "Teamet")
        team.define_route(route_code, name, layer, profession, actor.as_dict())
        self.store(team)

    def link_sister_team(self, actor: Actor, team_id: UUID, sister_team_id: UUID) -> None:
        team = self.load(Team, team_id, "Teamet")
        self.load(Team, sister_team_id, "Søsterteamet")
        team.link_sister_team(sister_team_id, actor.as_dict())
        self.store(team)

    def set_ground_rules(self, actor: Actor, team_id: UUID, rules: dict[str, Any]) -> None:
        team = self.load(Team, team_id, "Teamet")
        team.set_ground_rules(rules, actor.as_dict())
        self.store(team)

    # -- employees --------------------------------------------------------------------

    def hire_employee(
        self, actor: Actor, number: str, name: str, profession: Profession,
        weekly_hours: float, hired_on: date, is_substitute: bool = False,
    ) -> UUID:
        employee = Employee.hire(number, name, profession, weekly_hours, hired_on,
                                 is_substitute, actor.as_dict())
        return self.create(employee, f"Medarbejder {number}")

    def change_contract(
        self, actor: Actor, employee_id: UUID, weekly_hours: float, profession: Profession,
        effective: date,
    ) -> None:
        employee = self.load(Employee, employee_id, "Medarbejderen")
        employee.change_contract(weekly_hours, profession, effective, actor.as_dict())
        self.store(employee)

    def register_absence(
        self, actor: Actor, employee_id: UUID, absence_id: str, kind: AbsenceKind,
        start: date, end: date | None = None,
    ) -> None:
        employee = self.load(Employee, employee_id, "Medarbejderen")
        employee.register_absence(absence_id, kind, start, end, actor.as_dict())
        self.store(employee)

    def end_absence(self, actor: Actor, employee_id: UUID, absence_id: str, end: date) -> None:
        employee = self.load(Employee, employee_id, "Medarbejderen")
        employee.end_absence(absence_id, end, actor.as_dict())
        self.store(employee)

    # -- citizens -----------------------------------------------------------------------

    def register_citizen(
        self, actor: Actor, code: str, name: str, address: str, lat: float, lon: float,
        team_id: UUID, registered_on: date,
    ) -> UUID:
        self.load(Team, team_id, "Teamet")
        citizen = Citizen(code=code, name=name, address=address, lat=lat, lon=lon,
                          team_id=str(team_id), registered_on=registered_on,
                          actor=actor.as_dict())
        return self.create(citizen, f"Borger {code}")

    def change_visitation(
        self, actor: Actor, citizen_id: UUID, effective: date, kind: VisitationKind,
        services: list[dict[str, Any]] | None = None,
        package_minutes_per_week: int | None = None, reason: str = "",
    ) -> None:
        citizen = self.load(Citizen, citizen_id, "Borgeren")
        citizen.change_visitation(effective, kind, services or [], package_minutes_per_week,
                                  reason, actor.as_dict())
        self.store(citizen)

    def change_triage(self, actor: Actor, citizen_id: UUID, triage: Triage, reason: str = ""
                      ) -> None:
        citizen = self.load(Citizen, citizen_id, "Borgeren")
        citizen.change_triage(triage, reason, actor.as_dict())
        self.store(citizen)

    def assign_contact_person(self, actor: Actor, citizen_id: UUID, employee_id: UUID) -> None:
        citizen = self.load(Citizen, citizen_id, "Borgeren")
        team = self.load(Team, UUID(citizen.team_id), "Teamet")
        if not team.is_member(employee_id):
            raise RuleBroken(
                "Kontaktpersonen skal være med i borgerens team.",
                f"employee {employee_id} not in citizen's team", field="employee_id",
            )
        citizen.assign_contact_person(employee_id, actor.as_dict())
        self.store(citizen)

    def discharge_citizen(self, actor: Actor, citizen_id: UUID, on: date, reason: str) -> None:
        citizen = self.load(Citizen, citizen_id, "Borgeren")
        citizen.discharge(on, reason, actor.as_dict())
        self.store(citizen)

    # -- rosters ------------------------------------------------------------------------

    def open_roster(self, actor: Actor, team_id: UUID, period_start: date, weeks: int = 8
                    ) -> UUID:
        self.load(Team, team_id, "Teamet")
        roster = Roster.open(team_id, period_start, weeks, actor.as_dict())
        return self.create(roster, "Vagtplanen for perioden")

    def _roster_and_team(self, roster_id: UUID) -> tuple[Roster, Team]:
        roster = self.load(Roster, roster_id, "Vagtplanen")
        return roster, self.load(Team, UUID(roster.team_id), "Teamet")

    def bid_shift(
        self, actor: Actor, roster_id: UUID, bid_id: str, employee_id: UUID, kind: BidKind,
        date: date, layer: ShiftLayer | None = None, route: str | None = None,
        weight: int = 1,
    ) -> None:
        roster, team = self._roster_and_team(roster_id)
        roster.bid(bid_id, employee_id, kind, date, layer, route, weight,
                   team.is_member(employee_id), actor.as_dict())
        self.store(roster)

    def take_shift(
        self, actor: Actor, roster_id: UUID, shift_id: str, employee_id: UUID, date: date,
        layer: ShiftLayer, start: datetime, end: datetime, route: str | None = None,
    ) -> None:
        roster, team = self._roster_and_team(roster_id)
        roster.take_shift(shift_id, employee_id, date, layer, start, end, route,
                          team.is_member(employee_id), actor.as_dict())
        self.store(roster)

    def release_shift(self, actor: Actor, roster_id: UUID, shift_id: str, employee_id: UUID
                      ) -> None:
        roster = self.load(Roster, roster_id, "Vagtplanen")
        roster.release_shift(shift_id, employee_id, actor.as_dict())
        self.store(roster)

    def swap_shifts(
        self, actor: Actor, roster_id: UUID, shift_id: str, to_employee_id: UUID,
        other_shift_id: str | None = None,
    ) -> None:
        roster, team = self._roster_and_team(roster_id)
        roster.swap_shifts(shift_id, to_employee_id, other_shift_id,
                           team.is_member(to_employee_id), actor.as_dict())
        self.store(roster)

    def accept_proposal(
        self, actor: Actor, roster_id: UUID, shifts: list[dict[str, Any]],
        objective: dict[str, int] | None = None,
    ) -> None:
        roster, team = self._roster_and_team(roster_id)
        roster.accept_proposal(shifts, set(team.members), objective or {}, actor.as_dict())
        self.store(roster)

    def record_roster_check(
        self, actor: Actor, roster_id: UUID, hard_violations: int, soft_violations: int
    ) -> None:
        roster = self.load(Roster, roster_id, "Vagtplanen")
        roster.record_check(hard_violations, soft_violations, actor.as_dict())
        self.store(roster)

    def publish_roster(self, actor: Actor, roster_id: UUID, published_at: datetime) -> None:
        roster = self.load(Roster, roster_id, "Vagtplanen")
        roster.publish(published_at, actor.as_dict())
        self.store(roster)

    def change_shift_after_publish(
        self, actor: Actor, roster_id: UUID, shift_id: str, employee_id: UUID | None,
        start: datetime, end: datetime, changed_at: datetime, reason: str,
        exchange_shift_id: str | None = None,
    ) -> None:
        """Change a published shift; with ``exchange_shift_id`` that shift goes to the
        first shift's previous holder in the same change (an exchange: both or neither)."""
        roster, team = self._roster_and_team(roster_id)
        is_member = employee_id is None or team.is_member(employee_id)
        if exchange_shift_id is None:
            roster.change_after_publish(shift_id, employee_id, start, end, changed_at, reason,
                                        is_member, actor.as_dict())
        else:
            roster.exchange_after_publish(shift_id, employee_id, start, end,
                                          exchange_shift_id, changed_at, reason, is_member,
                                          actor.as_dict())
        self.store(roster)

    # -- day plans ----------------------------------------------------------------------

    def _day_plan(self, actor: Actor, team_id: UUID, day: date) -> DayPlan:
        """Load the team's day plan, opening it if it does not exist yet."""
        plan_id = dayplan_id(team_id, day)
        if self.exists(plan_id):
            return self.load(DayPlan, plan_id, "Dagsplanen")
        self.load(Team, team_id, "Teamet")
        return DayPlan(team_id=str(team_id), day=day, actor=actor.as_dict())

    def assign_route(
        self, actor: Actor, team_id: UUID, date: date, route_code: str, employee_id: UUID
    ) -> None:
        team = self.load(Team, team_id, "Teamet")
        plan = self._day_plan(actor, team_id, date)
        plan.assign_route(route_code, employee_id, set(team.routes),
                          team.is_member(employee_id), actor.as_dict())
        self.store(plan)

    def plan_visits(
        self, actor: Actor, team_id: UUID, date: date, visits: list[dict[str, Any]],
        routes: dict[str, UUID] | None = None,
    ) -> None:
        """Plan many visits in one transaction (an accepted route proposal).

        Every person on a visit must be qualified, a member of the team (or of the
        sister team, when borrowed) and not absent that day; a substitute never
        visits a red or yellow citizen. ``routes`` (route code -> employee) gives
        people their routes for the day in the same transaction, checked as
        ``assign_route``. One bad visit or route stores none of them.
        """
        plan = self._day_plan(actor, team_id, date)
        if routes:
            team = self.load(Team, team_id, "Teamet")
            for route_code, employee_id in routes.items():
                plan.assign_route(route_code, employee_id, set(team.routes),
                                  team.is_member(employee_id), actor.as_dict())
        self._plan_into(actor, plan, team_id, date, visits, {})
        self.store(plan)

    def _plan_into(self, actor: Actor, plan: DayPlan, team_id: UUID, date: date,
                   visits: list[dict[str, Any]], citizens: dict[str, dict[str, Any]]) -> None:
        """Plan ``visits`` on the team's day plan (not stored yet), each checked."""
        staff: dict[str, dict[str, Any]] = {}
        teams = self._team_members(team_id)
        for visit in visits:
            self._facts(visit["citizen_id"], visit["employee_ids"], citizens, staff,
                        teams=teams, day=date)
            plan.plan_visit(
                visit["visit_id"], visit["citizen_id"], visit["service_codes"],
                visit["start"], visit["minutes"], [str(e) for e in visit["employee_ids"]],
                visit["required_profession"], visit.get("double_staffed", False),
                citizens[str(visit["citizen_id"])], staff, actor.as_dict(),
            )

    def plan_visit(self, actor: Actor, team_id: UUID, date: date, **visit: Any) -> None:
        self.plan_visits(actor, team_id, date, [visit])

    def move_visit(
        self, actor: Actor, team_id: UUID, date: date, visit_id: str,
        employee_ids: list[UUID], start: datetime, reason: str,
    ) -> None:
        """Move one visit by hand; refused when it breaks a hard condition.

        Hard conditions: the visit's time window (from the citizen's visitation),
        the required profession, no substitute at a red or yellow citizen, people
        from the team (or the sister team) who are not absent that day.
        """
        self.move_visits(actor, date, {team_id: [
            {"visit_id": visit_id, "employee_ids": employee_ids, "start": start,
             "reason": reason}]})

    def move_visits(
        self, actor: Actor, date: date, moves: dict[UUID, list[dict[str, Any]]], *,
        cancelled: dict[UUID, dict[str, str]] | None = None,
        added: dict[UUID, list[dict[str, Any]]] | None = None,
    ) -> None:
        """Move many visits of one or more teams' day plans in one transaction.

        ``moves`` maps a team id to its moves (``visit_id``, ``employee_ids``,
        ``start``, ``reason``, optionally ``double_staffed`` to make a visit need
        two people), e.g. the puslemøde's replanning of a team and its sister
        team. Each move is checked as ``move_visit``. ``cancelled`` (team id ->
        visit id -> reason) aflyser visits and ``added`` (team id -> visits as for
        ``plan_visits``) plans new ones in the same transaction. One refused
        change stores none of them.
        """
        plans: dict[UUID, DayPlan] = {}
        citizens: dict[str, dict[str, Any]] = {}

        def plan_of(team: UUID) -> DayPlan:
            if team not in plans:
                plans[team] = self.load(DayPlan, dayplan_id(team, date), "Dagsplanen")
            return plans[team]

        for team, reasons in (cancelled or {}).items():
            for visit_id, reason in reasons.items():
                plan_of(team).cancel_visit(visit_id, reason, actor.as_dict())
        for team, team_moves in moves.items():
            plan = plan_of(team)
            teams = self._team_members(team)
            staff: dict[str, dict[str, Any]] = {}
            for move in team_moves:
                visit = plan.get_open_visit(move["visit_id"])
                self._facts(visit["citizen_id"], move["employee_ids"], citizens, staff,
                            teams=teams, day=date)
                citizen = citizens[visit["citizen_id"]]
                plan.move_visit(move["visit_id"], [str(e) for e in move["employee_ids"]],
                                move["start"], move["reason"], citizen, staff, actor.as_dict(),
                                window=_service_window(citizen["services"],
                                                       visit["service_codes"]),
                                double_staffed=move.get("double_staffed"))
        for team, visits in (added or {}).items():
            plans[team] = plans.get(team) or self._day_plan(actor, team, date)
            self._plan_into(actor, plans[team], team, date, visits, citizens)
        self.store(*plans.values())

    def cancel_visit(self, actor: Actor, team_id: UUID, date: date, visit_id: str,
                     reason: str) -> None:
        plan = self.load(DayPlan, dayplan_id(team_id, date), "Dagsplanen")
        plan.cancel_visit(visit_id, reason, actor.as_dict())
        self.store(plan)

    def record_deliveries(
        self, actor: Actor, team_id: UUID, date: date, deliveries: list[dict[str, Any]]
    ) -> None:
        """Record delivered visits (imported from the care record system) in one go."""
        plan = self.load(DayPlan, dayplan_id(team_id, date), "Dagsplanen")
        for item in deliveries:
            plan.record_delivery(item["visit_id"], item["actual_start"], item["actual_end"],
                                 [str(e) for e in item["employee_ids"]], actor.as_dict())
        self.store(plan)

    def _team_members(self, team_id: UUID) -> tuple[set[str], set[str]]:
        """The team's members and its sister team's members (empty if none)."""
        team = self.load(Team, team_id, "Teamet")
        sister: set[str] = set()
        if team.sister_team_id is not None:
            sister = set(self.load(Team, UUID(team.sister_team_id), "Søsterteamet").members)
        return set(team.members), sister

    def _facts(
        self, citizen: UUID | str, employees: Iterable[UUID | str],
        citizens: dict[str, dict[str, Any]], staff: dict[str, dict[str, Any]],
        teams: tuple[set[str], set[str]] | None = None, day: date | None = None,
    ) -> None:
        """Collect what a day plan must know about a citizen and the staff on a visit.

        With ``teams`` (members, sister team's members) and ``day``, each person's
        membership and absence that day are collected too.
        """
        key = str(citizen)
        if key not in citizens:
            loaded = self.load(Citizen, UUID(key), "Borgeren")
            citizens[key] = {"discharged": loaded.is_discharged, "triage": loaded.triage,
                             "services": (loaded.visitation or {}).get("services", [])}
        for employee in employees:
            if str(employee) not in staff:
                person = self.load(Employee, UUID(str(employee)), "Medarbejderen")
                facts: dict[str, Any] = {"profession": person.profession,
                                         "is_substitute": person.is_substitute}
                if teams is not None:
                    facts.update(in_team=str(employee) in teams[0],
                                 in_sister_team=str(employee) in teams[1],
                                 serves_teams=person.profession == Profession.TER)
                if day is not None:
                    facts["absent"] = person.is_absent_on(day)
                staff[str(employee)] = facts

    # -- users ------------------------------------------------------------------------

    def register_user(
        self, actor: Actor, username: str, display_name: str, role: Role,
        password_hash: str, team_ids: list[UUID] | None = None,
        employee_id: UUID | None = None,
    ) -> UUID:
        """Register a log-in (the password arrives already hashed with argon2)."""
        for team in team_ids or []:
            self.load(Team, team, "Teamet")
        if employee_id is not None:
            self.load(Employee, employee_id, "Medarbejderen")
        user = User.register(username.strip().lower(), display_name, role,
                             [str(t) for t in team_ids or []],
                             str(employee_id) if employee_id else None, password_hash,
                             actor.as_dict())
        return self.create(user, f"Brugeren {username}")

    def change_password(self, actor: Actor, username: str, password_hash: str) -> None:
        user = self.load(User, user_id(username), "Brugeren")
        user.change_password(password_hash, actor.as_dict())
        self.store(user)

    def user(self, username: str) -> dict[str, Any] | None:
        """A user's log-in record, or None (for the log-in check; includes the hash)."""
        try:
            user = self.load(User, user_id(username), "Brugeren")
        except NotFound:
            return None
        return {
            "id": str(user.id), "username": user.username, "display_name": user.display_name,
            "role": user.role, "team_ids": list(user.team_ids),
            "employee_id": user.employee_id, "password_hash": user.password_hash,
            "disabled": user.disabled,
        }

    # -- queries --------------------------------------------------------------------------

    def team(self, team_id: UUID) -> dict[str, Any]:
        team = self.load(Team, team_id, "Teamet")
        return {
            "id": str(team.id), "code": team.code, "name": team.name, "area": team.area,
            "base_lat": team.base_lat, "base_lon": team.base_lon,
            "members": list(team.members), "routes": dict(team.routes),
            "sister_team_id": team.sister_team_id, "ground_rules": dict(team.ground_rules),
            "version": team.version,
        }

    def employee(self, employee_id: UUID) -> dict[str, Any]:
        """An employee's name, number, contract and absences (for the roster and checker)."""
        employee = self.load(Employee, employee_id, "Medarbejderen")
        return {
            "id": str(employee.id), "number": employee.number, "name": employee.name,
            "profession": employee.profession, "weekly_hours": employee.weekly_hours,
            "is_substitute": employee.is_substitute,
            "absences": {k: dict(v) for k, v in employee.absences.items()},
        }

    def roster_history(self, roster_id: UUID) -> list[dict[str, Any]]:
        """The roster's events, oldest first: type, time (UTC), actor and the event's fields."""
        self.load(Roster, roster_id, "Vagtplanen")
        history = []
        for stored in self.repository.event_store.get(roster_id):
            fields = {k: v for k, v in stored.__dict__.items()
                      if k not in ("originator_id", "originator_version", "timestamp",
                                   "actor")}
            history.append({"type": type(stored).__name__, "at": stored.timestamp,
                            "version": stored.originator_version,
                            "actor": dict(getattr(stored, "actor", {}) or {}), **fields})
        return history

    def roster(self, roster_id: UUID) -> dict[str, Any]:
        roster = self.load(Roster, roster_id, "Vagtplanen")
        return {
            "id": str(roster.id), "team_id": roster.team_id,
            "period_start": roster.period_start, "weeks": roster.weeks,
            "shifts": {k: dict(v) for k, v in roster.shifts.items()},
            "bids": {k: dict(v) for k, v in roster.bids.items()},
            "published_at": roster.published_at, "version": roster.version,
        }

    # -- queries for planning the day ---------------------------------------------------

    def citizen_ids_of_team(self, team_id: UUID) -> list[UUID]:
        """Every citizen ever registered in the team (discharged ones included)."""
        topic = "domain.citizens:Citizen.CitizenRegistered"
        found: list[UUID] = []
        position = 0
        while True:
            batch = self.recorder.select_notifications(start=position + 1, limit=1000,
                                                       topics=[topic])
            for notification in batch:
                event = self.mapper.to_domain_event(notification)
                if event.team_id == str(team_id):
                    found.append(event.originator_id)
                position = notification.id
            if len(batch) < 1000:
                return found

    def citizen(self, citizen_id: UUID) -> dict[str, Any]:
        """A citizen's care facts (personal data: never log this)."""
        citizen = self.load(Citizen, citizen_id, "Borgeren")
        return {
            "id": str(citizen.id), "code": citizen.code, "name": citizen.name,
            "address": citizen.address, "lat": citizen.lat, "lon": citizen.lon,
            "team_id": citizen.team_id, "visitation": citizen.visitation,
            "triage": citizen.triage, "contact_person_id": citizen.contact_person_id,
            "discharged_on": citizen.discharged_on,
        }

    def day_plan(self, team_id: UUID, day: date) -> dict[str, Any] | None:
        """The team's day plan (routes and visits), or None if nothing is planned."""
        plan_id = dayplan_id(team_id, day)
        if not self.exists(plan_id):
            return None
        plan = self.load(DayPlan, plan_id, "Dagsplanen")
        return {"team_id": plan.team_id, "day": plan.day, "routes": dict(plan.routes),
                "visits": {k: dict(v) for k, v in plan.visits.items()},
                "version": plan.version}

    def roster_covering(self, team_id: UUID, day: date) -> UUID | None:
        """The id of the team's roster whose period covers ``day``, if any."""
        monday = day - timedelta(days=day.weekday())
        for weeks_back in range(12):
            start = monday - timedelta(weeks=weeks_back)
            candidate = roster_id(team_id, start)
            if self.exists(candidate):
                roster = self.load(Roster, candidate, "Vagtplanen")
                if roster.period_start <= day < roster.period_end:
                    return candidate
        return None


def _service_window(services: list[dict[str, Any]], codes: list[str]) -> tuple[time, time] | None:
    """The hard time window of a visit: the overlap of its services' windows.

    None when the citizen's visitation no longer names the visit's services.
    """
    windows = [(parse_hhmm(s["window_start"]), parse_hhmm(s["window_end"]))
               for s in services if s["code"] in codes]
    if not windows:
        return None
    start, end = max(w[0] for w in windows), min(w[1] for w in windows)
    return (start, end) if start < end else None


__all__ = [
    "Pusleplan", "citizen_id", "dayplan_id", "employee_id", "roster_id", "team_id",
    "CONFLICT_MESSAGE",
]
