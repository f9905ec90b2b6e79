"""``pusleplan routes propose|sick``: the day's run lists, and the puslemøde replanning.

Travel times come from ``PUSLEPLAN_TRAVEL`` (see domain/settings.py).
Exit codes: 0 every visit planned, 1 some visits could not be planned, 2 bad input
(or travel times that cannot be had).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, replace
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from domain.application import Pusleplan
from domain.employees import employee_id
from domain.errors import DomainError
from domain.settings import Settings
from domain.teams import team_id
from domain.values import Actor, Role
from planning.replan import ReplanResult
from planning.routing import plan_routes
from planning.routing_eligibility import qualified, substitute_allowed
from planning.routing_problem import hhmm, minutes
from planning.routing_proposal import RouteProposal, Unassigned, UnassignedReason
from planning.travel import TravelDataError
from scripts import routes_district, routes_sick
from web.dayproblem import DayContext, build_day, travel_times

PLANNER = Actor("routes-cli", Role.PLANNER)
SHOWN = 5  # widened windows listed by name (the JSON has them all)


def add_parser(commands: Any) -> None:
    routes = commands.add_parser("routes", help="propose the day's run lists (kørelister)")
    actions = routes.add_subparsers(dest="routes_command", required=True, metavar="ACTION")
    propose = actions.add_parser("propose", help="propose run lists for a team's day")
    sick = actions.add_parser("sick", help="replan the day when someone goes home sick")
    propose.add_argument("--team", help="team code, e.g. OE1 (or --district)")
    propose.add_argument("--district", action="store_true",
                         help="every team of the district, planned in parallel processes")
    propose.add_argument("--workers", type=int, default=2,
                         help="processes for --district (default 2)")
    sick.add_argument("--team", required=True, help="team code, e.g. OE1")
    for parser in (propose, sick):
        parser.add_argument("--date", required=True, type=date.fromisoformat,
                            help="the day, YYYY-MM-DD")
        parser.add_argument("--data-dir", help="SQLite data directory")
        parser.add_argument("--time-limit", type=float, default=10.0,
                            help="seconds for the solver (default 10)")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--json", action="store_true", help="print JSON for programs")
    propose.add_argument("--accept", action="store_true",
                         help="record the proposal as the day plan (VisitPlanned events)")
    sick.add_argument("--accept", action="store_true",
                      help="record the replanning as VisitMoved events on the day plan(s)")
    sick.add_argument("--employee", required=True, help="employee number, e.g. OE1-03")
    sick.add_argument("--from", dest="from_time", required=True, type=_hhmm,
                      help="sick from HH:MM")
    propose.set_defaults(handler=run_propose)
    sick.set_defaults(handler=run_sick)


def _hhmm(text: str) -> int:
    try:
        return minutes(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _context(args: argparse.Namespace) -> tuple[Pusleplan, DayContext]:
    settings = Settings.from_env(data_dir=args.data_dir)
    app = Pusleplan.from_settings(settings)
    context = build_day(app, team_id(args.team), args.date, time_limit_s=args.time_limit,
                        seed=args.seed, travel=travel_times(settings))
    return app, context


def run_propose(args: argparse.Namespace) -> int:
    if args.district:
        return routes_district.run(args)
    if not args.team:
        print("pusleplan routes: give --team T or --district", file=sys.stderr)
        return 2
    try:
        app, context = _context(args)
        proposal = plan_routes(context.problem, context.travel)
    except DomainError as error:
        print(f"pusleplan routes: {error.detail}", file=sys.stderr)
        return 2
    except TravelDataError as error:
        print(f"pusleplan routes: travel times: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(proposal_json(context, proposal), ensure_ascii=False, indent=2))
    else:
        print(describe(context, proposal))
    if args.accept:
        try:
            accept(app, context, proposal)
        except DomainError as error:
            print(f"pusleplan routes: not recorded: {error.detail}", file=sys.stderr)
            return 2
        print(f"Recorded {sum(len(r.stops) for r in proposal.run_lists)} stops as the day "
              "plan.", file=sys.stderr)
    app.close()
    return 0 if not proposal.unassigned else 1


def run_sick(args: argparse.Namespace) -> int:
    try:
        app, context = _context(args)
    except DomainError as error:
        print(f"pusleplan routes: {error.detail}", file=sys.stderr)
        return 2
    sick_id = str(employee_id(args.employee))
    if sick_id not in context.names:
        print(f"pusleplan routes: {args.employee} is not on shift on {args.date}",
              file=sys.stderr)
        return 2
    try:
        team = routes_sick.current_day(app, context)
        result, sister = routes_sick.replan_sick(app, team, sick_id, args.from_time,
                                                 time_limit_s=args.time_limit, seed=args.seed)
    except TravelDataError as error:
        print(f"pusleplan routes: travel times: {error}", file=sys.stderr)
        return 2
    shown = result.proposal
    if sister is not None:
        context.names.update(sister.context.names)
        context.numbers.update(sister.context.numbers)
        context.services.update(sister.context.services)
        # The sister team's visits it had not planned anyway are its own business.
        own = {u.visit_id for u in sister.plan.unassigned}
        shown = replace(shown, unassigned=tuple(u for u in shown.unassigned
                                                if u.visit_id not in own))
    if args.json:
        print(json.dumps({**proposal_json(context, shown),
                          "source": team.source, "left_alone": team.left_alone,
                          "moves": [asdict(m) for m in result.moves],
                          "moved_others": result.moved_others, "forced": result.forced,
                          "received": {context.numbers.get(k, k): n
                                       for k, n in result.received().items()},
                          "used_sister_team": result.used_sister_team,
                          "widened": [{"kind": w.kind, "subject": w.subject,
                                       "before": str(w.before), "after": str(w.after)}
                                      for w in result.widened]},
                         ensure_ascii=False, indent=2))
    else:
        print(describe(context, shown))
        print(describe_moves(context, result, args.employee, args.from_time, team))
    if args.accept:
        reason = f"{args.employee} syg fra {hhmm(args.from_time)} (puslemøde)"
        try:
            counts = routes_sick.record_moves(app, PLANNER, team, sister, result, reason)
        except DomainError as error:
            print(f"pusleplan routes: not recorded: {error.detail}", file=sys.stderr)
            return 2
        print(f"Recorded {counts['moved']} visits moved to other people and "
              f"{counts['retimed']} at a new time (VisitMoved), and {counts['planned']} "
              "newly planned visits (VisitPlanned).", file=sys.stderr)
    app.close()
    return 0 if not shown.unassigned else 1


def _name(context: DayContext, caregiver: str | None) -> str:
    if caregiver is None:
        return "ingen"
    return f"{context.names.get(caregiver, caregiver)} ({context.numbers.get(caregiver, '')})"


def describe(context: DayContext, proposal: RouteProposal) -> str:
    """Run lists in Danish for a terminal (citizens by case code only)."""
    lines = [f"Kørelister for {context.team['name']} {context.day}: "
             f"{len(context.problem.visits)} besøg, {len(context.problem.caregivers)} på vagt."]
    for run in proposal.run_lists:
        if not run.stops:
            continue
        lines.append(f"\n{_name(context, run.caregiver_id)}: {hhmm(run.leave_base)}–"
                     f"{hhmm(run.back_at_base)}, {run.travel_minutes} min kørsel")
        for stop in run.stops:
            service = context.services.get(stop.visit_id, {})
            double = " (dobbeltbesøg)" if service.get("double_staffed") else ""
            lines.append(f"  {hhmm(stop.start)}–{hhmm(stop.end)}  {stop.citizen_id:<10} "
                         f"{service.get('service', '')}{double}  (+{stop.travel_minutes} min)")
        if run.break_start is not None:
            lines.append(f"  {hhmm(run.break_start)}  pause {run.break_minutes} min")
    for item in proposal.unassigned:
        lines.append(describe_unassigned(context, item))
    c = proposal.continuity
    lines.append(f"\nKontinuitet: {c.mean_distinct_staff:.2f} forskellige medarbejdere pr. "
                 f"borger; kontaktperson {share(c.contact_share)}; kendte ansigter "
                 f"{share(c.recent_share)}. Kørsel i alt {proposal.objective.travel_minutes} min; "
                 f"forsinkelse {proposal.objective.lateness_minutes} min.")
    return "\n".join(lines)


def describe_unassigned(context: DayContext, item: Unassigned) -> str:
    """One unplanned visit in Danish: which (window, length, faggruppe) and why.

    Who could have done it is named, so the team sees whose day is full.
    """
    try:
        visit = context.problem.visit(item.visit_id)
    except KeyError:
        return f"\nIkke planlagt: {item.visit_id}: {item.message}"
    able = [c for c in context.problem.caregivers
            if qualified(c, visit) and substitute_allowed(c, visit)
            and c.shift.start <= visit.window.end
            and visit.window.start + visit.duration <= c.shift.end]
    line = (f"\nIkke planlagt: {item.visit_id} ({visit.citizen_id}, {visit.window}, "
            f"{visit.duration} min, {visit.profession}"
            + (", dobbeltbesøg" if visit.double_staffed else "") + f"): {item.message}")
    if item.reason in (UnassignedReason.NO_CAPACITY, UnassignedReason.NO_SECOND_PERSON):
        line += (" Kvalificerede på vagt i tidsvinduet: "
                 + (", ".join(_name(context, c.caregiver_id) for c in able) or "ingen") + ".")
    return line


def describe_widened(context: DayContext, result: ReplanResult) -> list[str]:
    """The rules the stored plan already broke and that were widened to keep it."""
    windows = [w for w in result.widened if w.kind == "window"]
    shifts = [w for w in result.widened if w.kind == "shift"]
    breaks = [w for w in result.widened if w.kind == "break"]
    lines = []
    if windows:
        shown = ", ".join(f"{w.subject} {w.before} → {w.after}" for w in windows[:SHOWN])
        more = f" og {len(windows) - SHOWN} flere" if len(windows) > SHOWN else ""
        lines.append(f"  Holdt som i den gemte plan, uden for tidsvinduet: {len(windows)} besøg "
                     f"({shown}{more}).")
    if shifts:
        lines.append("  Vagt forlænget for at holde den gemte plan: " + ", ".join(
            f"{_name(context, w.subject)} {w.before} → {w.after}" for w in shifts) + ".")
    if breaks:
        lines.append("  Pause senere end reglen foreskriver (den gemte plan gav ikke plads): "
                     + ", ".join(f"{_name(context, w.subject)} {w.after}" for w in breaks)
                     + ".")
    return lines


def share(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f} %"


def describe_moves(context: DayContext, result: ReplanResult, number: str, start: int,
                   team: routes_sick.CurrentDay | None = None) -> str:
    source = ""
    if team is not None:
        source = (" Udgangspunkt: den gemte dagsplan." if team.source == "stored"
                  else " Ingen gemt dagsplan: dagen er foreslået først.")
    lines = [f"\n{number} er syg fra {hhmm(start)}: {result.forced} besøg måtte flyttes, "
             f"{result.moved_others} andre besøg blev flyttet"
             + (" (søsterteamet hjalp)." if result.used_sister_team else ".") + source]
    received = result.received()
    if received:
        lines.append("  Overtager: " + ", ".join(
            f"{_name(context, who)} {n}" for who, n in sorted(received.items(),
                                                              key=lambda item: -item[1])))
    for move in result.moves:
        lines.append(f"  {move.visit_id}: {_name(context, move.from_caregiver)} → "
                     f"{_name(context, move.to_caregiver)}"
                     + ("" if move.forced else " (ikke tvunget)"))
    lines += describe_widened(context, result)
    return "\n".join(lines)


def proposal_json(context: DayContext, proposal: RouteProposal) -> dict[str, Any]:
    return {
        "team": context.team["code"], "date": context.day.isoformat(),
        "status": proposal.status, "proven_optimal": proposal.proven_optimal,
        "run_lists": [{**asdict(run), "employee": context.numbers.get(run.caregiver_id)}
                      for run in proposal.run_lists],
        "unassigned": [{**asdict(u), "message": u.message} for u in proposal.unassigned],
        "objective": {**asdict(proposal.objective), "total": proposal.objective.total},
        "continuity": asdict(proposal.continuity),
    }


def accept(app: Pusleplan, context: DayContext, proposal: RouteProposal) -> None:
    """Record the proposal's visits as VisitPlanned events in one transaction."""
    served: dict[str, list[tuple[str, int]]] = {}
    for run in proposal.run_lists:
        for stop in run.stops:
            served.setdefault(stop.visit_id, []).append((run.caregiver_id, stop.start))
    midnight = datetime.combine(context.day, datetime.min.time())
    visits = []
    for visit in context.problem.visits:
        people = served.get(visit.visit_id, [])
        if len(people) != len(visit.slots):
            continue  # unassigned (or half of a double visit): stays for the team
        facts = context.services[visit.visit_id]
        visits.append({
            "visit_id": visit.visit_id, "citizen_id": UUID(facts["citizen_id"]),
            "service_codes": [facts["service"]],
            "start": midnight + timedelta(minutes=people[0][1]), "minutes": visit.duration,
            "employee_ids": [p for p, _ in people],
            "required_profession": facts["profession"],
            "double_staffed": facts["double_staffed"],
        })
    app.plan_visits(PLANNER, team_id(context.team["code"]), context.day, visits)
