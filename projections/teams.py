"""Team directory (teamoversigt): one row per team with its counts.

Per team: code, name, area (område), member count, route count, sister team
(søsterteam) and the number of active citizens (borgere). Fed by Team and
Citizen events; every update writes the view rows and the tracking record in
one transaction, so a crash can neither lose nor double-count an event.

The view holds no personal data (no citizen names or addresses, only ids and
counts), so it needs no encryption at rest.
"""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking, TrackingRecorder
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from eventsourcing.projection import Projection
from eventsourcing.sqlite import SQLiteTrackingRecorder
from eventsourcing.utils import get_topic
from psycopg.sql import SQL, Composed, Identifier

from domain.citizens import Citizen
from domain.teams import Team


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


class TeamDirectoryView(TrackingRecorder):
    """The team directory's materialised view; each update also records its tracking."""

    @abstractmethod
    def add_team(self, tracking: Tracking, team_id: str, code: str, name: str, area: str
                 ) -> None:
        """A team was created (TeamCreated)."""

    @abstractmethod
    def adjust_counts(self, tracking: Tracking, team_id: str, *, members: int = 0,
                      routes: int = 0) -> None:
        """Add to (or subtract from) a team's member and route counts."""

    @abstractmethod
    def link_sister_team(self, tracking: Tracking, team_id: str, sister_team_id: str) -> None:
        """The team got a (new) sister team."""

    @abstractmethod
    def add_citizen(self, tracking: Tracking, citizen_id: str, team_id: str) -> None:
        """A citizen was registered with a team."""

    @abstractmethod
    def discharge_citizen(self, tracking: Tracking, citizen_id: str) -> None:
        """A citizen was discharged (afsluttet); the team has one citizen fewer."""

    @abstractmethod
    def teams(self) -> list[TeamRow]:
        """Every team, ordered by area and code."""

    @abstractmethod
    def close(self) -> None:
        """Close the view's database connections."""


def _row(r: Any) -> TeamRow:
    return TeamRow(
        id=r["team_id"], code=r["code"], name=r["name"], area=r["area"],
        members=r["members"], routes=r["routes"], citizens=r["citizens"],
        sister_team_id=r["sister_team_id"], sister_team_code=r["sister_code"],
        sister_team_name=r["sister_name"],
    )


# -- SQLite (a file of its own in the data directory) --------------------------------

class SQLiteTeamDirectoryView(SQLiteTrackingRecorder, TeamDirectoryView):
    """The team directory in SQLite."""

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            "CREATE TABLE IF NOT EXISTS teamdirectory_teams ("
            "team_id TEXT PRIMARY KEY, code TEXT NOT NULL, name TEXT NOT NULL, "
            "area TEXT NOT NULL, members INTEGER NOT NULL DEFAULT 0, "
            "routes INTEGER NOT NULL DEFAULT 0, citizens INTEGER NOT NULL DEFAULT 0, "
            "sister_team_id TEXT)",
            "CREATE TABLE IF NOT EXISTS teamdirectory_citizens ("
            "citizen_id TEXT PRIMARY KEY, team_id TEXT NOT NULL, "
            "discharged INTEGER NOT NULL DEFAULT 0)",
        ]

    def _update(self, tracking: Tracking, *statements: tuple[str, tuple[Any, ...]]) -> None:
        """Run the view statements and record the tracking in one transaction."""
        with self.datastore.transaction(commit=True) as c:
            for statement, params in statements:
                c.execute(statement, params)
            self._insert_tracking(c, tracking)

    def add_team(self, tracking: Tracking, team_id: str, code: str, name: str, area: str
                 ) -> None:
        self._update(tracking, (
            "INSERT INTO teamdirectory_teams (team_id, code, name, area) VALUES (?,?,?,?)",
            (team_id, code, name, area),
        ))

    def adjust_counts(self, tracking: Tracking, team_id: str, *, members: int = 0,
                      routes: int = 0) -> None:
        self._update(tracking, (
            "UPDATE teamdirectory_teams SET members = members + ?, routes = routes + ? "
            "WHERE team_id = ?",
            (members, routes, team_id),
        ))

    def link_sister_team(self, tracking: Tracking, team_id: str, sister_team_id: str) -> None:
        self._update(tracking, (
            "UPDATE teamdirectory_teams SET sister_team_id = ? WHERE team_id = ?",
            (sister_team_id, team_id),
        ))

    def add_citizen(self, tracking: Tracking, citizen_id: str, team_id: str) -> None:
        self._update(
            tracking,
            ("INSERT INTO teamdirectory_citizens (citizen_id, team_id) VALUES (?,?)",
             (citizen_id, team_id)),
            ("UPDATE teamdirectory_teams SET citizens = citizens + 1 WHERE team_id = ?",
             (team_id,)),
        )

    def discharge_citizen(self, tracking: Tracking, citizen_id: str) -> None:
        self._update(
            tracking,
            ("UPDATE teamdirectory_teams SET citizens = citizens - 1 WHERE team_id = "
             "(SELECT team_id FROM teamdirectory_citizens "
             "WHERE citizen_id = ? AND discharged = 0)", (citizen_id,)),
            ("UPDATE teamdirectory_citizens SET discharged = 1 WHERE citizen_id = ?",
             (citizen_id,)),
        )

    def teams(self) -> list[TeamRow]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(_SELECT_TEAMS.format(teams="teamdirectory_teams"))
            return [_row(r) for r in c.fetchall()]

    def close(self) -> None:
        self.datastore.close()


