"""The domain events the read models use, by name, and small helpers about them.

``@event`` makes the event classes at run time, where a type checker cannot see
them, so they are looked up once here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from eventsourcing.utils import get_topic

from domain.citizens import Citizen
from domain.dayplans import DayPlan
from domain.employees import Employee
from domain.rosters import Roster
from domain.teams import Team
from domain.users import User

TeamCreated: Any = Team.TeamCreated  # type: ignore[attr-defined]
MemberJoined: Any = Team.MemberJoined  # type: ignore[attr-defined]
MemberLeft: Any = Team.MemberLeft  # type: ignore[attr-defined]
RouteDefined: Any = Team.RouteDefined  # type: ignore[attr-defined]

EmployeeHired: Any = Employee.EmployeeHired  # type: ignore[attr-defined]
ContractChanged: Any = Employee.ContractChanged  # type: ignore[attr-defined]
AbsenceRegistered: Any = Employee.AbsenceRegistered  # type: ignore[attr-defined]
AbsenceEnded: Any = Employee.AbsenceEnded  # type: ignore[attr-defined]

CitizenRegistered: Any = Citizen.CitizenRegistered  # type: ignore[attr-defined]
VisitationChanged: Any = Citizen.VisitationChanged  # type: ignore[attr-defined]
TriageChanged: Any = Citizen.TriageChanged  # type: ignore[attr-defined]
ContactPersonAssigned: Any = Citizen.ContactPersonAssigned  # type: ignore[attr-defined]
CitizenDischarged: Any = Citizen.CitizenDischarged  # type: ignore[attr-defined]

RosterOpened: Any = Roster.RosterOpened  # type: ignore[attr-defined]
ShiftBid: Any = Roster.ShiftBid  # type: ignore[attr-defined]
ShiftPuzzled: Any = Roster.ShiftPuzzled  # type: ignore[attr-defined]
ProposalAccepted: Any = Roster.ProposalAccepted  # type: ignore[attr-defined]
RosterChecked: Any = Roster.RosterChecked  # type: ignore[attr-defined]
RosterPublished: Any = Roster.RosterPublished  # type: ignore[attr-defined]
ShiftChangedAfterPublish: Any = Roster.ShiftChangedAfterPublish  # type: ignore[attr-defined]

DayPlanOpened: Any = DayPlan.DayPlanOpened  # type: ignore[attr-defined]
RouteAssigned: Any = DayPlan.RouteAssigned  # type: ignore[attr-defined]
VisitPlanned: Any = DayPlan.VisitPlanned  # type: ignore[attr-defined]
VisitMoved: Any = DayPlan.VisitMoved  # type: ignore[attr-defined]
VisitCancelled: Any = DayPlan.VisitCancelled  # type: ignore[attr-defined]
VisitDelivered: Any = DayPlan.VisitDelivered  # type: ignore[attr-defined]

UserRegistered: Any = User.UserRegistered  # type: ignore[attr-defined]

#: Service code of a rehabilitation course (rehabiliteringsforløb, § 83a).
REHAB_SERVICE = "REH"


def topics(*classes: type) -> tuple[str, ...]:
    """The topics of some event classes, e.g. ``domain.teams:Team.TeamCreated``."""
    return tuple(get_topic(cls) for cls in classes)


def iso_week(day: date) -> str:
    """ISO week as ``2026-W09`` (sorts as text)."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_monday(week: str) -> date:
    """The Monday of an ISO week written ``2026-W09``."""
    year, number = week.split("-W")
    return date.fromisocalendar(int(year), int(number), 1)


def weeks_between(first: date, last: date) -> list[str]:
    """Every ISO week touching ``first`` .. ``last`` (inclusive), in order."""
    weeks: list[str] = []
    day = first - timedelta(days=first.weekday())
    while day <= last:
        weeks.append(iso_week(day))
        day += timedelta(days=7)
    return weeks


def minutes(start: datetime, end: datetime) -> int:
    """Whole minutes from ``start`` to ``end``."""
    return round((end - start).total_seconds() / 60)


def granted_minutes(kind: str, services: Iterable[dict[str, Any]],
                    package_minutes_per_week: int | None, *, without: str | None = None
                    ) -> int:
    """Granted minutes per week of a visitation (as ``Citizen.minutes_per_week``).

    ``without`` leaves out one service code (the rehabilitation course itself,
    when measuring what help remains).
    """
    if kind == "package":
        return int(package_minutes_per_week or 0)
    return sum(int(s["minutes"]) * len(s["days"]) for s in services
               if s.get("code") != without)


_last_id: tuple[Any, str] = (None, "")


def oid(event: Any) -> str:
    """The event's ``originator_id`` as text.

    Every read model asks this of the same event in turn, so the last answer is
    kept (a tuple, swapped in one step, so threads never see half of one).
    """
    global _last_id
    uid = event.originator_id
    last = _last_id
    if last[0] is uid:
        return last[1]
    text = str(uid)
    _last_id = (uid, text)
    return text


_iso_memo: dict[int, tuple[Any, str]] = {}


def iso(value: date | datetime) -> str:
    """``value.isoformat()``, remembered for the few values of the event at hand:
    several read models write the same times of one event (an entry keeps its
    value alive, so its ``id`` is not reused meanwhile)."""
    entry = _iso_memo.get(id(value))
    if entry is not None and entry[0] is value:
        return entry[1]
    if len(_iso_memo) >= 16:
        _iso_memo.clear()
    text = value.isoformat()
    _iso_memo[id(value)] = (value, text)
    return text


def actor_of(event: Any) -> tuple[str, str]:
    """(actor id, role) of an event; every command records its actor."""
    actor = getattr(event, "actor", None) or {}
    return str(actor.get("id", "")), str(actor.get("role", ""))
