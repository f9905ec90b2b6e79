"""The day-by-day history: sickness, cover, citizen changes and the reorganisation."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from domain.citizens import citizen_id
from domain.employees import employee_id
from domain.rosters import roster_id
from domain.teams import team_id
from domain.values import AbsenceKind, Actor, Role
from scripts.demo.base import _Episode
from scripts.demo.citizens import _assign_contacts, _NameDrawer, _plan_citizen, _service, _some_days
from scripts.demo.model import ADMIN, DAY_NAMES, LEADER, PLANNER, CitizenPlan
from scripts.demo.visits import _DayPlanner
from scripts.demo_data import (
    DISCHARGE_REASONS,
    TRIAGE_REASONS,
    VISITATION_INCREASE_REASONS,
    VISITATION_REHAB_REASON,
)


@dataclass
class _History:
    """Things that happen on a given day of the history."""

    discharges: dict[date, list[tuple[str, str]]] = field(default_factory=dict)
    visitation: dict[date, list[tuple[str, str]]] = field(default_factory=dict)
    triage: dict[date, list[tuple[str, str, str]]] = field(default_factory=dict)
    arrivals: dict[date, list[CitizenPlan]] = field(default_factory=dict)
    retimes: dict[date, list[tuple[str, str, int, int, str]]] = field(default_factory=dict)


class _HistoryBuilder(_DayPlanner):
    """The history, day by day: absences, citizen changes, shift changes, day plans."""

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
            if not (rota.rest_ok(holder, shift.day, start, end, (shift_id,))
                    and rota.days_off_ok(holder, shift)):
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