_SELECT_TEAMS = (
    "SELECT t.team_id, t.code, t.name, t.area, t.members, t.routes, t.citizens, "
    "t.sister_team_id, s.code AS sister_code, s.name AS sister_name "
    "FROM {teams} t LEFT JOIN {teams} s ON s.team_id = t.sister_team_id "
    "ORDER BY t.area, t.code"
)


# -- PostgreSQL (tables named after the projection, in POSTGRES_SCHEMA) ----------------

class PostgresTeamDirectoryView(PostgresTrackingRecorder, TeamDirectoryView):
    """The team directory in PostgreSQL, beside the event store."""

    def __init__(self, datastore: PostgresDatastore, *,
                 tracking_table_name: str = "teamdirectory_tracking", **kwargs: Any):
        super().__init__(datastore, tracking_table_name=tracking_table_name, **kwargs)
        prefix = tracking_table_name.removesuffix("_tracking")
        schema = Identifier(datastore.schema)
        self.teams_table = SQL("{}.{}").format(schema, Identifier(f"{prefix}_teams"))
        self.citizens_table = SQL("{}.{}").format(schema, Identifier(f"{prefix}_citizens"))
        self.check_identifier_length(f"{prefix}_citizens")
        self.sql_create_statements += [
            self._sql(
                "CREATE TABLE IF NOT EXISTS {teams} ("
                "team_id text PRIMARY KEY, code text NOT NULL, name text NOT NULL, "
                "area text NOT NULL, members integer NOT NULL DEFAULT 0, "
                "routes integer NOT NULL DEFAULT 0, citizens integer NOT NULL DEFAULT 0, "
                "sister_team_id text)"
            ),
            self._sql(
                "CREATE TABLE IF NOT EXISTS {citizens} ("
                "citizen_id text PRIMARY KEY, team_id text NOT NULL, "
                "discharged boolean NOT NULL DEFAULT false)"
            ),
        ]

    def _sql(self, statement: str) -> Composed:
        return SQL(statement).format(teams=self.teams_table, citizens=self.citizens_table)

    def _update(self, tracking: Tracking, *statements: tuple[str, tuple[Any, ...]]) -> None:
        """Run the view statements and record the tracking in one transaction."""
        with self.datastore.transaction(commit=True) as curs:
            for statement, params in statements:
                curs.execute(self._sql(statement), params)
            self._insert_tracking(curs, tracking)

    def add_team(self, tracking: Tracking, team_id: str, code: str, name: str, area: str
                 ) -> None:
        self._update(tracking, (
            "INSERT INTO {teams} (team_id, code, name, area) VALUES (%s, %s, %s, %s)",
            (team_id, code, name, area),
        ))

    def adjust_counts(self, tracking: Tracking, team_id: str, *, members: int = 0,
                      routes: int = 0) -> None:
        self._update(tracking, (
            "UPDATE {teams} SET members = members + %s, routes = routes + %s "
            "WHERE team_id = %s",
            (members, routes, team_id),
        ))

    def link_sister_team(self, tracking: Tracking, team_id: str, sister_team_id: str) -> None:
        self._update(tracking, (
            "UPDATE {teams} SET sister_team_id = %s WHERE team_id = %s",
            (sister_team_id, team_id),
        ))

    def add_citizen(self, tracking: Tracking, citizen_id: str, team_id: str) -> None:
        self._update(
            tracking,
            ("INSERT INTO {citizens} (citizen_id, team_id) VALUES (%s, %s)",
             (citizen_id, team_id)),
            ("UPDATE {teams} SET citizens = citizens + 1 WHERE team_id = %s", (team_id,)),
        )

    def discharge_citizen(self, tracking: Tracking, citizen_id: str) -> None:
        self._update(
            tracking,
            ("UPDATE {teams} SET citizens = citizens - 1 WHERE team_id = "
             "(SELECT team_id FROM {citizens} WHERE citizen_id = %s AND NOT discharged)",
             (citizen_id,)),
            ("UPDATE {citizens} SET discharged = true WHERE citizen_id = %s", (citizen_id,)),
        )

    def teams(self) -> list[TeamRow]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(SQL(_SELECT_TEAMS).format(teams=self.teams_table))
            return [_row(r) for r in curs.fetchall()]

    def close(self) -> None:
        self.datastore.close()


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
        self.view.add_team(tracking, str(event.originator_id), event.code, event.name,
                           event.area)

    @process_event.register(MemberJoined)
    def _(self, event: Any, tracking: Tracking) -> None:
        self.view.adjust_counts(tracking, str(event.originator_id), members=+1)

    @process_event.register(MemberLeft)
    def _(self, event: Any, tracking: Tracking) -> None:
        self.view.adjust_counts(tracking, str(event.originator_id), members=-1)

    @process_event.register(RouteDefined)
    def _(self, event: Any, tracking: Tracking) -> None:
        self.view.adjust_counts(tracking, str(event.originator_id), routes=+1)

    @process_event.register(SisterTeamLinked)
    def _(self, event: Any, tracking: Tracking) -> None:
        self.view.link_sister_team(tracking, str(event.originator_id), event.sister_team_id)

    @process_event.register(CitizenRegistered)
    def _(self, event: Any, tracking: Tracking) -> None:
        self.view.add_citizen(tracking, str(event.originator_id), event.team_id)

    @process_event.register(CitizenDischarged)
    def _(self, event: Any, tracking: Tracking) -> None:
        self.view.discharge_citizen(tracking, str(event.originator_id))
