"""The greedy roster builder (in memory): shifts, bids and the rota."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from domain.employees import employee_id
from domain.values import BidKind, Profession
from planning.clock import longest_free, to_utc
from scripts.demo.model import (
    DAY_NAMES,
    LADDER,
    LAYER_TIMES,
    MAX_NIGHTS_IN_ROW,
    REST_HOURS,
    TeamPlan,
)

#: R2 (weekly rest): every 7 × 24 h window from a midnight holds this much free time.
WEEKLY_REST = timedelta(hours=35)
#: Score penalties after a reorganisation into mini-teams: a shift on another mini-team's
#: route, and on another route than the person's last (so citizens meet few faces).
MINI_OTHER_TEAM = 1.0
MINI_OTHER_ROUTE = 0.25
#: ... and a bonus for the route a person already knows (up to ROUTE_HABIT shifts on it).
MINI_OWN_ROUTE = 0.4
ROUTE_HABIT = 4
#: R3 (days off): free calendar days in every week of the roster.
DAYS_OFF_PER_WEEK = 2

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


def _touched(shift: _Shift) -> list[date]:
    """Calendar days a shift works on (ending at 00:00 does not touch the next day)."""
    return [shift.day + timedelta(days=i) for i in range((_last_day(shift) - shift.day).days + 1)]


def _last_day(shift: _Shift) -> date:
    return (shift.end - timedelta(microseconds=1)).date()


def _utc(moment: datetime) -> datetime:
    return to_utc(moment)


@lru_cache(maxsize=4096)
def _midnight(day: date) -> datetime:
    return to_utc(datetime.combine(day, time()))


@lru_cache(maxsize=64)
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
        self.routes = {r.code: r for r in team.routes}
        self.by_emp: dict[str, dict[date, _Shift]] = {n: {} for n in self.members}
        for shift in prior:
            if shift.employee in self.by_emp:
                self.by_emp[shift.employee][shift.day] = shift
        self.hours: dict[str, float] = dict.fromkeys(self.members, 0.0)
        self.week_hours: dict[tuple[str, int], float] = {}
        self.last_route: dict[str, str] = {}
        self.on_route: dict[tuple[str, str], int] = {}  # shifts placed per person and route
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

    def days_off_ok(self, number: str, shift: _Shift, ignore: tuple[str, ...] = ()) -> bool:
        """Whether ``number`` keeps the agreement's rest with ``shift`` added (and the
        shifts ``ignore`` removed): R3, two free calendar days in each week of the roster
        (a night takes the day it ends on), and R2, 35 h free in every window of 7 × 24 h
        starting at a midnight, as the checker counts them (real elapsed time)."""
        held = self.by_emp[number]
        first, last = shift.day, _last_day(shift)
        span = (last - first).days
        # The person's shifts from 7 days before to 7 days after, one a day, in order.
        near: list[_Shift] = []
        for i in range(-7, span + 8):
            day = first + timedelta(days=i)
            other = shift if i == 0 else held.get(day)
            if other is not None and (other is shift or (
                    other.shift_id not in ignore and other.shift_id != shift.shift_id)):
                near.append(other)
        end_of_period = self.start + timedelta(weeks=self.weeks)
        for day in {first, last}:
            if not self.start <= day < end_of_period:
                continue
            monday = self.start + timedelta(weeks=self.week(day))
            sunday = monday + timedelta(days=6)
            touched = {d for s in near if monday - timedelta(days=1) <= s.day <= sunday
                       for d in _touched(s) if monday <= d <= sunday}
            if len(touched) > 7 - DAYS_OFF_PER_WEEK:
                return False
        blocks = [(_utc(s.start), _utc(s.end)) for s in near]
        midnights = [_midnight(first + timedelta(days=i)) for i in range(-6, span + 8)]
        for i in range(span + 7):
            if longest_free(blocks, midnights[i], midnights[i + 7])[0] < WEEKLY_REST:
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
        route = self.routes[shift.route]
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
        if strict:
            if ((number, shift.day) in self.day_off
                    or (number, shift.day, shift.layer) in self.avoid):
                return False
            if shift.day.weekday() >= 5 and member.weekend_parity != self.week(shift.day) % 2:
                return False
            week = self.week_hours.get((number, self.week(shift.day)), 0.0)
            if not cover and week + 8 > member.weekly_hours + 5:
                return False
        return self.days_off_ok(number, shift)  # the hard rest rules, last: the dearest

    def score(self, number: str, shift: _Shift, cover: bool = False) -> float:
        member = self.members[number]
        route = self.routes[shift.route]
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
            # Mini-teams: the route's own people first, and each on the route they know.
            group = self.mini_teams.get(shift.route)
            if group is not None and self.mini_teams.get(number) != group:
                value += MINI_OTHER_TEAM
            if self.last_route.get(number) not in (None, shift.route):
                value += MINI_OTHER_ROUTE
            known = min(self.on_route.get((number, shift.route), 0), ROUTE_HABIT)
            value -= MINI_OWN_ROUTE * known / ROUTE_HABIT
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
        self.on_route[number, shift.route] = self.on_route.get((number, shift.route), 0) + 1

    def unplace(self, shift: _Shift) -> None:
        number = shift.employee
        if number is None:
            return
        del self.by_emp[number][shift.day]
        hours = (shift.end - shift.start).total_seconds() / 3600
        self.hours[number] -= hours
        key = (number, self.week(shift.day))
        self.week_hours[key] -= hours
        self.on_route[number, shift.route] -= 1
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
        route = self.routes[shift.route]
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
        if not self.rest_ok(number, shift.day, shift.start, shift.end, ignore):
            return False
        return self.days_off_ok(number, shift, ignore)

    def exchange(self, a: _Shift, b: _Shift) -> None:
        ea, eb = a.employee, b.employee
        self.unplace(a)
        self.unplace(b)
        self.place(a, eb)
        self.place(b, ea)
