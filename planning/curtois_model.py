"""CP-SAT model of the Curtois & Qu benchmark (rules in ``planning.curtois``).

The encoding follows the benchmark's definition and uses the strongest simple
forms: cover as ``staffed + under - over = requirement``, consecutive-run limits
as sliding windows and forbidden short blocks as clauses, weekends as one
literal each. The reported objective is always recomputed by the independent
scorer ``planning.curtois.objective``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Collection
from dataclasses import dataclass, replace

from ortools.sat.python import cp_model

from planning.cpsat import (
    STATUS_NAMES,
    Incumbent,
    SolveSettings,
    large_neighbourhood_search,
    make_solver,
    solve_neighbourhood,
)
from planning.curtois import (
    Cover,
    Instance,
    Roster,
    Staff,
    hard_violations,
    objective,
    staff_violations,
)

#: One full LP-heavy worker; CP-SAT gives the other worker to neighbourhood search.
SUBSOLVERS = ("max_lp",)


@dataclass(frozen=True)
class BenchmarkResult:
    """One solve of one instance: roster, objective (recomputed), bound, timing."""

    instance: str
    roster: dict[tuple[str, int], str]
    objective: int | None
    model_objective: int | None
    bound: float
    status: str
    optimal: bool
    wall_s: float
    seed: int
    #: CPU seconds of the whole process during the solve (all CP-SAT threads): on a
    #: shared machine the wall-clock limit buys very different amounts of search.
    cpu_s: float = 0.0


class CurtoisModel:
    """x[e, d, s] = employee e works shift s on day d."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self.model = cp_model.CpModel()
        self.x: dict[tuple[str, int, str], cp_model.IntVar] = {}
        self.terms: list[tuple[int, cp_model.LinearExprT]] = []
        self.cover_vars: list[tuple[Cover, cp_model.IntVar, cp_model.IntVar]] = []
        #: Auxiliary variables by what they belong to (LNS frees them with their shifts).
        self.aux_day: dict[tuple[str, int], list[int]] = {}
        self.aux_cover: dict[tuple[int, str], list[int]] = {}
        self.work: dict[tuple[str, int], cp_model.IntVar] = {}
        #: (employee, Saturday) -> "works that weekend".
        self.weekend: dict[tuple[str, int], cp_model.IntVar] = {}
        self._variables()
        for staff in instance.staff:
            self._staff_rules(staff)
        self._requests()
        self._cover()
        self.model.minimize(sum(w * t for w, t in self.terms))

    def _variables(self) -> None:
        """Days off and zero-limit shift types get no variable (hard: fixed off)."""
        inst = self.instance
        for staff in inst.staff:
            off = inst.days_off.get(staff.id, frozenset())
            for d in range(inst.horizon):
                if d in off:
                    continue
                for s in inst.shifts:
                    if staff.max_shifts.get(s, inst.horizon) > 0:
                        self.x[staff.id, d, s] = self.model.new_bool_var(f"x_{staff.id}_{d}_{s}")

    def works(self, e: str, d: int) -> cp_model.LinearExprT:
        return sum(self.x[e, d, s] for s in self.instance.shifts if (e, d, s) in self.x)

    def _staff_rules(self, staff: Staff) -> None:
        inst, m, e, horizon = self.instance, self.model, staff.id, self.instance.horizon
        work = [m.new_bool_var(f"work_{e}_{d}") for d in range(horizon)]
        for d in range(horizon):
            self.aux_day[e, d] = [work[d].index]
            self.work[e, d] = work[d]
        for d in range(horizon):
            m.add(work[d] == self.works(e, d))
            for s, spec in inst.shifts.items():
                for t in spec.cannot_follow:
                    if d + 1 < horizon and (e, d, s) in self.x and (e, d + 1, t) in self.x:
                        m.add_bool_or(~self.x[e, d, s], ~self.x[e, d + 1, t])
        for s, limit in staff.max_shifts.items():
            if limit < horizon:
                m.add(sum(self.x[e, d, s] for d in range(horizon) if (e, d, s) in self.x)
                      <= limit)
        minutes = sum(inst.shifts[s].minutes * var for (ee, _, s), var in self.x.items()
                      if ee == e)
        m.add(minutes <= staff.max_minutes)
        m.add(minutes >= staff.min_minutes)
        k = staff.max_consecutive
        for d in range(horizon - k):
            m.add(sum(work[d:d + k + 1]) <= k)
        _forbid_short_blocks(m, work, staff.min_consecutive, working=True)
        _forbid_short_blocks(m, work, staff.min_days_off, working=False)
        weekend = []
        for sat, sun in inst.weekends:
            w = m.new_bool_var(f"weekend_{e}_{sat // 7}")
            m.add_max_equality(w, [work[sat], work[sun]])
            weekend.append(w)
            self.weekend[e, sat] = w
            self.aux_day[e, sat].append(w.index)
            self.aux_day[e, sun].append(w.index)
        m.add(sum(weekend) <= staff.max_weekends)

    def _requests(self) -> None:
        for r in self.instance.on_requests:
            var = self.x.get((r.employee, r.day, r.shift))
            self.terms.append((r.weight, 1 - var if var is not None else 1))
        for r in self.instance.off_requests:
            var = self.x.get((r.employee, r.day, r.shift))
            if var is not None:
                self.terms.append((r.weight, var))

    def _cover(self) -> None:
        m = self.model
        for c in self.instance.cover:
            staffed = sum(self.x[e.id, c.day, c.shift] for e in self.instance.staff
                          if (e.id, c.day, c.shift) in self.x)
            under = m.new_int_var(0, c.requirement, f"under_{c.day}_{c.shift}")
            over = m.new_int_var(0, len(self.instance.staff), f"over_{c.day}_{c.shift}")
            m.add(staffed + under - over == c.requirement)
            self.terms += [(c.under, under), (c.over, over)]
            self.cover_vars.append((c, under, over))
            self.aux_cover[c.day, c.shift] = [under.index, over.index]

    def plan_objective(self, solver: cp_model.CpSolver) -> int:
        """The objective of the solver's plan as the benchmark counts it. A plan found
        before optimality may carry a row both under and over (under − over is what the
        equality fixes); counting only the net shortfall or surplus gives the scorer's
        value. (Forcing under = max(shortfall, 0) instead slowed the search badly:
        Instance8 at 30 s went from 1595 to 5444.)"""
        both = sum((c.under + c.over) * min(solver.value(u), solver.value(o))
                   for c, u, o in self.cover_vars)
        return round(solver.objective_value) - both

    def roster(self, solver: cp_model.CpSolver) -> dict[tuple[str, int], str]:
        return {(e, d): s for (e, d, s), v in self.x.items() if solver.boolean_value(v)}

    def roster_of(self, solution: list[int]) -> dict[tuple[str, int], str]:
        """The roster of a full solution vector (an LNS incumbent)."""
        return {(e, d): s for (e, d, s), v in self.x.items() if solution[v.index]}

    def freed(self, cells: set[tuple[str, int]]) -> set[int]:
        """Variable indexes an LNS step frees for these (employee, day) cells: their
        shifts, the employee's work and weekend literals, and the cover rows of those
        days (every other variable is fixed at the incumbent)."""
        inst = self.instance
        free = {i for (e, d) in cells for i in self.aux_day.get((e, d), ())}
        for e, d in cells:
            for s in inst.shifts:
                var = self.x.get((e, d, s))
                if var is not None:
                    free.add(var.index)
        for d in {d for _, d in cells}:
            for s in inst.shifts:
                free.update(self.aux_cover.get((d, s), ()))
        return free

    def first_plan(self, roster: Roster, settings: SolveSettings) -> Incumbent | None:
        """A feasible plan close to ``roster`` (e.g. the greedy one): every employee
        whose own plan keeps the hard rules keeps it, the others are re-planned one
        at a time by CP-SAT with everyone else fixed (cover rows free), each within
        an equal share of ``settings.time_limit_s``. Every hard rule of the benchmark
        concerns one employee, so this is feasible whenever each employee alone can
        be planned; None if one of them finds no plan in time."""
        inst = self.instance
        broken = [s.id for s in inst.staff if staff_violations(inst, s, roster)]
        incumbent = Incumbent(self.solution_of(roster), float("inf"))
        cover = {i for index in self.aux_cover.values() for i in index}
        deadline = time.perf_counter() + settings.time_limit_s
        for done, e in enumerate(broken):
            share = max((deadline - time.perf_counter()) / (len(broken) - done), 0.5)
            free = self.freed({(e, d) for d in range(inst.horizon)}) | cover
            for attempt in range(3):  # a busy machine may need more than the share
                step = SolveSettings(share * (1 + 3 * attempt), settings.seed,
                                     settings.workers)
                status, found = solve_neighbourhood(
                    self.model, incumbent, range(len(incumbent.solution)), free, step)
                if found is not None or status == cp_model.INFEASIBLE:
                    break
            if found is None:
                return None
            incumbent = found
        if not broken:  # the roster is feasible as it stands: price it
            incumbent.objective = objective(inst, roster)
        return self.net(incumbent)

    def solution_of(self, roster: Roster) -> list[int]:
        """The full solution vector of a roster: shifts, work and weekend literals, and
        every cover row's net shortfall and surplus."""
        solution = [0] * len(self.model.proto.variables)
        for (e, d, s), var in self.x.items():
            solution[var.index] = int(roster.get((e, d)) == s)
        for (e, d), var in self.work.items():
            solution[var.index] = int((e, d) in roster)
        for (e, sat), var in self.weekend.items():
            solution[var.index] = int((e, sat) in roster or (e, sat + 1) in roster)
        staffed: dict[tuple[int, str], int] = {}
        for (_, d), s in roster.items():
            staffed[d, s] = staffed.get((d, s), 0) + 1
        for c, under, over in self.cover_vars:
            have = staffed.get((c.day, c.shift), 0)
            solution[under.index] = max(c.requirement - have, 0)
            solution[over.index] = max(have - c.requirement, 0)
        return solution

    def net(self, incumbent: Incumbent) -> Incumbent:
        """The incumbent with every cover row's under/over at the net shortfall or
        surplus (a plan found before optimality may carry both) and its objective."""
        solution = list(incumbent.solution)
        saved = 0
        for c, u, o in self.cover_vars:
            both = min(solution[u.index], solution[o.index])
            if both:
                solution[u.index] -= both
                solution[o.index] -= both
                saved += both * (c.under + c.over)
        return Incumbent(solution, incumbent.objective - saved)


