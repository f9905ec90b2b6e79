"""Writing the demo through the application: set-up, rosters and ``build_demo``."""

from __future__ import annotations

import math
import time as clock
from datetime import date, datetime, time, timedelta
from uuid import UUID

from domain.application import Pusleplan
from domain.employees import employee_id
from domain.teams import team_id
from domain.values import AbsenceKind, Actor, BidKind, Role
from scripts.demo.base import DemoSummary, _Episode
from scripts.demo.history import _HistoryBuilder
from scripts.demo.model import (
    ADMIN,
    LEADER,
    MAX_NIGHTS_IN_ROW,
    PLANNER,
    SICK_LENGTHS,
    SICK_START,
    SICK_WEIGHTS,
    Progress,
    TeamPlan,
)
from scripts.demo.plan import plan_district
from scripts.demo.rosters import _Bid, _Rota, _Shift
from scripts.demo.speed import _event_count, _quick_repository
from scripts.demo_accounts import register_demo_accounts
from scripts.demo_data import DISTRICT_NAME


class _Builder(_HistoryBuilder):
    """The whole build: set-up, past rosters, the history and the next roster."""

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
            # The previous roster's last two weeks: rest windows reach across the boundary.
            before = self.rotas[team.code]
            prior = [s for i in range(1, 15) for s in before.shifts_on(start - timedelta(days=i))
                     if s.employee is not None]
            rota = _Rota(team, start, plan.weeks, rng, unavailable, bids, prior)
            if team.code in self.mini and self.reorg_day <= start:
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


def build_demo(
    app: Pusleplan, seed: int = 2026, today: date | None = None,
    progress: Progress | None = None, *, teams: int = 6, citizens: int = 300,
    history_weeks: int = 8, reorganise: bool = True,
) -> DemoSummary:
    """Build the demo district into ``app`` (an empty store) and say what was written.

    Every event is written through the application's commands. ``progress`` is
    called with (stage, done, total). ``teams``, ``citizens`` and
    ``history_weeks`` shrink the demo for tests; the defaults are the full
    district (6 teams, ~300 citizens, 8 weeks). ``reorganise=False`` builds the same
    district without the first team's split into mini-teams (it keeps sharing visits
    out centrally): the counterfactual an evaluation compares with. Nobody else may write to the
    store while it is built (the build keeps its own aggregate cache).
    """
    started = clock.perf_counter()
    before = _event_count(app)
    plan = plan_district(seed, today, teams, citizens, history_weeks)
    builder = _Builder(app, plan, progress)
    if not reorganise:
        builder.reorg_day = date.max
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
