"""Explanations in Danish: why no roster fits (issue 3 item 5), why a bid was not met.

Infeasibility: the model is rebuilt in explain mode, where every hard constraint is
guarded by an assumption literal per rule × person (or × day, week, layer).
CP-SAT's ``sufficient_assumptions_for_infeasibility`` gives a conflicting set, which
is then shrunk by deletion (drop one guard; if still infeasible it was not needed)
as far as the time allows.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, timedelta

from ortools.sat.python import cp_model

from planning.checker import check
from planning.cpsat import SolveSettings, make_solver
from planning.danish import day_da
from planning.model import Shift
from planning.roster_model import Guard, RosterModel
from planning.roster_problem import Bid, BidKind, RosterProblem
from planning.rules import Catalogue

#: Names of the planner's own requirements (not agreement rules).
REQUIREMENTS_DA = {
    "BEMANDING": "Minimumsbemanding (grundregel)",
    "MAKSNAT": "Grundregel om antal nattevagter",
    "NAT": "Grundregel om nattevagter",
    "LAG": "Vagtlag",
    "FRAVÆR": "Fravær",
    "BEHOV": "Behov",
}


@dataclass(frozen=True)
class Conflict:
    """One requirement in a conflicting set: rule (R1…R20 or a planner requirement),
    person (if any), days, and a Danish sentence."""

    rule: str
    employee: str | None
    dates: tuple[date, ...]
    text: str


def explain_infeasible(problem: RosterProblem, rules: Catalogue, time_limit_s: float
                       ) -> tuple[str, tuple[Conflict, ...]]:
    """A Danish explanation and the conflicting requirements of an infeasible problem."""
    deadline = time.perf_counter() + time_limit_s
    built = RosterModel(problem, rules, explain=True)
    by_index = {g.literal.index: g for g in built.guards.values()}
    status, core = _solve(built, list(built.guards.values()), by_index, problem,
                          max(deadline - time.perf_counter(), 1.0))
    if status != cp_model.INFEASIBLE:
        return ("Der findes ingen vagtplan, der overholder de hårde regler, men konflikten "
                "kunne ikke indkredses inden for tidsgrænsen.", ())
    core = _shrink(built, core, by_index, problem, deadline)
    conflicts = _merge(core)
    lines = [f"– {_label(c.rule, rules)}: {c.text}{_when(c.dates, problem)}." for c in conflicts]
    message = ("Der findes ingen vagtplan, der overholder alle hårde regler. Disse krav kan "
               "ikke opfyldes på samme tid:\n" + "\n".join(lines) +
               "\nLøsn et af kravene (fx flere, der må tage vagten, lavere bemanding eller en "
               "anden regelværdi), og prøv igen.")
    return message, conflicts


def _solve(built: RosterModel, assumed: list[Guard], by_index: dict[int, Guard],
           problem: RosterProblem, limit: float) -> tuple[int, list[Guard]]:
    built.model.clear_assumptions()
    built.model.add_assumptions([g.literal for g in assumed])
    solver = make_solver(SolveSettings(limit, problem.seed, problem.workers))
    status = solver.solve(built.model)
    if status != cp_model.INFEASIBLE:
        return status, []
    core = [by_index[i] for i in solver.sufficient_assumptions_for_infeasibility()
            if i in by_index]
    return status, core or assumed


def _shrink(built: RosterModel, core: list[Guard], by_index: dict[int, Guard],
            problem: RosterProblem, deadline: float) -> list[Guard]:
    """Deletion filter: drop each guard in turn and keep it only if needed."""
    i = 0
    while i < len(core) and time.perf_counter() < deadline - 0.2:
        trial = core[:i] + core[i + 1:]
        limit = min(2.0, deadline - time.perf_counter())
        status, smaller = _solve(built, trial, by_index, problem, limit)
        if status == cp_model.INFEASIBLE:
            kept = {id(g) for g in smaller}
            core = [g for g in trial if id(g) in kept]
        else:
            i += 1
    return core


def _merge(core: list[Guard]) -> tuple[Conflict, ...]:
    """One conflict per rule, person and sentence, with the union of their days."""
    merged: dict[tuple[str, str | None, str], set[date]] = {}
    for guard in core:
        merged.setdefault((guard.rule, guard.employee, guard.text), set()).update(guard.dates)
    order = sorted(merged, key=lambda k: (k[0] not in REQUIREMENTS_DA, k[0], k[1] or "", k[2]))
    return tuple(Conflict(rule, who, tuple(sorted(merged[rule, who, text])), text)
                 for rule, who, text in order)


def _label(rule_id: str, rules: Catalogue) -> str:
    if rule_id in REQUIREMENTS_DA:
        return REQUIREMENTS_DA[rule_id]
    return f"{rule_id} {rules[rule_id].name_da}"


def _when(dates: tuple[date, ...], problem: RosterProblem) -> str:
    """' (mandag 23. november–onsdag 25. november, fredag 27. november)'; nothing when
    the dates are the whole period or none."""
    if not dates or set(problem.days) <= set(dates):
        return ""
    runs: list[list[date]] = []
    for day in dates:
        if runs and day - runs[-1][-1] == timedelta(days=1):
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = [day_da(r[0]) if len(r) == 1 else f"{day_da(r[0])}–{day_da(r[-1])}" for r in runs]
    return f" ({', '.join(parts)})"


def unmet_bids(problem: RosterProblem, built: RosterModel, solver: cp_model.CpSolver,
               shifts: tuple[Shift, ...], rules: Catalogue) -> list[tuple[Bid, str]]:
    """Every bid the plan does not meet, with a Danish reason."""
    found = []
    for bid, expr in built.bid_terms:
        if (expr if isinstance(expr, int) else solver.value(expr)) > 0:
            found.append((bid, _why(problem, shifts, bid, rules)))
    return found


def _why(problem: RosterProblem, shifts: tuple[Shift, ...], bid: Bid, rules: Catalogue) -> str:
    e, day = bid.employee, bid.day
    member = problem.member(e)
    own = tuple(s for s in shifts if s.employee == e)
    if day is not None and problem.is_absent(e, day):
        return f"{member.name} er fraværende {day_da(day)}."
    if bid.kind is BidKind.WANT_ROUTE and day is None:
        other = sorted({s.route for s in own if s.route and s.route != bid.route})
        return (f"Dækningen krævede vagter på {', '.join(other)}; de andre på rute "
                f"{bid.route} havde allerede vagterne, eller reglerne tillod det ikke.")
    assert day is not None
    if bid.kind in (BidKind.AVOID, BidKind.DAY_OFF):
        return (f"Uden {member.name} {day_da(day)} ville behovet ikke være dækket, eller "
                "en anden ville bryde en regel; den samlede plan blev bedre sådan.")
    wanted = [t for t in problem.shift_types
              if (bid.shift_type is None or t.code == bid.shift_type)
              and (bid.kind is not BidKind.WANT_ROUTE or t.route == bid.route)]
    needed = [t for t in wanted
              if any(d.day == day and d.shift_type == t.code for d in problem.demand)]
    if not needed:
        return f"Der er ikke brug for den vagt {day_da(day)}."
    allowed = [t for t in needed if member.may_work(t)]
    if not allowed:
        return f"{member.name} må ikke tage den vagt (vagtlag eller grundregel)."
    reasons = []
    for t in allowed:
        trial = tuple(s for s in own if s.day != day) + (t.shift(e, day),)
        hard = check(problem.plan(trial), rules).hard
        if not hard:
            return (f"Vagten {t.code} {day_da(day)} blev givet til andre; det gav den bedste "
                    "samlede plan (dækning, regler og andres ønsker).")
        reasons.append(f"{hard[0].rule}: {hard[0].message}")
    return "Vagten ville bryde en hård regel – " + " ".join(reasons[:1])