def _forbid_short_blocks(m: cp_model.CpModel, work: list[cp_model.IntVar], minimum: int,
                         working: bool) -> None:
    """No interior block of working (or free) days shorter than ``minimum``.

    Blocks touching day 0 or the last day are exempt (benchmarks/README.md).
    """
    horizon = len(work)

    def lit(d: int, inside: bool) -> cp_model.LiteralT:
        on = work[d] if working else ~work[d]
        return on if inside else ~on

    for length in range(1, minimum):
        for start in range(1, horizon - length):
            clause = [~lit(start - 1, False), ~lit(start + length, False)]
            clause += [~lit(d, True) for d in range(start, start + length)]
            m.add_bool_or(clause)


class _People:
    """Neighbourhood: a few employees re-planned over the whole horizon — one with
    unmet requests (drawn by their weight), one who could fill an under-covered shift,
    and random colleagues."""

    def __init__(self, built: CurtoisModel, size: int) -> None:
        self.built, self.size = built, size
        self.people = [s.id for s in built.instance.staff]

    def __call__(self, incumbent: Incumbent, rng: random.Random) -> Collection[int]:
        built, inst = self.built, self.built.instance
        roster = built.roster_of(incumbent.solution)
        unmet: dict[str, int] = {}
        for r in inst.on_requests:
            if roster.get((r.employee, r.day)) != r.shift:
                unmet[r.employee] = unmet.get(r.employee, 0) + r.weight
        for r in inst.off_requests:
            if roster.get((r.employee, r.day)) == r.shift:
                unmet[r.employee] = unmet.get(r.employee, 0) + r.weight
        group: set[str] = set()
        if unmet:
            group.add(rng.choices(list(unmet), list(unmet.values()))[0])
        short = [(c, u) for c, u, _ in built.cover_vars if incumbent.solution[u.index] > 0]
        if short:
            cover, _ = rng.choice(short)
            able = [e for e in self.people if (e, cover.day, cover.shift) in built.x
                    and roster.get((e, cover.day)) != cover.shift]
            if able:
                group.add(rng.choice(able))
        while len(group) < min(int(self.size), len(self.people)):
            group.add(rng.choice(self.people))
        return built.freed({(e, d) for e in group for d in range(inst.horizon)})

    def adapt(self, solved: bool) -> None:
        self.size = min(self.size + 0.5, len(self.people)) if solved else max(self.size - 1, 2)


