"""A long, synthetic history for the replay benchmark: N events of every kind.

``generate(app, events)`` writes through the aggregates' own commands (so every
event is a real domain event with its actor), but saves many aggregates per
transaction instead of going through the application's one-command-per-save
services — a million events in minutes rather than hours. The shape follows
the demo: teams of 12 with routes and 60 citizens with visitations and contact
persons, an 8-week roster per team (bids, an accepted proposal, puzzles, a
check, publication), sick days, and per team and day the route assignments,
about 70 planned visits and their deliveries. Deterministic from ``seed``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from eventsourcing.domain import Aggregate

from domain.application import Pusleplan
from domain.citizens import Citizen
from domain.dayplans import DayPlan
from domain.employees import Employee
from domain.errors import RuleBroken
from domain.rosters import Roster
from domain.teams import Team
from domain.values import BidKind, Profession, ShiftLayer, VisitationKind

ACTOR = {"id": "bench", "role": "system"}
PLANNER = {"id": "planlaegger", "role": "planner"}
ROUTES = ("D1", "D2", "D3", "D4", "A1", "A2")
SERVICES = (("PP1", "07:00", "10:00", 25), ("PP3", "17:00", "20:00", 20))
STAFF, CITIZENS = 12, 60
FIRST_DAY = date(2024, 1, 1)  # a Monday


class _Writer:
    """Collects changed aggregates and saves them in batches."""

    def __init__(self, app: Pusleplan, progress: Callable[[int], None] | None) -> None:
        self.app = app
        self.pending: list[Aggregate] = []
        self.written = 0
        self.progress = progress

    def add(self, *aggregates: Aggregate) -> None:
        self.pending.extend(a for a in aggregates if a not in self.pending)

    def flush(self) -> None:
        if self.pending:
            recordings = self.app.save(*self.pending)
            self.written += len(recordings)
            self.pending = []
            if self.progress is not None:
                self.progress(self.written)


def _team(writer: _Writer, number: int, rng: random.Random) -> dict[str, Any]:
    code = f"B{number:03d}"
    team = Team(code=code, name=f"Team {code}", area="Benchmark", base_lat=55.86,
                base_lon=9.85, actor=ACTOR)
    for route in ROUTES:
        team.define_route(route, f"Rute {route}",
                          ShiftLayer.DAG if route[0] == "D" else ShiftLayer.AFTEN,
                          Profession.SSH, ACTOR)
    staff = []
    for n in range(STAFF):
        person = Employee.hire(f"{code}-{n:02d}", f"Medarbejder {n}",
                               Profession.SSA if n % 3 else Profession.SSH,
                               rng.choice((37, 32, 30)), date(2020, 1, 1), False, ACTOR)
        team.join(person.id, ACTOR)
        staff.append(person)
    citizens = []
    for n in range(CITIZENS):
        citizen = Citizen(code=f"{code}-B{n:03d}", name="Borger", address="Vej 1",
                          lat=55.86 + rng.random() / 50, lon=9.85 + rng.random() / 30,
                          team_id=str(team.id), registered_on=date(2023, 1, 1), actor=ACTOR)
        services = [{"code": c, "name": c, "minutes": m, "days": ["mon", "tue", "wed", "thu",
                     "fri", "sat", "sun"], "window_start": s, "window_end": e,
                     "profession": "SSH"} for c, s, e, m in SERVICES]
        citizen.change_visitation(date(2023, 1, 1), VisitationKind.SERVICES, services, None,
                                  "Visiteret", ACTOR)
        citizen.assign_contact_person(staff[n % STAFF].id, PLANNER)
        citizens.append(citizen)
    writer.add(team, *staff, *citizens)
    return {"team": team, "staff": staff, "citizens": citizens}


def _roster(writer: _Writer, unit: dict[str, Any], start: date, rng: random.Random) -> None:
    team, staff = unit["team"], unit["staff"]
    roster = Roster.open(team.id, start, 8, PLANNER)
    members = [str(p.id) for p in staff]
    for n in range(20):
        day = start + timedelta(days=rng.randrange(56))
        roster.bid(f"O{n}", staff[n % STAFF].id, BidKind.DAY_OFF, day, None, None, 1, True,
                   {"id": str(staff[n % STAFF].id), "role": "member"})
    shifts: list[dict[str, Any]] = []
    for offset in range(56):
        day = start + timedelta(days=offset)
        for i, route in enumerate(ROUTES):
            begin = datetime.combine(day, time(7 if route[0] == "D" else 15))
            shifts.append({"shift_id": f"{day:%Y%m%d}-{route}", "date": day,
                           "layer": "dag" if route[0] == "D" else "aften", "start": begin,
                           "end": begin + timedelta(hours=8), "route": route,
                           "employee_id": members[(offset * 3 + i) % STAFF]})
    roster.accept_proposal(shifts, set(members), {"uncovered": 0}, PLANNER)
    swaps = 0
    for _ in range(200):  # colleagues exchange a few shifts (vagt puslet: swap)
        a, b = rng.sample(shifts, 2)
        if swaps == 4 or a["employee_id"] == b["employee_id"]:
            continue
        try:
            roster.swap_shifts(a["shift_id"], b["employee_id"], b["shift_id"], True,
                               {"id": a["employee_id"], "role": "member"})
        except RuleBroken:  # a swap the roster refuses is not made
            continue
        a["employee_id"], b["employee_id"] = b["employee_id"], a["employee_id"]
        swaps += 1
    roster.record_check(0, 0, PLANNER)
    roster.publish(datetime.combine(start - timedelta(days=28), time(14)), PLANNER)
    writer.add(roster)


def _day(writer: _Writer, unit: dict[str, Any], day: date, rng: random.Random) -> None:
    team, staff, citizens = unit["team"], unit["staff"], unit["citizens"]
    plan = DayPlan(team_id=str(team.id), day=day, actor=PLANNER)
    on_duty = [staff[(day.toordinal() * 3 + i) % STAFF] for i in range(len(ROUTES))]
    for route, person in zip(ROUTES, on_duty, strict=True):
        plan.assign_route(route, person.id, set(ROUTES), True, PLANNER)
    facts = {str(p.id): {"profession": p.profession, "is_substitute": False} for p in staff}
    planned = []
    for n, citizen in enumerate(citizens):
        for code, window, _, minutes in SERVICES:
            person = on_duty[(n % 4) if code == "PP1" else 4 + n % 2]
            hour, minute = map(int, window.split(":"))
            start = datetime.combine(day, time(hour, minute)) + timedelta(minutes=(n // 4) * 10)
            visit_id = f"{day:%Y%m%d}-{citizen.code}-{code}"
            plan.plan_visit(visit_id, citizen.id, [code], start, minutes, [str(person.id)],
                            Profession.SSH, False, {"discharged": False, "triage": "groen"},
                            facts, PLANNER)
            planned.append((visit_id, start, minutes, str(person.id)))
    for visit_id, start, minutes, person in planned:
        begin = start + timedelta(minutes=rng.randint(-5, 15))
        plan.record_delivery(visit_id, begin, begin + timedelta(minutes=minutes), [person],
                             ACTOR)
    writer.add(plan)


def fall_sick(person: Employee, day: date) -> bool:
    """Register two sick days from ``day``; False (nothing registered) when they would
    overlap the person's last sickness (the domain refuses overlapping absences)."""
    try:
        person.register_absence(f"S{day:%Y%m%d}", "sick", day, day + timedelta(days=1), ACTOR)
    except RuleBroken:
        return False
    return True


def generate(app: Pusleplan, events: int, seed: int = 1,
             progress: Callable[[int], None] | None = None) -> int:
    """Write about ``events`` events (never fewer) into an empty store; return the count."""
    rng = random.Random(seed)
    writer = _Writer(app, progress)
    teams = max(1, min(30, events // 100_000))
    units = [_team(writer, n, rng) for n in range(1, teams + 1)]
    writer.flush()
    day = FIRST_DAY
    while writer.written < events:
        if (day - FIRST_DAY).days % 56 == 0:
            for unit in units:
                _roster(writer, unit, day, rng)
        for unit in units:
            if rng.random() < 0.03:
                person = rng.choice(unit["staff"])
                if fall_sick(person, day):
                    writer.add(person)
            _day(writer, unit, day, rng)
        writer.flush()
        day += timedelta(days=1)
    return app.recorder.max_notification_id() or 0
