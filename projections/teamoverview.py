"""Team overview (teamoverblik): the facts behind a team's figures, per team and day.

The view keeps the facts the figures are computed from, in a form that adds up
over any period: visits (planned minutes; once delivered, who came, for how
long and whether the contact person was one of them), held shifts (attendance), members and their
contracted hours, absences, bids and the roster's shifts (bids met, proposals
changed by the team), rehabilitation courses and their effect, and counters
per team and day (swaps, takes, releases, changes after publication, granted
minutes changed). :mod:`projections.teamfigures` turns them into the figures
per team and ISO week (continuity, client time, sick leave, rehabilitation
effect, puzzling activity) and for any period (before/after comparisons).

No personal data: citizens and staff appear by id only.
"""

from __future__ import annotations

from typing import Any, ClassVar

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection

from projections import events as ev
from projections.rows import RowView, Table
from projections.rowstores import PostgresRowView, SQLiteRowView

#: The key of the business clock's row.
_BUSINESS = ("business",)


class TeamOverviewView(RowView):
    """The team overview's facts."""

    tables = (
        Table("teams", ("team_id",), text=("code", "name", "area")),
        Table("members", ("employee_id",), text=("team_id", "number", "profession"),
              ints=("weekly_minutes",)),
        Table("absences", ("employee_id", "absence_id"), text=("kind", "first_day", "last_day")),
        Table("citizens", ("citizen_id",),
              text=("team_id", "contact_id", "rehab_since"),
              ints=("granted", "rehab", "rehab_before"), cached=True),
        Table("rehab_courses", ("citizen_id", "ended"),
              text=("team_id", "started"), ints=("minutes_before", "minutes_after"),
              indexes=(("team_id", "ended"),)),
        Table("dayplans", ("dayplan_id",), text=("team_id", "day"), cached=True),
        Table("visits", ("dayplan_id", "visit_id"),
              text=("team_id", "day", "citizen_id", "staff"),
              ints=("planned_minutes", "minutes", "by_contact"),
              indexes=(("team_id", "day"),), cached=True),
        Table("rosters", ("roster_id",), text=("team_id", "period_start"), cached=True),
        Table("shifts", ("roster_id", "shift_id"),
              text=("team_id", "day", "layer", "route", "employee_id", "proposed_id"),
              ints=("minutes", "proposed"), indexes=(("team_id", "day"),)),
        Table("bids", ("roster_id", "bid_id"),
              text=("team_id", "employee_id", "kind", "day", "layer", "route"),
              indexes=(("team_id", "day"),)),
        Table("team_days", ("team_id", "day"), counters=(
            "visits_planned", "planned_minutes", "visits_moved", "visits_cancelled",
            "swaps", "takes", "releases", "proposals", "changes_after_publish",
            "visitation_changes", "granted_change")),
        Table("clock", ("name",), text=("day",), cached=True),
    )

    def tally(self, team_id: str | None, day: str | None, **counters: int) -> None:
        """Add to a team's counters for a day (nothing if the team or day is unknown)."""
        if team_id and day:
            self.upsert("team_days", (team_id, day), add=counters)

    # -- organisation ---------------------------------------------------------------

    def team_created(self, tracking: Tracking, team_id: str, code: str, name: str,
                     area: str) -> None:
        self.upsert("teams", (team_id,), set={"code": code, "name": name, "area": area})
        self.commit(tracking)

    def member(self, tracking: Tracking, employee_id: str, **values: Any) -> None:
        """Set a member's team, number, profession or contracted minutes per week."""
        self.upsert("members", (employee_id,), set=values)
        self.commit(tracking)

    def absence(self, tracking: Tracking, employee_id: str, absence_id: str,
                **values: Any) -> None:
        self.upsert("absences", (employee_id, absence_id), set=values)
        self.commit(tracking)

    # -- citizens -----------------------------------------------------------------------

    def citizen(self, tracking: Tracking, citizen_id: str, **values: Any) -> None:
        self.upsert("citizens", (citizen_id,), set=values)
        self.commit(tracking)

    def visitation_changed(self, tracking: Tracking, citizen_id: str, effective: str,
                           granted: int, remaining: int, rehab: bool) -> None:
        """New granted minutes; a rehabilitation course starts or ends (its effect)."""
        old = dict(self.get("citizens", (citizen_id,)) or {})
        team_id = old.get("team_id")
        values: dict[str, Any] = {"granted": granted, "rehab": int(rehab)}
        if rehab and not old.get("rehab"):
            values.update(rehab_since=effective, rehab_before=remaining)
        if old.get("rehab") and not rehab:
            self.upsert("rehab_courses", (citizen_id, effective), set={
                "team_id": team_id, "started": old.get("rehab_since"),
                "minutes_before": old.get("rehab_before") or 0, "minutes_after": granted})
        self.upsert("citizens", (citizen_id,), set=values)
        self.tally(team_id, effective, visitation_changes=1,
                   granted_change=granted - (old.get("granted") or 0))
        self.commit(tracking)

    # -- rosters --------------------------------------------------------------------------

    def roster_opened(self, tracking: Tracking, roster_id: str, team_id: str,
                      period_start: str) -> None:
        self.upsert("rosters", (roster_id,), set={"team_id": team_id,
                                                  "period_start": period_start})
        self.commit(tracking)

    def team_of_roster(self, roster_id: str) -> str | None:
        row = self.get("rosters", (roster_id,))
        return None if row is None else row["team_id"]

    def bid(self, tracking: Tracking, roster_id: str, bid_id: str, **values: Any) -> None:
        values["team_id"] = self.team_of_roster(roster_id)
        self.upsert("bids", (roster_id, bid_id), set=values)
        self.commit(tracking)

    def shift_puzzled(self, tracking: Tracking, roster_id: str, action: str, shift_id: str,
                      employee_id: str, other_shift_id: str | None,
                      to_employee_id: str | None, shift: dict[str, Any]) -> None:
        team_id = self.team_of_roster(roster_id)
        if action == "take":
            self.upsert("shifts", (roster_id, shift_id),
                        set={**shift, "team_id": team_id, "employee_id": employee_id})
        elif action == "release":
            self.upsert("shifts", (roster_id, shift_id), set={"employee_id": None})
        else:
            self.upsert("shifts", (roster_id, shift_id), set={"employee_id": to_employee_id})
            if other_shift_id is not None:
                self.upsert("shifts", (roster_id, other_shift_id),
                            set={"employee_id": employee_id})
        counter = {"take": "takes", "release": "releases"}.get(action, "swaps")
        self.tally(team_id, shift["day"], **{counter: 1})
        self.commit(tracking)

    def proposal_accepted(self, tracking: Tracking, roster_id: str,
                          shifts: list[dict[str, Any]]) -> None:
        """A solver proposal replaces every shift of the roster."""
        team_id = self.team_of_roster(roster_id)
        roster = self.get("rosters", (roster_id,)) or {}
        self.delete("shifts", {"roster_id": roster_id})
        for shift in shifts:
            self.upsert("shifts", (roster_id, shift.pop("shift_id")), set={
                **shift, "team_id": team_id, "proposed_id": shift["employee_id"],
                "proposed": 1})
        self.tally(team_id, roster.get("period_start"), proposals=1)
        self.commit(tracking)

    def shift_changed(self, tracking: Tracking, roster_id: str, shift_id: str,
                      employee_id: str | None, day: str, minutes: int) -> None:
        """A change after publication (sickness cover, longer shift…)."""
        self.upsert("shifts", (roster_id, shift_id),
                    set={"employee_id": employee_id, "minutes": minutes})
        self.tally(self.team_of_roster(roster_id), day, changes_after_publish=1)
        self.commit(tracking)

    # -- day plans -------------------------------------------------------------------------

    def dayplan_opened(self, tracking: Tracking, dayplan_id: str, team_id: str,
                       day: str) -> None:
        self.upsert("dayplans", (dayplan_id,), set={"team_id": team_id, "day": day})
        self.commit(tracking)

    def visit_planned(self, tracking: Tracking, dayplan_id: str, visit_id: str,
                      citizen_id: str, minutes: int) -> None:
        plan = self.get("dayplans", (dayplan_id,))
        team_id, day = (None, None) if plan is None else (plan["team_id"], plan["day"])
        self.upsert("visits", (dayplan_id, visit_id), set={
            "team_id": team_id, "day": day, "citizen_id": citizen_id,
            "planned_minutes": minutes})
        if team_id and day:
            self.upsert("team_days", (team_id, day),
                        add={"visits_planned": 1, "planned_minutes": minutes})
        self.commit(tracking)

    def visit_changed(self, tracking: Tracking, dayplan_id: str, counter: str) -> None:
        """A visit moved or cancelled: count it for the day."""
        plan = self.get("dayplans", (dayplan_id,)) or {}
        self.tally(plan.get("team_id"), plan.get("day"), **{counter: 1})
        self.commit(tracking)

    def visit_delivered(self, tracking: Tracking, dayplan_id: str, visit_id: str,
                        employee_ids: list[str], minutes: int) -> None:
        """Who came and for how long; whether the citizen's contact person was one of them."""
        key = (dayplan_id, visit_id)
        visit = self.get("visits", key)
        citizen_id, day = (None, None) if visit is None else (visit["citizen_id"], visit["day"])
        citizen = self.get("citizens", (citizen_id,))
        contact = None if citizen is None else citizen["contact_id"]
        self.upsert("visits", key, set={
            "staff": ",".join(employee_ids), "minutes": minutes,
            "by_contact": int(contact is not None and contact in employee_ids)})
        if day:
            clock = self.get("clock", _BUSINESS)
            if clock is None or clock["day"] < day:
                self.upsert("clock", _BUSINESS, set={"day": day})
        self.commit(tracking)


