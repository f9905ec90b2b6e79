"""Small builders for test scenarios (a team with members, a citizen, a roster)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from uuid import UUID

from domain.application import Pusleplan
from domain.values import Actor, Role

LEADER = Actor("leder", Role.LEADER)
MONDAY = date(2026, 11, 23)

MORNING = {
    "code": "PP1", "name": "Personlig pleje", "minutes": 30,
    "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
    "window_start": "07:00", "window_end": "10:00", "profession": "SSH",
}


@dataclass
class Scenario:
    app: Pusleplan
    team: UUID
    members: list[UUID] = field(default_factory=list)
    outsider: UUID | None = None
    citizen: UUID | None = None
    roster: UUID | None = None


def team_scenario(app: Pusleplan, code: str = "T1", members: int = 3,
                  professions: tuple[str, ...] = ("SSH", "SSA", "SPL")) -> Scenario:
    """A team with ``members`` members, one outsider, a citizen and an open roster."""
    team = app.create_team(LEADER, code=code, name=f"Team {code}", area="Øst",
                           base_lat=55.86, base_lon=9.85)
    scenario = Scenario(app, team)
    for n in range(members):
        employee = app.hire_employee(
            LEADER, number=f"{code}-E{n}", name=f"Medarbejder {n}",
            profession=professions[n % len(professions)], weekly_hours=37,
            hired_on=date(2020, 1, 1),
        )
        app.join_team(LEADER, team, employee)
        scenario.members.append(employee)
    scenario.outsider = app.hire_employee(
        LEADER, number=f"{code}-X", name="Udefra", profession="SSH", weekly_hours=37,
        hired_on=date(2020, 1, 1),
    )
    scenario.citizen = app.register_citizen(
        LEADER, code=f"{code}-B1", name="Karen Jensen", address="Strandvejen 1",
        lat=55.87, lon=9.86, team_id=team, registered_on=date(2025, 1, 1),
    )
    scenario.roster = app.open_roster(LEADER, team, MONDAY, 8)
    return scenario


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm))
