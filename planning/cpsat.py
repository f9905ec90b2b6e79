"""CP-SAT solver settings shared by the roster planner and the benchmark adapter.

STYLE.md convention 7: the time limit and the random seed are always explicit.
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ortools.sat import cp_model_pb2
from ortools.sat.python import cp_model


@dataclass(frozen=True)
class SolveSettings:
    """How long and how to search: every solve states them.

    ``subsolvers`` names CP-SAT's full-problem workers; empty keeps CP-SAT's default
    portfolio. With 2 workers, one full worker plus interleaved large-neighbourhood
    search is what fits (benchmarks/README.md, "Orientation figures").
    """

    time_limit_s: float = 10.0
    seed: int = 1
    workers: int = 2
    subsolvers: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.time_limit_s <= 0:
            raise ValueError("time limit must be positive")
        if self.workers < 1:
            raise ValueError("at least one worker")


def make_solver(settings: SolveSettings) -> cp_model.CpSolver:
    """A CpSolver with the settings' time limit, seed and worker count."""
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.max_time_in_seconds = settings.time_limit_s
    params.random_seed = settings.seed
    params.num_workers = settings.workers
    params.subsolvers.extend(settings.subsolvers)
    return solver


STATUS_NAMES = {
    cp_model.OPTIMAL: "OPTIMAL",
    cp_model.FEASIBLE: "FEASIBLE",
    cp_model.INFEASIBLE: "INFEASIBLE",
    cp_model.MODEL_INVALID: "MODEL_INVALID",
    cp_model.UNKNOWN: "UNKNOWN",
}


@dataclass
class Incumbent:
    """The best plan so far: every model variable's value and the objective it scores."""

    solution: list[int]
    objective: float


class Neighbourhood(Protocol):
    """Names the variables that stay free in the next step (every other decision
    variable is fixed), given the incumbent and a random source; ``adapt`` hears whether
    the step was solved to optimality within its time, so the size can follow."""

    def __call__(self, incumbent: Incumbent, rng: random.Random) -> Collection[int]: ...

    def adapt(self, solved: bool) -> None: ...