class SQLiteTeamOverviewView(SQLiteRowView, TeamOverviewView):
    """The team overview in SQLite."""


class PostgresTeamOverviewView(PostgresRowView, TeamOverviewView):
    """The team overview in PostgreSQL."""


def _shift(event: Any) -> dict[str, Any]:
    return {"day": event.day.isoformat(), "layer": event.layer, "route": event.route,
            "minutes": ev.minutes(event.start, event.end)}


class TeamOverview(Projection[TeamOverviewView]):
    """Projects team, employee, citizen, roster and day-plan events into the overview."""

    name = "TeamOverview"
    topics: tuple[str, ...] = ev.topics(
        ev.TeamCreated, ev.MemberJoined, ev.MemberLeft, ev.EmployeeHired, ev.ContractChanged,
        ev.AbsenceRegistered, ev.AbsenceEnded, ev.CitizenRegistered, ev.VisitationChanged,
        ev.ContactPersonAssigned, ev.RosterOpened, ev.ShiftBid, ev.ShiftPuzzled,
        ev.ProposalAccepted, ev.ShiftChangedAfterPublish, ev.DayPlanOpened, ev.VisitPlanned,
        ev.VisitMoved, ev.VisitCancelled, ev.VisitDelivered,
    )
    view_classes: ClassVar[tuple[type[TeamOverviewView], ...]] = (
        SQLiteTeamOverviewView, PostgresTeamOverviewView)

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        """An event this projection does not use: only advance the position."""
        self.view.insert_tracking(tracking)

    @process_event.register(ev.TeamCreated)
    def _(self, e: Any, tracking: Tracking) -> None:
        self.view.team_created(tracking, ev.oid(e), e.code, e.name, e.area)

    @process_event.register(ev.MemberJoined)
    def _(self, e: Any, tracking: Tracking) -> None:
        self.view.member(tracking, e.employee_id, team_id=ev.oid(e))

    @process_event.register(ev.MemberLeft)
    def _(self, e: Any, tracking: Tracking) -> None:
        self.view.member(tracking, e.employee_id, team_id=None)

    @process_event.register(ev.EmployeeHired)
    def _(self, e: Any, tracking: Tracking) -> None:
        self.view.member(tracking, ev.oid(e), number=e.number,
                         profession=e.profession, weekly_minutes=round(e.weekly_hours * 60))

    @process_event.register(ev.ContractChanged)
    def _(self, e: Any, tracking: Tracking) -> None:
        self.view.member(tracking, ev.oid(e), profession=e.profession,
                         weekly_minutes=round(e.weekly_hours * 60))

    @process_event.register(ev.AbsenceRegistered)
    def _(self, e: Any, tracking: Tracking) -> None:
        self.view.absence(tracking, ev.oid(e), e.absence_id, kind=e.kind,
                          first_day=e.start.isoformat(),
                          last_day=e.end.isoformat() if e.end else None)

    @process_event.register(ev.AbsenceEnded)
    def _(self, e: Any, tracking: Tracking) -> None:
        self.view.absence(tracking, ev.oid(e), e.absence_id,
                          last_day=e.end.isoformat())

    @process_event.register(ev.CitizenRegistered)
    def _(self, e: Any, tracking: Tracking) -> None:
        self.view.citizen(tracking, ev.oid(e), team_id=e.team_id)

    @process_event.register(ev.ContactPersonAssigned)
    def _(self, e: Any, tracking: Tracking) -> None:
        self.view.citizen(tracking, ev.oid(e), contact_id=e.employee_id)

    @process_event.register(ev.VisitationChanged)
    def _(self, e: Any, tracking: Tracking) -> None:
        granted = ev.granted_minutes(e.kind, e.services, e.package_minutes_per_week)
        remaining = ev.granted_minutes(e.kind, e.services, e.package_minutes_per_week,
                                       without=ev.REHAB_SERVICE)
        rehab = any(s.get("code") == ev.REHAB_SERVICE for s in e.services)
        self.view.visitation_changed(tracking, ev.oid(e), e.effective.isoformat(),
                                     granted, remaining, rehab)

    @process_event.register(ev.RosterOpened)
    def _(self, e: Any, tracking: Tracking) -> None:
        self.view.roster_opened(tracking, ev.oid(e), e.team_id,
                                e.period_start.isoformat())

    @process_event.register(ev.ShiftBid)
    def _(self, e: Any, tracking: Tracking) -> None:
        self.view.bid(tracking, ev.oid(e), e.bid_id, employee_id=e.employee_id,
                      kind=e.kind, day=e.day.isoformat(), layer=e.layer, route=e.route)

    @process_event.register(ev.ShiftPuzzled)
    def _(self, e: Any, tracking: Tracking) -> None:
        self.view.shift_puzzled(tracking, ev.oid(e), e.action, e.shift_id,
                                e.employee_id, e.other_shift_id, e.to_employee_id, _shift(e))

    @process_event.register(ev.ProposalAccepted)
    def _(self, e: Any, tracking: Tracking) -> None:
        shifts = [{"shift_id": s["shift_id"], "employee_id": s["employee_id"],
                   "day": s["date"].isoformat(), "layer": s["layer"], "route": s["route"],
                   "minutes": ev.minutes(s["start"], s["end"])} for s in e.shifts]
        self.view.proposal_accepted(tracking, ev.oid(e), shifts)

    @process_event.register(ev.ShiftChangedAfterPublish)
    def _(self, e: Any, tracking: Tracking) -> None:
        self.view.shift_changed(tracking, ev.oid(e), e.shift_id, e.employee_id,
                                e.start.date().isoformat(), ev.minutes(e.start, e.end))

    @process_event.register(ev.DayPlanOpened)
    def _(self, e: Any, tracking: Tracking) -> None:
        self.view.dayplan_opened(tracking, ev.oid(e), e.team_id, e.day.isoformat())

    @process_event.register(ev.VisitPlanned)
    def _(self, e: Any, tracking: Tracking) -> None:
        self.view.visit_planned(tracking, ev.oid(e), e.visit_id, e.citizen_id,
                                e.minutes)

    @process_event.register(ev.VisitMoved)
    def _(self, e: Any, tracking: Tracking) -> None:
        self.view.visit_changed(tracking, ev.oid(e), "visits_moved")

    @process_event.register(ev.VisitCancelled)
    def _(self, e: Any, tracking: Tracking) -> None:
        self.view.visit_changed(tracking, ev.oid(e), "visits_cancelled")

    @process_event.register(ev.VisitDelivered)
    def _(self, e: Any, tracking: Tracking) -> None:
        self.view.visit_delivered(tracking, ev.oid(e), e.visit_id, e.employee_ids,
                                  ev.minutes(e.actual_start, e.actual_end))
