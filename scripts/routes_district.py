"""``pusleplan routes propose --district``: every team's day, in parallel processes.

Planning is per team (DESIGN.md: "solver jobs spread over processes without
sharing state"): each worker process opens the store, builds one team's day
and plans it; the parent prints a table per team and, with ``--accept``,
records each team's proposal.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.application import Pusleplan
from domain.errors import DomainError
from domain.settings import Settings
from domain.teams import team_id
from planning.routing import plan_routes
from planning.routing_proposal import RouteProposal
from planning.travel import TravelDataError
from web.dayproblem import DayContext, build_day, travel_times

TEAM_CREATED = "domain.teams:Team.TeamCreated"


@dataclass
class TeamDay:
    """One team's planned day, as a worker returns it."""

    code: str
    context: DayContext
    proposal: RouteProposal
    load_s: float
    plan_s: float


def team_codes(app: Pusleplan) -> list[str]:
    """Every team's code, in the order the teams were created."""
    codes: list[str] = []
    position = 0
    while True:
        batch = app.recorder.select_notifications(start=position + 1, limit=1000,
                                                  topics=[TEAM_CREATED])
        for notification in batch:
            codes.append(app.mapper.to_domain_event(notification).code)
            position = notification.id
        if len(batch) < 1000:
            return codes


def plan_team(settings: Settings, code: str, day: date, time_limit_s: float,
              seed: int) -> TeamDay:
    """Build and plan one team's day (runs in a worker process)."""
    started = time.perf_counter()
    app = Pusleplan.from_settings(settings)
    try:
        context = build_day(app, team_id(code), day, time_limit_s=time_limit_s, seed=seed,
                            travel=travel_times(settings))
    finally:
        app.close()
    loaded = time.perf_counter()
    proposal = plan_routes(context.problem, context.travel)
    return TeamDay(code, context, proposal, loaded - started, time.perf_counter() - loaded)


def plan_district(settings: Settings, day: date, *, time_limit_s: float, seed: int = 0,
                  workers: int = 2, codes: list[str] | None = None) -> list[TeamDay]:
    """Every team's day planned by ``workers`` processes (1: in this process)."""
    if codes is None:
        app = Pusleplan.from_settings(settings)
        try:
            codes = team_codes(app)
        finally:
            app.close()
    if workers <= 1:
        return [plan_team(settings, code, day, time_limit_s, seed) for code in codes]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(plan_team, settings, code, day, time_limit_s, seed)
                   for code in codes]
        return [future.result() for future in futures]


def table(days: list[TeamDay], wall_s: float) -> str:
    """A Markdown table: per team visits, people, assigned, unassigned, travel, times."""
    lines = ["| team | visits | people | stops served | unassigned | travel min | "
             "load s | plan s |", "|---|---|---|---|---|---|---|---|"]
    for day in days:
        served = sum(len(run.stops) for run in day.proposal.run_lists)
        lines.append(f"| {day.code} | {len(day.context.problem.visits)} | "
                     f"{len(day.context.problem.caregivers)} | {served} | "
                     f"{len(day.proposal.unassigned)} | "
                     f"{day.proposal.objective.travel_minutes} | {day.load_s:.1f} | "
                     f"{day.plan_s:.1f} |")
    visits = sum(len(d.context.problem.visits) for d in days)
    unassigned = sum(len(d.proposal.unassigned) for d in days)
    lines.append(f"| **district** | {visits} | "
                 f"{sum(len(d.context.problem.caregivers) for d in days)} | "
                 f"{sum(len(r.stops) for d in days for r in d.proposal.run_lists)} | "
                 f"{unassigned} | {sum(d.proposal.objective.travel_minutes for d in days)} | "
                 f"wall {wall_s:.1f} s | |")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """The ``--district`` branch of ``pusleplan routes propose``."""
    from scripts.routes_cli import accept, proposal_json

    settings = Settings.from_env(data_dir=args.data_dir)
    started = time.perf_counter()
    try:
        days = plan_district(settings, args.date, time_limit_s=args.time_limit,
                             seed=args.seed, workers=args.workers)
    except DomainError as error:
        print(f"pusleplan routes: {error.detail}", file=sys.stderr)
        return 2
    except TravelDataError as error:
        print(f"pusleplan routes: travel times: {error}", file=sys.stderr)
        return 2
    wall = time.perf_counter() - started
    if args.json:
        out: list[dict[str, Any]] = [proposal_json(d.context, d.proposal) for d in days]
        print(json.dumps({"date": args.date.isoformat(), "wall_s": round(wall, 2),
                          "workers": args.workers, "teams": out}, ensure_ascii=False, indent=2))
    else:
        print(f"Kørelister for distriktet {args.date}: {len(days)} teams, "
              f"{args.workers} processer, {wall:.1f} s.\n")
        print(table(days, wall))
    if args.accept:
        app = Pusleplan.from_settings(settings)
        try:
            for day in days:
                accept(app, day.context, day.proposal)
        except DomainError as error:
            print(f"pusleplan routes: not recorded: {error.detail}", file=sys.stderr)
            return 2
        finally:
            app.close()
        print(f"Recorded the day plans of {len(days)} teams.", file=sys.stderr)
    return 0 if not any(d.proposal.unassigned for d in days) else 1
