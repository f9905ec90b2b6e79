"""Audit trail (revisionsspor): who did what, when and why — one entry per event.

Every event records its actor (id and role) and, where relevant, a reason; the
trail keeps those with the time written, the aggregate, the event's name and
a short description built from an allow-list of fields (``SAFE_FIELDS``). It
never copies names, addresses, coordinates, display names or password hashes,
and summarises lists (a proposal's shifts, a visitation's services) by count
or codes. The trail follows every topic, so it is also the read model that
sees every event of the log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, ClassVar

from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection

from projections import events as ev
from projections.rows import RowView, Table
from projections.rowstores import PostgresRowView, SQLiteRowView

#: Scalar fields that may appear in an entry's description.
SAFE_FIELDS = (
    "action", "shift_id", "other_shift_id", "employee_id", "to_employee_id", "bid_id",
    "kind", "day", "date", "layer", "route", "route_code", "visit_id", "citizen_id",
    "absence_id", "start", "end", "effective", "triage", "weeks", "period_start",
    "hard_violations", "soft_violations", "notice_days", "notice_hours", "published_at",
    "changed_at", "on", "team_id", "sister_team_id", "profession", "weekly_hours",
    "hired_on", "registered_on", "is_substitute", "role", "number", "minutes",
    "actual_start", "actual_end",
)
#: List fields described by their length.
COUNTED_FIELDS = ("shifts", "employee_ids", "previous_employee_ids", "team_ids")


@dataclass(frozen=True)
class AuditEntry:
    """One event as the audit trail shows it."""

    seq: int
    at: str
    actor_id: str
    actor_role: str
    aggregate: str
    aggregate_id: str
    version: int
    event: str
    reason: str | None
    what: str


_FIELDS_OF: dict[type, tuple[tuple[str, ...], tuple[str, ...], bool]] = {}
#: Values written as ISO 8601 (anything else as ``str``).
_DATED = (date, datetime, time)


def describe(event: Any) -> str:
    """A short description of an event from its safe fields only."""
    cls = type(event)
    fields = _FIELDS_OF.get(cls)
    if fields is None:
        present = vars(event)
        fields = _FIELDS_OF[cls] = (tuple(f for f in SAFE_FIELDS if f in present),
                                    tuple(f for f in COUNTED_FIELDS if f in present),
                                    "services" in present)
    parts = []
    for name in fields[0]:
        value = getattr(event, name)
        if value is not None and value != "":
            text = ev.iso(value) if isinstance(value, _DATED) else str(value)
            parts.append(f"{name}={text}")
    for name in fields[1]:
        value = getattr(event, name)
        if isinstance(value, list):
            parts.append(f"{name}: {len(value)}")
    if fields[2]:
        services = event.services
        if isinstance(services, list):
            parts.append("services=" + ",".join(str(s.get("code")) for s in services))
    if cls.__name__ == "TeamCreated":
        parts.append(f"code={event.code}")
    return "; ".join(parts)


class AuditTrailView(RowView):
    """The trail: one row per event, keyed by its position in the log."""

    tables = (
        Table("entries", ("seq",),
              text=("at", "actor_id", "actor_role", "aggregate", "aggregate_id", "event",
                    "reason", "what"),
              ints=("seq", "version"),
              indexes=(("actor_id",), ("aggregate_id",)), append_only=True),
    )

    def record(self, tracking: Tracking, **entry: Any) -> None:
        self.append("entries", {"seq": tracking.notification_id, **entry})
        self.commit(tracking)

    def entries(self, *, actor_id: str | None = None, aggregate_id: str | None = None,
                since: str | None = None, until: str | None = None, limit: int = 200
                ) -> list[AuditEntry]:
        """The latest entries (newest first), filtered by actor, aggregate or time."""
        conditions, params = [], []
        for column, value, operator in (("actor_id", actor_id, "="),
                                        ("aggregate_id", aggregate_id, "="),
                                        ("at", since, ">="), ("at", until, "<=")):
            if value is not None:
                conditions.append(f"{column} {operator} ?")
                params.append(value)
        where = f"WHERE {' AND '.join(conditions)} " if conditions else ""
        rows = self.select(f"SELECT * FROM {{entries}} {where}ORDER BY seq DESC LIMIT ?",
                           (*params, int(limit)))
        return [AuditEntry(r["seq"], r["at"], r["actor_id"], r["actor_role"], r["aggregate"],
                           r["aggregate_id"], r["version"], r["event"], r["reason"],
                           r["what"]) for r in rows]


class SQLiteAuditTrailView(SQLiteRowView, AuditTrailView):
    """The audit trail in SQLite."""


class PostgresAuditTrailView(PostgresRowView, AuditTrailView):
    """The audit trail in PostgreSQL."""


class AuditTrail(Projection[AuditTrailView]):
    """Projects every event of the log into the audit trail."""

    name = "AuditTrail"
    topics: tuple[str, ...] = ()  # every topic
    view_classes: ClassVar[tuple[type[AuditTrailView], ...]] = (
        SQLiteAuditTrailView, PostgresAuditTrailView)

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        """Every event becomes one entry."""
        actor_id, role = ev.actor_of(domain_event)
        cls = type(domain_event)
        aggregate, _, name = cls.__qualname__.rpartition(".")
        self.view.record(
            tracking, at=ev.iso(domain_event.timestamp), actor_id=actor_id,
            actor_role=role, aggregate=aggregate or cls.__module__,
            aggregate_id=ev.oid(domain_event),
            version=domain_event.originator_version, event=name,
            reason=getattr(domain_event, "reason", None), what=describe(domain_event))
