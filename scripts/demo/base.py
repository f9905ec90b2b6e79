"""The build's shared state: what was written, who is away, the rotas."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from domain.application import Pusleplan
from domain.employees import employee_id
from domain.teams import team_id
from domain.values import Triage
from scripts.demo.model import ADMIN, PLANNER, CitizenPlan, DistrictPlan, Progress
from scripts.demo.plan import mini_teams
from scripts.demo.rosters import _Rota
from scripts.demo_data import TRIAGE_REASONS

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
class _Episode:
    number: str
    absence_id: str
    start: date
    end: date  # last sick day


class _BuilderBase:
    """The build's state, shared by the day plans, the history and the set-up."""

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
