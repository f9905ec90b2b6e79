"""Roster interchange: CSV and JSON in and out, validated line by line.

CSV (UTF-8, header row required)::

    employee,start,end[,layer][,route][,shift_id][,break_minutes]
    anna,2026-11-23T07:00,2026-11-23T15:00,dag,R1

Times are ISO local times in Europe/Copenhagen without offset. An employees
CSV has ``employee[,name][,weekly_hours][,hourly_wage][,night_worker]
[,reduced_rest_allowed][,profession]`` (profession: UFL, SSH, SSA, SPL or TER; the
checker then names only qualified colleagues in its suggestions). JSON holds the
whole ``RosterPlan`` (see ``plan_to_json``).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from planning.model import Absence, Person, RosterPlan, Shift

SHIFT_COLUMNS = ["employee", "start", "end", "layer", "route", "shift_id", "break_minutes"]
PEOPLE_COLUMNS = ["employee", "name", "weekly_hours", "hourly_wage", "night_worker",
                  "reduced_rest_allowed", "profession"]
PROFESSIONS = ("UFL", "SSH", "SSA", "SPL", "TER")
HISTORY_DAYS = 14


class InterchangeError(ValueError):
    """Bad input; the message names the file, line, field and problem."""


def _fail(where: str, line: int | None, field: str, problem: str) -> InterchangeError:
    at = f"{where}:{line}" if line is not None else where
    return InterchangeError(f"{at}: {field}: {problem}")


def _moment(value: str, where: str, line: int, field: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise _fail(where, line, field,
                    f"{value!r} is not an ISO local time like 2026-11-23T07:00") from None
    if moment.tzinfo is not None:
        raise _fail(where, line, field, "give local Danish time without a UTC offset")
    return moment


def read_shifts_csv(text: str, where: str = "roster.csv") -> list[Shift]:
    """Parse roster CSV text into shifts; raise InterchangeError at the first bad line."""
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise _fail(where, 1, "header", "the file is empty; expected employee,start,end")
    header = [h.strip() for h in reader.fieldnames]
    missing = [c for c in ("employee", "start", "end") if c not in header]
    unknown = [c for c in header if c not in SHIFT_COLUMNS]
    if missing:
        raise _fail(where, 1, "header", f"missing column(s) {', '.join(missing)}")
    if unknown:
        raise _fail(where, 1, "header", f"unknown column(s) {', '.join(unknown)}; "
                                        f"known: {', '.join(SHIFT_COLUMNS)}")
    shifts: list[Shift] = []
    for line, row in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in row.items() if k is not None}
        if not any(row.values()):
            continue
        if not row.get("employee"):
            raise _fail(where, line, "employee", "missing")
        start = _moment(row.get("start", ""), where, line, "start")
        end = _moment(row.get("end", ""), where, line, "end")
        if end <= start:
            raise _fail(where, line, "end",
                        f"{end.isoformat(timespec='minutes')} is not after the start")
        if end - start > timedelta(hours=24):
            raise _fail(where, line, "end", "a shift cannot last more than 24 hours")
        break_minutes = None
        if row.get("break_minutes"):
            try:
                break_minutes = int(row["break_minutes"])
            except ValueError:
                raise _fail(where, line, "break_minutes", "not a whole number") from None
        shifts.append(Shift(
            employee=row["employee"], start=start, end=end, layer=row.get("layer") or None,
            route=row.get("route") or None, shift_id=row.get("shift_id") or f"L{line}",
            break_minutes=break_minutes,
        ))
    return shifts


def _flag(value: str, where: str, line: int, field: str) -> bool | None:
    if value == "":
        return None
    lowered = value.lower()
    if lowered in ("1", "true", "ja", "yes", "j", "y"):
        return True
    if lowered in ("0", "false", "nej", "no", "n"):
        return False
    raise _fail(where, line, field, f"{value!r} is not yes/no")


def _number(value: str, where: str, line: int, field: str, low: float, high: float
            ) -> float | None:
    if value == "":
        return None
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        raise _fail(where, line, field, f"{value!r} is not a number") from None
    if not low <= number <= high:
        raise _fail(where, line, field, f"{number} outside {low}–{high}")
    return number


def read_people_csv(text: str, where: str = "employees.csv") -> dict[str, Person]:
    """Parse an employees CSV into Person records by employee id."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    if "employee" not in header:
        raise _fail(where, 1, "header", "missing column employee")
    unknown = [c for c in header if c not in PEOPLE_COLUMNS]
    if unknown:
        raise _fail(where, 1, "header", f"unknown column(s) {', '.join(unknown)}; "
                                        f"known: {', '.join(PEOPLE_COLUMNS)}")
    people: dict[str, Person] = {}
    for line, row in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in row.items() if k is not None}
        employee = row.get("employee", "")
        if not employee:
            raise _fail(where, line, "employee", "missing")
        hours = _number(row.get("weekly_hours", ""), where, line, "weekly_hours", 0.5, 48)
        wage = _number(row.get("hourly_wage", ""), where, line, "hourly_wage", 50, 2000)
        profession = row.get("profession", "").upper() or None
        if profession is not None and profession not in PROFESSIONS:
            raise _fail(where, line, "profession",
                        f"{row['profession']!r} is not one of {', '.join(PROFESSIONS)}")
        people[employee] = Person(
            employee=employee, name=row.get("name") or employee,
            weekly_hours=hours if hours is not None else 37.0, hourly_wage=wage,
            night_worker=_flag(row.get("night_worker", ""), where, line, "night_worker"),
            reduced_rest_allowed=bool(_flag(row.get("reduced_rest_allowed", ""), where, line,
                                            "reduced_rest_allowed")),
            profession=profession,
        )
    return people


