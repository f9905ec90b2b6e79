"""Team (team / gruppe): members, routes, sister team and ground rules."""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import RuleBroken
from domain.values import Profession, ShiftLayer

#: Ground rules (grundregler) the leader may set, with their defaults.
DEFAULT_GROUND_RULES: dict[str, Any] = {
    "weekend_off_every_n": 2,
    "max_nights_in_row": 3,
    "min_staffing": {"dag": 1, "aften": 1, "nat": 0},
    "night_workers": [],
}


class Team(Aggregate):
    """A self-planning team of 6–17 people sharing a fixed group of citizens."""

    @staticmethod
    def create_id(code: str) -> UUID:
        return team_id(code)

    @event("TeamCreated")
    def __init__(
        self,
        code: str,
        name: str,
        area: str,
        base_lat: float,
        base_lon: float,
        actor: dict[str, str],
    ) -> None:
        self.code = code
        self.name = name
        self.area = area
        self.base_lat = base_lat
        self.base_lon = base_lon
        self.members: list[str] = []
        self.routes: dict[str, dict[str, str]] = {}
        self.sister_team_id: str | None = None
        self.ground_rules: dict[str, Any] = dict(DEFAULT_GROUND_RULES)

    # -- commands ---------------------------------------------------------------

    def join(self, employee_id: UUID, actor: dict[str, str]) -> None:
        """A person joins the team."""
        if str(employee_id) in self.members:
            raise RuleBroken(
                "Medarbejderen er allerede med i teamet.",
                f"employee {employee_id} is already a member of team {self.code}",
                field="employee_id",
            )
        self._member_joined(employee_id=str(employee_id), actor=actor)

    def leave(self, employee_id: UUID, reason: str, actor: dict[str, str]) -> None:
        """A member leaves the team."""
        if str(employee_id) not in self.members:
            raise RuleBroken(
                "Medarbejderen er ikke med i teamet.",
                f"employee {employee_id} is not a member of team {self.code}",
                field="employee_id",
            )
        self._member_left(employee_id=str(employee_id), reason=reason, actor=actor)

    def define_route(
        self, route_code: str, name: str, layer: ShiftLayer, profession: Profession,
        actor: dict[str, str],
    ) -> None:
        """Define a recurring route (rute) for one shift layer and profession."""
        if route_code in self.routes:
            raise RuleBroken(
                f"Ruten {route_code} findes allerede i teamet.",
                f"route {route_code} already defined in team {self.code}",
                field="route_code",
            )
        self._route_defined(
            route_code=route_code, name=name, layer=str(ShiftLayer(layer)),
            profession=str(Profession(profession)), actor=actor,
        )

    def link_sister_team(self, sister_team_id: UUID, actor: dict[str, str]) -> None:
        """Link the sister team (søsterteam) that helps when this team is short."""
        if sister_team_id == self.id:
            raise RuleBroken(
                "Et team kan ikke være sit eget søsterteam.",
                "a team cannot be its own sister team",
                field="sister_team_id",
            )
        self._sister_team_linked(sister_team_id=str(sister_team_id), actor=actor)

    def set_ground_rules(self, rules: dict[str, Any], actor: dict[str, str]) -> None:
        """The leader sets the ground rules; unknown keys are refused."""
        unknown = set(rules) - set(DEFAULT_GROUND_RULES)
        if unknown:
            name = sorted(unknown)[0]
            raise RuleBroken(
                f"Ukendt grundregel: {name}.", f"unknown ground rule {name!r}", field=name
            )
        if "night_workers" in rules:
            rules = {**rules, "night_workers": [str(e) for e in rules["night_workers"]]}
        night_workers = rules.get("night_workers", [])
        strangers = [e for e in night_workers if e not in self.members]
        if strangers:
            raise RuleBroken(
                "Kun teamets medlemmer kan stå på listen over nattevagter.",
                f"night workers not in team {self.code}: {strangers}",
                field="night_workers",
            )
        self._ground_rules_set(rules=rules, actor=actor)

    def is_member(self, employee_id: UUID | str) -> bool:
        return str(employee_id) in self.members

    # -- events -----------------------------------------------------------------

    @event("MemberJoined")
    def _member_joined(self, employee_id: str, actor: dict[str, str]) -> None:
        self.members.append(employee_id)

    @event("MemberLeft")
    def _member_left(self, employee_id: str, reason: str, actor: dict[str, str]) -> None:
        self.members.remove(employee_id)

    @event("RouteDefined")
    def _route_defined(
        self, route_code: str, name: str, layer: str, profession: str, actor: dict[str, str]
    ) -> None:
        self.routes[route_code] = {"name": name, "layer": layer, "profession": profession}

    @event("SisterTeamLinked")
    def _sister_team_linked(self, sister_team_id: str, actor: dict[str, str]) -> None:
        self.sister_team_id = sister_team_id

    @event("GroundRulesSet")
    def _ground_rules_set(self, rules: dict[str, Any], actor: dict[str, str]) -> None:
        merged = dict(self.ground_rules)
        for key, value in rules.items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = {**merged[key], **value}
            else:
                merged[key] = value
        self.ground_rules = merged


def team_id(code: str) -> UUID:
    """Deterministic id of a team from its code (a natural key)."""
    return uuid5(NAMESPACE_URL, f"/pusleplan/teams/{code}")
