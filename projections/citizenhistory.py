"""A citizen's history (borgerforløb): registration, visitations, triage, contact
person, delivered and cancelled visits, discharge — in order.

The citizen's name and address are never stored here (they stay in the
Citizen aggregate's events). ``history(citizen_id, pseudonym_key=key)`` gives
the evaluator's form: the citizen appears as a keyed-hash pseudonym
(:mod:`projections.pseudonyms`), the case code is left out and so is every
free-text reason (it might name someone); the numbers, service codes, triage
colours, dates and staff ids remain.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, ClassVar

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection

from projections import events as ev
from projections.asof import write_date
from projections.pseudonyms import pseudonym
from projections.rows import RowView, Table
from projections.rowstores import PostgresRowView, SQLiteRowView


@dataclass(frozen=True)
class HistoryEntry:
    """One thing that happened to the citizen."""

    day: str
    kind: str
    detail: dict[str, Any]
    actor_id: str
    actor_role: str
    reason: str | None


@dataclass(frozen=True)
class CitizenHistoryData:
    """The citizen (by id, or by pseudonym for evaluators) and their history."""

    subject: str
    code: str | None
    team_id: str | None
    triage: str | None
    granted_minutes: int | None
    discharged_on: str | None
    entries: list[HistoryEntry]


#: The key of the business clock's row.
_BUSINESS = ("business",)


class CitizenHistoryView(RowView):
    """Citizens, the visits needed to place deliveries, and history entries."""

    tables = (
        Table("citizens", ("citizen_id",),
              text=("team_id", "code", "registered_on", "discharged_on", "triage",
                    "contact_id"), ints=("granted",), indexes=(("team_id",),)),
        Table("visits", ("dayplan_id", "visit_id"),
              text=("citizen_id", "services", "planned_start", "status", "actual",
                    "staff", "actor_id", "actor_role", "reason"),
              ints=("minutes", "seq"), indexes=(("citizen_id",),), cached=True),
        Table("entries", ("citizen_id", "seq"),
              text=("day", "kind", "detail", "actor_id", "actor_role", "reason"),
              ints=("seq",), append_only=True),
        Table("clock", ("name",), text=("day",), cached=True),
    )

    def undated_day(self, written: str) -> str:
        """The day of an event without a date of its own: the earlier of its write
        date and the latest visit day seen (see projections.asof)."""
        clock = self.get("clock", _BUSINESS)
        return min(written, clock["day"]) if clock else written

    def entry(self, tracking: Tracking, citizen_id: str | None, day: str, kind: str,
              detail: dict[str, Any], actor: tuple[str, str], reason: str | None = None,
              **citizen: Any) -> None:
        """Record one entry (and update the citizen's current state)."""
        if citizen_id:
            if citizen:
                self.upsert("citizens", (citizen_id,), set=citizen)
            self.append("entries", {
                "citizen_id": citizen_id, "seq": tracking.notification_id, "day": day,
                "kind": kind, "detail": json.dumps(detail), "actor_id": actor[0],
                "actor_role": actor[1], "reason": reason})
        self.commit(tracking)

    def visit(self, tracking: Tracking, dayplan_id: str, visit_id: str, **values: Any
              ) -> None:
        """A visit planned, delivered or cancelled: one row per visit, in the citizen's
        history from its planned day (and the business clock moves to that day)."""
        key = (dayplan_id, visit_id)
        if values.get("status") == "delivered":
            planned = self.get("visits", key)
            day = None if planned is None else planned["planned_start"]
            clock = self.get("clock", _BUSINESS)
            if day and (clock is None or clock["day"] < day[:10]):
                self.upsert("clock", _BUSINESS, set={"day": day[:10]})
        values["seq"] = tracking.notification_id
        self.upsert("visits", key, set=values)
        self.commit(tracking)

    # -- queries ------------------------------------------------------------------------

    def citizens(self, team_id: str, pseudonym_key: bytes | None = None
                 ) -> list[dict[str, Any]]:
        """The team's citizens: id (or pseudonym), triage, granted minutes, discharge."""
        rows = self.select("SELECT citizen_id, code, triage, granted, discharged_on FROM "
                           "{citizens} WHERE team_id = ? ORDER BY code", (team_id,))
        if pseudonym_key is None:
            return rows
        hidden = [{**r, "citizen_id": pseudonym(pseudonym_key, r["citizen_id"]), "code": None}
                  for r in rows]
        return sorted(hidden, key=lambda r: r["citizen_id"])

    def history(self, citizen_id: str, pseudonym_key: bytes | None = None
                ) -> CitizenHistoryData | None:
        """The citizen's history, pseudonymised when ``pseudonym_key`` is given."""
        found = self.select("SELECT * FROM {citizens} WHERE citizen_id = ?", (citizen_id,))
        if not found:
            return None
        citizen = found[0]
        hidden = pseudonym_key is not None
        entries = [
            (r["day"], r["seq"], HistoryEntry(
                r["day"], r["kind"], json.loads(r["detail"]), r["actor_id"], r["actor_role"],
                None if hidden else r["reason"]))
            for r in self.select("SELECT * FROM {entries} WHERE citizen_id = ?",
                                 (citizen_id,))]
        for r in self.select("SELECT * FROM {visits} WHERE citizen_id = ?", (citizen_id,)):
            start = r["planned_start"] or ""
            detail = {"visit_id": r["visit_id"], "services": r["services"],
                      "planned": start[11:16], "planned_minutes": r["minutes"],
                      "status": r["status"]}
            if r["actual"]:
                detail.update(actual=r["actual"], staff=(r["staff"] or "").split(","))
            entries.append((start[:10], r["seq"], HistoryEntry(
                start[:10], "visit", detail, r["actor_id"], r["actor_role"],
                None if hidden else r["reason"])))
        return CitizenHistoryData(
            subject=pseudonym(pseudonym_key, citizen_id) if pseudonym_key else citizen_id,
            code=None if hidden else citizen["code"], team_id=citizen["team_id"],
            triage=citizen["triage"], granted_minutes=citizen["granted"],
            discharged_on=citizen["discharged_on"],
            entries=[entry for _, _, entry in sorted(entries, key=lambda e: (e[0], e[1]))])


class SQLiteCitizenHistoryView(SQLiteRowView, CitizenHistoryView):
    """Citizen histories in SQLite."""


class PostgresCitizenHistoryView(PostgresRowView, CitizenHistoryView):
    """Citizen histories in PostgreSQL."""


def _time(value: Any) -> str:
    return ev.iso(value)[11:16]


def _written(event: Any) -> str:
    return write_date(event).isoformat()


class CitizenHistory(Projection[CitizenHistoryView]):
    """Projects citizen and day-plan events into each citizen's history."""

    name = "CitizenHistory"
    topics: tuple[str, ...] = ev.topics(
        ev.CitizenRegistered, ev.VisitationChanged, ev.TriageChanged, ev.ContactPersonAssigned,
        ev.CitizenDischarged, ev.VisitPlanned, ev.VisitCancelled, ev.VisitDelivered,
    )
    view_classes: ClassVar[tuple[type[CitizenHistoryView], ...]] = (
        SQLiteCitizenHistoryView, PostgresCitizenHistoryView)

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        """An event this projection does not use: only advance the position."""
        self.view.insert_tracking(tracking)

    @process_event.register(ev.CitizenRegistered)
    def _(self, e: Any, tracking: Tracking) -> None:
        day = e.registered_on.isoformat()
        self.view.entry(tracking, ev.oid(e), day, "registered",
                        {"team_id": e.team_id}, ev.actor_of(e), team_id=e.team_id,
                        code=e.code, registered_on=day, triage="groen")

    @process_event.register(ev.VisitationChanged)
    def _(self, e: Any, tracking: Tracking) -> None:
        granted = ev.granted_minutes(e.kind, e.services, e.package_minutes_per_week)
        detail = {"kind": e.kind, "minutes_per_week": granted,
                  "services": sorted({s["code"] for s in e.services})}
        self.view.entry(tracking, ev.oid(e), e.effective.isoformat(), "visitation",
                        detail, ev.actor_of(e), e.reason, granted=granted)

    @process_event.register(ev.TriageChanged)
    def _(self, e: Any, tracking: Tracking) -> None:
        self.view.entry(tracking, ev.oid(e), self.view.undated_day(_written(e)),
                        "triage", {"triage": e.triage}, ev.actor_of(e), e.reason,
                        triage=e.triage)

    @process_event.register(ev.ContactPersonAssigned)
    def _(self, e: Any, tracking: Tracking) -> None:
        self.view.entry(tracking, ev.oid(e), self.view.undated_day(_written(e)),
                        "contact_person", {"employee_id": e.employee_id}, ev.actor_of(e),
                        contact_id=e.employee_id)

    @process_event.register(ev.CitizenDischarged)
    def _(self, e: Any, tracking: Tracking) -> None:
        self.view.entry(tracking, ev.oid(e), e.on.isoformat(), "discharged", {},
                        ev.actor_of(e), e.reason, discharged_on=e.on.isoformat())

    @process_event.register(ev.VisitPlanned)
    def _(self, e: Any, tracking: Tracking) -> None:
        actor_id, role = ev.actor_of(e)
        self.view.visit(tracking, ev.oid(e), e.visit_id, citizen_id=e.citizen_id,
                        services=",".join(e.service_codes), planned_start=ev.iso(e.start),
                        minutes=e.minutes, status="planned", actor_id=actor_id,
                        actor_role=role)

    @process_event.register(ev.VisitCancelled)
    def _(self, e: Any, tracking: Tracking) -> None:
        actor_id, role = ev.actor_of(e)
        self.view.visit(tracking, ev.oid(e), e.visit_id, status="cancelled",
                        reason=e.reason, actor_id=actor_id, actor_role=role)

    @process_event.register(ev.VisitDelivered)
    def _(self, e: Any, tracking: Tracking) -> None:
        actor_id, role = ev.actor_of(e)
        self.view.visit(tracking, ev.oid(e), e.visit_id, status="delivered",
                        actual=f"{_time(e.actual_start)}-{_time(e.actual_end)}",
                        staff=",".join(e.employee_ids), actor_id=actor_id, actor_role=role)
