"""A fast constructive roster: a plan with no hard violation in about a second.

CP-SAT on a full team and period can take tens of seconds before its first plan
that covers the demand. ``construct(problem)`` builds one greedily instead — day
by day, the scarcest shift first, each place given to the best-ranked member for
whom the rule checker (the catalogue's hard rules, on that member's plan alone)
still finds nothing hard. Every hard rule of the catalogue is monotone in added
shifts (adding a shift never mends a rest, a day off, an hours limit), so a plan
grown this way breaks no hard rule. Minimum staffing (a ground rule) is a lower
bound the greedy tries to reach but cannot promise; the solver takes over from
there. The plan is the solver's first hint (``planning.roster_solver``).

Ranking prefers, in this order: staying within the norm hours (R5), honouring
bids, the member's own route (continuity), the lowest qualification that is
enough, and the member with the most norm hours left.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

from planning.clock import shift_hours
from planning.model import Absence, RosterPlan, Severity, Shift
from planning.roster_problem import (
    PROFESSION_LADDER,
    Bid,
    BidKind,
    Member,
    RosterProblem,
    ShiftType,
    qualifies,
)
from planning.rules import Catalogue, Rule
from planning.rules.hours import NormHours
from planning.rules.shifts import is_night_shift

#: Rules whose breaches lie within a few days of the shifts involved (rest, days off per
#: week, shift shape): a week either side of the shift's week holds every 24 h, week
#: and R2 window (window_days, 7–13) around it — two weeks when R2's window is longer.
LOCAL_RULES = frozenset({"R1", "R2", "R3", "R14", "R15", "R16", "R17", "R19", "R20"})
#: How many members the repair tries for one short shift.
REPAIR_CANDIDATES = 6
#: Rounds of handing shifts from members over their norm to members under it.
BALANCE_ROUNDS = 3


@dataclass
class _Person:
    """One member's plan so far and what the ranking needs to know about it."""

    member: Member
    norm_h: float
    tolerance_h: float
    shifts: list[Shift]
    history: tuple[Shift, ...]
    absences: tuple[Absence, ...]
    bids: dict[date, list[Bid]]
    route_bids: set[str]
    routes: dict[str, int]
    hours: float = 0.0
    cap_h: float = 0.0  # hours up to which more shifts cost nothing (R5 band top + share)
    parity: int = 0  # the weekends (even or odd weeks) this member takes
    weekends: set[date] = field(default_factory=set)  # Saturdays of weekends worked
    nights: set[date] = field(default_factory=set)

    @property
    def employee(self) -> str:
        return self.member.employee


