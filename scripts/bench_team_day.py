"""Time a realistic team day with the route planner and the puslemøde replanning.

A synthetic but plausible day (no personal data): 60 citizens in a small town,
about 150 visits, 12 people on the day shift in 3 professions (one of them a
substitute), 10 double-staffed visits, red/yellow/green triage, contact persons
and recent caregivers. Plans the day, checks the plan independently, then sends
one SSH home sick from 09:30 and replans.

    python scripts/bench_team_day.py --time-limit 8 --replan-limit 4 [--seed 1]

Appends a table to ``BENCHMARKS.md`` (append only) unless ``--no-append``.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from dataclasses import replace

from planning.replan import CaregiverSick, replan
from planning.routing import plan_routes
from planning.routing_check import check_proposal
from planning.routing_problem import (
    Caregiver,
    Location,
    Profession,
    RoutingProblem,
    TimeWindow,
    Triage,
    VisitRequest,
)
from planning.routing_proposal import RouteProposal
from planning.travel import HaversineTravelTimes
from scripts.bench_routes import provenance
from scripts.benchlog import append

TOWN = (55.64, 12.08)  # a town of about 5 x 5 km
SLOTS = ((420, 90), (450, 120), (600, 120), (690, 90), (780, 120))  # (window start, width)


def team_day(seed: int = 1, citizens: int = 60) -> RoutingProblem:
    """A day of one team: 12 people on shift 07:00–15:00, about 150 visits."""
    rng = random.Random(seed)
    base = Location(*TOWN, "suburban")
    roles = [Profession.SSH] * 6 + [Profession.SSA] * 4 + [Profession.SPL] * 2
    people = tuple(Caregiver(f"m{k:02d}", role, TimeWindow(420, 900), base,
                             is_substitute=(k == 5)) for k, role in enumerate(roles))
    regulars = [p.caregiver_id for p in people if not p.is_substitute]
    visits: list[VisitRequest] = []
    doubles = 0
    for c in range(citizens):
        home = Location(TOWN[0] + rng.uniform(-0.022, 0.022), TOWN[1] + rng.uniform(-0.04, 0.04),
                        rng.choice(["urban", "suburban", "suburban"]))
        triage = rng.choices(list(Triage), weights=[15, 25, 60])[0]
        contact = rng.choice(regulars)
        recent = frozenset(rng.sample(regulars, 2)) | {contact}
        for slot in sorted(rng.sample(range(len(SLOTS)), rng.choice([1, 2, 2, 3, 3, 4]))):
            start, width = SLOTS[slot]
            need = rng.choices([Profession.SSH, Profession.SSA, Profession.SPL],
                               weights=[70, 22, 8])[0]
            double = doubles < 10 and need == Profession.SSH and rng.random() < 0.12
            doubles += double
            visits.append(VisitRequest(
                f"b{c:02d}-{slot}", f"b{c:02d}", home, rng.choice([10, 15, 15, 20, 25, 30, 45]),
                TimeWindow(start, start + width), preferred=start + width // 3, profession=need,
                double_staffed=double, contact_person=contact, recent_caregivers=recent,
                triage=triage))
    return RoutingProblem(tuple(visits), people, seed=seed)


def busy_after(problem: RoutingProblem, proposal: RouteProposal, moment: int) -> float:
    """Share of the on-shift time after ``moment`` the replanned run lists fill.

    Visits, travel to them and breaks, over every person still working after
    ``moment`` (the sick person's shortened shift ends before it): how much
    room was left for the sick person's visits.
    """
    shifts = {c.caregiver_id: c.shift for c in problem.caregivers}
    used = room = 0
    for run in proposal.run_lists:
        shift = shifts[run.caregiver_id]
        if shift.end <= moment:
            continue
        room += shift.end - max(shift.start, moment)
        used += sum(s.end - s.start + s.travel_minutes for s in run.stops if s.start >= moment)
        if run.break_start is not None and run.break_start >= moment:
            used += run.break_minutes
    return used / room if room else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--time-limit", type=float, default=8.0)
    parser.add_argument("--replan-limit", type=float, default=4.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-append", action="store_true")
    args = parser.parse_args(argv)
    travel = HaversineTravelTimes()
    problem = team_day(args.seed)
    problem = replace(problem, time_limit_s=args.time_limit)
    started = time.perf_counter()
    plan = plan_routes(problem, travel)
    plan_s = time.perf_counter() - started
    breaches = check_proposal(problem, plan, travel)
    sick = next(p.caregiver_id for p in problem.caregivers
                if p.profession == Profession.SSH and not p.is_substitute)
    day = replace(problem, time_limit_s=args.replan_limit)
    started = time.perf_counter()
    result = replan(day, plan, CaregiverSick(sick, 570), travel_times=travel)
    replan_s = time.perf_counter() - started
    replan_breaches = check_proposal(result.problem, result.proposal, travel)
    reasons = Counter(str(u.reason) for u in plan.unassigned)
    replan_reasons = Counter(str(u.reason) for u in result.proposal.unassigned)
    load = busy_after(result.problem, result.proposal, 570)
    lines = [
        "| measure | value |", "|---|---|",
        f"| visits / double-staffed / people | {len(problem.visits)} / "
        f"{sum(v.double_staffed for v in problem.visits)} / {len(problem.caregivers)} |",
        f"| proposal wall s (limit {args.time_limit:g}) | {plan_s:.1f} |",
        f"| unassigned (reasons) | {len(plan.unassigned)} {dict(reasons) or ''} |",
        f"| hard-condition breaches (independent check) | {len(breaches)} |",
        f"| travel min / mean distinct staff per citizen | {plan.objective.travel_minutes} / "
        f"{plan.continuity.mean_distinct_staff} |",
        f"| share by contact person / within recent set | {plan.continuity.contact_share} / "
        f"{plan.continuity.recent_share} |",
        f"| sick {sick} from 09:30: replan wall s (limit {args.replan_limit:g}) | {replan_s:.1f} |",
        f"| forced moves / other stops moved / kept share | {result.forced} / "
        f"{result.moved_others} / {result.kept_share():.3f} |",
        f"| unassigned after replanning (reasons) / breaches | "
        f"{len(result.proposal.unassigned)} {dict(replan_reasons) or ''} / "
        f"{len(replan_breaches)} |",
        f"| the others' time after 09:30 taken by visits + travel + break | {load:.0%} |",
    ]
    # Which visits stay unplanned and why, one row each (the CLI says it in Danish).
    was_sick = {key[0] for key, (who, _) in plan.assignments().items() if who == sick}
    for item in result.proposal.unassigned:
        visit = result.problem.visit(item.visit_id)
        whose = f" (was {sick})" if item.visit_id in was_sick else ""
        lines.append(f"| unplanned {item.visit_id}{whose}"
                     f", {visit.window}, {visit.duration} min, {visit.profession}"
                     f"{', double' if visit.double_staffed else ''} | {item.reason}: "
                     f"{item.message} ({item.detail}) |")
    text = "\n".join(lines)
    print(text)
    if not args.no_append:
        append(f"## Route planner: synthetic team day (seed {args.seed})\n\n"
               f"{provenance()}. `scripts/bench_team_day.py --time-limit "
               f"{args.time_limit:g} --replan-limit {args.replan_limit:g}`.\n\n{text}\n")
    return 0 if not breaches and not replan_breaches else 1


if __name__ == "__main__":
    sys.exit(main())
