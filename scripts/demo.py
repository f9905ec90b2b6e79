"""The demo district: "Område Øst" in Horsens, with 8 weeks of history.

``build_demo`` writes, from a fixed seed and only through the application
service (:class:`domain.application.Pusleplan`), a realistic district: six
self-planning teams of 12–17 people in three sub-areas with sister teams, about
300 citizens with visitations, triage and contact persons, routes per team and
shift layer, and the 8 weeks (56 days) before the Monday of ``today``'s week:

* a published roster per team for that period (bids, a greedy "proposal" —
  there is no solver in the demo —, a few puzzles, a check, publication) and
  shift changes after publication (sickness cover, meetings);
* sick days at a realistic rate (~6 %), a few holidays;
* triage and visitation changes (more help after a hospital stay, less after a
  rehabilitation course), a few discharges and new citizens;
* a reorganisation halfway: the first team splits into mini-teams (neighbouring
  routes and the staff who keep to them, ``mini_teams``); from then on the
  roster keeps people on their mini-team's routes, visits go to the citizen's
  mini-team and contact persons are reassigned into it, so fewer different
  people visit each citizen (kontinuitet visibly improves);
* per team and day: route assignments, the day's visits (one ``plan_visits``
  call) and the delivered visits with jittered actual times (one
  ``record_deliveries`` call);
* the next 8-week roster opened, with bids and partly puzzled (take, release,
  swap), not yet published.

Everything is drawn from ``random.Random`` seeded by ``seed``: the same seed and
``today`` give the same events (apart from the stores' own timestamps).
``plan_district`` is the pure part (teams, people, citizens) and writes nothing.
"""

from __future__ import annotations

import math
import random
import time as clock
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.application import Cache
from eventsourcing.sqlite import SQLiteDatastore

from domain.application import Pusleplan
from domain.citizens import citizen_id
from domain.employees import employee_id
from domain.rosters import roster_id
from domain.teams import team_id
from domain.values import AbsenceKind, Actor, BidKind, Profession, Role, Triage
from scripts.demo_accounts import register_demo_accounts
from scripts.demo_data import (
    CITIZEN_FIRST_NAMES_F,
    CITIZEN_FIRST_NAMES_M,
    DEMO_ACCOUNTS,
    DISCHARGE_REASONS,
    DISTRICT_NAME,
    FJORD_LAT,
    FJORD_LON,
    POSTCODE,
    SCATTER_KM,
    SERVICE_NAMES,
    SERVICE_WINDOWS,
    STAFF_FIRST_NAMES,
    SUB_AREAS,
    SURNAMES,
    TEAM_CODES,
    TOWN,
    TRIAGE_REASONS,
    VISITATION_INCREASE_REASONS,
    VISITATION_REHAB_REASON,
    WEEKDAYS_ONLY,
    SubArea,
)

__all__ = ["DEMO_ACCOUNTS", "DemoSummary", "DistrictPlan", "build_demo", "plan_district"]

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