def plan_from_shifts(shifts: list[Shift], people: dict[str, Person] | None = None,
                     period_start: date | None = None, weeks: int | None = None) -> RosterPlan:
    """Build a plan: shifts before ``period_start`` (up to 14 days) become history.

    Without ``period_start`` the period starts on the Monday of the first shift;
    without ``weeks`` it runs to the end of the last shift's week.
    """
    if not shifts:
        raise InterchangeError("the roster has no shifts")
    first = min(s.start for s in shifts).date()
    start = period_start or first - timedelta(days=first.weekday())
    if start.weekday() != 0:
        raise InterchangeError(f"period start {start} is not a Monday")
    last = max(s.start for s in shifts).date()
    length = weeks or ((last - start).days // 7 + 1)
    end = start + timedelta(weeks=length)
    history = tuple(s for s in shifts
                    if start - timedelta(days=HISTORY_DAYS) <= s.day < start)
    inside = tuple(s for s in shifts if start <= s.day < end)
    outside = [s for s in shifts if s not in history and s not in inside]
    if outside:
        raise InterchangeError(
            f"{len(outside)} shift(s) lie outside the period {start}..{end - timedelta(1)} "
            f"and its {HISTORY_DAYS}-day history, e.g. {outside[0].employee} "
            f"{outside[0].start.isoformat()}")
    return RosterPlan(period_start=start, weeks=length, shifts=inside, history=history,
                      people=dict(people or {}))


def shifts_to_csv(shifts: list[Shift] | tuple[Shift, ...]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SHIFT_COLUMNS)
    for s in sorted(shifts, key=lambda s: (s.start, s.employee)):
        writer.writerow([s.employee, s.start.isoformat(timespec="minutes"),
                         s.end.isoformat(timespec="minutes"), s.layer or "", s.route or "",
                         s.shift_id or "", "" if s.break_minutes is None else s.break_minutes])
    return out.getvalue()


def _shift_json(s: Shift) -> dict[str, Any]:
    data = asdict(s)
    data["start"] = s.start.isoformat(timespec="minutes")
    data["end"] = s.end.isoformat(timespec="minutes")
    return data


def plan_to_json(plan: RosterPlan) -> str:
    """The whole plan as JSON (round-trips through ``plan_from_json``)."""
    return json.dumps({
        "period_start": plan.period_start.isoformat(), "weeks": plan.weeks,
        "shifts": [_shift_json(s) for s in plan.shifts],
        "history": [_shift_json(s) for s in plan.history],
        "people": [asdict(p) for p in plan.people.values()],
        "absences": [{**asdict(a), "start": a.start.isoformat(), "end": a.end.isoformat()}
                     for a in plan.absences],
        "published_at": plan.published_at.isoformat() if plan.published_at else None,
    }, ensure_ascii=False, indent=2)


def plan_from_json(text: str, where: str = "roster.json") -> RosterPlan:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise _fail(where, error.lineno, "json", error.msg) from None
    if not isinstance(data, dict):
        raise _fail(where, None, "json", "expected an object with period_start, weeks, shifts")

    def shift_list(key: str) -> tuple[Shift, ...]:
        items = data.get(key, [])
        if not isinstance(items, list):
            raise _fail(where, None, key, "must be a list")
        shifts = []
        for index, item in enumerate(items):
            field = f"{key}[{index}]"
            if not isinstance(item, dict) or not item.get("employee"):
                raise _fail(where, None, field, "needs employee, start and end")
            start = _moment(str(item.get("start", "")), where, 0, f"{field}.start")
            end = _moment(str(item.get("end", "")), where, 0, f"{field}.end")
            if end <= start:
                raise _fail(where, None, f"{field}.end", "is not after the start")
            shifts.append(Shift(str(item["employee"]), start, end, item.get("layer"),
                                item.get("route"), item.get("shift_id") or f"{key}{index}",
                                item.get("break_minutes")))
        return tuple(shifts)

    try:
        period_start = date.fromisoformat(str(data["period_start"]))
        weeks = int(data["weeks"])
    except (KeyError, ValueError, TypeError):
        raise _fail(where, None, "period_start/weeks",
                    "need period_start (YYYY-MM-DD, a Monday) and weeks (1–12)") from None
    if period_start.weekday() != 0 or not 1 <= weeks <= 12:
        raise _fail(where, None, "period_start/weeks", "period must start on a Monday and "
                                                      "last 1–12 weeks")
    people = {p["employee"]: Person(**p) for p in data.get("people", [])}
    absences = tuple(Absence(a["employee"], date.fromisoformat(a["start"]),
                             date.fromisoformat(a["end"]), a.get("kind", "sick"))
                     for a in data.get("absences", []))
    published = data.get("published_at")
    return RosterPlan(
        period_start=period_start, weeks=weeks, shifts=shift_list("shifts"),
        history=shift_list("history"), people=people, absences=absences,
        published_at=datetime.fromisoformat(published) if published else None,
    )


def read_plan(path: Path, people_path: Path | None = None, period_start: date | None = None,
              weeks: int | None = None) -> RosterPlan:
    """Read a roster file (CSV or JSON by suffix), optionally with an employees CSV."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InterchangeError(f"{path}: no such file") from None
    if path.suffix.lower() == ".json":
        plan = plan_from_json(text, str(path))
        if people_path:
            people = read_people_csv(people_path.read_text(encoding="utf-8-sig"),
                                     str(people_path))
            plan = RosterPlan(plan.period_start, plan.weeks, plan.shifts, plan.history,
                              {**plan.people, **people}, plan.absences, plan.published_at,
                              plan.changes)
        return plan
    people = None
    if people_path is not None:
        try:
            people = read_people_csv(people_path.read_text(encoding="utf-8-sig"),
                                     str(people_path))
        except FileNotFoundError:
            raise InterchangeError(f"{people_path}: no such file") from None
    return plan_from_shifts(read_shifts_csv(text, str(path)), people, period_start, weeks)
