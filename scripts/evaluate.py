"""``pusleplan evaluate``: compare two periods of a team (before/after a change).

``pusleplan evaluate --team OE1 --before 2026-01-05..2026-02-01 --after
2026-02-02..2026-03-01 --out rapport/`` brings the team overview up to date,
computes every figure of both periods with its difference and the number of
observations behind it (``projections.teamfigures``), the weekly course over
both periods, and — when the route planner is there — re-plans a few historic
days of each period (``scripts.evaluate_counterfactual``). It writes a
self-contained ``report.html`` (charts as inline SVG) and a CSV file per table:
``figures.csv``, ``weeks.csv``, ``continuity_distribution.csv`` and
``counterfactual.csv``.

Exit codes: 0 written, 2 bad input (unknown team, a period that is not
``YYYY-MM-DD..YYYY-MM-DD``).
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from domain.application import Pusleplan
from domain.settings import Settings
from projections.catalogue import open_read_models
from projections.evaluation import Comparison, Period, compare, parse_period
from projections.runner import catch_up_all
from scripts.evaluate_counterfactual import Counterfactual, counterfactual

__all__ = ["Evaluation", "Period", "add_parser", "evaluate", "parse_period", "run",
           "sample_days"]


@dataclass
class Evaluation(Comparison):
    """Everything the report shows: the comparison and the re-planned days."""

    counterfactual: Counterfactual


def add_parser(commands: Any) -> None:
    """Add ``evaluate`` to the ``pusleplan`` parser."""
    parser = commands.add_parser("evaluate", help="compare two periods of a team (report)")
    parser.add_argument("--team", required=True, help="team code (e.g. OE1) or id")
    parser.add_argument("--before", required=True, help="FIRST..LAST, e.g. 2026-01-05..2026-02-01")
    parser.add_argument("--after", required=True, help="FIRST..LAST, e.g. 2026-02-02..2026-03-01")
    parser.add_argument("--out", type=Path, default=Path("evaluation"),
                        help="directory for report.html and the CSV files (default ./evaluation)")
    parser.add_argument("--data-dir", type=Path, help="directory of the SQLite store")
    parser.add_argument("--replan-days", type=int, default=2,
                        help="historic days per period to re-plan with the route planner "
                             "(default 2; 0: no counterfactual)")
    parser.add_argument("--replan-time-limit", type=float, default=3.0,
                        help="seconds per re-planned day (default 3)")
    parser.add_argument("--weights", default="",
                        help="route planner weights, e.g. contact_person=60,recent=30")
    parser.set_defaults(handler=run)


def parse_weights(text: str) -> dict[str, int]:
    weights: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, value = part.partition("=")
        if not sep or not value.strip().lstrip("-").isdigit():
            raise ValueError(f"--weights: {part!r} is not NAME=INTEGER")
        weights[name.strip()] = int(value)
    return weights


def run(args: argparse.Namespace) -> int:
    from scripts.evaluate_report import write_report

    try:
        before = parse_period("before", args.before)
        after = parse_period("after", args.after)
        weights = parse_weights(args.weights)
    except ValueError as error:
        print(f"pusleplan evaluate: {error}", file=sys.stderr)
        return 2
    settings = Settings.from_env(data_dir=args.data_dir)
    extra = {k: os.environ[k] for k in ("POSTGRES_SCHEMA",) if os.environ.get(k)}
    app = Pusleplan.from_settings(settings, **extra)
    try:
        evaluation = evaluate(app, settings, extra, args.team, before, after,
                              replan_days=args.replan_days,
                              time_limit_s=args.replan_time_limit, weights=weights)
    except LookupError as error:
        print(f"pusleplan evaluate: {error}", file=sys.stderr)
        return 2
    finally:
        app.close()
    paths = write_report(evaluation, args.out)
    print(f"Wrote {', '.join(str(p) for p in paths)}.", file=sys.stderr)
    return 0


def evaluate(app: Pusleplan, settings: Settings, extra_env: dict[str, str], team: str,
             before: Period, after: Period, *, replan_days: int = 2, time_limit_s: float = 3.0,
             weights: dict[str, int] | None = None) -> Evaluation:
    """Compute the evaluation; LookupError if the team is unknown."""
    with open_read_models(settings, extra_env, names=["TeamOverview"]) as models:
        catch_up_all(app, list(models))
        comparison = compare(models.view("TeamOverview"), team, before, after)
    days = sample_days(before, replan_days) + sample_days(after, replan_days)
    if days:
        replanned = counterfactual(app, UUID(comparison.team["team_id"]), days, weights or {},
                                   time_limit_s)
    else:
        replanned = Counterfactual(False, "no days were chosen for re-planning (--replan-days 0)")
    return Evaluation(comparison.team, comparison.before, comparison.after,
                      comparison.figures, comparison.weeks, replanned)


def sample_days(period: Period, count: int) -> list[date]:
    """``count`` weekdays spread evenly over the period."""
    weekdays = [period.start + timedelta(days=i) for i in range(period.days)
                if (period.start + timedelta(days=i)).weekday() < 5]
    if count <= 0 or not weekdays:
        return []
    step = len(weekdays) / count
    return sorted({weekdays[min(len(weekdays) - 1, int(step * (i + 0.5)))]
                   for i in range(count)})
