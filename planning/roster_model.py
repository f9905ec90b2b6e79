"""Build the CP-SAT roster model (vagtplan) from a ``RosterProblem``.

``x[e, d, t]`` (named ``x_<employee>_<day>_<type>``) is true when employee e works
shift type t starting on day d. The builder posts what is not an agreement rule —
one shift a day, demand and its cap, minimum staffing, absences, who may work
which layer, the ground rules' night limit — and then asks every enabled rule of
the catalogue to post itself (``rule.post(builder)``), so the checker and the model
share one rule object each (AGREEMENT.md, "How Pusleplan uses this table").
Bids, fairness, route continuity and moved shifts are added in
``planning.roster_objective``.

Rules speak to the builder through ``at_most``/``at_least`` (hard: a constraint; soft:
a penalty per unit of breach × the rule's weight), ``cost`` (kroner) and the slot
helpers. With ``explain=True`` every hard constraint is guarded by an assumption
literal per rule × person (or × day) and no objective is posted, so an infeasible
problem can say which rules, people and days conflict.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cached_property
from itertools import product

from ortools.sat.python import cp_model

from planning.clock import UTC, aware
from planning.danish import day_da
from planning.model import RosterPlan, Severity, Shift
from planning.roster_problem import Bid, Member, RosterProblem, ShiftType, qualifies
from planning.rules import Catalogue, Rule
from planning.rules.shifts import is_night_shift

Lit = cp_model.IntVar
Expr = cp_model.LinearExprT


@dataclass(frozen=True, eq=False)
class Choice:
    """x[e, d, t]: one shift type a person may work on a day."""

    employee: str
    day: date
    shift_type: ShiftType
    lit: Lit


@dataclass(frozen=True, eq=False)
class Slot:
    """A working time a person may have on a day — the shift types sharing its start,
    end, layer and break (``codes``), ``lit`` true when one of them is chosen — or a
    history shift (``lit`` is None: fixed). Rules see slots; bids and routes see choices.
    """

    employee: str
    day: date
    shift: Shift
    codes: tuple[str, ...]
    lit: Lit | None
    start_utc: datetime
    end_utc: datetime

    @property
    def minutes(self) -> int:
        return round((self.end_utc - self.start_utc).total_seconds() / 60)

    @cached_property
    def is_night(self) -> bool:
        return is_night_shift(self.shift)

    def value(self) -> Expr:
        """The slot as a 0/1 term (history counts as 1)."""
        return 1 if self.lit is None else self.lit


def _cross(o: tuple[int, int], a: tuple[int, int], b: tuple[int, int]) -> int:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def make_slot(shift: Shift, codes: tuple[str, ...], lit: Lit | None) -> Slot:
    return Slot(shift.employee, shift.day, shift, codes, lit,
                aware(shift.start).astimezone(UTC), aware(shift.end).astimezone(UTC))


@dataclass
class Guard:
    """One assumption literal in explain mode: a rule for a person (or a day)."""

    literal: Lit
    rule: str
    employee: str | None
    text: str
    dates: set[date] = field(default_factory=set)


@dataclass(frozen=True, eq=False)
class Term:
    """One weighted objective term, kept for explaining the objective."""

    part: str
    coefficient: int
    expr: Expr
    rule: str | None = None
    employee: str | None = None
    label: str = ""


class RosterModel:
    """The CP-SAT model with its variables, guards and objective terms."""

    def __init__(self, problem: RosterProblem, rules: Catalogue | None = None,
                 explain: bool = False) -> None:
        self.problem = problem
        self.rules = rules or problem.rules()
        self.explain = explain
        self.model = cp_model.CpModel()
        self.days = problem.days
        self.members = list(problem.members)
        self.base_plan: RosterPlan = problem.plan(())
        self.x: dict[tuple[str, date, str], Lit] = {}
        self.on_shift: dict[tuple[date, str], list[Lit]] = {}
        self.choices: dict[str, list[Choice]] = {m.employee: [] for m in self.members}
        self.slots: dict[str, list[Slot]] = {m.employee: [] for m in self.members}
        self.history: dict[str, list[Slot]] = {m.employee: [] for m in self.members}
        self.guards: dict[Hashable, Guard] = {}
        self.terms: list[Term] = []
        self.uncovered: list[tuple[date, str, Lit]] = []
        self._touches: dict[tuple[str, date], Lit] = {}
        self._touching: dict[str, dict[date, list[Lit]]] = {}
        self._on_day: dict[tuple[str, date], list[Lit]] = {}
        self._absent = {(m.employee, d) for m in self.members for d in self.days
                        if problem.is_absent(m.employee, d)}
        period = set(self.days)
        self.current: dict[tuple[str, date], Shift] = {}
        for shift in problem.current_plan:
            if shift.day in period:
                self.current.setdefault((shift.employee, shift.day), shift)
        self.bid_terms: list[tuple[Bid, Expr]] = []
        self.moved: list[Expr] = []
        #: Fairness spreads (planning.roster_objective): name → each person's scaled count.
        self.spreads: dict[str, dict[str, Expr]] = {}
        self._cap = self._demand_cap()
        self._variables()
        self._one_shift_a_day()
        self._demand()
        self._redundant()
        self._min_staffing()
        self._max_nights()
        for rule in self.rules:
            rule.post(self)

    # -- variables -----------------------------------------------------------------

    def _demand_cap(self) -> dict[tuple[date, str], int]:
        cap: dict[tuple[date, str], int] = {}
        for row in self.problem.demand:
            key = (row.day, row.shift_type)
            cap[key] = max(cap.get(key, 0), row.count)
        return cap

    def blocked(self, member: Member, day: date, shift_type: ShiftType
                ) -> list[tuple[str, str | None, Hashable, str]]:
        """Why a member cannot have this shift at all: (rule, employee, group, Danish text)."""
        e, reasons = member.employee, []
        for absence in self.problem.absences if (e, day) in self._absent else ():
            if absence.employee == e and absence.covers(day):
                reasons.append(("FRAVÆR", e, absence.start,
                                f"{member.name} er fraværende ({absence.kind}) "
                                f"{day_da(absence.start)}–{day_da(absence.end)}"))
        if shift_type.layer not in member.layers:
            reasons.append(("LAG", e, shift_type.layer,
                            f"{member.name} arbejder ikke i laget {shift_type.layer}"))
        elif shift_type.layer == "nat" and not member.may_work_nights:
            reasons.append(("NAT", e, None,
                            f"{member.name} må ikke tage nattevagter"))
        if self._cap.get((day, shift_type.code), 0) == 0:
            reasons.append(("BEHOV", None, shift_type.code,
                            f"der er intet behov for vagttypen {shift_type.code}"))
        return reasons

    def _variables(self) -> None:
        """x[e, d, t] for every shift a member may work; in explain mode also the blocked
        ones, held at 0 by a guarded constraint so the reason can appear in a conflict.
        Types with the same times share one slot literal (= Σ x, at most one a day)."""
        for member in self.members:
            e = member.employee
            for day in self.days:
                same_time: dict[tuple[object, ...], list[Choice]] = {}
                for t in self.problem.shift_types:
                    reasons = self.blocked(member, day, t)
                    if reasons and not self.explain:
                        continue
                    lit = self.model.new_bool_var(f"x_{e}_{day:%Y%m%d}_{t.code}")
                    self.x[e, day, t.code] = lit
                    self.on_shift.setdefault((day, t.code), []).append(lit)
                    choice = Choice(e, day, t, lit)
                    self.choices[e].append(choice)
                    self._on_day.setdefault((e, day), []).append(lit)
                    same_time.setdefault((t.start, t.end, t.layer, t.break_minutes),
                                         []).append(choice)
                    for rule, who, group, text in reasons:
                        self.require(self.model.add(lit == 0), rule, who, group, text, (day,))
                for group_choices in same_time.values():
                    first = group_choices[0]
                    slot_lit = first.lit
                    if len(group_choices) > 1:
                        start, end = first.shift_type.start, first.shift_type.end
                        slot_lit = self.model.new_bool_var(
                            f"at_{e}_{day:%Y%m%d}_{start:%H%M}_{end:%H%M}")
                        self.model.add(slot_lit == sum(c.lit for c in group_choices))
                    shift = replace(first.shift_type.shift(e, day), route=None, shift_id=None)
                    codes = tuple(c.shift_type.code for c in group_choices)
                    self.slots[e].append(make_slot(shift, codes, slot_lit))
        for shift in self.problem.history:
            if shift.employee in self.history:
                self.history[shift.employee].append(make_slot(shift, (), None))

    def _one_shift_a_day(self) -> None:
        """At most one shift per person per day (so R17 split shifts cannot arise)."""
        for member in self.members:
            for day in self.days:
                day_lits = self.lits_on(member.employee, day)
                if len(day_lits) > 1:
                    self.model.add_at_most_one(day_lits)

    # -- demand and ground rules ---------------------------------------------------

    def _demand(self) -> None:
        """Each demand row is covered by qualified people or counts as uncovered (objective
        part 1); no more people than the largest row for that day and shift type."""
        for (day, code), cap in self._cap.items():
            on_shift = self.on_shift.get((day, code), [])
            if on_shift and cap < len(on_shift):
                self.require(self.model.add(sum(on_shift) <= cap), "BEHOV", None,
                             (day, code), f"højst {cap} på vagttypen {code} (behovet)",
                             (day,))
        if self.explain:
            return
        for i, row in enumerate(self.problem.demand):
            qualified = [self.x[m.employee, row.day, row.shift_type] for m in self.members
                         if (m.employee, row.day, row.shift_type) in self.x
                         and qualifies(m.profession, row.profession)]
            short = self.model.new_int_var(0, row.count, f"uncovered_{i}_{row.shift_type}_"
                                                         f"{row.day:%Y%m%d}")
            self.model.add(sum(qualified) + short >= row.count)
            self.uncovered.append((row.day, row.shift_type, short))
            self.penalty("uncovered", self.problem.weights.uncovered, short,
                         label=f"{row.shift_type} {row.day} {row.profession or ''}")

    def _redundant(self) -> None:
        """Redundant constraints that give CP-SAT's linear relaxation the team's totals:
        each person's shift count n_e (rules cut their breaches with it), and the count
        of all shifts against the demand — per day and shift type the largest row needs
        its count, less what it leaves uncovered."""
        self.count: dict[str, Lit] = {}
        for member in self.members:
            e = member.employee
            lits = [s.lit for s in self.slots[e] if s.lit is not None]
            n = self.model.new_int_var(0, len(lits), f"shifts_{e}")
            self.model.add(n == sum(lits))
            self.count[e] = n
        if self.explain or not self.uncovered:
            return
        largest: dict[tuple[date, str], Lit] = {}
        for row, (day, code, short) in zip(self.problem.demand, self.uncovered, strict=True):
            if row.count == self._cap[day, code] and (day, code) not in largest:
                largest[day, code] = short
        total = sum(self._cap[k] for k in largest)
        self.model.add(sum(self.count.values()) + sum(largest.values()) >= total)
        for day in self.days:
            keys = [k for k in largest if k[0] == day]
            lits = [lit for k in keys for lit in self.on_shift.get(k, [])]
            if keys:
                self.model.add(sum(lits) + sum(largest[k] for k in keys)
                               >= sum(self._cap[k] for k in keys))

    def _min_staffing(self) -> None:
        """Ground rule min_staffing: at least n people in a layer every day (hard)."""
        for layer, minimum in self.problem.ground_rules.min_staffing:
            if minimum <= 0:
                continue
            codes = {t.code for t in self.problem.shift_types if t.layer == layer}
            for day in self.days:
                lits = [lit for c in codes for lit in self.on_shift.get((day, c), [])]
                self.require(self.model.add(sum(lits) >= minimum), "BEMANDING", None,
                             (layer, day), f"mindst {minimum} på {layer}vagt hver dag", (day,))

    def _max_nights(self) -> None:
        """Ground rule max_nights: at most n night shifts per person in the period (hard)."""
        limit = self.problem.ground_rules.max_nights
        if limit is None:
            return
        for member in self.members:
            nights = [s.lit for s in self.slots[member.employee] if s.is_night]
            if len(nights) > limit:
                self.require(self.model.add(sum(nights) <= limit), "MAKSNAT", member.employee,
                             None, f"{member.name} må højst tage {limit} nattevagter "
                                   "i perioden", tuple(self.days))

    # -- helpers for rules ---------------------------------------------------------

    def member(self, employee: str) -> Member:
        return self.problem.member(employee)

    def lits_on(self, employee: str, day: date) -> list[Lit]:
        """The person's x literals for the day (at most one is true)."""
        return list(self._on_day.get((employee, day), ()))

    def all_slots(self, employee: str) -> list[Slot]:
        """History (fixed) and period slots, by start."""
        return sorted(self.history[employee] + self.slots[employee], key=lambda s: s.start_utc)

    def minutes(self, employee: str) -> Expr:
        """Planned minutes in the period (real elapsed time)."""
        return sum(s.minutes * s.lit for s in self.slots[employee] if s.lit is not None)

    def touches(self, employee: str, day: date) -> Lit:
        """True when any period shift of the person touches the calendar day (a night
        ending 07:00 touches the day it ends on); history shifts are not counted."""
        key = (employee, day)
        if key not in self._touches:
            if employee not in self._touching:
                touching: dict[date, list[Lit]] = {}
                for s in self.slots[employee]:
                    if s.lit is not None:
                        for touched in s.shift.days_touched():
                            touching.setdefault(touched, []).append(s.lit)
                self._touching[employee] = touching
            lits = self._touching[employee].get(day, [])
            var = self.model.new_bool_var(f"works_{employee}_{day:%Y%m%d}")
            if lits:
                self.model.add_max_equality(var, lits)
            else:
                self.model.add(var == 0)
            self._touches[key] = var
        return self._touches[key]

    def new_bool(self, name: str) -> Lit:
        return self.model.new_bool_var(name)

    # -- posting -------------------------------------------------------------------

    def require(self, constraint: cp_model.Constraint, rule: str, employee: str | None,
                group: Hashable, text: str, dates: Iterable[date] = ()) -> None:
        """A hard constraint; in explain mode enforced by the guard (rule, employee, group)."""
        if not self.explain:
            return
        key = (rule, employee, group)
        guard = self.guards.get(key)
        if guard is None:
            name = f"guard_{rule}_{employee or 'team'}_{len(self.guards)}"
            guard = Guard(self.model.new_bool_var(name), rule, employee, text)
            self.guards[key] = guard
        guard.dates.update(dates)
        constraint.only_enforce_if(guard.literal)

    def at_most(self, rule: Rule, expr: Expr, bound: int, *, employee: str | None = None,
                group: Hashable = None, text: str = "", dates: Sequence[date] = (),
                unit: int = 1, enforce: Lit | None = None) -> Lit | None:
        """``expr ≤ bound`` (only when ``enforce`` holds, if given): hard, or soft with
        weights.soft_rule × ``rule.weight`` per started ``unit`` of breach. Returns the
        breach variable of a soft limit (None when hard or constant)."""
        return self._limit(rule, expr, bound, True, employee, group, text, dates, unit,
                           enforce)

    def at_least(self, rule: Rule, expr: Expr, bound: int, *, employee: str | None = None,
                 group: Hashable = None, text: str = "", dates: Sequence[date] = (),
                 unit: int = 1, enforce: Lit | None = None) -> Lit | None:
        """``expr ≥ bound``: hard, or soft as for ``at_most``."""
        return self._limit(rule, expr, bound, False, employee, group, text, dates, unit,
                           enforce)

    def _limit(self, rule: Rule, expr: Expr, bound: int, upper: bool, employee: str | None,
               group: Hashable, text: str, dates: Sequence[date], unit: int,
               enforce: Lit | None) -> Lit | None:
        hard = rule.severity is Severity.HARD
        if not hard and self.explain:
            return
        if isinstance(expr, int | float):  # no variable left: satisfied or broken outright
            excess = expr - bound if upper else bound - expr
            if excess <= 0:
                return
            if hard:
                broken = self.model.add_bool_or([])
                if enforce is not None:
                    broken.only_enforce_if(enforce)
                self.require(broken, rule.id, employee, group, text, dates)
            elif enforce is None:
                self.penalty("soft_rules", self.problem.weights.soft_rule * rule.weight,
                             math.ceil(excess / unit), rule=rule.id, employee=employee,
                             label=text)
            return
        if hard:
            ct = self.model.add(expr <= bound if upper else expr >= bound)
            if enforce is not None:
                ct.only_enforce_if(enforce)
            self.require(ct, rule.id, employee, group, text, dates)
            return
        name = f"breach_{rule.id}_{employee or 'team'}_{len(self.terms)}"
        breach = self.model.new_int_var(0, 10**6, name)
        excess = expr - bound if upper else bound - expr
        ct = self.model.add(unit * breach >= excess)
        if enforce is not None:
            ct.only_enforce_if(enforce)
        self.penalty("soft_rules", self.problem.weights.soft_rule * rule.weight, breach,
                     rule=rule.id, employee=employee, label=text)
        return breach

    def count_cuts(self, breach: Lit, count: Expr, top: int, minutes: int, bound: int,
                   upper: bool, unit: int) -> int:
        """Redundant cuts for a soft limit on ``minutes × Σ lits`` (all the person's shifts
        last equally long): the breach is the integer step function
        g(n) = max(0, ⌈±(minutes·n − bound) / unit⌉) of the shift count n, and every
        line through two neighbouring points of its lower convex hull bounds it from
        below. The LP then sees that hours come in whole shifts (a person 3 h under the
        band's top cannot take 3 h more), which the plain ``unit·breach ≥ excess``
        hides. ``count`` is the shift count (at most ``top``). Returns how many cuts
        were added."""
        if top == 0 or minutes <= 0:
            return 0

        def g(n: int) -> int:
            excess = minutes * n - bound if upper else bound - minutes * n
            return max(0, -(-excess // unit))

        points = [(n, g(n)) for n in range(top + 1)]
        hull: list[tuple[int, int]] = []  # lower convex hull, left to right
        for point in points:
            while len(hull) >= 2 and _cross(hull[-2], hull[-1], point) <= 0:
                hull.pop()
            hull.append(point)
        added = 0
        for (n0, g0), (n1, g1) in zip(hull, hull[1:], strict=False):
            if g0 == g1 == 0:
                continue
            # breach ≥ g0 + (g1 − g0)(n − n0)/(n1 − n0), scaled to integers
            self.model.add((n1 - n0) * breach >= g0 * (n1 - n0) + (g1 - g0) * (count - n0))
            added += 1
        return added

    def forbid_combinations(self, rule: Rule, anchor: Slot, mates: Sequence[Slot],
                            violates: Callable[[list[Slot]], bool], text: str) -> None:
        """Forbid every minimal set of ``mates`` (at most one per day) that together with
        ``anchor`` and the fixed history ``violates`` the rule: Σ x ≤ |set| − 1 + fixed."""
        by_day: dict[date, list[Slot]] = {}
        fixed = [m for m in mates if m.lit is None]
        for mate in mates:
            if mate.lit is not None and mate.day != anchor.day:
                by_day.setdefault(mate.day, []).append(mate)
        options = [[None, *slots] for slots in by_day.values()]
        forbidden: list[frozenset[Slot]] = []
        for combo in sorted(product(*options), key=lambda c: sum(s is not None for s in c)):
            chosen = frozenset(s for s in combo if s is not None)
            if any(f <= chosen for f in forbidden):
                continue
            if violates([*fixed, *chosen]):
                forbidden.append(chosen)
                assert anchor.lit is not None
                self.at_most(rule, anchor.lit + sum(s.lit for s in chosen if s.lit is not None),
                             len(chosen), employee=anchor.employee, group=anchor.day,
                             text=text, dates=sorted({anchor.day, *(s.day for s in chosen)}))

    def penalty(self, part: str, coefficient: int, expr: Expr, *, rule: str | None = None,
                employee: str | None = None, label: str = "") -> None:
        if coefficient:
            self.terms.append(Term(part, coefficient, expr, rule, employee, label))

    def cost(self, rule: Rule, dkk: float, expr: Expr, employee: str | None = None,
             label: str = "") -> None:
        """A priced consequence (R7–R11) in kroner, converted to objective units."""
        units = math.floor(dkk / self.problem.weights.dkk_per_unit + 0.5)
        self.penalty("costs", units, expr, rule=rule.id, employee=employee, label=label)

    # -- hints and reading a solution ----------------------------------------------

    def hint(self, shifts: Iterable[Shift]) -> None:
        """Hint every x literal with a plan (shift ids ``employee/day/code``)."""
        chosen = {(s.employee, s.day, (s.shift_id or "").rsplit("/", 1)[-1]) for s in shifts}
        for key, lit in self.x.items():
            self.model.add_hint(lit, key in chosen)


    def shifts(self, solver: cp_model.CpSolver) -> tuple[Shift, ...]:
        chosen = [c.shift_type.shift(c.employee, c.day) for choices in self.choices.values()
                  for c in choices if solver.boolean_value(c.lit)]
        return tuple(sorted(chosen, key=lambda s: (s.start, s.employee)))
