"""Large-neighbourhood search for the roster: re-plan a few people at a time.

The breaches that remain after the constructive plan (a person a few hours outside
the norm band, a weekend too many) need several people's shifts to move together
across the period. CP-SAT's own neighbourhoods are generic; here the steps
alternate between keeping every shift of all but a handful of members fixed — the
members with the most penalty, members who could take over uncovered demand, the
most and the least loaded person of a fairness spread, and random colleagues — and
keeping everything outside a window of days fixed, and let CP-SAT re-plan the rest
exactly (presolve off: most variables are fixed already). A step costs a second or
so; a better plan replaces the current one. Neighbourhood sizes adapt to how often
steps close within their time.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from planning.cpsat import SolveSettings, make_solver
from planning.roster_model import RosterModel

log = logging.getLogger(__name__)

#: Parts of the objective that point at a person worth re-planning.
PERSONAL_PARTS = ("soft_rules", "moved", "bids", "continuity")


@dataclass
class Incumbent:
    """The best plan so far: every variable's value, its objective and its solver."""

    solution: list[int]
    objective: float
    solver: cp_model.CpSolver


def improve(built: RosterModel, incumbent: Incumbent, deadline: float, seed: int,
            workers: int, step_s: float = 1.5, size: int = 4,
            window_days: int = 10, parts: Collection[str] = PERSONAL_PARTS,
            target: float | None = None) -> tuple[Incumbent, int]:
    """Re-plan small groups of people until ``deadline`` (perf_counter seconds), or
    until the plan scores ``target`` (a proven bound: nothing better exists).

    The objective is the model's own (a stage of the lexicographic solve, see
    ``planning.roster_solver``): ``incumbent.objective`` is its value, and ``parts``
    names the objective parts that point at a person worth re-planning.
    Returns the best plan and how many steps improved it.
    """
    rng = random.Random(seed)
    people = [m.employee for m in built.members]
    days = built.days
    improved = steps = 0
    # Neighbourhood sizes adapt: a step solved to optimality within its time grows the
    # next one of its kind, a step cut off by its time shrinks it.
    group_size, window = size, window_days
    while time.perf_counter() + 0.3 < deadline:
        if target is not None and incumbent.objective <= target + 0.5:
            break
        steps += 1
        by_people = steps % 2 == 1
        if by_people:  # a few people, the whole period
            group = _choose(built, incumbent, people, rng, group_size, parts)
            free = {key for key in built.x if key[0] in group}
        else:  # everyone, a window of days
            first = rng.randrange(max(len(days) - window, 0) + 1)
            span = set(days[first:first + window])
            free = {key for key in built.x if key[1] in span}
            group = {f"{days[first]}+{window}"}
        sub = cp_model.CpModel()
        sub.proto.copy_from(built.model.proto)
        for key, lit in built.x.items():
            if key not in free:
                index = lit.Index()
                domain = sub.proto.variables[index].domain
                domain[0] = domain[1] = incumbent.solution[index]
        sub.clear_hints()
        sub.proto.solution_hint.vars.extend(range(len(incumbent.solution)))
        sub.proto.solution_hint.values.extend(incumbent.solution)
        limit = min(step_s, deadline - time.perf_counter())
        solver = make_solver(SolveSettings(max(limit, 0.1), seed + steps, workers))
        solver.parameters.cp_model_presolve = False  # most variables are fixed already
        status = solver.solve(sub)
        log.debug("lns step %d %s: %s %s in %.2f s", steps, sorted(group),
                  solver.status_name(status), solver.objective_value, solver.wall_time)
        grow = 1 if status == cp_model.OPTIMAL else -1
        if by_people:
            group_size = min(max(group_size + grow, 2), 2 * size)
        else:
            window = min(max(window + 2 * grow, 4), 3 * window_days)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and \
                solver.objective_value < incumbent.objective - 0.5:
            incumbent = Incumbent(list(solver.response_proto.solution),
                                  solver.objective_value, solver)
            improved += 1
    return incumbent, improved


def _choose(built: RosterModel, incumbent: Incumbent, people: Sequence[str],
            rng: random.Random, size: int, parts: Collection[str] = PERSONAL_PARTS,
            ) -> set[str]:
    """Two people with personal penalty (drawn by weight: one over the norm band and
    one under it can trade a shift), someone who could cover uncovered demand, and
    random colleagues up to ``size``."""
    solver = incumbent.solver
    badness = dict.fromkeys(people, 0.0)
    for term in built.terms:
        if term.part in parts and term.employee in badness:
            badness[term.employee] += term.coefficient * _value(solver, term.expr)
    group: set[str] = set()
    weighted = [(e, w) for e, w in badness.items() if w > 0]
    for _ in range(min(2, len(weighted))):  # two, so a breach over and one under can pair
        names, weights = zip(*weighted, strict=True)
        chosen = rng.choices(names, weights)[0]
        group.add(chosen)
        weighted = [(e, w) for e, w in weighted if e != chosen]
    if "fairness" in parts and built.spreads:
        group |= _extremes(built, solver, rng)
    short = [(day, code) for day, code, var in built.uncovered if solver.value(var) > 0]
    if short:
        day, code = rng.choice(short)
        able = [e for e in people if (e, day, code) in built.x]
        if able:
            group.add(rng.choice(able))
    while len(group) < min(size, len(people)):
        group.add(rng.choice(people))
    return group


def _extremes(built: RosterModel, solver: cp_model.CpSolver, rng: random.Random,
              ) -> set[str]:
    """For one fairness spread (drawn by its width): the person with the most and the
    person with the least — only re-planning both can narrow it."""
    widths = []
    for counts in built.spreads.values():
        values = {e: _value(solver, expr) for e, expr in counts.items()}
        top, bottom = max(values, key=values.get), min(values, key=values.get)
        widths.append((values[top] - values[bottom], {top, bottom}))
    widths = [(w, pair) for w, pair in widths if w > 0]
    if not widths:
        return set()
    return rng.choices([pair for _, pair in widths], [w for w, _ in widths])[0]


def _value(solver: cp_model.CpSolver, expr: object) -> float:
    return expr if isinstance(expr, int | float) else solver.value(expr)
