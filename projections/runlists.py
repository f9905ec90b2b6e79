"""Run lists (kørelister): per team and day, each person's visits in order.

Each visit keeps its planned start and length, the planned staff, and — once
delivered (imported from the care record system) — the actual start and end
and who actually came. A person's run list holds the visits they deliver (or,
until delivered, are planned for), ordered by planned start; the route they
drive that day comes from ``RouteAssigned``. Citizens appear by id only; the
page pseudonymises them for evaluators.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection

from projections import events as ev
from projections.rows import RowView, Table
from projections.rowstores import PostgresRowView, SQLiteRowView


@dataclass(frozen=True)
class RunListVisit:
    """One visit on a run list, planned and (when delivered) actual times."""

    visit_id: str
    citizen_id: str
    service_codes: tuple[str, ...]
    planned_start: str
    planned_minutes: int
    status: str
    actual_start: str | None
    actual_end: str | None
    staff: tuple[str, ...]


@dataclass
class RunList:
    """One person's day."""

    employee_id: str
    route: str | None
    visits: list[RunListVisit] = field(default_factory=list)


#: A visit moved once more.
_MOVED = {"moves": 1}


def _ids(value: str | None) -> tuple[str, ...]:
    return tuple(value.split(",")) if value else ()


class RunListsView(RowView):
    """Day plans, route assignments and visits."""

    tables = (
        Table("dayplans", ("dayplan_id",), text=("team_id", "day"), cached=True),
        Table("routes", ("dayplan_id", "route_code"), text=("employee_id",)),
        Table("visits", ("dayplan_id", "visit_id"),
              text=("team_id", "day", "citizen_id", "services", "planned_start",
                    "employees", "status", "actual_start", "actual_end", "delivered_by"),
              ints=("minutes",), counters=("moves",), indexes=(("team_id", "day"),)),
    )

    def dayplan_opened(self, tracking: Tracking, dayplan_id: str, team_id: str,
                       day: str) -> None:
        self.upsert("dayplans", (dayplan_id,), set={"team_id": team_id, "day": day})
        self.commit(tracking)

    def route_assigned(self, tracking: Tracking, dayplan_id: str, route_code: str,
                       employee_id: str) -> None:
        self.upsert("routes", (dayplan_id, route_code), set={"employee_id": employee_id})
        self.commit(tracking)

    def visit(self, tracking: Tracking, dayplan_id: str, visit_id: str, *, moved: bool = False,
              **values: Any) -> None:
        """Move, cancel or deliver a planned visit."""
        self.upsert("visits", (dayplan_id, visit_id), set=values, add=_MOVED if moved else None)
        self.commit(tracking)

    def planned(self, tracking: Tracking, dayplan_id: str, visit_id: str,
                **values: Any) -> None:
        """A visit planned in the day plan (its team and day come from the plan)."""
        plan = self.get("dayplans", (dayplan_id,))
        values["team_id"], values["day"] = (None, None) if plan is None else (
            plan["team_id"], plan["day"])
        values["status"] = "planned"
        self.upsert("visits", (dayplan_id, visit_id), set=values)
        self.commit(tracking)

    # -- queries ------------------------------------------------------------------------

    def days(self, team_id: str) -> list[str]:
        """Days with a day plan for the team, latest first."""
        rows = self.select("SELECT day FROM {dayplans} WHERE team_id = ? ORDER BY day DESC",
                           (team_id,))
        return [r["day"] for r in rows]

    def run_lists(self, team_id: str, day: str) -> list[RunList]:
        """Each person's visits that day in planned order; cancelled visits left out."""
        routes: dict[str, str] = {}
        for row in self.select(
                "SELECT r.route_code, r.employee_id FROM {routes} r JOIN {dayplans} d "
                "ON d.dayplan_id = r.dayplan_id WHERE d.team_id = ? AND d.day = ?",
                (team_id, day)):
            routes[row["employee_id"]] = row["route_code"]
        lists: dict[str, RunList] = {}
        for row in self.select("SELECT * FROM {visits} WHERE team_id = ? AND day = ? "
                               "ORDER BY planned_start, visit_id", (team_id, day)):
            if row["status"] == "cancelled":
                continue
            staff = _ids(row["delivered_by"]) or _ids(row["employees"])
            visit = RunListVisit(row["visit_id"], row["citizen_id"], _ids(row["services"]),
                                 row["planned_start"], row["minutes"], row["status"],
                                 row["actual_start"], row["actual_end"], staff)
            for employee_id in staff:
                lists.setdefault(employee_id, RunList(employee_id, routes.get(employee_id))
                                 ).visits.append(visit)
        return sorted(lists.values(), key=lambda r: (r.route or "~", r.employee_id))


class SQLiteRunListsView(SQLiteRowView, RunListsView):
    """Run lists in SQLite."""


class PostgresRunListsView(PostgresRowView, RunListsView):
    """Run lists in PostgreSQL."""


class RunLists(Projection[RunListsView]):
    """Projects day-plan events into run lists."""

    name = "RunLists"
    topics: tuple[str, ...] = ev.topics(
        ev.DayPlanOpened, ev.RouteAssigned, ev.VisitPlanned, ev.VisitMoved, ev.VisitCancelled,
        ev.VisitDelivered,
    )
    view_classes: ClassVar[tuple[type[RunListsView], ...]] = (
        SQLiteRunListsView, PostgresRunListsView)

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        """An event this projection does not use: only advance the position."""
        self.view.insert_tracking(tracking)

    @process_event.register(ev.DayPlanOpened)
    def _(self, e: Any, tracking: Tracking) -> None:
        self.view.dayplan_opened(tracking, ev.oid(e), e.team_id, e.day.isoformat())

    @process_event.register(ev.RouteAssigned)
    def _(self, e: Any, tracking: Tracking) -> None:
        self.view.route_assigned(tracking, ev.oid(e), e.route_code, e.employee_id)

    @process_event.register(ev.VisitPlanned)
    def _(self, e: Any, tracking: Tracking) -> None:
        self.view.planned(tracking, ev.oid(e), e.visit_id,
                          citizen_id=e.citizen_id, services=",".join(e.service_codes),
                          planned_start=ev.iso(e.start), minutes=e.minutes,
                          employees=",".join(e.employee_ids))

    @process_event.register(ev.VisitMoved)
    def _(self, e: Any, tracking: Tracking) -> None:
        self.view.visit(tracking, ev.oid(e), e.visit_id, moved=True,
                        planned_start=ev.iso(e.start), employees=",".join(e.employee_ids))

    @process_event.register(ev.VisitCancelled)
    def _(self, e: Any, tracking: Tracking) -> None:
        self.view.visit(tracking, ev.oid(e), e.visit_id, status="cancelled")

    @process_event.register(ev.VisitDelivered)
    def _(self, e: Any, tracking: Tracking) -> None:
        self.view.visit(tracking, ev.oid(e), e.visit_id, status="delivered",
                        actual_start=ev.iso(e.actual_start),
                        actual_end=ev.iso(e.actual_end),
                        delivered_by=",".join(e.employee_ids))
