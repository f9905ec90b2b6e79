"""``pusleplan import-visits FILE.csv``: delivered visits from a care record system.

The file is CSV (comma or semicolon separated, UTF-8, a header line) with the
columns:

==================  ==========================================================
``citizen``         the citizen's case code (e.g. ``OE1-B014``) or id
``employee``        the employee number(s) who came, ``;``-separated when two
``planned_start``   planned start, ``YYYY-MM-DD HH:MM`` (local time)
``actual_start``    when the visit began, ``YYYY-MM-DD HH:MM``
``actual_end``      when it ended, ``YYYY-MM-DD HH:MM``
``service_codes``   the services (ydelser) delivered, ``;``-separated (``PP1;MED1``)
==================  ==========================================================

Each line is matched with the visit planned for that citizen at that time in
the citizen's team's day plan and recorded as delivered. A line without a
planned visit is planned (with the people who came, the citizen's granted
profession for those services and the actual length) and delivered. Every line
is checked first — unknown citizen or employee, a time that is not a time, an
end before the start — and every problem is reported with its line number and
field; then nothing is imported. Importing the same file again changes
nothing: a visit already delivered with the same times and staff is skipped.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from domain.application import Pusleplan, citizen_id, employee_id
from domain.errors import DomainError
from domain.settings import Settings
from domain.values import Actor, Role

COLUMNS = ("citizen", "employee", "planned_start", "actual_start", "actual_end",
           "service_codes")
IMPORTER = Actor("import", Role.SYSTEM)
LADDER = ("UFL", "SSH", "SSA", "SPL")


class ImportProblem(ValueError):
    """A line of the file is wrong: line number, field and the problem."""

    def __init__(self, line: int, field: str, problem: str) -> None:
        super().__init__(f"line {line}, {field}: {problem}")
        self.line, self.field, self.problem = line, field, problem


@dataclass(frozen=True)
class Line:
    """One valid line of the file."""

    number: int
    citizen: UUID
    employees: tuple[UUID, ...]
    planned_start: datetime
    actual_start: datetime
    actual_end: datetime
    services: tuple[str, ...]


@dataclass
class ImportResult:
    """What an import did."""

    lines: int = 0
    delivered: int = 0
    planned_and_delivered: int = 0
    already_imported: int = 0


def add_parser(commands: Any) -> None:
    """Add ``import-visits`` to the ``pusleplan`` parser."""
    parser = commands.add_parser(
        "import-visits", help="import delivered visits from a care record system (CSV)")
    parser.add_argument("file", type=Path, help="CSV: " + ", ".join(COLUMNS))
    parser.add_argument("--data-dir", type=Path, help="directory of the SQLite store")
    parser.add_argument("--check", action="store_true",
                        help="only check the file; import nothing")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if not args.file.exists():
        print(f"pusleplan import-visits: no such file: {args.file}", file=sys.stderr)
        return 2
    app = Pusleplan.from_settings(Settings.from_env(data_dir=args.data_dir))
    try:
        lines, problems = read_lines(app, args.file)
        for problem in problems:
            print(f"{args.file}:{problem.line}: {problem.field}: {problem.problem}",
                  file=sys.stderr)
        if problems:
            print(f"{len(problems)} problems; nothing was imported.", file=sys.stderr)
            return 2
        if args.check:
            print(f"{len(lines)} lines are fine.", file=sys.stderr)
            return 0
        try:
            result = import_lines(app, lines)
        except ImportProblem as problem:
            print(f"{args.file}:{problem.line}: {problem.field}: {problem.problem}",
                  file=sys.stderr)
            return 1
    finally:
        app.close()
    print(f"{result.lines} lines: {result.delivered} delivered, "
          f"{result.planned_and_delivered} planned and delivered, "
          f"{result.already_imported} already imported.", file=sys.stderr)
    return 0


def read_lines(app: Pusleplan, path: Path) -> tuple[list[Line], list[ImportProblem]]:
    """Parse and check every line; return the good lines and every problem found."""
    text = path.read_text(encoding="utf-8-sig")
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(text.splitlines(), delimiter=delimiter)
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        return [], [ImportProblem(1, missing[0], "column missing from the header line")]
    lines: list[Line] = []
    problems: list[ImportProblem] = []
    for number, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        if not any(row.values()):
            continue
        try:
            lines.append(parse_line(app, number, row))
        except ImportProblem as problem:
            problems.append(problem)
    return lines, problems


def _time(number: int, field: str, value: str) -> datetime:
    try:
        return datetime.fromisoformat(value.replace(" ", "T", 1)).replace(second=0,
                                                                           microsecond=0)
    except ValueError:
        raise ImportProblem(number, field,
                            f"not a date and time YYYY-MM-DD HH:MM: {value!r}") from None


def _citizen(app: Pusleplan, number: int, value: str) -> UUID:
    try:
        found = UUID(value)
    except ValueError:
        found = citizen_id(value)
    if not value or not app.exists(found):
        raise ImportProblem(number, "citizen", f"no citizen with code or id {value!r}")
    return found


def parse_line(app: Pusleplan, number: int, row: dict[str, str]) -> Line:
    """One line, checked: known citizen and staff, real times, end after start."""
    citizen = _citizen(app, number, row["citizen"])
    numbers = [n.strip() for n in row["employee"].split(";") if n.strip()]
    if not 1 <= len(numbers) <= 2:
        raise ImportProblem(number, "employee", "give one employee number (two for a "
                            "double-staffed visit, separated by ';')")
    employees = []
    for value in numbers:
        employee = employee_id(value)
        if not app.exists(employee):
            raise ImportProblem(number, "employee", f"no employee with number {value!r}")
        employees.append(employee)
    planned = _time(number, "planned_start", row["planned_start"])
    start = _time(number, "actual_start", row["actual_start"])
    end = _time(number, "actual_end", row["actual_end"])
    if end <= start:
        raise ImportProblem(number, "actual_end", "the visit ends before it starts")
    if (end - start).total_seconds() > 8 * 3600:
        raise ImportProblem(number, "actual_end", "a visit lasts at most 8 hours")
    services = tuple(c.strip() for c in row["service_codes"].replace(",", ";").split(";")
                     if c.strip())
    if not services:
        raise ImportProblem(number, "service_codes", "give at least one service code")
    return Line(number, citizen, tuple(employees), planned, start, end, services)


def import_lines(app: Pusleplan, lines: list[Line]) -> ImportResult:
    """Record the lines, per team and day: plan what was not planned, deliver the rest."""
    result = ImportResult(lines=len(lines))
    by_plan: dict[tuple[UUID, date], list[Line]] = defaultdict(list)
    citizens: dict[UUID, dict[str, Any]] = {}
    for line in lines:
        if line.citizen not in citizens:
            citizens[line.citizen] = app.citizen(line.citizen)
        team = UUID(citizens[line.citizen]["team_id"])
        by_plan[(team, line.planned_start.date())].append(line)
    for (team, day), day_lines in sorted(by_plan.items(), key=lambda item: item[0][1]):
        plan = app.day_plan(team, day) or {"visits": {}}
        to_plan, deliveries = [], []
        seen: dict[str, Line] = {}
        for line in day_lines:
            visit_id, visit = _match(plan["visits"], line)
            if visit_id in seen:  # the same visit twice in the file
                if _same_line(seen[visit_id], line):
                    result.already_imported += 1
                    continue
                raise ImportProblem(line.number, "planned_start",
                                    f"the same visit as line {seen[visit_id].number}, "
                                    "with other times or people")
            seen[visit_id] = line
            if visit is not None and visit["status"] == "delivered":
                if _same_delivery(visit, line):
                    result.already_imported += 1
                    continue
                raise ImportProblem(line.number, "actual_start",
                                    "this visit is already recorded as delivered at other "
                                    "times or by other people")
            if visit is None:
                to_plan.append((line, _planned_visit(visit_id, line, citizens[line.citizen])))
            deliveries.append({"visit_id": visit_id, "actual_start": line.actual_start,
                               "actual_end": line.actual_end,
                               "employee_ids": list(line.employees)})
        for line, visit in to_plan:
            try:
                app.plan_visits(IMPORTER, team, day, [visit])
            except DomainError as error:
                raise ImportProblem(line.number, error.field or "line", error.detail) from None
            result.planned_and_delivered += 1
        if deliveries:
            try:
                app.record_deliveries(IMPORTER, team, day, deliveries)
            except DomainError as error:
                raise ImportProblem(day_lines[0].number, error.field or "line",
                                    error.detail) from None
        result.delivered += len(deliveries) - len(to_plan)
    return result


def _match(visits: dict[str, dict[str, Any]], line: Line) -> tuple[str, dict[str, Any] | None]:
    """The planned visit the line is about (same citizen and planned start), if any."""
    candidates = [(vid, v) for vid, v in visits.items()
                  if v["citizen_id"] == str(line.citizen) and v["start"] == line.planned_start
                  and v["status"] != "cancelled"]
    candidates.sort(key=lambda c: -len(set(c[1]["service_codes"]) & set(line.services)))
    if candidates:
        return candidates[0]
    code = "-".join(line.services)
    return f"import-{line.planned_start:%Y%m%d-%H%M}-{line.citizen}-{code}", None


def _same_line(first: Line, second: Line) -> bool:
    return (first.actual_start, first.actual_end, sorted(first.employees)) == (
        second.actual_start, second.actual_end, sorted(second.employees))


def _same_delivery(visit: dict[str, Any], line: Line) -> bool:
    return (visit.get("actual_start") == line.actual_start
            and visit.get("actual_end") == line.actual_end
            and sorted(visit.get("delivered_by") or []) == sorted(str(e) for e in line.employees))


def _planned_visit(visit_id: str, line: Line, citizen: dict[str, Any]) -> dict[str, Any]:
    """A visit for a line nobody planned: the granted profession for its services."""
    granted = {s["code"]: s for s in (citizen.get("visitation") or {}).get("services", [])}
    professions = [granted[c]["profession"] for c in line.services if c in granted]
    care = [p for p in professions if p in LADDER]
    required = max(care, key=LADDER.index) if care else "UFL"
    if "TER" in professions:
        required = "TER"
    minutes = max(1, round((line.actual_end - line.actual_start).total_seconds() / 60))
    return {"visit_id": visit_id, "citizen_id": line.citizen,
            "service_codes": list(line.services), "start": line.planned_start,
            "minutes": minutes, "employee_ids": list(line.employees),
            "required_profession": required,
            "double_staffed": len(line.employees) == 2}