class _Cover:
    """Neighbourhood: a few employees who could work an under-covered shift (drawn by
    its weight), re-planned over the whole horizon; a random group when every shift
    is covered."""

    def __init__(self, built: CurtoisModel, size: float) -> None:
        self.built, self.size = built, size
        self.people = [s.id for s in built.instance.staff]

    def __call__(self, incumbent: Incumbent, rng: random.Random) -> Collection[int]:
        built, inst = self.built, self.built.instance
        solution = incumbent.solution
        short = [(c, c.under * solution[u.index]) for c, u, _ in built.cover_vars
                 if solution[u.index] > 0]
        size = min(int(self.size), len(self.people))
        group: set[str] = set()
        if short:
            cover = rng.choices([c for c, _ in short], [w for _, w in short])[0]
            able = [e for e in self.people if (e, cover.day, cover.shift) in built.x]
            group.update(rng.sample(able, min(size, len(able))))
        while len(group) < size:
            group.add(rng.choice(self.people))
        return built.freed({(e, d) for e in group for d in range(inst.horizon)})

    def adapt(self, solved: bool) -> None:
        self.size = min(self.size + 0.5, len(self.people)) if solved else max(self.size - 1, 2)


class _Window:
    """Neighbourhood: every employee (or a random share of them) over a window of days,
    mostly one holding a day with a shift under-covered."""

    def __init__(self, built: CurtoisModel, days: int, share: float = 1.0) -> None:
        self.built, self.days, self.share = built, days, share
        self.horizon = built.instance.horizon
        self.people = [s.id for s in built.instance.staff]

    def __call__(self, incumbent: Incumbent, rng: random.Random) -> Collection[int]:
        days = min(int(self.days), self.horizon)
        short = [c.day for c, u, _ in self.built.cover_vars if incumbent.solution[u.index] > 0]
        if short and rng.random() < 0.7:  # around a day with a shift under-covered
            first = min(max(rng.choice(short) - rng.randrange(days), 0), self.horizon - days)
        else:
            first = rng.randrange(self.horizon - days + 1)
        span = range(first, first + days)
        chosen = rng.sample(self.people, max(1, round(self.share * len(self.people))))
        return self.built.freed({(e, d) for e in chosen for d in span})

    def adapt(self, solved: bool) -> None:
        self.days = min(self.days + 0.5, self.horizon) if solved else max(self.days - 1, 2)