def plan_district(
    seed: int = 2026, today: date | None = None, teams: int = 6, citizens: int = 300,
    history_weeks: int = 8,
) -> DistrictPlan:
    """Plan the district from a seed, writing nothing (pure apart from ``date.today``)."""
    if not 1 <= teams <= len(TEAM_CODES):
        raise ValueError(f"teams must be 1..{len(TEAM_CODES)}")
    if not 1 <= history_weeks <= 12:
        raise ValueError("history_weeks must be 1..12")
    today = today or date.today()
    next_start = today - timedelta(days=today.weekday())
    history_start = next_start - timedelta(weeks=history_weeks)
    rng = random.Random(seed)
    names = _NameDrawer(rng)

    codes = TEAM_CODES[:teams]
    therapists = math.ceil(teams / 3)
    substitute_hosts = [i for i in (1, 4) if i < teams]
    team_plans: list[TeamPlan] = []
    for index, code in enumerate(codes):
        area = SUB_AREAS[index // 2]
        half = index % 2
        sister = None
        partner = index + 1 if half == 0 else index - 1
        if partner < teams:
            sister = codes[partner]
        has_night = half == 0 or sister is None
        members = _plan_members(rng, names, code, index, history_start, substitute_hosts,
                                has_night)
        offset = -0.0035 if half == 0 else 0.0035
        team_plans.append(TeamPlan(
            code=code, name=f"Team {area.team_names[half]}", sub_area=area,
            base_lat=area.base_lat, base_lon=round(area.base_lon + offset / 3, 5),
            centre_lat=area.lat, centre_lon=round(area.lon + 2 * offset, 5),
            sister_code=sister, members=tuple(members), routes=(),
            therapist_number=f"TER-{index // 3 + 1}" if index // 3 < therapists else None,
        ))

    # Citizens: shared out by the teams' contracted hours (what they can carry).
    hours = [sum(m.weekly_hours for m in t.members if m.profession != "TER")
             for t in team_plans]
    shares = [round(citizens * h / sum(hours)) for h in hours]
    shares[-1] += citizens - sum(shares)
    citizen_plans: list[CitizenPlan] = []
    for index, (team, count) in enumerate(zip(team_plans, shares, strict=True)):
        own = [_plan_citizen(rng, names, team, f"{team.code}-B{n:03d}", history_start)
               for n in range(1, count + 1)]
        _assign_contacts(rng, team, own)
        citizen_plans.extend(own)
        # Routes are sized to the team's staff and split by its citizens' needs.
        routes = _plan_routes(team, index % 2, list(team.members), own)
        team_plans[index] = replace(team, routes=tuple(routes))
    return DistrictPlan(seed, today, history_start, next_start, history_weeks,
                        tuple(team_plans), tuple(citizen_plans))


class _NameDrawer:
    """Draw fictional names, never the same full name twice."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: dict[str, None] = {}

    def draw(self, first_names: tuple[str, ...]) -> str:
        for _ in range(200):
            name = f"{self.rng.choice(first_names)} {self.rng.choice(SURNAMES)}"
            if self.rng.random() < 0.2:
                name = (f"{self.rng.choice(first_names)} {self.rng.choice(SURNAMES)} "
                        f"{self.rng.choice(SURNAMES)}")
            if name not in self.used:
                self.used[name] = None
                return name
        raise RuntimeError("ran out of names")  # pragma: no cover


def _plan_members(
    rng: random.Random, names: _NameDrawer, code: str, index: int, history_start: date,
    substitute_hosts: list[int], has_night: bool,
) -> list[StaffPlan]:
    size = rng.randint(12, 17)
    extras: list[tuple[str, str, bool, float]] = []  # number, profession, substitute, hours
    if index % 3 == 0:
        extras.append((f"TER-{index // 3 + 1}", "TER", False, 37.0))
    if index in substitute_hosts:
        extras.append((f"VIK-{substitute_hosts.index(index) + 1}", "SSH", True, 28.0))
    care = size - len(extras)
    spl = 1 if care < 12 else rng.choice((1, 2)) if care < 14 else rng.choice((2, 3))
    ssa = round(care * 0.32)
    ssh = care - spl - ssa
    rest = ["SSH"] * (ssh - 1) + ["SSA"] * ssa + ["SPL"] * spl
    rng.shuffle(rest)
    professions = ["SSH", *rest]  # employee 01 of each team is an SSH (a demo log-in)
    night_pool = [i for i, p in enumerate(professions) if p in ("SSH", "SSA") and i > 0]
    night = set(rng.sample(night_pool, 4)) if has_night else set()
    members: list[StaffPlan] = []
    for i, profession in enumerate(professions):
        weekly = float(rng.choices([h for h, _ in HOURS_MIX], [w for _, w in HOURS_MIX])[0])
        members.append(StaffPlan(
            number=f"{code}-{i + 1:02d}", name=names.draw(STAFF_FIRST_NAMES),
            profession=profession, weekly_hours=weekly,
            hired_on=history_start - timedelta(days=rng.randint(90, 12 * 365)),
            team_code=code, night_worker=i in night, weekend_parity=i % 2,
        ))
    for number, profession, substitute, weekly in extras:
        members.append(StaffPlan(
            number=number, name=names.draw(STAFF_FIRST_NAMES), profession=profession,
            weekly_hours=weekly, hired_on=history_start - timedelta(days=rng.randint(60, 2000)),
            team_code=code, is_substitute=substitute, weekend_parity=len(members) % 2,
        ))
    return members


def _plan_routes(team: TeamPlan, half: int, members: list[StaffPlan],
                 citizens: list[CitizenPlan]) -> list[RoutePlan]:
    """Routes sized to what the team can staff: nurse, night (one per sub-area), then
    dag and aften in proportion to the citizens' granted minutes (plus travel)."""
    area = team.sub_area
    has_night = any(m.night_worker for m in members)
    staff = [m for m in members if m.profession != "TER"]
    supply = sum(m.weekly_hours for m in staff) / 8 * 0.95  # shifts a week
    nurses = sum(1 for m in members if m.profession == "SPL")
    nurse_days = ("mon", "tue", "thu", "fri") if nurses == 1 else WEEKDAYS_ONLY
    per_day = (supply - (7 if has_night else 0) - len(nurse_days)) / 7
    load = {"dag": 0.0, "aften": 0.0, "nat": 0.0}
    for citizen in citizens:
        for service in citizen.services:
            if service["profession"] not in ("SPL", "TER"):
                layer = _layer_of(service["window_start"])
                load[layer] += (service["minutes"] + 6) * len(service["days"]) / 7
    # An evening route holds about 6½ hours of visits (windows 15:30–22:45); the
    # rest goes to the day, where the morning peak is.
    aften = max(2, math.ceil(load["aften"] / 60 / 6.5))
    dag = max(3, round(per_day - aften))
    where = area.team_names[half]
    routes = [RoutePlan("DS", f"Sygeplejerute {where}", "dag", "SPL", nurse_days)]
    routes += [RoutePlan(f"D{n}", f"Dag {n} {where}", "dag", "SSA" if n == 1 else "SSH")
               for n in range(1, dag + 1)]
    routes += [RoutePlan(f"A{n}", f"Aften {n} {where}", "aften", "SSA" if n == 1 else "SSH")
               for n in range(1, aften + 1)]
    if has_night:  # the night shift covers both sister teams of the sub-area
        routes.append(RoutePlan("N1", f"Nat {area.name}", "nat", "SSH"))
    if any(m.profession == "TER" for m in members):
        routes.append(RoutePlan("TER", f"Træning {area.name}", "dag", "TER", WEEKDAYS_ONLY))
    return routes


#: Time windows a citizen may be granted instead of the default (late risers, early
#: evenings…): spreading them keeps the morning peak workable.
WINDOW_CHOICES: dict[str, tuple[tuple[tuple[str, str], int], ...]] = {
    "PP1": ((("07:00", "09:00"), 2), (("07:30", "09:30"), 3), (("08:00", "10:00"), 3),
            (("08:30", "10:30"), 3), (("09:00", "11:00"), 2), (("09:30", "11:30"), 2),
            (("10:00", "12:00"), 1)),
    "PP2": ((("11:00", "13:00"), 1), (("11:30", "13:30"), 2), (("12:00", "14:00"), 1)),
    "MAD": ((("15:30", "17:30"), 1), (("16:00", "18:00"), 1)),
    "PP3": ((("17:00", "19:00"), 2), (("17:30", "19:30"), 2), (("18:00", "20:00"), 2),
            (("18:30", "20:30"), 1), (("19:00", "21:00"), 1)),
    "PP4": ((("20:30", "22:30"), 1), (("21:00", "22:45"), 1)),
}
#: Medicine is given in the care visit of the same part of the day.
WINDOW_FOLLOWS = {"MED1": "PP1", "MED2": "PP3"}


def _service(rng: random.Random, code: str, minutes: int, days: tuple[str, ...] | list[str],
             double: bool = False, window: tuple[str, str] | None = None) -> dict[str, Any]:
    start, end, profession = SERVICE_WINDOWS[code]
    if window is None and code in WINDOW_CHOICES:
        choices = WINDOW_CHOICES[code]
        window = rng.choices([w for w, _ in choices], [n for _, n in choices])[0]
    if window is not None:
        start, end = window
    return {"code": code, "name": SERVICE_NAMES[code], "minutes": minutes, "days": list(days),
            "window_start": start, "window_end": end, "profession": profession,
            "double_staffed": double}


def _some_days(rng: random.Random, pool: tuple[str, ...], k: int) -> list[str]:
    chosen = rng.sample(range(len(pool)), k)
    return [pool[i] for i in sorted(chosen)]


def _visitation(rng: random.Random) -> tuple[list[dict[str, Any]], bool]:
    """A realistic grant of services (ydelser); returns the services and whether rehab.

    Profiles from practical help only to heavy care with a night visit; about
    35 granted minutes per citizen and day on average, so a team's client time
    lands near half its paid hours. Double-staffed care (lift) is for a few heavy
    citizens only, and they get no medicine in the same visit (two SSA would be needed).
    """
    every = DAY_NAMES
    profile = rng.choices(("praktisk", "morgen", "morgen_aften", "tre", "tung"),
                          (30, 25, 22, 15, 8))[0]
    services: list[dict[str, Any]] = []

    def window_of(code: str) -> tuple[str, str]:
        service = next(s for s in services if s["code"] == code)
        return service["window_start"], service["window_end"]

    if profile == "praktisk":
        services.append(_service(rng, "PH1", rng.choice((30, 45)), _some_days(rng, every[:5], 1)))
    else:
        heavy = profile == "tung"
        double = heavy and rng.random() < 0.3
        services.append(_service(rng, "PP1", rng.randint(6, 8) * 5 if heavy
                                 else rng.randint(3, 4) * 5, every, double))
        if not double and rng.random() < (0.7 if heavy else 0.4):
            services.append(_service(rng, "MED1", 5, every, window=window_of("PP1")))
        if profile in ("tre", "tung"):
            services.append(_service(rng, "PP2", rng.randint(2, 3) * 5, every))
        if heavy or (profile == "tre" and rng.random() < 0.3):
            services.append(_service(rng, "MAD", 10, every))
        if profile in ("morgen_aften", "tre", "tung"):
            services.append(_service(rng, "PP3", rng.randint(2, 3) * 5, every, double))
            if not double and rng.random() < (0.6 if heavy else 0.3):
                services.append(_service(rng, "MED2", 5, every, window=window_of("PP3")))
        if heavy:
            services.append(_service(rng, "PP4", rng.randint(2, 3) * 5, every))
            if rng.random() < 0.7:
                services.append(_service(rng, "NAT", 10, every))
        if profile == "morgen" and rng.random() < 0.4:
            services.append(_service(rng, "PH1", 30, _some_days(rng, every[:5], 1)))
    if rng.random() < 0.15:
        services.append(_service(rng, "SYG", rng.choice((15, 20)),
                                 _some_days(rng, WEEKDAYS_ONLY, rng.choice((2, 3)))))
    rehab = profile != "tung" and rng.random() < 0.1
    if rehab:
        services.append(_service(rng, "REH", 45, _some_days(rng, WEEKDAYS_ONLY, 2)))
    return services, rehab


def _scatter(rng: random.Random, lat: float, lon: float, km: float, half: int
             ) -> tuple[float, float]:
    """A point within ``km`` of (lat, lon) on dry land, in the western/eastern half."""
    for _ in range(1000):
        r = km * math.sqrt(rng.random())
        theta = rng.uniform(0, 2 * math.pi)
        dlat = r * math.sin(theta) / 111.32
        dlon = r * math.cos(theta) / (111.32 * math.cos(math.radians(lat)))
        if (dlon < 0) != (half == 0):
            dlon = -dlon
        plat, plon = lat + dlat, lon + dlon
        if not (plon > FJORD_LON and plat < FJORD_LAT):
            return round(plat, 5), round(plon, 5)
    raise RuntimeError("no dry land found")  # pragma: no cover


def _plan_citizen(rng: random.Random, names: _NameDrawer, team: TeamPlan, code: str,
                  history_start: date, registered_on: date | None = None) -> CitizenPlan:
    first = CITIZEN_FIRST_NAMES_F if rng.random() < 0.62 else CITIZEN_FIRST_NAMES_M
    name = names.draw(first)
    half = TEAM_CODES.index(team.code) % 2
    lat, lon = _scatter(rng, team.sub_area.lat, team.sub_area.lon, SCATTER_KM, half)
    street = rng.choice(team.sub_area.streets)
    number = rng.randint(1, 140)
    floor = rng.choice(("", "", "", ", st. tv.", ", 1. th.", ", 2. tv.", ", 3. mf."))
    address = f"{street} {number}{floor}, {POSTCODE} {TOWN}"
    services, rehab = _visitation(rng)
    if registered_on is None:
        days_back = rng.randint(20, 70) if rehab else rng.randint(20, 6 * 365)
        registered_on = history_start - timedelta(days=days_back)
    triage = rng.choices((str(Triage.GREEN), str(Triage.YELLOW), str(Triage.RED)),
                         (80, 15, 5))[0]
    angle = math.atan2(lat - team.centre_lat, (lon - team.centre_lon) * 0.56)
    return CitizenPlan(code, name, address, lat, lon, team.code, registered_on, services,
                       triage, None, angle, rehab)


def _assign_contacts(rng: random.Random, team: TeamPlan, citizens: list[CitizenPlan]) -> None:
    """Kontaktpersoner: the team's own care staff share the citizens round-robin."""
    staff = [m.number for m in team.members if m.is_regular]
    rng.shuffle(staff)
    for i, citizen in enumerate(citizens):
        if citizen.contact_number is None:
            citizen.contact_number = staff[i % len(staff)]


# -- the roster model (greedy, in memory) ---------------------------------------------


@dataclass
class _Shift:
    shift_id: str
    day: date
    layer: str
    route: str
    start: datetime
    end: datetime
    employee: str | None = None  # employee number

    def as_proposal(self) -> dict[str, Any]:
        return {"shift_id": self.shift_id, "date": self.day, "layer": self.layer,
                "start": self.start, "end": self.end, "route": self.route,
                "employee_id": str(employee_id(self.employee)) if self.employee else None}


@dataclass
class _Bid:
    bid_id: str
    number: str
    kind: str
    day: date
    layer: str | None = None
    route: str | None = None


def shift_times(day: date, layer: str) -> tuple[datetime, datetime]:
    hour, length = LAYER_TIMES[layer]
    start = datetime.combine(day, time(hour))
    return start, start + timedelta(hours=length)


def _can_do(profession: str, required: str) -> bool:
    return Profession(profession).can_do(required)


def _over(profession: str, required: str) -> int:
    if "TER" in (profession, required):
        return 0
    return LADDER.index(profession) - LADDER.index(required)


class _Rota:
    """One team's shifts for one period, placed greedily (the demo has no solver)."""

    def __init__(self, team: TeamPlan, start: date, weeks: int, rng: random.Random,
                 unavailable: dict[str, set[date]], bids: list[_Bid],
                 prior: list[_Shift] = ()) -> None:
        self.team = team
        self.start = start
        self.weeks = weeks
        self.rng = rng
        self.unavailable = unavailable
        self.members = {m.number: m for m in team.members}
        self.by_emp: dict[str, dict[date, _Shift]] = {n: {} for n in self.members}
        for shift in prior:
            if shift.employee in self.by_emp:
                self.by_emp[shift.employee][shift.day] = shift
        self.hours: dict[str, float] = dict.fromkeys(self.members, 0.0)
        self.week_hours: dict[tuple[str, int], float] = {}
        self.last_route: dict[str, str] = {}
        self.shifts: dict[str, _Shift] = {}
        self.by_day: dict[date, list[_Shift]] = {}
        self.day_off = {(b.number, b.day) for b in bids if b.kind == BidKind.DAY_OFF}
        self.avoid = {(b.number, b.day, b.layer) for b in bids if b.kind == BidKind.AVOID_SHIFT}
        self.want = {(b.number, b.day, b.layer) for b in bids if b.kind == BidKind.WANT_SHIFT}
        self.want_route = {(b.number, b.route) for b in bids if b.kind == BidKind.WANT_ROUTE}
        self.relaxed = 0
        # The reorganisation: from ``mini_from`` members keep to their mini-team's routes.
        self.mini_teams: dict[str, int] = {}
        self.mini_from = date.max

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(7 * self.weeks)]

    def week(self, day: date) -> int:
        return (day - self.start).days // 7

    # -- checks -------------------------------------------------------------------

    def rest_ok(self, number: str, day: date, start: datetime, end: datetime,
                ignore: tuple[str, ...] = ()) -> bool:
        shifts = self.by_emp[number]
        for offset in (-1, 0, 1):
            other = shifts.get(day + timedelta(days=offset))
            if other is None or other.shift_id in ignore:
                continue
            if offset == 0:
                return False
            if other.end <= start:
                if start - other.end < timedelta(hours=REST_HOURS):
                    return False
            elif end <= other.start:
                if other.start - end < timedelta(hours=REST_HOURS):
                    return False
            else:
                return False
        return True

    def nights_before(self, number: str, day: date) -> int:
        count = 0
        shifts = self.by_emp[number]
        while True:
            other = shifts.get(day - timedelta(days=count + 1))
            if other is None or other.layer != "nat":
                return count
            count += 1

    def may_take(self, number: str, shift: _Shift, strict: bool, cover: bool = False) -> bool:
        """Whether ``number`` may hold ``shift`` (strict: also ground rules and contract)."""
        member = self.members[number]
        route = next(r for r in self.team.routes if r.code == shift.route)
        if route.profession == "TER" or member.profession == "TER":
            if route.profession != member.profession:
                return False
        elif not _can_do(member.profession, route.profession):
            return False
        if shift.day in self.unavailable.get(number, ()):
            return False
        if not self.rest_ok(number, shift.day, shift.start, shift.end, (shift.shift_id,)):
            return False
        if shift.layer == "nat":
            if member.is_substitute or member.profession in ("TER", "SPL"):
                return False
            if strict and not member.night_worker:
                return False
            if self.nights_before(number, shift.day) >= MAX_NIGHTS_IN_ROW:
                return False
        limit = member.weekly_hours * self.weeks + (16 if cover else 4)
        if self.hours[number] + 8 > limit + (16 if not strict else 0):
            return False
        if not strict:
            return True
        if (number, shift.day) in self.day_off or (number, shift.day, shift.layer) in self.avoid:
            return False
        if shift.day.weekday() >= 5 and member.weekend_parity != self.week(shift.day) % 2:
            return False
        week = self.week_hours.get((number, self.week(shift.day)), 0.0)
        return cover or week + 8 <= member.weekly_hours + 5

    def score(self, number: str, shift: _Shift, cover: bool = False) -> float:
        member = self.members[number]
        route = next(r for r in self.team.routes if r.code == shift.route)
        ratio = self.hours[number] / (member.weekly_hours * self.weeks)
        value = ratio + 0.12 * _over(member.profession, route.profession)
        if (number, shift.day, shift.layer) in self.want:
            value -= 0.3
        if (number, shift.route) in self.want_route:
            value -= 0.1
        if self.last_route.get(number) not in (None, shift.route):
            value += 0.05
        if member.is_substitute:
            value += -0.5 if cover else 0.3
        if shift.layer == "nat" and member.night_worker:
            value -= 0.2
        if self.mini_teams and shift.day >= self.mini_from:
            group = self.mini_teams.get(shift.route)
            if group is not None and self.mini_teams.get(number) != group:
                value += 0.3
        return value + self.rng.random() * 0.04

    # -- placing ------------------------------------------------------------------

    def place(self, shift: _Shift, number: str | None) -> None:
        if shift.employee is not None:
            self.unplace(shift)
        shift.employee = number
        if number is None:
            return
        self.by_emp[number][shift.day] = shift
        hours = (shift.end - shift.start).total_seconds() / 3600
        self.hours[number] += hours
        key = (number, self.week(shift.day))
        self.week_hours[key] = self.week_hours.get(key, 0.0) + hours
        self.last_route[number] = shift.route

    def unplace(self, shift: _Shift) -> None:
        number = shift.employee
        if number is None:
            return
        del self.by_emp[number][shift.day]
        hours = (shift.end - shift.start).total_seconds() / 3600
        self.hours[number] -= hours
        key = (number, self.week(shift.day))
        self.week_hours[key] -= hours
        shift.employee = None

    def best(self, shift: _Shift, exclude: tuple[str, ...] = (), cover: bool = False
             ) -> str | None:
        for strict in (True, False):
            candidates = [n for n in self.members if n not in exclude
                          and self.may_take(n, shift, strict, cover)]
            if candidates:
                if not strict:
                    self.relaxed += 1
                return min(candidates, key=lambda n: self.score(n, shift, cover))
        return None

    def build(self) -> None:
        """Greedy: day by day, nights first, then the scarcest professions."""
        order = {"nat": 0, "SPL": 1, "TER": 2, "SSA": 3, "SSH": 4}
        routes = sorted(self.team.routes,
                        key=lambda r: (order["nat"] if r.layer == "nat" else order[r.profession],
                                       r.code))
        for day in self.days:
            for route in routes:
                if DAY_NAMES[day.weekday()] not in route.days:
                    continue
                start, end = shift_times(day, route.layer)
                shift = _Shift(f"{self.team.code}-{day:%Y%m%d}-{route.code}", day, route.layer,
                               route.code, start, end)
                self.shifts[shift.shift_id] = shift
                self.by_day.setdefault(day, []).append(shift)
                self.place(shift, self.best(shift))

    def shifts_on(self, day: date) -> list[_Shift]:
        return list(self.by_day.get(day, ()))

    def swap_candidates(self, rng: random.Random) -> tuple[_Shift, _Shift] | None:
        """Two held shifts of the same layer on different days that two people may exchange."""
        held = [s for s in self.shifts.values() if s.employee is not None]
        for _ in range(200):
            a, b = rng.sample(held, 2)
            if (a.day == b.day or a.layer != b.layer or a.employee == b.employee
                    or a.route[0] != b.route[0] or b.route == "TER" or a.route == "TER"):
                continue
            ea, eb = a.employee, b.employee
            assert ea is not None and eb is not None
            if not (self.may_take_other(eb, a, b) and self.may_take_other(ea, b, a)):
                continue
            return a, b
        return None

    def may_take_other(self, number: str, shift: _Shift, giving: _Shift | None) -> bool:
        """Whether ``number`` may hold ``shift`` if they give up ``giving``."""
        ignore = (shift.shift_id, giving.shift_id) if giving else (shift.shift_id,)
        member = self.members[number]
        route = next(r for r in self.team.routes if r.code == shift.route)
        if route.profession == "TER" or not _can_do(member.profession, route.profession):
            return False
        if shift.layer == "nat" and not member.night_worker:
            return False
        if shift.day in self.unavailable.get(number, ()):
            return False
        if giving is not None and giving.day == shift.day:
            return False
        if shift.layer == "nat" and self.nights_before(number, shift.day) >= MAX_NIGHTS_IN_ROW:
            return False
        return self.rest_ok(number, shift.day, shift.start, shift.end, ignore)

    def exchange(self, a: _Shift, b: _Shift) -> None:
        ea, eb = a.employee, b.employee
        self.unplace(a)
        self.unplace(b)
        self.place(a, eb)
        self.place(b, ea)


