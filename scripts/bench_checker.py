"""Time the agreement-rule checker on a large generated roster (issue 3 target: a
300-person, 8-week roster in under 1 s). Prints a table and appends it to BENCHMARKS.md.

    python scripts/bench_checker.py [--people 300] [--weeks 8] [--repeat 3] [--no-suggest]
                                    [--no-append]

Each run checks a fresh copy of the plan (nothing the checker keeps per plan carries
over; the process-wide caches of times and shift lengths do, after the first run).
Wall and CPU time are both given: the machine is shared, and CPU time varies less.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from dataclasses import replace
from datetime import date, datetime, timedelta
from datetime import time as clock_time

from planning.checker import check
from planning.model import Person, RosterPlan, Shift
from scripts.benchlog import append, commit, machine

LAYERS = {"dag": (7, 8), "aften": (15, 8), "nat": (23, 8)}


def roster(people: int, weeks: int, seed: int) -> RosterPlan:
    """A plausible roster: 4–5 shifts a week per person, a few rule breaches."""
    rng = random.Random(seed)
    start = date(2026, 11, 23)
    shifts: list[Shift] = []
    for p in range(people):
        layer = rng.choice(["dag", "dag", "aften", "nat"])
        hour, length = LAYERS[layer]
        for week in range(weeks):
            for day in sorted(rng.sample(range(7), rng.choice((4, 5)))):
                begin = datetime.combine(start + timedelta(weeks=week, days=day),
                                         clock_time(hour))
                shifts.append(Shift(f"p{p}", begin, begin + timedelta(hours=length), layer,
                                    shift_id=f"s{p}-{week}-{day}"))
    persons = {f"p{p}": Person(f"p{p}", name=f"Person {p}", weekly_hours=rng.choice(
        (37.0, 32.0, 30.0, 28.0))) for p in range(people)}
    return RosterPlan(start, weeks, tuple(shifts), people=persons)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--weeks", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-suggest", action="store_true",
                        help="the rules' general suggestions only (no named colleagues)")
    parser.add_argument("--no-append", action="store_true", help="do not touch BENCHMARKS.md")
    args = parser.parse_args(argv)
    plan = roster(args.people, args.weeks, args.seed)
    times, cpu, result = [], [], None
    for _ in range(args.repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = check(replace(plan), suggest=not args.no_suggest)  # a fresh plan each time
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    assert result is not None
    table = "\n".join([
        f"## Rule checker (`scripts/bench_checker.py`) — {datetime.now():%Y-%m-%d %H:%M}",
        "",
        f"- commit: `{commit()}`; machine: {machine()}",
        f"- generated roster, seed {args.seed}; all 20 rules with default parameters; "
        f"{'general suggestions only' if args.no_suggest else 'named-colleague suggestions'}; "
        f"first of {args.repeat} runs (cold caches) {times[0]:.3f} s, {cpu[0]:.3f} s CPU",
        "",
        "| people | weeks | shifts | violations (hard/soft) | cost lines | median s | min s "
        "| median CPU s |",
        "|---:|---:|---:|---|---:|---:|---:|---:|",
        f"| {args.people} | {args.weeks} | {len(plan.shifts)} | {len(result.hard)}/"
        f"{len(result.soft)} | {len(result.costs)} | {statistics.median(times):.3f} | "
        f"{min(times):.3f} | {statistics.median(cpu):.3f} |",
        "",
    ])
    print(table)
    if not args.no_append:
        append(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
