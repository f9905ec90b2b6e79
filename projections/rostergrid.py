"""Roster grid (vagtplanen): per roster, people × days with each shift's layer, and bids.

The grid shows every member of the roster's team (and anyone else holding a
shift in it) by employee id, number and profession — names stay in the
Employee aggregate and are joined in by the page that may show them. Open
shifts (no holder) are listed per day. Bids (ønsker) sit in the cell of the
person and day they are about.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, ClassVar

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection

from projections import events as ev
from projections.rows import RowView, Table
from projections.rowstores import PostgresRowView, SQLiteRowView


@dataclass(frozen=True)
class GridShift:
    """One shift in the grid."""

    shift_id: str
    day: str
    layer: str
    route: str | None
    start: str
    end: str
    employee_id: str | None


@dataclass(frozen=True)
class GridBid:
    """One bid (ønske) in the grid."""

    bid_id: str
    employee_id: str
    kind: str
    day: str
    layer: str | None
    route: str | None
    weight: int


@dataclass(frozen=True)
class GridPerson:
    employee_id: str
    number: str | None
    profession: str | None


@dataclass
class RosterGridData:
    """A roster as a grid: ``cells[(employee_id, day)]`` and ``bids[(employee_id, day)]``."""

    roster_id: str
    team_id: str
    period_start: str
    weeks: int
    published_at: str | None
    days: list[str]
    people: list[GridPerson]
    cells: dict[tuple[str, str], list[GridShift]] = field(default_factory=dict)
    open_shifts: dict[str, list[GridShift]] = field(default_factory=dict)
    bids: dict[tuple[str, str], list[GridBid]] = field(default_factory=dict)


class RosterGridView(RowView):
    """The roster grid's rows."""

    tables = (
        Table("employees", ("employee_id",), text=("number", "profession")),
        Table("members", ("team_id", "employee_id")),
        Table("rosters", ("roster_id",), text=("team_id", "period_start", "published_at"),
              ints=("weeks",), indexes=(("team_id",),)),
        Table("shifts", ("roster_id", "shift_id"),
              text=("day", "layer", "route", "start_at", "end_at", "employee_id")),
        Table("bids", ("roster_id", "bid_id"),
              text=("employee_id", "kind", "day", "layer", "route"), ints=("weight",)),
    )

    def put(self, tracking: Tracking, table: str, key: tuple[Any, ...],
            **values: Any) -> None:
        """Insert or update one row (employees, rosters, bids)."""
        self.upsert(table, key, set=values)
        self.commit(tracking)

    def membership(self, tracking: Tracking, team_id: str, employee_id: str,
                   joined: bool) -> None:
        if joined:
            self.upsert("members", (team_id, employee_id))
        else:
            self.delete("members", {"team_id": team_id, "employee_id": employee_id})
        self.commit(tracking)

    def set_holders(self, tracking: Tracking, roster_id: str,
                    holders: dict[str, str | None], shift: dict[str, Any] | None = None
                    ) -> None:
        """Give shifts new holders (take, release, swap, change after publication)."""
        for shift_id, employee_id in holders.items():
            values = {"employee_id": employee_id}
            if shift is not None and shift.get("shift_id") == shift_id:
                values.update({k: v for k, v in shift.items() if k != "shift_id"})
            self.upsert("shifts", (roster_id, shift_id), set=values)
        self.commit(tracking)

    def replace_shifts(self, tracking: Tracking, roster_id: str,
                       shifts: list[dict[str, Any]]) -> None:
        """An accepted proposal replaces every shift."""
        self.delete("shifts", {"roster_id": roster_id})
        for shift in shifts:
            self.upsert("shifts", (roster_id, shift["shift_id"]),
                        set={k: v for k, v in shift.items() if k != "shift_id"})
        self.commit(tracking)

    # -- queries ------------------------------------------------------------------------

    def rosters(self, team_id: str) -> list[dict[str, Any]]:
        """The team's rosters, newest period first."""
        return self.select("SELECT roster_id, period_start, weeks, published_at FROM "
                           "{rosters} WHERE team_id = ? ORDER BY period_start DESC", (team_id,))

    def grid(self, roster_id: str) -> RosterGridData | None:
        """The roster as a grid, or None if there is no such roster."""
        found = self.select("SELECT * FROM {rosters} WHERE roster_id = ?", (roster_id,))
        if not found:
            return None
        roster = found[0]
        start = date.fromisoformat(roster["period_start"])
        days = [(start + timedelta(days=i)).isoformat() for i in range(7 * roster["weeks"])]
        people = {r["employee_id"]: r for r in self.select(
            "SELECT e.employee_id, e.number, e.profession FROM {members} m "
            "LEFT JOIN {employees} e ON e.employee_id = m.employee_id WHERE m.team_id = ?",
            (roster["team_id"],)) if r["employee_id"]}
        grid = RosterGridData(roster_id, roster["team_id"], roster["period_start"],
                              roster["weeks"], roster["published_at"], days, [])
        for row in self.select("SELECT * FROM {shifts} WHERE roster_id = ? ORDER BY day, "
                               "start_at, shift_id", (roster_id,)):
            shift = GridShift(row["shift_id"], row["day"], row["layer"], row["route"],
                              row["start_at"], row["end_at"], row["employee_id"])
            if shift.employee_id is None:
                grid.open_shifts.setdefault(shift.day, []).append(shift)
            else:
                grid.cells.setdefault((shift.employee_id, shift.day), []).append(shift)
                people.setdefault(shift.employee_id, {"number": None, "profession": None})
        for row in self.select("SELECT * FROM {bids} WHERE roster_id = ? ORDER BY day, bid_id",
                               (roster_id,)):
            bid = GridBid(row["bid_id"], row["employee_id"], row["kind"], row["day"],
                          row["layer"], row["route"], row["weight"] or 1)
            grid.bids.setdefault((bid.employee_id, bid.day), []).append(bid)
        known = self._employees(list(people))
        grid.people = sorted(
            (GridPerson(e, known.get(e, {}).get("number"), known.get(e, {}).get("profession"))
             for e in people), key=lambda p: (p.number or "~", p.employee_id))
        return grid

    def _employees(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        rows = self.select("SELECT employee_id, number, profession FROM {employees}")
        wanted = set(ids)
        return {r["employee_id"]: r for r in rows if r["employee_id"] in wanted}


class SQLiteRosterGridView(SQLiteRowView, RosterGridView):
    """The roster grid in SQLite."""


class PostgresRosterGridView(PostgresRowView, RosterGridView):
    """The roster grid in PostgreSQL."""


def _times(start: Any, end: Any) -> dict[str, str]:
    return {"start_at": start.isoformat(), "end_at": end.isoformat()}


class RosterGrid(Projection[RosterGridView]):
    """Projects team, employee and roster events into the grid."""

    name = "RosterGrid"
    topics: tuple[str, ...] = ev.topics(
        ev.MemberJoined, ev.MemberLeft, ev.EmployeeHired, ev.ContractChanged, ev.RosterOpened,
        ev.ShiftBid, ev.ShiftPuzzled, ev.ProposalAccepted, ev.RosterPublished,
        ev.ShiftChangedAfterPublish,
    )
    view_classes: ClassVar[tuple[type[RosterGridView], ...]] = (
        SQLiteRosterGridView, PostgresRosterGridView)

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        """An event this projection does not use: only advance the position."""
        self.view.insert_tracking(tracking)

    @process_event.register(ev.MemberJoined)
    def _(self, e: Any, tracking: Tracking) -> None:
        self.view.membership(tracking, ev.oid(e), e.employee_id, True)

    @process_event.register(ev.MemberLeft)
    def _(self, e: Any, tracking: Tracking) -> None:
        self.view.membership(tracking, ev.oid(e), e.employee_id, False)

    @process_event.register(ev.EmployeeHired)
    @process_event.register(ev.ContractChanged)
    def _(self, e: Any, tracking: Tracking) -> None:
        values = {"profession": e.profession}
        if hasattr(e, "number"):
            values["number"] = e.number
        self.view.put(tracking, "employees", (ev.oid(e),), **values)

    @process_event.register(ev.RosterOpened)
    def _(self, e: Any, tracking: Tracking) -> None:
        self.view.put(tracking, "rosters", (ev.oid(e),), team_id=e.team_id,
                      period_start=e.period_start.isoformat(), weeks=e.weeks)

    @process_event.register(ev.RosterPublished)
    def _(self, e: Any, tracking: Tracking) -> None:
        self.view.put(tracking, "rosters", (ev.oid(e),),
                      published_at=e.published_at.isoformat())

    @process_event.register(ev.ShiftBid)
    def _(self, e: Any, tracking: Tracking) -> None:
        self.view.put(tracking, "bids", (ev.oid(e), e.bid_id),
                      employee_id=e.employee_id, kind=e.kind, day=e.day.isoformat(),
                      layer=e.layer, route=e.route, weight=e.weight)

    @process_event.register(ev.ShiftPuzzled)
    def _(self, e: Any, tracking: Tracking) -> None:
        roster = ev.oid(e)
        if e.action == "take":
            shift = {"shift_id": e.shift_id, "day": e.day.isoformat(), "layer": e.layer,
                     "route": e.route, **_times(e.start, e.end)}
            self.view.set_holders(tracking, roster, {e.shift_id: e.employee_id}, shift)
        elif e.action == "release":
            self.view.set_holders(tracking, roster, {e.shift_id: None})
        else:
            holders = {e.shift_id: e.to_employee_id}
            if e.other_shift_id is not None:
                holders[e.other_shift_id] = e.employee_id
            self.view.set_holders(tracking, roster, holders)

    @process_event.register(ev.ProposalAccepted)
    def _(self, e: Any, tracking: Tracking) -> None:
        shifts = [{"shift_id": s["shift_id"], "employee_id": s["employee_id"],
                   "day": s["date"].isoformat(), "layer": s["layer"], "route": s["route"],
                   **_times(s["start"], s["end"])} for s in e.shifts]
        self.view.replace_shifts(tracking, ev.oid(e), shifts)

    @process_event.register(ev.ShiftChangedAfterPublish)
    def _(self, e: Any, tracking: Tracking) -> None:
        self.view.set_holders(tracking, ev.oid(e), {e.shift_id: e.employee_id},
                              {"shift_id": e.shift_id, **_times(e.start, e.end)})