# -- the build ------------------------------------------------------------------------


@dataclass
class DemoSummary:
    """What ``build_demo`` wrote."""

    teams: int
    employees: int
    citizens: int
    events: int
    seconds: float
    visits_planned: int = 0
    visits_delivered: int = 0
    visits_skipped: int = 0
    sick_days: int = 0
    shift_changes: int = 0
    history_start: date | None = None
    history_end: date | None = None


@dataclass
class _Worker:
    """One person on duty on one day, with their position and time cursor."""

    number: str
    profession: str
    is_substitute: bool
    route: str
    layer: str
    free_at: float  # minutes since midnight
    end: float
    lat: float
    lon: float
    visits: int = 0


@dataclass
class _Episode:
    number: str
    absence_id: str
    start: date
    end: date  # last sick day


@dataclass
class _History:
    """Things that happen on a given day of the history."""

    discharges: dict[date, list[tuple[str, str]]] = field(default_factory=dict)
    visitation: dict[date, list[tuple[str, str]]] = field(default_factory=dict)
    triage: dict[date, list[tuple[str, str, str]]] = field(default_factory=dict)
    arrivals: dict[date, list[CitizenPlan]] = field(default_factory=dict)
    retimes: dict[date, list[tuple[str, str, int, int, str]]] = field(default_factory=dict)


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


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


