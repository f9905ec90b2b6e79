"""``pusleplan check``: check a roster file against the agreement rules.

Exit codes: 0 no hard rule broken, 1 a hard rule is broken, 2 bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from planning.checker import CheckResult, check
from planning.danish import number_da
from planning.interchange import InterchangeError, read_plan
from planning.model import RosterPlan, Severity
from planning.rules import Catalogue, RuleConfigError

SEVERITY_DA = {Severity.HARD: "SKAL", Severity.SOFT: "BØR", Severity.COST: "PRIS"}


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "check", help="check a roster (CSV or JSON) against the agreement rules")
    parser.add_argument("roster", type=Path, help="roster file: CSV (employee,start,end,…) "
                                                  "or JSON")
    parser.add_argument("--employees", type=Path, help="employees CSV (contracts, names)")
    parser.add_argument("--rules", type=Path, help="the municipality's rule overrides (TOML)")
    parser.add_argument("--period-start", type=date.fromisoformat,
                        help="first day (a Monday); earlier shifts count as history")
    parser.add_argument("--weeks", type=int, help="period length in weeks (1–12)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        catalogue = Catalogue.from_toml(args.rules) if args.rules else Catalogue.default()
        plan = read_plan(args.roster, args.employees, args.period_start, args.weeks)
    except (InterchangeError, RuleConfigError) as error:
        print(f"pusleplan check: {error}", file=sys.stderr)
        return 2
    result = check(plan, catalogue)
    if args.format == "json":
        print(json.dumps(as_json(plan, result), ensure_ascii=False, indent=2, default=str))
    else:
        print(as_text(plan, result))
    return 0 if result.ok else 1


def as_json(plan: RosterPlan, result: CheckResult) -> dict[str, Any]:
    return {
        "period_start": plan.period_start.isoformat(), "weeks": plan.weeks,
        "ok": result.ok, "hard": len(result.hard), "soft": len(result.soft),
        "violations": [asdict(v) for v in result.violations],
        "costs": [asdict(c) for c in result.costs],
        "total_cost_dkk": result.total_cost_dkk(),
    }


def as_text(plan: RosterPlan, result: CheckResult) -> str:
    lines = [f"Vagtplan {plan.period_start} + {plan.weeks} uger: {len(plan.shifts)} vagter, "
             f"{len(plan.employees())} medarbejdere."]
    if not result.violations:
        lines.append("Ingen regelbrud.")
    for v in result.violations:
        who = plan.person(v.employee).name or v.employee if v.employee else "Planen"
        when = " – ".join(str(d) for d in v.dates)
        measured = f"målt {number_da(v.measured, 2)} {v.unit}"
        limit = f"grænse {number_da(v.limit, 2)} {v.unit}"
        lines.append(f"\n[{SEVERITY_DA[v.severity]}] {v.rule} {who} {when}: {measured}, {limit}")
        lines.append(f"  {v.message}")
        lines.append(f"  Forslag: {v.suggestion}")
    if result.costs:
        lines.append("\nOmkostninger:")
        for c in result.costs:
            lines.append(f"  {c.rule} {c.message} {number_da(c.amount_dkk, 2)} kr ({c.basis})")
        lines.append(f"  I alt: {number_da(result.total_cost_dkk(), 2)} kr")
    verdict = ("Planen overholder de skarpe regler." if result.ok else
               f"Planen bryder {len(result.hard)} skarpe regler og kan ikke offentliggøres.")
    lines.append(f"\n{verdict} ({len(result.soft)} anbefalinger brudt.)")
    return "\n".join(lines)