#: Share of the time limit for repairing the greedy roster into the first plan, and
#: for CP-SAT on the whole model (hinted with the LNS plan) at the end.
FIRST_SHARE = 0.05
FINAL_SHARE = 0.10
#: Up to this many shift variables CP-SAT on the whole model (hinted with the LNS plan)
#: does better than more LNS steps (Instances 5, 7, 8 against 10, 11, 12), and then
#: gets this share of the time instead.
SMALL_MODEL = 3000
SMALL_FINAL_SHARE = 0.75
#: Up to this many shift variables (Instances 1, 2, 4) CP-SAT on the whole model proves
#: the optimum in seconds: no LNS at all.
TINY_MODEL = 500
#: The LNS neighbourhoods, taken in turn.
NEIGHBOURHOODS = {
    "base": lambda b: [_People(b, 4), _Window(b, 5), _People(b, 8), _Window(b, 10, 0.5)],
    "cover": lambda b: [_People(b, 4), _Window(b, 5), _Cover(b, 6), _Window(b, 10, 0.5)],
}
NEIGHBOURHOOD_SET = "cover"
#: Seconds a single LNS step may take.
STEP_S = 1.5
#: Whether an LNS step's different plan of equal objective replaces the incumbent.
ACCEPT_EQUAL = True


def solve(instance: Instance, settings: SolveSettings,
          hint: Roster | None = None) -> BenchmarkResult:
    """Solve one instance within ``settings.time_limit_s`` (model build included).

    A greedy roster (``greedy_roster``, or ``hint``) made feasible by CP-SAT re-planning
    the employees it leaves breaking a hard rule (``CurtoisModel.first_plan``); then
    large-neighbourhood search (``planning.cpsat.large_neighbourhood_search``) over a
    few employees for the whole horizon and all or half the employees over a window of
    days around an under-covered shift; then CP-SAT on the whole model, hinted with the
    best plan, for the rest of the time (most of it on small models) and the bound. If
    the repair finds nothing in time, CP-SAT on the whole model finds the first plan.
    The objective is recomputed by the independent scorer.
    """
    cpu_started = time.process_time()
    result = _solve(instance, settings, hint)
    return replace(result, cpu_s=time.process_time() - cpu_started)