def solve_neighbourhood(model: cp_model.CpModel, incumbent: Incumbent, fixable: Sequence[int],
                        free: Collection[int], settings: SolveSettings,
                        ) -> tuple[int, Incumbent | None]:
    """Re-solve ``model`` with every variable of ``fixable`` outside ``free`` fixed to
    its incumbent value, hinting the incumbent. Returns the status and the plan found,
    if any (it may not be better); fixed variables keep their incumbent values.

    The sub-model holds only what the free variables touch (``_SubModel``): fixed
    terms are folded into bounds and the objective's offset, and constraints whose
    variables are all fixed are left out, so the incumbent must satisfy those (as it
    does in a search from a feasible plan). On the benchmark's larger models this cuts
    a step's overhead (building plus presolve) from about a second to a tenth.
    """
    index = _index(model)
    solution = incumbent.solution
    fixed = bytearray(len(solution))
    for number in fixable:
        fixed[number] = 1
    for number in free:
        fixed[number] = 0
    sub = _SubModel(index, solution, fixed)
    solver = make_solver(settings)
    status = solver.solve(sub.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return status, None
    found = list(solution)
    response = solver.response_proto.solution
    for original, local in sub.local.items():
        found[original] = response[local]
    return status, Incumbent(found, solver.objective_value)


_INT_MIN, _INT_MAX = -(2**63), 2**63 - 1

#: A cached constraint: (kind, enforcement literals, data). Kinds: "or", "and", "amo",
#: "exactly" (data: literals), "linear" (data: vars, coeffs, domain), "max" (data:
#: target and expressions as (vars, coeffs, offset)).
_Cached = tuple[str, list[int], object]


class _ModelIndex:
    """What ``solve_neighbourhood`` needs of a model, read once: every constraint as
    plain lists, the constraints of every variable, domains and the objective. (The
    model is read through its serialized form: walking the proto wrapper field by
    field takes seconds on the benchmark's larger models.)"""

    def __init__(self, model: cp_model.CpModel) -> None:
        source = _plain_proto(model)
        self.size = len(source.constraints)
        self.domains = [list(v.domain) for v in source.variables]
        self.constraints: list[_Cached] = [_read(c) for c in source.constraints]
        self.of_variable: list[list[int]] = [[] for _ in source.variables]
        for number, (kind, enforcement, data) in enumerate(self.constraints):
            refs = set(enforcement)
            refs.update(_data_refs(kind, data))
            for variable in {r if r >= 0 else -r - 1 for r in refs}:
                self.of_variable[variable].append(number)
        objective = source.objective if source.HasField("objective") else None
        if objective is not None and len(objective.domain):
            raise ValueError("solve_neighbourhood: objective domains are not supported")
        self.objective = None if objective is None else (
            list(objective.vars), list(objective.coeffs), objective.offset,
            objective.scaling_factor)


def _plain_proto(model: cp_model.CpModel) -> cp_model_pb2.CpModelProto:
    """The model as a protobuf message (through a temporary binary file)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.pb"
        if not model.export_to_file(str(path)):
            raise RuntimeError("solve_neighbourhood: the model could not be exported")
        return cp_model_pb2.CpModelProto.FromString(path.read_bytes())


def _read(c: cp_model_pb2.ConstraintProto) -> _Cached:
    """A constraint as plain lists; unsupported kinds are refused so no constraint is
    silently left out."""
    enforcement = list(c.enforcement_literal)
    kind = c.WhichOneof("constraint")
    short = {"bool_or": "or", "bool_and": "and", "at_most_one": "amo",
             "exactly_one": "exactly"}
    if kind in short:
        return short[kind], enforcement, list(getattr(c, kind).literals)
    if kind == "linear":
        return "linear", enforcement, (list(c.linear.vars), list(c.linear.coeffs),
                                       list(c.linear.domain))
    if kind == "lin_max":
        exprs = [(list(e.vars), list(e.coeffs), e.offset)
                 for e in [c.lin_max.target, *c.lin_max.exprs]]
        return "max", enforcement, exprs
    raise ValueError(f"solve_neighbourhood: unsupported constraint {kind}")


def _data_refs(kind: str, data: object) -> list[int]:
    if kind == "linear":
        return data[0]  # type: ignore[index]
    if kind == "max":
        return [v for expr in data for v in expr[0]]  # type: ignore[attr-defined]
    return data  # type: ignore[return-value]


class _SubModel:
    """The neighbourhood as its own small model over the variables it needs, numbered
    afresh (``local``: model index -> sub-model index)."""

    def __init__(self, index: _ModelIndex, solution: Sequence[int], fixed: bytearray) -> None:
        self.index, self.solution, self.fixed = index, solution, fixed
        self.model = cp_model.CpModel()
        self.proto = self.model.proto
        self.local: dict[int, int] = {}
        kept: set[int] = set()
        for variable, constraints in enumerate(index.of_variable):
            if not fixed[variable]:
                kept.update(constraints)
                self._var(variable)
        for number in sorted(kept):
            self._add(*index.constraints[number])
        self._objective()
        hint = self.proto.solution_hint
        hint.vars.extend(self.local.values())
        hint.values.extend(solution[v] for v in self.local)

    def _var(self, variable: int) -> int:
        local = self.local.get(variable)
        if local is None:
            local = len(self.local)
            self.local[variable] = local
            domain = self.index.domains[variable]
            if self.fixed[variable]:
                value = self.solution[variable]
                domain = [value, value]
            self.proto.variables.add().domain.extend(domain)
        return local

    def _ref(self, ref: int) -> int:
        return self._var(ref) if ref >= 0 else -self._var(-ref - 1) - 1

    def _value(self, ref: int) -> int | None:
        """A literal's fixed truth value, or None if it is free."""
        variable = ref if ref >= 0 else -ref - 1
        if not self.fixed[variable]:
            return None
        value = self.solution[variable]
        return value if ref >= 0 else 1 - value

    def _add(self, kind: str, enforcement: list[int], data: object) -> None:
        live: list[int] = []
        for ref in enforcement:
            value = self._value(ref)
            if value == 0:
                return  # not enforced
            if value is None:
                live.append(ref)
        constraint = self.proto.constraints.add()
        constraint.enforcement_literal.extend(self._ref(r) for r in live)
        if kind == "or":
            literals = []
            for ref in data:  # type: ignore[attr-defined]
                value = self._value(ref)
                if value == 1:
                    literals = [self._ref(ref)]
                    break  # satisfied by a fixed literal (kept as a one-literal clause)
                if value is None:
                    literals.append(self._ref(ref))
            constraint.bool_or.literals.extend(literals)
        elif kind in ("and", "amo", "exactly"):
            field = {"and": "bool_and", "amo": "at_most_one", "exactly": "exactly_one"}[kind]
            getattr(constraint, field).literals.extend(
                self._ref(r) for r in data)  # type: ignore[attr-defined]
        elif kind == "linear":
            variables, coeffs, domain = data  # type: ignore[misc]
            local_vars, local_coeffs, constant = self._free_part(variables, coeffs)
            linear = constraint.linear
            linear.vars.extend(local_vars)
            linear.coeffs.extend(local_coeffs)
            linear.domain.extend(b if b in (_INT_MIN, _INT_MAX) else b - constant
                                 for b in domain)
        else:  # lin_max
            target, *exprs = data  # type: ignore[misc]
            lin_max = constraint.lin_max
            for source, expr in zip([target, *exprs],
                                    [lin_max.target] + [lin_max.exprs.add() for _ in exprs],
                                    strict=True):
                expr.vars.extend(self._var(v) for v in source[0])
                expr.coeffs.extend(source[1])
                expr.offset = source[2]

    def _free_part(self, variables: Sequence[int], coeffs: Sequence[int]
                   ) -> tuple[list[int], list[int], int]:
        """A linear term over the sub-model: its free variables (renumbered) with their
        coefficients, and the fixed variables' contribution as a constant."""
        constant = 0
        local_vars, local_coeffs = [], []
        for v, c in zip(variables, coeffs, strict=True):
            if self.fixed[v]:
                constant += c * self.solution[v]
            else:
                local_vars.append(self._var(v))
                local_coeffs.append(c)
        return local_vars, local_coeffs, constant

    def _objective(self) -> None:
        """The objective over the free variables, the fixed terms in its offset."""
        if self.index.objective is None:
            return
        variables, coeffs, offset, scaling = self.index.objective
        objective = self.proto.objective
        local_vars, local_coeffs, constant = self._free_part(variables, coeffs)
        objective.vars.extend(local_vars)
        objective.coeffs.extend(local_coeffs)
        objective.offset = offset + constant
        objective.scaling_factor = scaling


_INDEXES: dict[int, tuple[cp_model.CpModel, _ModelIndex]] = {}


def _index(model: cp_model.CpModel) -> _ModelIndex:
    """The model's index, rebuilt when its constraints changed."""
    cached = _INDEXES.get(id(model))
    if cached is None or cached[0] is not model or \
            cached[1].size != len(model.proto.constraints):
        if len(_INDEXES) > 8:
            _INDEXES.clear()
        cached = (model, _ModelIndex(model))
        _INDEXES[id(model)] = cached
    return cached[1]


@dataclass
class LnsReport:
    """What a large-neighbourhood search did: steps tried, steps that improved."""

    steps: int = 0
    improved: int = 0
    optimal_steps: int = 0


def large_neighbourhood_search(model: cp_model.CpModel, incumbent: Incumbent,
                               fixable: Sequence[int],
                               neighbourhoods: Sequence[Neighbourhood], deadline: float,
                               seed: int, workers: int = 2, step_s: float = 1.5,
                               polish: Callable[[Incumbent], Incumbent] | None = None,
                               accept_equal: bool = False,
                               ) -> tuple[Incumbent, LnsReport]:
    """Improve ``incumbent`` until ``deadline`` (``time.perf_counter`` seconds).

    Each step takes the next neighbourhood in turn, frees the variables it names, fixes
    the other ``fixable`` ones at the incumbent and lets CP-SAT re-plan exactly for at
    most ``step_s`` seconds; a strictly better plan replaces the incumbent. The result
    is never worse than ``incumbent`` and satisfies every constraint of ``model``
    (each step solves ``model`` itself, only with narrowed domains). ``polish``, if
    given, maps a found plan to an equally feasible one that may score better (e.g.
    slack variables at their tightest values) before it is compared. With
    ``accept_equal`` a different plan of the same objective also replaces the
    incumbent (a walk on the plateau; the best plan is still never lost).
    """
    rng = random.Random(seed)
    report = LnsReport()
    fixable = list(fixable)
    while time.perf_counter() + 0.2 < deadline:
        choose = neighbourhoods[report.steps % len(neighbourhoods)]
        report.steps += 1
        free = set(choose(incumbent, rng))
        limit = min(step_s, deadline - time.perf_counter())
        settings = SolveSettings(max(limit, 0.05), seed + report.steps, workers)
        status, found = solve_neighbourhood(model, incumbent, fixable, free, settings)
        report.optimal_steps += status == cp_model.OPTIMAL
        choose.adapt(status == cp_model.OPTIMAL)
        if found is not None and polish is not None:
            found = polish(found)
        if found is None:
            continue
        if found.objective < incumbent.objective - 1e-6:
            incumbent = found
            report.improved += 1
        elif accept_equal and found.objective <= incumbent.objective + 1e-6 and \
                found.solution != incumbent.solution:
            incumbent = found
    return incumbent, report
