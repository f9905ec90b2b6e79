"""Time a whole district's day: every team planned in parallel processes.

Uses the demo district (6 teams, about 310 citizens) in an existing store
(``--data-dir``) or builds it into a temporary directory first, then plans
every team's day for ``--date`` with ``pusleplan routes propose --district``'s
own function, once per worker count, and checks every plan independently.

    python scripts/bench_district.py --date 2026-11-25 --time-limit 6 --workers 1 2

Appends a table to ``BENCHMARKS.md`` (append only) unless ``--no-append``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from datetime import date

from domain.application import Pusleplan
from domain.settings import Settings
from planning.routing_check import check_proposal
from scripts.benchlog import append, commit, machine
from scripts.demo import build_demo
from scripts.routes_district import plan_district


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", help="a store holding the demo district (else built)")
    parser.add_argument("--date", type=date.fromisoformat, default=date(2026, 11, 25))
    parser.add_argument("--seed", type=int, default=1, help="demo seed when building")
    parser.add_argument("--citizens", type=int, default=300,
                        help="citizens of the district when building (420: ~900 visits a day)")
    parser.add_argument("--history-weeks", type=int, default=8,
                        help="weeks of history when building (2 give the recent caregivers)")
    parser.add_argument("--time-limit", type=float, default=6.0, help="seconds per team")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--no-append", action="store_true")
    args = parser.parse_args(argv)
    directory = args.data_dir
    if directory is None:
        directory = tempfile.mkdtemp(prefix="pusleplan-district-")
        app = Pusleplan.from_settings(Settings.from_env(data_dir=directory))
        build_demo(app, seed=args.seed, today=args.date, citizens=args.citizens,
                   history_weeks=args.history_weeks)
        app.close()
    settings = Settings.from_env(data_dir=directory)
    lines = ["| workers | teams | visits | people | stops served | unassigned | "
             "breaches | load s (sum) | plan s (sum) | wall s |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    breaches_total = 0
    reasons: Counter[str] = Counter()
    for workers in args.workers:
        started = time.perf_counter()
        days = plan_district(settings, args.date, time_limit_s=args.time_limit, workers=workers)
        wall = time.perf_counter() - started
        breaches = sum(len(check_proposal(d.context.problem, d.proposal, d.context.travel))
                       for d in days)
        breaches_total += breaches
        reasons = Counter(str(u.reason) for d in days for u in d.proposal.unassigned)
        lines.append(
            f"| {workers} | {len(days)} | {sum(len(d.context.problem.visits) for d in days)} | "
            f"{sum(len(d.context.problem.caregivers) for d in days)} | "
            f"{sum(len(r.stops) for d in days for r in d.proposal.run_lists)} | "
            f"{sum(len(d.proposal.unassigned) for d in days)} | {breaches} | "
            f"{sum(d.load_s for d in days):.1f} | {sum(d.plan_s for d in days):.1f} | "
            f"{wall:.1f} |")
        print(lines[-1], flush=True)
    text = "\n".join(lines) + (f"\n\nUnassigned by reason (last run): {dict(reasons)}."
                                if reasons else "")
    print(text)
    if not args.no_append:
        append(f"## Route planner: the demo district's day in parallel processes\n\n"
               f"{date.today()}, commit {commit()}, {machine()}. "
               f"`scripts/bench_district.py --date {args.date} --time-limit "
               f"{args.time_limit:g} --workers {' '.join(map(str, args.workers))}` "
               f"(demo seed {args.seed}, {args.citizens} citizens, {args.history_weeks} weeks of "
               f"history; per team: load the day from the store, plan it).\n\n"
               f"{text}\n")
    return 0 if not breaches_total else 1


if __name__ == "__main__":
    sys.exit(main())
