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


#: Values written as ISO 8601 (anything else as ``str``).
_DATED = (date, datetime, time)


@dataclass(frozen=True)
class _Plan:
    """What ``describe`` reads from events of one class, worked out once per class."""

    safe: tuple[str, ...]
    counted: tuple[str, ...]
    services: bool
    code: bool
    aggregate: str
    event: str


_PLANS: dict[type, _Plan] = {}


def _plan(cls: type, event: Any) -> _Plan:
    present = vars(event)
    aggregate, _, name = cls.__qualname__.rpartition(".")
    plan = _PLANS[cls] = _Plan(
        tuple(f for f in SAFE_FIELDS if f in present),
        tuple(f for f in COUNTED_FIELDS if f in present), "services" in present,
        cls.__name__ == "TeamCreated", aggregate or cls.__module__, name)
    return plan


def describe(event: Any) -> str:
    """A short description of an event from its safe fields only."""
    cls = type(event)
    plan = _PLANS.get(cls) or _plan(cls, event)
    fields = vars(event)
    parts = []
    for name in plan.safe:
        value = fields.get(name)
        if value is None or value == "":
            continue
        if type(value) is str:
            parts.append(f"{name}={value}")
        elif isinstance(value, _DATED):
            parts.append(f"{name}={ev.iso(value)}")
        else:
            parts.append(f"{name}={value!s}")
    for name in plan.counted:
        value = fields.get(name)
        if isinstance(value, list):
            parts.append(f"{name}: {len(value)}")
    if plan.services:
        services = event.services
        if isinstance(services, list):
            parts.append("services=" + ",".join(str(s.get("code")) for s in services))
    if plan.code:
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

    def record_values(self, tracking: Tracking, values: tuple[Any, ...]) -> None:
        """``record`` with the entry's values in the order of the table's columns."""
        self.append_values("entries", values)
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
        cls = type(domain_event)
        plan = _PLANS.get(cls) or _plan(cls, domain_event)
        fields = vars(domain_event)
        actor = fields.get("actor") or {}
        # In the order of the entries table's columns (``Table.columns``).
        self.view.record_values(tracking, (
            tracking.notification_id, domain_event.timestamp.isoformat(),
            str(actor.get("id", "")), str(actor.get("role", "")), plan.aggregate,
            ev.oid(domain_event), plan.event, fields.get("reason"), describe(domain_event),
            domain_event.originator_version))