def _solve(instance: Instance, settings: SolveSettings, hint: Roster | None) -> BenchmarkResult:
    """``solve`` without the CPU accounting."""
    started = time.perf_counter()
    deadline = started + settings.time_limit_s
    built = CurtoisModel(instance)
    if hint:
        for key, var in built.x.items():
            built.model.add_hint(var, hint.get(key[:2]) == key[2])
    first = SolveSettings(max(FIRST_SHARE * settings.time_limit_s, 0.5), settings.seed,
                          settings.workers, settings.subsolvers)
    incumbent = built.first_plan(hint or greedy_roster(instance), first)
    bound = 0.0
    if incumbent is None:  # no repair: CP-SAT on the whole model finds one
        solver = make_solver(SolveSettings(max(deadline - time.perf_counter(), 0.5),
                                           settings.seed, settings.workers,
                                           settings.subsolvers))
        status = solver.solve(built.model)
        bound = solver.best_objective_bound
        if status == cp_model.FEASIBLE:
            incumbent = built.net(Incumbent(list(solver.response_proto.solution),
                                            solver.objective_value))
    else:
        status = cp_model.FEASIBLE
    if incumbent is not None:
        fixable = range(len(incumbent.solution))
        neighbourhoods = NEIGHBOURHOODS[NEIGHBOURHOOD_SET](built)
        final_share = SMALL_FINAL_SHARE if len(built.x) <= SMALL_MODEL else FINAL_SHARE
        lns_end = deadline - final_share * settings.time_limit_s
        if len(built.x) <= TINY_MODEL:
            lns_end = time.perf_counter()
        incumbent, _ = large_neighbourhood_search(
            built.model, incumbent, fixable, neighbourhoods, lns_end, settings.seed,
            settings.workers, STEP_S, polish=built.net, accept_equal=ACCEPT_EQUAL)
        built.model.clear_hints()
        built.model.proto.solution_hint.vars.extend(range(len(incumbent.solution)))
        built.model.proto.solution_hint.values.extend(incumbent.solution)
        left = max(deadline - time.perf_counter(), 0.5)
        solver = make_solver(SolveSettings(left, settings.seed, settings.workers,
                                           settings.subsolvers))
        final = solver.solve(built.model)
        bound = max(bound, solver.best_objective_bound)
        if final in (cp_model.OPTIMAL, cp_model.FEASIBLE) and \
                solver.objective_value <= incumbent.objective:
            status = final
        else:
            return _result(instance, built, built.roster_of(incumbent.solution),
                           _net(built, incumbent.solution, incumbent.objective), bound,
                           cp_model.FEASIBLE, started, settings.seed)
    wall = time.perf_counter() - started
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return BenchmarkResult(instance.name, {}, None, None, bound,
                               STATUS_NAMES[status], False, wall, settings.seed)
    solution = list(solver.response_proto.solution)
    return _result(instance, built, built.roster(solver),
                   _net(built, solution, solver.objective_value), bound, status, started,
                   settings.seed)


