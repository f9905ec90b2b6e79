"""The day plans of the history: who is on duty, the day's visits and deliveries."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from domain.citizens import citizen_id
from domain.employees import employee_id
from domain.teams import team_id
from domain.values import Triage
from scripts.demo.base import _BuilderBase
from scripts.demo.model import (
    DAY_NAMES,
    LADDER,
    PLANNER,
    SYSTEM,
    TRAVEL_KMH,
    CitizenPlan,
    _hhmm,
    _layer_of,
)
from scripts.demo.rosters import _can_do

#: After the reorganisation: how much (in minutes of the visit score) a mini-team
#: prefers whoever visited the citizen in the last 14 days.
SEEN_BONUS = 90


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


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def _required(services: list[dict[str, Any]]) -> str:
    professions = [s["profession"] for s in services]
    if "TER" in professions:
        return "TER"
    return max(professions, key=LADDER.index)


class _DayPlanner(_BuilderBase):
    """Per team and day: route assignments, the planned and the delivered visits."""

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
                    bonus += SEEN_BONUS  # mini-teams: whoever came lately comes again
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
