"""Adapter: a roster (vagtplan) as the domain keeps it -> ``planning.model.RosterPlan``.

The rule checker takes plain data. This module loads what it needs through the
application's queries — the roster, the team's members and their contracts and
absences, the previous roster's last 14 days (so a rest breach across the
period boundary is seen) and the changes recorded after publication — and
converts it. It never writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from domain.application import Pusleplan
from domain.rosters import MAX_WEEKS, roster_id
from planning.checker import CheckResult, check
from planning.interchange import HISTORY_DAYS
from planning.model import Absence, Person, RosterPlan, Shift, ShiftChange
from planning.rules import Catalogue
from planning.rules.facts import facts
from planning.rules.hours import NormHours


@dataclass(frozen=True)
class RosterContext:
    """Everything the Vagtplan page and the checker need about one roster."""

    roster: dict[str, Any]
    team: dict[str, Any]
    employees: dict[str, dict[str, Any]]  # by employee id (str)
    previous: dict[str, Any] | None  # the roster just before, if any
    history: list[dict[str, Any]]  # the roster's events, oldest first

    @property
    def roster_id(self) -> UUID:
        return UUID(self.roster["id"])


def load_context(app: Pusleplan, rid: UUID) -> RosterContext:
    """Load a roster with its team, the people in it and the previous roster.

    :raise NotFound: if the roster (or its team) does not exist.
    """
    roster = app.roster(rid)
    team = app.team(UUID(roster["team_id"]))
    people = set(team["members"])
    people |= {s["employee_id"] for s in roster["shifts"].values() if s["employee_id"]}
    people |= {b["employee_id"] for b in roster["bids"].values()}
    previous = previous_roster(app, UUID(roster["team_id"]), roster["period_start"])
    employees = {e: app.employee(UUID(e)) for e in sorted(people)}
    return RosterContext(roster, team, employees, previous, app.roster_history(rid))


def previous_roster(app: Pusleplan, team: UUID, period_start: date) -> dict[str, Any] | None:
    """The team's roster that ends where this one starts, or None."""
    for weeks in range(1, MAX_WEEKS + 1):
        rid = roster_id(team, period_start - timedelta(weeks=weeks))
        if app.exists(rid):
            found = app.roster(rid)
            if found["weeks"] == weeks:
                return found
    return None


def to_plan(context: RosterContext) -> RosterPlan:
    """The roster as the checker sees it (history, people, absences, later changes)."""
    roster = context.roster
    start: date = roster["period_start"]
    history: tuple[Shift, ...] = ()
    if context.previous is not None:
        since = start - timedelta(days=HISTORY_DAYS)
        history = tuple(s for s in _shifts(context.previous["shifts"], {}) if s.day >= since)
    night_workers = set(context.team["ground_rules"].get("night_workers") or [])
    people = {e: _person(e, data, e in night_workers) for e, data in context.employees.items()}
    end = start + timedelta(weeks=roster["weeks"])
    return RosterPlan(
        period_start=start, weeks=roster["weeks"],
        shifts=tuple(_shifts(roster["shifts"], context.team.get("routes") or {})),
        history=history, people=people,
        absences=tuple(_absences(context.employees, end)),
        published_at=roster["published_at"], changes=tuple(_changes(context.history)),
    )


def check_roster(context: RosterContext, catalogue: Catalogue | None = None) -> CheckResult:
    """The checker's verdict on the roster as it stands."""
    return check(to_plan(context), catalogue)


def hours_and_norms(context: RosterContext, catalogue: Catalogue | None = None
                    ) -> dict[str, tuple[float, float]]:
    """Each person's (planned hours, norm hours) over the period, counted as the checker's
    R5 counts them: real hours of the roster's shifts (a DST night is an hour shorter or
    longer) against weeks × contract hours less the weekday søgnehelligdage (R12) and
    the weekdays absent. So the grid shows the figures the R5 recommendation names."""
    plan = to_plan(context)
    rule = (catalogue or Catalogue.default())["R5"]
    assert isinstance(rule, NormHours)
    known = facts(plan)
    return {e: (known.of(e).period_hours, rule.norm(plan, e)) for e in plan.people}


def _shifts(shifts: dict[str, dict[str, Any]], routes: dict[str, dict[str, Any]]
            ) -> Iterable[Shift]:
    """The held shifts; a shift on a route requires the route's faggruppe."""
    for shift_id, s in sorted(shifts.items(), key=lambda item: item[1]["start"]):
        if s["employee_id"] is None:
            continue  # an open shift is nobody's work yet
        route = routes.get(s.get("route") or "") or {}
        yield Shift(employee=s["employee_id"], start=s["start"], end=s["end"],
                    layer=s["layer"], route=s.get("route"), shift_id=shift_id,
                    profession=route.get("profession"))


def _person(employee: str, data: dict[str, Any], night_worker: bool) -> Person:
    return Person(employee=employee, name=data["name"], weekly_hours=data["weekly_hours"],
                  night_worker=True if night_worker else None,
                  profession=data.get("profession"))


def _absences(employees: dict[str, dict[str, Any]], until: date) -> Iterable[Absence]:
    for employee, data in employees.items():
        for absence in data["absences"].values():
            end = absence["end"] or until  # open-ended: absent through the period
            yield Absence(employee=employee, start=absence["start"], end=end,
                          kind=absence["kind"])


def _changes(history: list[dict[str, Any]]) -> Iterable[ShiftChange]:
    """ShiftChangedAfterPublish as the pay rules see it: a move for the same person;
    a handed-over shift is a cancellation for one and a new shift for the other."""
    for event in history:
        if event["type"] != "ShiftChangedAfterPublish":
            continue
        at = _naive(event["changed_at"])
        old = (event["previous_start"], event["previous_end"])
        new = (event["start"], event["end"])
        before, after = event["previous_employee_id"], event["employee_id"]
        if before is not None and before == after:
            yield ShiftChange(before, at, *old, *new)
            continue
        if before is not None:
            yield ShiftChange(before, at, *old, None, None)
        if after is not None:
            yield ShiftChange(after, at, None, None, *new)


def _naive(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None)
