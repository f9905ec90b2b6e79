"""Rule checks (regeltjek): every recorded check of a roster, and whether it is still current.

The agreement rules live in ``planning/`` (the checker and the CP-SAT planner
share one catalogue), which a projection may not import (DESIGN.md: projections
depend on the domain only). So this read model records what the log knows —
each ``RosterChecked`` with who checked, when, and how many hard and soft
violations were found — and counts the roster's changes since, so a page can
say "checked, 0 hard breaches" or "changed since the last check". The detailed
list of violations (rule, person, dates, by how much, what would fix it) is
computed by the web layer, which calls ``planning.checker`` on the roster grid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection

from projections import events as ev
from projections.rows import RowView, Table
from projections.rowstores import PostgresRowView, SQLiteRowView


@dataclass(frozen=True)
class CheckRecord:
    """One recorded check of a roster."""

    roster_id: str
    version: int
    at: str
    actor_id: str
    actor_role: str
    hard_violations: int
    soft_violations: int
    at_change: int
    changes_since: int

    @property
    def is_current(self) -> bool:
        """No change to the roster since this check."""
        return self.changes_since == 0


class RuleChecksView(RowView):
    """Rosters with their change count, and their checks."""

    tables = (
        Table("rosters", ("roster_id",), text=("team_id", "period_start", "published_at"),
              counters=("changes",), indexes=(("team_id",),)),
        Table("checks", ("roster_id", "version"),
              text=("at", "actor_id", "actor_role"),
              ints=("version", "hard_violations", "soft_violations", "at_change")),
    )

    def roster(self, tracking: Tracking, roster_id: str, **values: Any) -> None:
        self.upsert("rosters", (roster_id,), set=values)
        self.commit(tracking)

    def changed(self, tracking: Tracking, roster_id: str) -> None:
        """A change the roster counts (puzzle, accepted proposal, change after publication)."""
        self.upsert("rosters", (roster_id,), add={"changes": 1})
        self.commit(tracking)

    def checked(self, tracking: Tracking, roster_id: str, version: int, **values: Any) -> None:
        self.upsert("checks", (roster_id, version), set=values)
        self.commit(tracking)

    # -- queries ------------------------------------------------------------------------

    def checks(self, roster_id: str) -> list[CheckRecord]:
        """Every check of the roster, latest first."""
        changes = self.select("SELECT changes FROM {rosters} WHERE roster_id = ?",
                              (roster_id,))
        now = changes[0]["changes"] if changes else 0
        rows = self.select("SELECT * FROM {checks} WHERE roster_id = ? ORDER BY version DESC",
                           (roster_id,))
        return [CheckRecord(r["roster_id"], r["version"], r["at"], r["actor_id"],
                            r["actor_role"], r["hard_violations"], r["soft_violations"],
                            r["at_change"], now - r["at_change"]) for r in rows]

    def latest(self, roster_id: str) -> CheckRecord | None:
        """The latest check of the roster, or None if it was never checked."""
        checks = self.checks(roster_id)
        return checks[0] if checks else None


class SQLiteRuleChecksView(SQLiteRowView, RuleChecksView):
    """Rule checks in SQLite."""


class PostgresRuleChecksView(PostgresRowView, RuleChecksView):
    """Rule checks in PostgreSQL."""


class RuleChecks(Projection[RuleChecksView]):
    """Projects roster events into the record of rule checks."""

    name = "RuleChecks"
    topics: tuple[str, ...] = ev.topics(
        ev.RosterOpened, ev.ShiftPuzzled, ev.ProposalAccepted, ev.ShiftChangedAfterPublish,
        ev.RosterChecked, ev.RosterPublished,
    )
    view_classes: ClassVar[tuple[type[RuleChecksView], ...]] = (
        SQLiteRuleChecksView, PostgresRuleChecksView)

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        """An event this projection does not use: only advance the position."""
        self.view.insert_tracking(tracking)

    @process_event.register(ev.RosterOpened)
    def _(self, e: Any, tracking: Tracking) -> None:
        self.view.roster(tracking, ev.oid(e), team_id=e.team_id,
                         period_start=e.period_start.isoformat())

    @process_event.register(ev.RosterPublished)
    def _(self, e: Any, tracking: Tracking) -> None:
        self.view.roster(tracking, ev.oid(e),
                         published_at=e.published_at.isoformat())

    @process_event.register(ev.ShiftPuzzled)
    @process_event.register(ev.ProposalAccepted)
    @process_event.register(ev.ShiftChangedAfterPublish)
    def _(self, e: Any, tracking: Tracking) -> None:
        self.view.changed(tracking, ev.oid(e))

    @process_event.register(ev.RosterChecked)
    def _(self, e: Any, tracking: Tracking) -> None:
        actor_id, role = ev.actor_of(e)
        self.view.checked(tracking, ev.oid(e), e.originator_version,
                          at=e.timestamp.isoformat(), actor_id=actor_id, actor_role=role,
                          hard_violations=e.hard_violations,
                          soft_violations=e.soft_violations, at_change=e.at_change)
