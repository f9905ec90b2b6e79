"""The pure district plan: teams, staff, routes and citizens, writing nothing."""

from __future__ import annotations

import math
import random
from dataclasses import replace
from datetime import date, timedelta

from scripts.demo.citizens import _assign_contacts, _NameDrawer, _plan_citizen
from scripts.demo.model import (
    BENCHMARK_TEAM_INDEX,
    BENCHMARK_TEAM_SIZE,
    HOURS_MIX,
    SPLIT_TEAM_MIN_SIZE,
    CitizenPlan,
    DistrictPlan,
    RoutePlan,
    StaffPlan,
    TeamPlan,
    _layer_of,
)
from scripts.demo_data import (
    STAFF_FIRST_NAMES,
    SUB_AREAS,
    TEAM_CODES,
    WEEKDAYS_ONLY,
)


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


def _plan_members(
    rng: random.Random, names: _NameDrawer, code: str, index: int, history_start: date,
    substitute_hosts: list[int], has_night: bool,
) -> list[StaffPlan]:
    size = rng.randint(12, 17)
    if index == 0:  # the team that splits into mini-teams (see ``mini_teams``)
        size = max(size, SPLIT_TEAM_MIN_SIZE)
    elif index == BENCHMARK_TEAM_INDEX:
        size = BENCHMARK_TEAM_SIZE
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