class _Builder:
    def __init__(self, app: Pusleplan, plan: DistrictPlan, progress: Progress | None) -> None:
        self.app = app
        self.plan = plan
        self.rng = random.Random(plan.seed * 7919 + 17)
        self.progress = progress or (lambda stage, done, total: None)
        self.teams = {t.code: t for t in plan.teams}
        self.staff = {m.number: m for m in plan.employees}
        self.citizens = {c.code: c for c in plan.citizens}
        self.discharged: dict[str, date] = {}
        self.history_days = [plan.history_start + timedelta(days=i)
                             for i in range(7 * plan.weeks)]
        self.unavailable: dict[str, set[date]] = {n: set() for n in self.staff}
        self.sick: dict[str, set[date]] = {n: set() for n in self.staff}
        self.episodes: list[_Episode] = []
        self.rotas: dict[str, _Rota] = {}
        self.summary = DemoSummary(len(plan.teams), len(self.staff), len(plan.citizens), 0, 0.0,
                                   history_start=plan.history_start,
                                   history_end=plan.next_start - timedelta(days=1))
        self.bid_counter = 0
        self.holidays: list[_Episode] = []
        self.written: dict[str, None] = {}
        # Halfway through the history the first team splits into mini-teams.
        self.reorg_day = plan.history_start + timedelta(days=7 * plan.weeks // 2)
        first = plan.teams[0]
        self.mini = {first.code: mini_teams(first)}
        self.seen: dict[str, dict[str, date]] = {}  # citizen -> staff -> last visit

    # -- set-up ---------------------------------------------------------------------

    def teams_and_staff(self) -> None:
        app, teams = self.app, self.plan.teams
        for done, team in enumerate(teams, start=1):
            tid = app.create_team(LEADER, team.code, team.name,
                                  f"{DISTRICT_NAME} – {team.sub_area.name}",
                                  team.base_lat, team.base_lon)
            for route in team.routes:
                app.define_route(LEADER, tid, route.code, route.name, route.layer,
                                 route.profession)
            for member in team.members:
                eid = app.hire_employee(LEADER, member.number, member.name, member.profession,
                                        member.weekly_hours, member.hired_on,
                                        member.is_substitute)
                app.join_team(LEADER, tid, eid)
            night = [str(employee_id(m.number)) for m in team.members if m.night_worker]
            dag = len(team.routes_in("dag"))
            aften = len(team.routes_in("aften"))
            app.set_ground_rules(LEADER, tid, {
                "weekend_off_every_n": 2, "max_nights_in_row": MAX_NIGHTS_IN_ROW,
                "min_staffing": {"dag": dag - 1, "aften": aften - 1,
                                 "nat": 1 if night else 0},
                "night_workers": night,
            })
            self.progress("Teams og medarbejdere", done, len(teams))
        for team in teams:
            if team.sister_code:
                app.link_sister_team(LEADER, team_id(team.code), team_id(team.sister_code))

    def citizens_setup(self) -> None:
        total = len(self.plan.citizens)
        for done, citizen in enumerate(self.plan.citizens, start=1):
            self.register(citizen, citizen.registered_on)
            if done % 25 == 0 or done == total:
                self.progress("Borgere", done, total)

    def register(self, citizen: CitizenPlan, on: date) -> None:
        app = self.app
        cid = app.register_citizen(ADMIN, citizen.code, citizen.name, citizen.address,
                                   citizen.lat, citizen.lon, team_id(citizen.team_code), on)
        app.change_visitation(ADMIN, cid, on, "services", citizen.services,
                              reason="Visiteret efter samtale i hjemmet")
        if citizen.triage != Triage.GREEN:
            app.change_triage(PLANNER, cid, citizen.triage,
                              self.rng.choice(TRIAGE_REASONS[citizen.triage]))
        if citizen.contact_number:
            app.assign_contact_person(PLANNER, cid, employee_id(citizen.contact_number))

    # -- absences -------------------------------------------------------------------

    def plan_absences(self) -> None:
        """Holidays (known in advance) and sick episodes (~6 % of days)."""
        rng = self.rng
        first, last = self.history_days[0], self.history_days[-1]
        horizon = self.plan.next_start + timedelta(weeks=self.plan.weeks)
        for number, member in self.staff.items():
            if rng.random() < 0.18:
                start = first + timedelta(days=rng.randrange(0, max(1, (horizon - first).days - 7)))
                start -= timedelta(days=start.weekday())
                if start < first:
                    start += timedelta(weeks=1)
                end = start + timedelta(days=6)
                self.holidays.append(_Episode(number, f"{number}-F1", start, end))
                for i in range(7):
                    self.unavailable[number].add(start + timedelta(days=i))
            if member.profession == "TER" and rng.random() < 0.5:
                continue
            day, n = first, 0
            while day <= last:
                if day not in self.unavailable[number] and rng.random() < SICK_START:
                    length = rng.choices(SICK_LENGTHS, SICK_WEIGHTS)[0]
                    days = []
                    for i in range(length):
                        d = day + timedelta(days=i)
                        if d in self.unavailable[number]:
                            break
                        days.append(d)
                    n += 1
                    self.episodes.append(_Episode(number, f"{number}-S{n}", days[0], days[-1]))
                    for d in days:
                        self.unavailable[number].add(d)
                        self.sick[number].add(d)
                    day = days[-1] + timedelta(days=2)
                else:
                    day += timedelta(days=1)

    def register_holidays(self, before: date) -> None:
        """Register the holidays (ferie) starting before ``before`` not yet registered."""
        for holiday in self.holidays:
            if holiday.start < before and holiday.absence_id not in self.written:
                self.app.register_absence(ADMIN, employee_id(holiday.number), holiday.absence_id,
                                          AbsenceKind.HOLIDAY, holiday.start, holiday.end)
                self.written[holiday.absence_id] = None

    # -- rosters --------------------------------------------------------------------

    def bids(self, team: TeamPlan, start: date, weeks: int) -> list[_Bid]:
        rng, bids = self.rng, []
        dag_routes = [r.code for r in team.routes_in("dag")]
        for member in team.members:
            if not member.is_regular:
                continue
            for _ in range(rng.randint(1, 4)):
                self.bid_counter += 1
                day = start + timedelta(days=rng.randrange(7 * weeks))
                kind = rng.choices(
                    (BidKind.DAY_OFF, BidKind.AVOID_SHIFT, BidKind.WANT_SHIFT, BidKind.WANT_ROUTE),
                    (40, 20, 30, 10))[0]
                layer = None
                route = None
                if kind in (BidKind.AVOID_SHIFT, BidKind.WANT_SHIFT):
                    layer = rng.choice(("dag", "aften", "nat" if member.night_worker else "dag"))
                if kind == BidKind.WANT_ROUTE:
                    route = rng.choice(dag_routes)
                bids.append(_Bid(f"{team.code}-{start:%Y%m%d}-O{self.bid_counter:04d}",
                                 member.number, str(kind), day, layer, route))
        return bids

    def write_bids(self, rid: UUID, bids: list[_Bid]) -> None:
        for bid in bids:
            actor = Actor(bid.number, Role.MEMBER)
            self.app.bid_shift(actor, rid, bid.bid_id, employee_id(bid.number), bid.kind,
                               bid.day, bid.layer, bid.route, 2 if bid.kind == "day_off" else 1)

    def past_rosters(self) -> None:
        app, plan, rng = self.app, self.plan, self.rng
        start = plan.history_start
        for done, team in enumerate(plan.teams, start=1):
            tid = team_id(team.code)
            rid = app.open_roster(PLANNER, tid, start, plan.weeks)
            bids = self.bids(team, start, plan.weeks)
            self.write_bids(rid, bids)
            holiday_only = {n: {d for d in days if d not in self.sick[n]}
                            for n, days in self.unavailable.items()}
            rota = _Rota(team, start, plan.weeks, rng, holiday_only, bids)
            if team.code in self.mini:
                rota.mini_teams, rota.mini_from = self.mini[team.code], self.reorg_day
            rota.build()
            shifts = list(rota.shifts.values())
            app.accept_proposal(PLANNER, rid, [s.as_proposal() for s in shifts], {
                "uncovered": sum(1 for s in shifts if s.employee is None),
                "relaxed": rota.relaxed,
                "bids": len(bids),
            })
            # A few puzzles before publication: exchanges between colleagues.
            for _ in range(rng.randint(2, 4)):
                pair = rota.swap_candidates(rng)
                if pair is None:
                    break
                a, b = pair
                app.swap_shifts(Actor(a.employee or "", Role.MEMBER), rid, a.shift_id,
                                employee_id(b.employee or ""), b.shift_id)
                rota.exchange(a, b)
            hard = 0
            soft = sum(1 for s in shifts if s.employee is None) + rota.relaxed
            app.record_roster_check(PLANNER, rid, hard, soft)
            published = datetime.combine(start - timedelta(days=28), time(14, 0))
            app.publish_roster(PLANNER, rid, published)
            # From now on sickness counts too: a sick colleague never covers a shift.
            rota.unavailable = self.unavailable
            self.rotas[team.code] = rota
            self.progress("Vagtplaner (historik)", done, len(plan.teams))

    # -- history --------------------------------------------------------------------

    def plan_happenings(self) -> _History:
        rng, plan = self.rng, self.plan
        happen = _History()
        days = self.history_days
        names = _NameDrawer(rng)
        names.used = {c.name: None for c in plan.citizens}
        for team in plan.teams:
            own = [c for c in plan.citizens if c.team_code == team.code]
            for citizen in own:
                if citizen.rehab:
                    day = rng.choice(days[len(days) // 4:])
                    happen.visitation.setdefault(day, []).append((citizen.code, "rehab"))
            picks = rng.sample([c for c in own if not c.rehab], min(len(own) // 2, 12))
            increases = picks[:3]
            discharges = picks[3:5]
            triage = picks[5:12]
            for citizen in increases:
                day = rng.choice(days[1:])
                happen.visitation.setdefault(day, []).append((citizen.code, "increase"))
            for citizen in discharges:
                day = rng.choice(days[len(days) // 3:])
                happen.discharges.setdefault(day, []).append(
                    (citizen.code, rng.choice(DISCHARGE_REASONS)))
            for citizen in triage:
                day = rng.choice(days)
                target = {"groen": rng.choice(("gul", "gul", "roed")),
                          "gul": rng.choice(("roed", "groen")),
                          "roed": "gul"}[citizen.triage]
                happen.triage.setdefault(day, []).append(
                    (citizen.code, target, rng.choice(TRIAGE_REASONS[target])))
            for n in range(1, rng.randint(1, 2) + 1):
                day = rng.choice(days[1:])
                newcomer = _plan_citizen(rng, names, team, f"{team.code}-N{n:02d}",
                                         plan.history_start, registered_on=day)
                _assign_contacts(rng, team, [newcomer])
                happen.arrivals.setdefault(day, []).append(newcomer)
            # Shift times changed after publication with notice (meetings, courses).
            for _ in range(rng.randint(2, 4)):
                when = rng.randrange(0, len(days) - 3)
                target_day = days[min(len(days) - 1, when + rng.randint(2, 10))]
                route = rng.choice([r.code for r in team.routes_in("dag")])
                reason = rng.choice(("Teammøde efter vagten – vagten forlænges en time",
                                     "Kursus i forflytning – vagten forlænges en time"))
                happen.retimes.setdefault(days[when], []).append(
                    (team.code, f"{team.code}-{target_day:%Y%m%d}-{route}", 0, 60, reason))
        return happen

    def history(self) -> None:
        happen = self.plan_happenings()
        starting: dict[date, list[_Episode]] = {}
        ending: dict[date, list[_Episode]] = {}
        later_holiday = {h.number: h.start for h in self.holidays}
        for episode in self.episodes:
            starting.setdefault(episode.start, []).append(episode)
            # Reported sick open-ended and ended on recovery, unless a holiday is
            # already registered later (an open absence would overlap it).
            if later_holiday.get(episode.number, date.min) <= episode.start:
                ending.setdefault(episode.end + timedelta(days=1), []).append(episode)
        total = len(self.history_days)
        for done, day in enumerate(self.history_days, start=1):
            for episode in ending.get(day, ()):
                self.app.end_absence(ADMIN, employee_id(episode.number), episode.absence_id,
                                     episode.end)
            for episode in starting.get(day, ()):
                known_end = None
                if later_holiday.get(episode.number, date.min) > episode.start:
                    known_end = episode.end
                self.app.register_absence(ADMIN, employee_id(episode.number),
                                          episode.absence_id, AbsenceKind.SICK, day, known_end)
            if day == self.reorg_day:
                self.reorganise()
            self.citizen_changes(day, happen)
            self.retime(day, happen)
            self.cover_sickness(day)
            self.day_plans(day)
            self.progress("Historik (dage)", done, total)

    def citizen_changes(self, day: date, happen: _History) -> None:
        app, rng = self.app, self.rng
        for code, reason in happen.discharges.get(day, ()):
            if code not in self.discharged:
                app.discharge_citizen(ADMIN, citizen_id(code), day, reason)
                self.discharged[code] = day
        for citizen in happen.arrivals.get(day, ()):
            self.citizens[citizen.code] = citizen
            self.register(citizen, day)
            self.summary.citizens += 1
        for code, what in happen.visitation.get(day, ()):
            citizen = self.citizens[code]
            if code in self.discharged:
                continue
            services = [dict(s) for s in citizen.services]
            if what == "rehab":
                services = [s for s in services if s["code"] != "REH"]
                for s in services:
                    if s["code"] in ("PP1", "PP3") and s["minutes"] > 15:
                        s["minutes"] -= 5
                services = [s for s in services if s["code"] != "MAD"] or services
                if not services:
                    services = [_service(rng, "PH1", 45, _some_days(rng, DAY_NAMES[:5], 1))]
                reason = VISITATION_REHAB_REASON
                citizen.rehab = False
            else:
                codes = [s["code"] for s in services]
                every = list(DAY_NAMES)
                if "PP1" not in codes:
                    services.append(_service(rng, "PP1", 25, every))
                elif "PP3" not in codes:
                    services.append(_service(rng, "PP3", 20, every))
                elif "PP2" not in codes:
                    services.append(_service(rng, "PP2", 20, every))
                else:
                    for s in services:
                        if s["code"] == "PP1":
                            s["minutes"] += 10
                reason = rng.choice(VISITATION_INCREASE_REASONS)
            citizen.services = services
            app.change_visitation(ADMIN, citizen_id(code), day, "services", services,
                                  reason=reason)
        for code, target, reason in happen.triage.get(day, ()):
            citizen = self.citizens[code]
            if code in self.discharged or citizen.triage == target:
                continue
            app.change_triage(Actor(citizen.contact_number or "planlaegger", Role.MEMBER),
                              citizen_id(code), target, reason)
            citizen.triage = target

    def retime(self, day: date, happen: _History) -> None:
        for code, shift_id, start_delta, end_delta, reason in happen.retimes.get(day, ()):
            rota = self.rotas[code]
            shift = rota.shifts.get(shift_id)
            if shift is None or shift.employee is None:
                continue
            start = shift.start + timedelta(minutes=start_delta)
            end = shift.end + timedelta(minutes=end_delta)
            holder = shift.employee
            rota.unplace(shift)
            shift.start, shift.end = start, end
            if not rota.rest_ok(holder, shift.day, start, end, (shift_id,)):
                shift.start -= timedelta(minutes=start_delta)
                shift.end -= timedelta(minutes=end_delta)
                rota.place(shift, holder)
                continue
            rota.place(shift, holder)
            changed_at = datetime.combine(day, time(13, 30))
            self.app.change_shift_after_publish(
                PLANNER, roster_id(team_id(code), rota.start), shift_id,
                employee_id(holder), start, end, changed_at, reason)
            self.summary.shift_changes += 1

    def reorganise(self) -> None:
        """The first team splits into mini-teams: each citizen's contact person now
        comes from the mini-team that drives the citizen's day route."""
        for code, groups in self.mini.items():
            team = self.teams[code]
            members: dict[int, list[str]] = {}
            for number, group in sorted(groups.items()):
                if number in self.staff:
                    members.setdefault(group, []).append(number)
            routes = [r.code for r in team.routes_in("dag")]
            for citizen in sorted(self.citizens.values(), key=lambda c: c.code):
                if citizen.team_code != code or citizen.code in self.discharged:
                    continue
                sector = (citizen.angle + math.pi) / (2 * math.pi)
                group = groups[routes[min(len(routes) - 1, int(sector * len(routes)))]]
                if groups.get(citizen.contact_number or "") == group:
                    continue
                pool = members[group]
                citizen.contact_number = pool[sum(map(ord, citizen.code)) % len(pool)]
                self.app.assign_contact_person(LEADER, citizen_id(citizen.code),
                                               employee_id(citizen.contact_number))

    def cover_sickness(self, day: date) -> None:
        """A colleague (or the substitute) covers a sick person's shift, else it stays open."""
        for code, rota in self.rotas.items():
            for shift in rota.shifts_on(day):
                holder = shift.employee
                if holder is None or day not in self.sick[holder]:
                    continue
                self.summary.sick_days += 1
                rota.unplace(shift)
                cover = rota.best(shift, exclude=(holder,), cover=True)
                rota.place(shift, cover)
                hour = 6 if shift.layer == "dag" else 9
                changed_at = datetime.combine(day, time(hour, 15))
                reason = ("Sygemelding – dækket af kollega" if cover
                          else "Sygemelding – vagten kunne ikke dækkes")
                self.app.change_shift_after_publish(
                    PLANNER, roster_id(team_id(code), rota.start), shift.shift_id,
                    employee_id(cover) if cover else None, shift.start, shift.end,
                    changed_at, reason)
                self.summary.shift_changes += 1

    # -- day plans ------------------------------------------------------------------

    def on_duty(self, day: date) -> dict[str, dict[str, list[_Worker]]]:
        """Who works in which team and layer today (night: those who started yesterday)."""
        duty: dict[str, dict[str, list[_Worker]]] = {}
        for code, rota in self.rotas.items():
            team = self.teams[code]
            layers: dict[str, list[_Worker]] = {"dag": [], "aften": [], "nat": [], "TER": []}
            for shift in rota.shifts_on(day):
                if shift.employee is None or shift.layer == "nat":
                    continue
                member = self.staff[shift.employee]
                start = shift.start.hour * 60 + shift.start.minute
                end = start + (shift.end - shift.start).total_seconds() / 60
                worker = _Worker(member.number, member.profession, member.is_substitute,
                                 shift.route, shift.layer, start, end, team.base_lat,
                                 team.base_lon)
                layers["TER" if member.profession == "TER" else shift.layer].append(worker)
            for shift in rota.shifts_on(day - timedelta(days=1)):
                if (shift.layer == "nat" and shift.employee is not None
                        and day not in self.unavailable[shift.employee]):
                    member = self.staff[shift.employee]
                    layers["nat"].append(_Worker(member.number, member.profession,
                                                 member.is_substitute, shift.route, "nat", 30,
                                                 7 * 60, team.base_lat, team.base_lon))
            duty[code] = layers
        return duty

    def day_plans(self, day: date) -> None:
        app = self.app
        duty = self.on_duty(day)
        for code, rota in self.rotas.items():
            tid = team_id(code)
            for shift in sorted(rota.shifts_on(day), key=lambda s: s.route):
                if shift.employee is not None:
                    app.assign_route(PLANNER, tid, day, shift.route, employee_id(shift.employee))
        for code in self.rotas:
            visits = self.visits_for(code, day, duty)
            if not visits:
                continue
            app.plan_visits(PLANNER, team_id(code), day, visits)
            deliveries = [self.delivery(v) for v in visits]
            app.record_deliveries(SYSTEM, team_id(code), day, deliveries)
            self.summary.visits_planned += len(visits)
            self.summary.visits_delivered += len(deliveries)

    def visits_for(self, code: str, day: date, duty: dict[str, dict[str, list[_Worker]]]
                   ) -> list[dict[str, Any]]:
        team = self.teams[code]
        weekday = DAY_NAMES[day.weekday()]
        wanted: list[tuple[int, float, CitizenPlan, str, list[dict[str, Any]]]] = []
        for citizen in self.citizens.values():
            if citizen.team_code != code or citizen.registered_on > day:
                continue
            if citizen.code in self.discharged and self.discharged[citizen.code] <= day:
                continue
            groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
            for service in citizen.services:
                if weekday in service["days"]:
                    key = (service["window_start"], service["window_end"])
                    if service["profession"] == "TER":
                        key = ("TER", service["window_start"])
                    groups.setdefault(key, []).append(service)
            for services in groups.values():
                start = _hhmm(services[0]["window_start"])
                wanted.append((start, citizen.angle, citizen, services[0]["window_start"],
                               services))
        wanted.sort(key=lambda w: (w[0], w[1], w[2].code))
        visits = []
        own = duty[code]
        sister = duty.get(team.sister_code or "", {})
        therapist = []
        if team.therapist_number:
            host = self.staff[team.therapist_number].team_code
            therapist = duty.get(host, {}).get("TER", [])
        mini = self.mini.get(code, {}) if day >= self.reorg_day else {}
        # Before its reorganisation the first team's visits were shared out centrally by
        # time and distance only; the other teams already keep citizens on their routes.
        central = code in self.mini and day < self.reorg_day
        for start_min, _, citizen, window, services in wanted:
            required = _required(services)
            double = any(s["double_staffed"] for s in services)
            layer = "TER" if required == "TER" else _layer_of(window)
            pool = therapist if layer == "TER" else own[layer]
            triage_bad = citizen.triage in (Triage.RED, Triage.YELLOW)
            candidates = [w for w in pool if _can_do(w.profession, required)
                          and not (w.is_substitute and triage_bad)]
            needed = 2 if double else 1
            routes = [r.code for r in team.routes_in(layer)] if layer in ("dag", "aften") else []
            home = None
            if routes:
                sector = (citizen.angle + math.pi) / (2 * math.pi)
                home = routes[min(len(routes) - 1, int(sector * len(routes)))]
            if len(candidates) < needed and layer in sister:
                # The sister team (søsterteam) helps when this team is short.
                candidates += [w for w in sister[layer] if _can_do(w.profession, required)
                               and not (w.is_substitute and triage_bad)]
            if len(candidates) < needed:
                self.summary.visits_skipped += 1
                continue
            minutes = sum(s["minutes"] for s in services)
            window_end = _hhmm(services[0]["window_end"])

            def arrival(worker: _Worker, citizen: CitizenPlan = citizen,
                        start_min: int = start_min) -> float:
                travel = _haversine_km(worker.lat, worker.lon, citizen.lat, citizen.lon)
                return max(start_min, worker.free_at + 3 + travel / TRAVEL_KMH * 60)

            if home in mini:  # after the reorganisation the citizen's mini-team comes
                own_team = [w for w in candidates if mini.get(w.number) == mini[home]]
                if len(own_team) >= needed:
                    candidates = own_team
            seen = self.seen.setdefault(citizen.code, {})

            def score(worker: _Worker, citizen: CitizenPlan = citizen, home: str | None = home,
                      minutes: int = minutes, window_end: int = window_end,
                      seen: dict[str, date] = seen) -> float:
                at = arrival(worker)
                late = max(0.0, at + minutes - window_end)
                overtime = max(0.0, at + minutes - worker.end)
                bonus = (40 if mini else 12) if worker.route == home else 0
                if worker.number == citizen.contact_number:
                    bonus += 20 if mini else 10
                if central:
                    bonus = 0
                if mini and day - seen.get(worker.number, date.min) <= timedelta(days=13):
                    bonus += 45  # mini-teams: whoever came lately comes again
                return at + 10 * late + 5 * overtime - bonus

            chosen = sorted(candidates, key=lambda w: (score(w), w.number))[:needed]
            begin = max(arrival(w) for w in chosen)
            begin = math.ceil(begin / 5) * 5
            if begin + minutes >= 24 * 60:
                self.summary.visits_skipped += 1
                continue
            for worker in chosen:
                seen[worker.number] = day
                worker.free_at = begin + minutes
                worker.lat, worker.lon = citizen.lat, citizen.lon
                worker.visits += 1
            start = datetime.combine(day, time()) + timedelta(minutes=begin)
            visits.append({
                "visit_id": f"{day:%Y%m%d}-{citizen.code}-{services[0]['code']}",
                "citizen_id": citizen_id(citizen.code),
                "service_codes": [s["code"] for s in services],
                "start": start, "minutes": minutes,
                "employee_ids": [employee_id(w.number) for w in chosen],
                "required_profession": required, "double_staffed": double,
            })
        return visits

    def delivery(self, visit: dict[str, Any]) -> dict[str, Any]:
        rng = self.rng
        shift = max(-20.0, min(40.0, rng.gauss(2, 7)))
        actual_start = visit["start"] + timedelta(minutes=round(shift))
        length = max(3, round(visit["minutes"] * rng.uniform(0.85, 1.2)))
        return {"visit_id": visit["visit_id"], "actual_start": actual_start,
                "actual_end": actual_start + timedelta(minutes=length),
                "employee_ids": visit["employee_ids"]}

    # -- the next roster ------------------------------------------------------------

    def next_rosters(self) -> None:
        app, plan, rng = self.app, self.plan, self.rng
        start = plan.next_start
        self.register_holidays(start + timedelta(weeks=plan.weeks))
        puzzled_until = start + timedelta(days=math.ceil(7 * plan.weeks * 3 / 8))
        # Who is still sick keeps an open absence: not planned in the first days.
        unavailable: dict[str, set[date]] = {}
        for number, days in self.unavailable.items():
            unavailable[number] = {d for d in days if d >= start and d not in self.sick[number]}
        for episode in self.episodes:
            if episode.end >= start:
                for i in range(7):
                    unavailable[episode.number].add(start + timedelta(days=i))
        for done, team in enumerate(plan.teams, start=1):
            tid = team_id(team.code)
            rid = app.open_roster(PLANNER, tid, start, plan.weeks)
            bids = self.bids(team, start, plan.weeks)
            self.write_bids(rid, bids)
            prior = [s for s in self.rotas[team.code].shifts_on(start - timedelta(days=1))]
            rota = _Rota(team, start, plan.weeks, rng, unavailable, bids, prior)
            if team.code in self.mini:
                rota.mini_teams, rota.mini_from = self.mini[team.code], start
            rota.build()
            taken: list[_Shift] = []
            for shift in sorted(rota.shifts.values(), key=lambda s: (s.day, s.route)):
                if shift.day >= puzzled_until or shift.employee is None:
                    continue
                app.take_shift(Actor(shift.employee, Role.MEMBER), rid, shift.shift_id,
                               employee_id(shift.employee), shift.day, shift.layer,
                               shift.start, shift.end, shift.route)
                taken.append(shift)
            # Releases (some taken again by a colleague) and swaps.
            for shift in rng.sample(taken, min(len(taken), rng.randint(3, 5))):
                holder = shift.employee
                if holder is None:
                    continue
                app.release_shift(Actor(holder, Role.MEMBER), rid, shift.shift_id,
                                  employee_id(holder))
                rota.unplace(shift)
                if rng.random() < 0.6:
                    other = rota.best(shift, exclude=(holder,))
                    if other is not None:
                        app.take_shift(Actor(other, Role.MEMBER), rid, shift.shift_id,
                                       employee_id(other), shift.day, shift.layer,
                                       shift.start, shift.end, shift.route)
                        rota.place(shift, other)
            done_swaps = 0
            for _ in range(20):
                if done_swaps >= 4:
                    break
                pair = rota.swap_candidates(rng)
                if pair is None:
                    break
                a, b = pair
                if a.day >= puzzled_until or b.day >= puzzled_until:
                    continue
                app.swap_shifts(Actor(a.employee or "", Role.MEMBER), rid, a.shift_id,
                                employee_id(b.employee or ""), b.shift_id)
                rota.exchange(a, b)
                done_swaps += 1
            self.progress("Næste vagtplan (pusles)", done, len(plan.teams))


def mini_teams(team: TeamPlan) -> dict[str, int]:
    """Mini-teams of a team: neighbouring day and evening routes (by area) and the care
    staff who keep to them (shared out by contracted hours against the routes' shifts),
    as route code or employee number -> mini-team number."""
    dag, aften = team.routes_in("dag"), team.routes_in("aften")
    count = max(2, len(dag))
    groups = {r.code: i * count // len(dag) for i, r in enumerate(dag)}
    groups.update({r.code: i * count // len(aften) for i, r in enumerate(aften)})
    shifts = [sum(1 for r in (*dag, *aften) if groups[r.code] == g) for g in range(count)]
    hours = [0.0] * count
    care = sorted((m for m in team.members if m.is_regular and m.profession in ("SSH", "SSA")),
                  key=lambda m: m.number)
    for member in care:
        group = min(range(count), key=lambda g: (hours[g] / shifts[g], g))
        groups[member.number] = group
        hours[group] += member.weekly_hours
    return groups


def _required(services: list[dict[str, Any]]) -> str:
    professions = [s["profession"] for s in services]
    if "TER" in professions:
        return "TER"
    return max(professions, key=LADDER.index)


@contextmanager
def _quick_repository(app: Pusleplan) -> Iterator[None]:
    """Speed up the build: a private aggregate cache without copies, relaxed syncing.

    The demo is the only writer of an empty store, so the aggregates it saved are
    exactly what it loads next: no fast-forward query, no deep copy per command.
    The repository's own cache and settings are restored afterwards (nothing the
    build cached leaks into later use, even if a command failed half-way), and so
    is the store's commit syncing (see ``_sqlite_synchronous``).
    """
    repository = app.repository
    saved = (repository.cache, repository.fastforward, repository.deepcopy_from_cache)
    repository.cache = Cache()
    repository.fastforward = False
    repository.deepcopy_from_cache = False
    _sqlite_synchronous(app, "NORMAL")
    _postgres_synchronous_commit(app, "off")
    try:
        yield
    finally:
        repository.cache, repository.fastforward, repository.deepcopy_from_cache = saved
        _sqlite_synchronous(app, "FULL")
        _postgres_synchronous_commit(app, "DEFAULT")


def _sqlite_synchronous(app: Pusleplan, level: str) -> None:
    """Set SQLite's ``synchronous`` on the store's pooled connections (file stores only).

    The demo writes some 7,000 small transactions; with the WAL journal,
    ``NORMAL`` syncs at checkpoints instead of at every commit, which more than
    halves the build time. The store stays consistent after a crash; at worst the
    last transactions of an interrupted build are lost, and a demo is simply
    built again. ``FULL`` (the default) is restored afterwards.
    """
    datastore = getattr(app.recorder, "datastore", None)
    if not isinstance(datastore, SQLiteDatastore) or datastore.pool.is_sqlite_memory_mode:
        return
    with ExitStack() as stack:
        for _ in range(max(1, datastore.pool.num_in_pool)):
            connection = stack.enter_context(datastore.get_connection(commit=False))
            connection.cursor().execute(f"PRAGMA synchronous={level}")


def _postgres_synchronous_commit(app: Pusleplan, value: str) -> None:
    """Set ``synchronous_commit`` on the PostgreSQL pool's connections (PostgreSQL only).

    The same trade as for SQLite: commits do not wait for the WAL flush, so a
    crash may lose the last transactions of the build but never corrupts the
    store. ``DEFAULT`` restores the server's setting afterwards.
    """
    try:
        from eventsourcing.postgres import PostgresDatastore
    except ImportError:  # pragma: no cover - psycopg is a dependency
        return
    datastore = getattr(app.recorder, "datastore", None)
    if not isinstance(datastore, PostgresDatastore):
        return
    pool = datastore.pool
    count = max(pool.min_size, int(pool.get_stats().get("pool_size", 0)))
    with ExitStack() as stack:
        for _ in range(count):
            connection = stack.enter_context(datastore.get_connection())
            connection.execute(f"SET synchronous_commit TO {value}")


def _event_count(app: Pusleplan) -> int:
    return app.recorder.max_notification_id() or 0


def build_demo(
    app: Pusleplan, seed: int = 2026, today: date | None = None,
    progress: Progress | None = None, *, teams: int = 6, citizens: int = 300,
    history_weeks: int = 8,
) -> DemoSummary:
    """Build the demo district into ``app`` (an empty store) and say what was written.

    Every event is written through the application's commands. ``progress`` is
    called with (stage, done, total). ``teams``, ``citizens`` and
    ``history_weeks`` shrink the demo for tests; the defaults are the full
    district (6 teams, ~300 citizens, 8 weeks). Nobody else may write to the
    store while it is built (the build keeps its own aggregate cache).
    """
    started = clock.perf_counter()
    before = _event_count(app)
    plan = plan_district(seed, today, teams, citizens, history_weeks)
    builder = _Builder(app, plan, progress)
    with _quick_repository(app):
        builder.teams_and_staff()
        builder.citizens_setup()
        builder.plan_absences()
        builder.register_holidays(plan.next_start)
        builder.past_rosters()
        builder.history()
        builder.next_rosters()
        register_demo_accounts(app, [t.code for t in plan.teams], seed)
    summary = builder.summary
    summary.events = _event_count(app) - before
    summary.seconds = round(clock.perf_counter() - started, 2)
    return summary