class Constructor:
    """Grows a plan shift by shift; ``fits`` asks the hard rules about one member."""

    def __init__(self, problem: RosterProblem, rules: Catalogue | None = None) -> None:
        self.problem = problem
        self.rules = rules or problem.rules()
        hard = [r for r in self.rules if r.severity is Severity.HARD]
        self.local_rules: list[Rule] = [r for r in hard if r.id in LOCAL_RULES]
        self.global_rules: list[Rule] = [r for r in hard if r.id not in LOCAL_RULES]
        self.period_end = problem.period_start + timedelta(weeks=problem.weeks)
        self.local_weeks = 1 if self.rules["R2"].window_days <= 7 else 2
        self.placed: dict[tuple[date, str], list[_Person]] = {}
        norm_rule = self.rules["R5"]
        assert isinstance(norm_rule, NormHours)
        base = problem.plan(())
        tolerance = norm_rule.tolerance_h if norm_rule.enabled else 1e9
        self.people: dict[str, _Person] = {}
        for m in problem.members:
            e = m.employee
            bids: dict[date, list[Bid]] = {}
            for bid in problem.bids:
                if bid.employee == e and bid.day is not None:
                    bids.setdefault(bid.day, []).append(bid)
            self.people[e] = _Person(
                member=m, norm_h=norm_rule.norm(base, e), tolerance_h=tolerance, shifts=[],
                history=tuple(s for s in problem.history if s.employee == e),
                absences=tuple(a for a in problem.absences if a.employee == e),
                bids=bids,
                route_bids={b.route for b in problem.bids if b.employee == e
                            and b.kind is BidKind.WANT_ROUTE and b.day is None and b.route},
                routes={})
        # The checker reaches into the history windows only when the plan has a history;
        # each member's plan carries their own history plus one shift of someone else's.
        self.sentinel = problem.history[:1]
        self.max_nights = problem.ground_rules.max_nights
        self.period_days = 7 * problem.weeks
        r18, r14 = self.rules["R18"], self.rules["R14"]
        self.weekends_allowed = problem.weeks - (
            problem.weeks // r18.weekend_off_every_n if r18.enabled else 0)
        self.max_nights_in_row = r14.max_consecutive_nights if r14.enabled else None
        # Weekend turns (R18): alternate members of each kind between even and odd weeks.
        ordered = sorted(self.people.values(), key=lambda p: (
            not p.member.may_work_nights, _need_rank(p.member.profession),
            sorted(p.member.layers), p.employee))
        for i, p in enumerate(ordered):
            p.parity = i % 2
        self.progress = 0.0  # share of the demand handled so far
        self.demanded = max(sum(d.count for d in problem.demand), 1)
        self.min_staffing = dict(problem.ground_rules.min_staffing)
        self.rows: dict[tuple[date, str], list[tuple[int, str | None]]] = {}
        self.eligible = {t.code: [p for p in self.people.values() if p.member.may_work(t)]
                         for t in problem.shift_types}
        for p in self.people.values():
            p.cap_h = p.norm_h + p.tolerance_h
            for h in p.history:
                if is_night_shift(h):
                    p.nights.add(h.day)
        self._share_excess()

    def _share_excess(self) -> None:
        """When the demand holds more shifts than fit in everyone's R5 band, decide up
        front who takes the extra ones: one shift at a time to whoever it costs the
        fewest started hours over the band. Filling greedily would spread the excess
        over many people, and each person's first hour over the band costs a whole
        unit. Shifts are counted at the demand's most common length."""
        lengths: dict[float, int] = {}
        cap: dict[tuple[date, str], int] = {}
        for row in self.problem.demand:
            cap[row.day, row.shift_type] = max(cap.get((row.day, row.shift_type), 0),
                                               row.count)
        for (day, code), count in cap.items():
            hours = round(shift_type_hours(self.problem.shift_type(code), day), 2)
            lengths[hours] = lengths.get(hours, 0) + count
        people = [p for p in self.people.values() if p.tolerance_h < 1e8]
        if not lengths or not people:
            return
        length = max(lengths, key=lambda h: (lengths[h], h))
        fitting = {p.employee: int((p.norm_h + p.tolerance_h) // length) for p in people}
        extra = sum(cap.values()) - sum(fitting.values())

        def marginal(p: _Person) -> float:
            top = p.norm_h + p.tolerance_h
            now = fitting[p.employee] * length - top
            return -(-(now + length) // 1) - max(-(-now // 1), 0)

        while extra > 0:
            taker = min(people, key=lambda p: (marginal(p), -p.norm_h, p.employee))
            fitting[taker.employee] += 1
            taker.cap_h = fitting[taker.employee] * length + 1e-6
            extra -= 1

    # -- feasibility --------------------------------------------------------------

    def fits(self, person: _Person, shift: Shift) -> bool:
        """Whether the member's plan with ``shift`` added breaks no hard rule."""
        e = person.employee
        if self.problem.is_absent(e, shift.day):
            return False
        if any(s.day == shift.day for s in person.shifts):
            return False
        if self.max_nights is not None and is_night_shift(shift) and sum(
                is_night_shift(s) for s in person.shifts) >= self.max_nights:
            return False
        people = {e: person.member.person}
        if self.global_rules:
            plan = RosterPlan(period_start=self.problem.period_start, weeks=self.problem.weeks,
                              shifts=(*person.shifts, shift),
                              history=person.history or self.sentinel, people=people,
                              absences=person.absences)
            if any(rule.check(plan) for rule in self.global_rules):
                return False
        if not self.local_rules:
            return True
        # Local rules only look a few days around a shift: check the weeks around it, the
        # two weeks before them as history (windows holding the new shift lie inside).
        monday = shift.day - timedelta(days=shift.day.weekday())
        start = max(self.problem.period_start, monday - timedelta(weeks=self.local_weeks))
        end = min(self.period_end, monday + timedelta(weeks=self.local_weeks + 1))
        before = start - timedelta(days=15)
        everything = (*person.history, *person.shifts, shift)
        plan = RosterPlan(period_start=start, weeks=(end - start).days // 7,
                          shifts=tuple(s for s in everything if start <= s.day < end),
                          history=tuple(s for s in everything if before <= s.day < start),
                          people=people, absences=person.absences)
        return not any(rule.check(plan) for rule in self.local_rules)

    def remove(self, person: _Person, shift: Shift) -> None:
        person.shifts.remove(shift)
        self.placed[shift.day, _code(shift)].remove(person)
        kept = list(person.shifts)
        for s in kept:
            self.placed[s.day, _code(s)].remove(person)
        person.shifts, person.hours, person.routes = [], 0.0, {}
        person.weekends = set()
        person.nights = {h.day for h in person.history if is_night_shift(h)}
        for s in kept:
            self.add(person, s)

    def add(self, person: _Person, shift: Shift) -> None:
        person.shifts.append(shift)
        self.placed.setdefault((shift.day, _code(shift)), []).append(person)
        hours, weekends, night = _shape(shift)
        person.hours += hours
        person.weekends |= weekends
        if night:
            person.nights.add(shift.day)
        if shift.route:
            person.routes[shift.route] = person.routes.get(shift.route, 0) + 1

    # -- ranking ------------------------------------------------------------------

    def cost(self, person: _Person, shift_type: ShiftType, day: date,
             required: str | None) -> tuple[float, ...]:
        """Lower is better: (soft rules broken: R5 hours over the band, R18 weekends,
        R14 nights in a row; bids; pace against the norm in whole shifts;
        over-qualification; continuity; exact pace)."""
        shift = shift_type.shift(person.employee, day)
        hours, weekend, night = _shape(shift)
        soft = max(person.hours + hours - person.cap_h, 0.0)
        worked = person.weekends
        if weekend - worked and len(worked | weekend) > self.weekends_allowed:
            soft += 8
        if night and self.max_nights_in_row is not None:
            nights = person.nights
            run = 0
            while day - timedelta(days=run + 1) in nights:
                run += 1
            if run >= self.max_nights_in_row:
                soft += 8
        bid_cost = 0.0
        for bid in person.bids.get(day, []):
            matches = bid.shift_type in (None, shift_type.code)
            if bid.kind is BidKind.DAY_OFF or (bid.kind is BidKind.AVOID and matches):
                bid_cost += bid.weight
            elif bid.kind is BidKind.WANT and matches:
                bid_cost -= bid.weight
            elif bid.kind is BidKind.WANT_ROUTE:
                bid_cost += -bid.weight if bid.route == shift_type.route else bid.weight
        if shift_type.route and person.route_bids:
            bid_cost += 0 if shift_type.route in person.route_bids else 1
        routes = person.routes
        continuity = 0 if not shift_type.route or shift_type.route in routes or not routes \
            else 1
        rank = PROFESSION_LADDER.index(person.member.profession) \
            if person.member.profession in PROFESSION_LADDER else 9
        need = PROFESSION_LADDER.index(required) if required in PROFESSION_LADDER else 0
        ahead = (person.hours - person.norm_h * self.progress) / max(hours, 1.0)
        if weekend - worked:  # spread weekends: who has had the fewest goes first
            ahead += len(worked)
        # 0: the weekend is already worked; 1: a new weekend on the member's turn; 2: not
        # their turn.
        new = weekend - worked
        off_turn = 0 if not new else 1 + any(
            (sat - self.problem.period_start).days // 7 % 2 != person.parity for sat in new)
        return (soft, off_turn, bid_cost, round(ahead), rank - need, continuity, ahead)

    # -- the plan -----------------------------------------------------------------

    def keep(self, shifts: tuple[Shift, ...]) -> None:
        """Start from a current plan: keep each of its shifts that still fits."""
        for shift in sorted(shifts, key=lambda s: s.start):
            person = self.people.get(shift.employee)
            code = (shift.shift_id or "").rsplit("/", 1)[-1]
            if person is None or shift.day not in set(self.problem.days):
                continue
            if code not in {t.code for t in self.problem.shift_types}:
                code = next((t.code for t in self.problem.shift_types
                             if t.times_on(shift.day) == (shift.start, shift.end)
                             and t.route in (None, shift.route)), "")
            if not code:
                continue
            shift_type = self.problem.shift_type(code)
            if person.member.may_work(shift_type):
                planned = shift_type.shift(shift.employee, shift.day)
                if self.fits(person, planned):
                    self.add(person, planned)

    def build(self) -> tuple[Shift, ...]:
        """Fill every demand row, day by day, scarcest shift type first; then try to fill
        what is left by moving one of a member's shifts to a colleague."""
        for row in self.problem.demand:
            self.rows.setdefault((row.day, row.shift_type), []).append(
                (row.count, row.profession))
        short = []
        # Weekends first, so weekend turns (R18) come in whole blocks; weekdays around them.
        for day in sorted(self.problem.days, key=_fill_order):
            todays = [(code, wanted) for (d, code), wanted in self.rows.items() if d == day]
            todays.sort(key=lambda item: (len(self.eligible[item[0]]), item[0]))
            for code, wanted in todays:
                self.progress += sum(c for c, _ in wanted) / self.demanded
                if not self._fill(day, self.problem.shift_type(code), wanted,
                                  self.eligible[code]):
                    short.append((day, code))
        # Below minimum staffing first: those make the plan unusable for the model.
        short.sort(key=lambda k: (not self._understaffed(*k), k))
        for day, code in short:
            self._repair(day, self.problem.shift_type(code))
        self._balance()
        return tuple(sorted((s for p in self.people.values() for s in p.shifts),
                            key=lambda s: (s.start, s.employee)))

    def _soft(self, person: _Person, hours: float | None = None,
              weekends: int | None = None) -> float:
        """The member's broken soft rules that moving shifts mends: started hours outside
        the R5 band, weekends worked beyond R18's allowance (optionally for other hours
        and weekend counts)."""
        hours = person.hours if hours is None else hours
        weekends = len(person.weekends) if weekends is None else weekends
        outside = max(hours - person.cap_h, (person.norm_h - person.tolerance_h) - hours,
                      0.0)
        return -(-outside // 1) + max(weekends - self.weekends_allowed, 0) * 8

    def _after(self, person: _Person, shift: Shift, sign: int) -> float:
        """``_soft`` once the shift is added (sign 1) or removed (sign −1), estimated."""
        hours, touched, _ = _shape(shift)
        if sign > 0:
            weekends = len(person.weekends | touched)
        else:
            others: set[date] = set()
            for s in person.shifts:
                if s is not shift:
                    others |= _shape(s)[1]
            weekends = len(others)
        return self._soft(person, person.hours + sign * hours, weekends)

    def _balance(self) -> None:
        """Hand single shifts from members over their norm band to members under it (or
        from anyone, when it lowers the pair's broken soft rules), keeping each demand row
        covered and every hard rule intact."""
        for _ in range(BALANCE_ROUNDS):
            moved = False
            givers = sorted(self.people.values(), key=lambda p: -self._soft(p))
            for giver in givers:
                if self._soft(giver) == 0:
                    break
                for shift in sorted(giver.shifts, key=lambda s: s.start, reverse=True):
                    if self._give_away(giver, shift):
                        moved = True
                        if self._soft(giver) == 0:
                            break
            if not moved:
                return

    def _give_away(self, giver: _Person, shift: Shift) -> bool:
        code = (shift.shift_id or "").rsplit("/", 1)[-1]
        if not code or code not in self.eligible:
            return False
        shift_type = self.problem.shift_type(code)
        rows = self.rows.get((shift.day, code), [])
        on = self._on(shift.day, code, self.eligible[code])
        before = _covered(rows, on)
        for taker in sorted(self.eligible[code], key=lambda p: self._soft(p)):
            if taker is giver or taker in on:
                continue
            if _covered(rows, [taker if p is giver else p for p in on]) < before:
                continue
            was = self._soft(giver) + self._soft(taker)
            new = shift_type.shift(taker.employee, shift.day)
            if self._after(giver, shift, -1) + self._after(taker, new, 1) >= was or \
                    any(s.day == shift.day for s in taker.shifts) or \
                    self.problem.is_absent(taker.employee, shift.day):
                continue
            self.remove(giver, shift)
            if self.fits(taker, new):
                self.add(taker, new)
                if self._soft(giver) + self._soft(taker) < was:
                    return True
                self.remove(taker, new)
            self.add(giver, shift)
        return False

    def _on(self, day: date, code: str, among: list[_Person]) -> list[_Person]:
        placed = self.placed.get((day, code), [])
        return [p for p in among if p in placed]

    def _staffed(self, day: date, layer: str) -> int:
        return sum(1 for p in self.people.values() for s in p.shifts
                   if s.day == day and s.layer == layer)

    def _understaffed(self, day: date, code: str) -> bool:
        layer = self.problem.shift_type(code).layer
        return self._staffed(day, layer) < self.min_staffing.get(layer, 0)

    def _fill(self, day: date, shift_type: ShiftType, wanted: list[tuple[int, str | None]],
              eligible: list[_Person]) -> bool:
        """Fill the rows of one day and shift type; False when some row stays short."""
        cap = max(count for count, _ in wanted)
        on = self._on(day, shift_type.code, eligible)
        full = True
        # Rows with a profession first (SSA before "anyone"), the highest requirement first.
        for count, required in sorted(wanted, key=lambda r: _need_rank(r[1]), reverse=True):
            have = sum(qualifies(p.member.profession, required) for p in on)
            while have < count and len(on) < cap:
                chosen = self._best(day, shift_type, required, eligible, on)
                if chosen is None:
                    break
                on.append(chosen)
                have += 1
            full = full and have >= count
        return full

    def _repair(self, day: date, shift_type: ShiftType) -> None:
        """Give the short shift to a member by moving one of their shifts within a week to
        a colleague; below minimum staffing, leaving that shift open is enough."""
        wanted = self.rows[day, shift_type.code]
        eligible = self.eligible[shift_type.code]
        for count, required in sorted(wanted, key=lambda r: _need_rank(r[1]), reverse=True):
            on = self._on(day, shift_type.code, eligible)
            if sum(qualifies(p.member.profession, required) for p in on) >= count or \
                    len(on) >= max(c for c, _ in wanted):
                continue
            critical = self._understaffed(day, shift_type.code)
            candidates = sorted(
                (p for p in eligible if p not in on and qualifies(p.member.profession,
                                                                  required)),
                key=lambda p: self.cost(p, shift_type, day, required))
            for person in candidates[:REPAIR_CANDIDATES]:
                if self._move_for(person, day, shift_type, critical):
                    break

    def _move_for(self, person: _Person, day: date, shift_type: ShiftType,
                  critical: bool) -> bool:
        new = shift_type.shift(person.employee, day)
        victims = sorted((s for s in person.shifts if abs((s.day - day).days) <= 8),
                         key=lambda s: (abs((s.day - day).days), s.start))
        for victim in victims:
            self.remove(person, victim)
            if self.fits(person, new):
                self.add(person, new)
                code = (victim.shift_id or "").rsplit("/", 1)[-1]
                rows = self.rows.get((victim.day, code))
                others = [p for p in self.eligible.get(code, []) if p is not person]
                if rows and self._fill(victim.day, self.problem.shift_type(code), rows, others):
                    return True
                layer = victim.layer or ""
                if critical and self._staffed(victim.day, layer) >= \
                        self.min_staffing.get(layer, 0):
                    return True
                self.remove(person, new)
            self.add(person, victim)
        return False

    def _best(self, day: date, shift_type: ShiftType, required: str | None,
              eligible: list[_Person], on: list[_Person]) -> _Person | None:
        candidates = sorted(
            (p for p in eligible if p not in on and qualifies(p.member.profession, required)),
            key=lambda p: self.cost(p, shift_type, day, required))
        for person in candidates:
            shift = shift_type.shift(person.employee, day)
            if self.fits(person, shift):
                self.add(person, shift)
                return person
        return None


def _code(shift: Shift) -> str:
    return (shift.shift_id or "").rsplit("/", 1)[-1]


@lru_cache(maxsize=65536)
def _shape_of(start: datetime, end: datetime, layer: str | None
              ) -> tuple[float, frozenset[date], bool]:
    shift = Shift("_", start, end, layer=layer)
    weekends = frozenset(d - timedelta(days=d.weekday() - 5) for d in shift.days_touched()
                         if d.weekday() >= 5)
    return shift_hours(shift), weekends, is_night_shift(shift)


def _shape(shift: Shift) -> tuple[float, frozenset[date], bool]:
    """Hours, the Saturdays of the weekends it touches, and whether it is a night."""
    return _shape_of(shift.start, shift.end, shift.layer)


def _covered(rows: list[tuple[int, str | None]], on: list[_Person]) -> int:
    """How many places of the demand rows these members fill."""
    return sum(min(count, sum(qualifies(p.member.profession, required) for p in on))
               for count, required in rows)


def _need_rank(required: str | None) -> int:
    if required is None:
        return -1
    return PROFESSION_LADDER.index(required) if required in PROFESSION_LADDER else 99


def shift_type_hours(shift_type: ShiftType, day: date) -> float:
    return shift_hours(shift_type.shift("_", day))


def construct(problem: RosterProblem, rules: Catalogue | None = None) -> tuple[Shift, ...]:
    """A plan breaking no hard rule of ``rules`` (minimum staffing not promised): the
    current plan's shifts that still fit, then the demand filled greedily."""
    builder = Constructor(problem, rules)
    builder.keep(problem.current_plan)
    return builder.build()



def _fill_order(day: date) -> tuple[int, date]:
    """Weekends first (R18 turns come in whole blocks), then Fridays (a Friday night
    touches Saturday), then the other weekdays."""
    weekday = day.weekday()
    return (0 if weekday >= 5 else 1 if weekday == 4 else 2, day)
