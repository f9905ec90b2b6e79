"""Team directory (teamoversigt): one row per team with its counts.

Per team: code, name, area (område), member count, route count, sister team
(søsterteam) and the number of active citizens (borgere). Fed by Team and
Citizen events; every update writes the view rows and the tracking record in
one transaction (see :mod:`projections.rows`), so a crash can neither lose nor
double-count an event.

The view holds no personal data (no citizen names or addresses, only ids and
counts), so it needs no encryption at rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection
from eventsourcing.utils import get_topic

from domain.citizens import Citizen
from domain.teams import Team
from projections import events as ev
from projections.rows import RowView, Table
from projections.rowstores import PostgresRowView, SQLiteRowView


@dataclass(frozen=True)
class TeamRow:
    """One team as the directory shows it."""

    id: str
    code: str
    name: str
    area: str
    members: int
    routes: int
    citizens: int
    sister_team_id: str | None
    sister_team_code: str | None
    sister_team_name: str | None


class TeamDirectoryView(RowView):
    """The team directory's materialised view; each update also records its tracking."""

    tables = (
        Table("teams", ("team_id",), text=("code", "name", "area", "sister_team_id"),
              counters=("members", "routes", "citizens")),
        Table("citizens", ("citizen_id",), text=("team_id",), bools=("discharged",),
              cached=True),
    )

    def add_team(self, tracking: Tracking, team_id: str, code: str, name: str, area: str
                 ) -> None:
        """A team was created (TeamCreated)."""
        self.upsert("teams", (team_id,), set={"code": code, "name": name, "area": area})
        self.commit(tracking)

    def adjust_counts(self, tracking: Tracking, team_id: str, *, members: int = 0,
                      routes: int = 0) -> None:
        """Add to (or subtract from) a team's member and route counts."""
        self.upsert("teams", (team_id,), add={"members": members, "routes": routes})
        self.commit(tracking)

    def link_sister_team(self, tracking: Tracking, team_id: str, sister_team_id: str) -> None:
        """The team got a (new) sister team."""
        self.upsert("teams", (team_id,), set={"sister_team_id": sister_team_id})
        self.commit(tracking)

    def add_citizen(self, tracking: Tracking, citizen_id: str, team_id: str) -> None:
        """A citizen was registered with a team."""
        self.upsert("citizens", (citizen_id,), set={"team_id": team_id, "discharged": False})
        self.upsert("teams", (team_id,), add={"citizens": 1})
        self.commit(tracking)

    def discharge_citizen(self, tracking: Tracking, citizen_id: str) -> None:
        """A citizen was discharged (afsluttet); the team has one citizen fewer."""
        citizen = self.get("citizens", (citizen_id,))
        if citizen is not None and not citizen["discharged"]:
            self.upsert("teams", (citizen["team_id"],), add={"citizens": -1})
            self.upsert("citizens", (citizen_id,), set={"discharged": True})
        self.commit(tracking)

    def teams(self) -> list[TeamRow]:
        """Every team, ordered by area and code."""
        return [_row(r) for r in self.select(
            "SELECT t.team_id, t.code, t.name, t.area, t.members, t.routes, t.citizens, "
            "t.sister_team_id, s.code AS sister_code, s.name AS sister_name "
            "FROM {teams} t LEFT JOIN {teams} s ON s.team_id = t.sister_team_id "
            "ORDER BY t.area, t.code")]


def _row(r: Any) -> TeamRow:
    return TeamRow(
        id=r["team_id"], code=r["code"], name=r["name"], area=r["area"],
        members=r["members"], routes=r["routes"], citizens=r["citizens"],
        sister_team_id=r["sister_team_id"], sister_team_code=r["sister_code"],
        sister_team_name=r["sister_name"],
    )


class SQLiteTeamDirectoryView(SQLiteRowView, TeamDirectoryView):
    """The team directory in SQLite (a file of its own in the data directory)."""

    sqlite_prefix = "teamdirectory_"


class PostgresTeamDirectoryView(PostgresRowView, TeamDirectoryView):
    """The team directory in PostgreSQL, beside the event store (tables ``teamdirectory_*``)."""


# ``@event`` makes the event classes at run time, where a type checker cannot see them.
TeamCreated = Team.TeamCreated  # type: ignore[attr-defined]
MemberJoined = Team.MemberJoined  # type: ignore[attr-defined]
MemberLeft = Team.MemberLeft  # type: ignore[attr-defined]
RouteDefined = Team.RouteDefined  # type: ignore[attr-defined]
SisterTeamLinked = Team.SisterTeamLinked  # type: ignore[attr-defined]
CitizenRegistered = Citizen.CitizenRegistered  # type: ignore[attr-defined]
CitizenDischarged = Citizen.CitizenDischarged  # type: ignore[attr-defined]


class TeamDirectory(Projection[TeamDirectoryView]):
    """Projects Team and Citizen events into the team directory."""

    name = "TeamDirectory"
    #: e.g. "domain.teams:Team.TeamCreated"; the log is read filtered by these.
    topics: tuple[str, ...] = tuple(get_topic(cls) for cls in (
        TeamCreated, MemberJoined, MemberLeft, RouteDefined, SisterTeamLinked,
        CitizenRegistered, CitizenDischarged,
    ))
    #: The view implementations, one per store; ``make_view`` picks the right one.
    view_classes: ClassVar[tuple[type[TeamDirectoryView], ...]] = (
        SQLiteTeamDirectoryView, PostgresTeamDirectoryView,
    )

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        """An event this projection does not use: only advance the position."""
        self.view.insert_tracking(tracking)

    @process_event.register(TeamCreated)
    def _(self, event: Any, tracking: Tracking) -> None:
        self.view.add_team(tracking, ev.oid(event), event.code, event.name,
                           event.area)

    @process_event.register(MemberJoined)
    def _(self, event: Any, tracking: Tracking) -> None:
        self.view.adjust_counts(tracking, ev.oid(event), members=+1)

    @process_event.register(MemberLeft)
    def _(self, event: Any, tracking: Tracking) -> None:
        self.view.adjust_counts(tracking, ev.oid(event), members=-1)

    @process_event.register(RouteDefined)
    def _(self, event: Any, tracking: Tracking) -> None:
        self.view.adjust_counts(tracking, ev.oid(event), routes=+1)

    @process_event.register(SisterTeamLinked)
    def _(self, event: Any, tracking: Tracking) -> None:
        self.view.link_sister_team(tracking, ev.oid(event), event.sister_team_id)

    @process_event.register(CitizenRegistered)
    def _(self, event: Any, tracking: Tracking) -> None:
        self.view.add_citizen(tracking, ev.oid(event), event.team_id)

    @process_event.register(CitizenDischarged)
    def _(self, event: Any, tracking: Tracking) -> None:
        self.view.discharge_citizen(tracking, ev.oid(event))
