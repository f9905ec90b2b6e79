"""The demo's constants, actors and the pure plan's dataclasses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.values import Actor, Role
from scripts.demo_data import SubArea

Progress = Callable[[str, int, int], None]

LEADER = Actor("leder", Role.LEADER)
PLANNER = Actor("planlaegger", Role.PLANNER)
ADMIN = Actor("admin", Role.ADMINISTRATIVE)
SYSTEM = Actor.system()

#: Shift layers (vagtlag): start hour and length in hours.
LAYER_TIMES: dict[str, tuple[int, int]] = {"dag": (7, 8), "aften": (15, 8), "nat": (23, 8)}
REST_HOURS = 11
MAX_NIGHTS_IN_ROW = 3
HOURS_MIX = ((37, 35), (32, 30), (30, 20), (28, 15))
#: The first team, which splits into mini-teams halfway, has at least this many people:
#: each mini-team must staff its own day and evening routes every day while the rest
#: rules (R2/R3) hold, or its shifts fall to the other mini-teams (or stay open) and the
#: citizens see as many faces as before the split.
SPLIT_TEAM_MIN_SIZE = 15
#: The fifth team (OE5) always has 17 people: the size the roster and web benchmarks
#: name (scripts/bench_roster_team.py, scripts/bench_web.py).
BENCHMARK_TEAM_INDEX, BENCHMARK_TEAM_SIZE = 4, 17
#: Sickness: an episode starts on 2.4 % of days; lengths in days and their weights
#: (mostly 1–3 days, a few longer) give about 6 % of planned shifts lost.
SICK_START = 0.024
SICK_LENGTHS = (1, 2, 3, 4, 5, 7, 10, 14)
SICK_WEIGHTS = (30, 22, 16, 10, 9, 6, 4, 3)
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
LADDER = ("UFL", "SSH", "SSA", "SPL")
TRAVEL_KMH = 28.0


# -- the plan (pure) ------------------------------------------------------------------


@dataclass(frozen=True)
class StaffPlan:
    """One employee of the demo."""

    number: str
    name: str
    profession: str
    weekly_hours: float
    hired_on: date
    team_code: str
    is_substitute: bool = False
    night_worker: bool = False
    weekend_parity: int = 0

    @property
    def is_regular(self) -> bool:
        """A team's own care staff (not a substitute, not the therapist)."""
        return not self.is_substitute and self.profession != "TER"


@dataclass(frozen=True)
class RoutePlan:
    code: str
    name: str
    layer: str
    profession: str
    days: tuple[str, ...] = DAY_NAMES


@dataclass(frozen=True)
class TeamPlan:
    code: str
    name: str
    sub_area: SubArea
    base_lat: float
    base_lon: float
    centre_lat: float
    centre_lon: float
    sister_code: str | None
    members: tuple[StaffPlan, ...]
    routes: tuple[RoutePlan, ...]
    therapist_number: str | None  # the therapist serving this team (maybe another team's)

    def routes_in(self, layer: str) -> list[RoutePlan]:
        return [r for r in self.routes if r.layer == layer and r.profession not in ("SPL", "TER")]


@dataclass
class CitizenPlan:
    code: str
    name: str
    address: str
    lat: float
    lon: float
    team_code: str
    registered_on: date
    services: list[dict[str, Any]]
    triage: str
    contact_number: str | None
    angle: float
    rehab: bool = False


@dataclass(frozen=True)
class DistrictPlan:
    """The district as planned from a seed: teams, people and citizens (nothing stored)."""

    seed: int
    today: date
    history_start: date
    next_start: date
    weeks: int
    teams: tuple[TeamPlan, ...]
    citizens: tuple[CitizenPlan, ...]

    @property
    def employees(self) -> list[StaffPlan]:
        return [m for t in self.teams for m in t.members]

    def team_sizes(self) -> dict[str, int]:
        return {t.code: len(t.members) for t in self.teams}


def _hhmm(value: str) -> int:
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def _layer_of(window_start: str) -> str:
    minutes = _hhmm(window_start)
    if 7 * 60 <= minutes < 15 * 60:
        return "dag"
    if 15 * 60 <= minutes < 23 * 60:
        return "aften"
    return "nat"