def _net(built: CurtoisModel, solution: list[int], model_objective: float) -> int:
    """``plan_objective`` for a solution vector: rows both under and over count net."""
    both = sum((c.under + c.over) * min(solution[u.index], solution[o.index])
               for c, u, o in built.cover_vars)
    return round(model_objective) - both


def _result(instance: Instance, built: CurtoisModel, roster: dict[tuple[str, int], str],
            model_objective: int, bound: float, status: int, started: float,
            seed: int) -> BenchmarkResult:
    """Check the roster with the independent scorer and package the result."""
    broken = hard_violations(instance, roster)
    if broken:
        raise AssertionError(f"{instance.name}: model roster breaks hard rules: {broken[:3]}")
    if objective(instance, roster) != model_objective:
        raise AssertionError(f"{instance.name}: model objective {model_objective}"
                             f" differs from the scorer's {objective(instance, roster)}")
    return BenchmarkResult(
        instance.name, roster, model_objective, model_objective, bound,
        STATUS_NAMES[status], status == cp_model.OPTIMAL, time.perf_counter() - started, seed)


def greedy_roster(instance: Instance) -> dict[tuple[str, int], str]:
    """A first roster built day by day: each cover requirement (scarcest shift first)
    goes to the employee for whom it breaks no upper limit (max shifts, minutes,
    consecutive shifts, weekends, shift order, days off, a too short break) and who
    ranks best: continuing a block shorter than its minimum, then request weight, then
    the most minutes still missing. Lower limits (minimum minutes, block lengths at
    the end) are not promised: the plan is CP-SAT's hint, which repairs what is left.
    """
    inst = instance
    staff = {s.id: s for s in inst.staff}
    roster: dict[tuple[str, int], str] = {}
    minutes = dict.fromkeys(staff, 0)
    counts: dict[tuple[str, str], int] = {}
    weekends: dict[str, set[int]] = {e: set() for e in staff}
    wanted = {(r.employee, r.day, r.shift): r.weight for r in inst.on_requests}
    unwanted = {(r.employee, r.day, r.shift): r.weight for r in inst.off_requests}
    demand: dict[int, list[Cover]] = {}
    for c in inst.cover:
        demand.setdefault(c.day, []).append(c)

    def run(e: str, d: int, working: bool) -> int:
        """Length of the block of (non-)working days ending at day d - 1."""
        length = 0
        while d - 1 - length >= 0 and ((e, d - 1 - length) in roster) == working:
            length += 1
        return length

    def fits(e: str, d: int, s: str) -> bool:
        member = staff[e]
        if (e, d) in roster or d in inst.days_off.get(e, ()):
            return False
        if counts.get((e, s), 0) >= member.max_shifts.get(s, inst.horizon):
            return False
        if minutes[e] + inst.shifts[s].minutes > member.max_minutes:
            return False
        if run(e, d, True) + 1 > member.max_consecutive:
            return False
        before = roster.get((e, d - 1))
        if before is not None and s in inst.shifts[before].cannot_follow:
            return False
        off = run(e, d, False)
        if 0 < off < d and off < member.min_days_off:  # an interior break too short
            return False
        week = d // 7
        if d % 7 >= 5 and week not in weekends[e] and len(weekends[e]) >= member.max_weekends:
            return False
        return True

    def rank(e: str, d: int, s: str) -> tuple[int, int, int]:
        member = staff[e]
        working = run(e, d, True)
        short_block = 0 < working < member.min_consecutive
        return (-short_block, -(wanted.get((e, d, s), 0) - unwanted.get((e, d, s), 0)),
                -(member.min_minutes - minutes[e]))

    for d in range(inst.horizon):
        rows = sorted(demand.get(d, []), key=lambda c: sum(
            1 for e in staff if fits(e, d, c.shift)) - c.requirement)
        for c in rows:
            for _ in range(c.requirement):
                able = [e for e in staff if fits(e, d, c.shift)]
                if not able:
                    break
                e = min(able, key=lambda e: rank(e, d, c.shift))
                roster[e, d] = c.shift
                minutes[e] += inst.shifts[c.shift].minutes
                counts[e, c.shift] = counts.get((e, c.shift), 0) + 1
                if d % 7 >= 5:
                    weekends[e].add(d // 7)
    _mend(inst, roster)
    return roster


def _mend(inst: Instance, roster: dict[tuple[str, int], str], rounds: int = 12) -> None:
    """Local repair of the greedy roster, one employee at a time: add or drop single
    shifts while that lowers the employee's breaches (counted by the scorer, minutes
    short weighed in), preferring under-covered shifts to add and over-covered ones to
    drop. What is left is repaired by CP-SAT (``CurtoisModel.first_plan``)."""
    need = {(c.day, c.shift): c.requirement for c in inst.cover}
    have: dict[tuple[int, str], int] = {}
    for (_, d), s in roster.items():
        have[d, s] = have.get((d, s), 0) + 1

    def badness(member: Staff) -> int:
        broken = staff_violations(inst, member, roster)
        worked = sum(inst.shifts[s].minutes for (e, _), s in roster.items() if e == member.id)
        return 1000 * len(broken) + max(member.min_minutes - worked, 0)

    for member in inst.staff:
        e = member.id
        current = badness(member)
        for _ in range(rounds):
            if current == 0:
                break
            best: tuple[int, int, int, str | None] | None = None
            for d in range(inst.horizon):
                old = roster.get((e, d))
                options: list[str | None] = [None] if old else list(inst.shifts)
                for s in options:
                    if s is not None and member.max_shifts.get(s, inst.horizon) == 0:
                        continue
                    _set(roster, e, d, s)
                    value = badness(member)
                    _set(roster, e, d, old)
                    if value >= current:
                        continue
                    slot = (d, s or old or "")
                    cover = have.get(slot, 0) - need.get(slot, 0)  # surplus before the move
                    gain = cover if s is None else -cover
                    if best is None or (value, -gain) < (best[0], -best[1]):
                        best = (value, gain, d, s)
            if best is None:
                break
            value, _, d, s = best
            old = roster.get((e, d))
            if old:
                have[d, old] -= 1
            if s:
                have[d, s] = have.get((d, s), 0) + 1
            _set(roster, e, d, s)
            current = value


def _set(roster: dict[tuple[str, int], str], e: str, d: int, s: str | None) -> None:
    if s is None:
        roster.pop((e, d), None)
    else:
        roster[e, d] = s
