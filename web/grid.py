"""The Vagtplan grid as the page shows it: people × days, weeks, layers, bids, breaches.

Pure presentation: takes a ``RosterContext``, the checker's verdict and how
names appear, and returns plain dataclasses for the template. Nothing here
reads or writes the store.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from planning.calendar_dk import public_holidays
from planning.checker import CheckResult
from planning.clock import span_hours
from planning.danish import MONTHS_DA, WEEKDAYS_DA, number_da
from planning.model import Severity
from planning.rules import Catalogue
from web.rosterdata import Names
from web.rosterplan import RosterContext, hours_and_norms

DAY_SHORT = ("ma", "ti", "on", "to", "fr", "lø", "sø")
LAYER_LETTER = {"dag": "D", "aften": "A", "nat": "N"}
LAYER_DA = {"dag": "dagvagt", "aften": "aftenvagt", "nat": "nattevagt"}
ABSENCE_DA = {"sick": "Syg", "holiday": "Ferie", "course": "Kursus", "other": "Fravær"}


@dataclass(frozen=True)
class Day:
    date: date
    weekend: bool
    holiday: str | None
    today: bool

    @property
    def short(self) -> str:
        return DAY_SHORT[self.date.weekday()]

    @property
    def long(self) -> str:
        """'tirsdag 24. november'."""
        return f"{WEEKDAYS_DA[self.date.weekday()]} {self.date.day}. " \
               f"{MONTHS_DA[self.date.month - 1]}"


@dataclass(frozen=True)
class Week:
    number: int
    days: tuple[Day, ...]


@dataclass(frozen=True)
class CellShift:
    shift_id: str
    employee_id: str | None
    layer: str
    times: str
    route: str | None
    breach: str  # "", "soft" or "hard"

    @property
    def letter(self) -> str:
        return LAYER_LETTER.get(self.layer, "?")

    @property
    def title(self) -> str:
        route = f", rute {self.route}" if self.route else ""
        return f"{LAYER_DA.get(self.layer, self.layer).capitalize()} {self.times}{route}"


@dataclass(frozen=True)
class CellBid:
    kind: str
    label: str
    title: str


@dataclass
class Cell:
    day: Day
    shifts: list[CellShift] = field(default_factory=list)
    bids: list[CellBid] = field(default_factory=list)
    absence: str | None = None
    breach: str = ""


@dataclass
class Row:
    employee_id: str | None  # None: the open shifts (ledige vagter)
    name: str
    profession: str
    hours: float  # planned in the period, real hours (as R5 counts them)
    norm: float  # R5's norm: weeks × contract hours − søgnehelligdage and absence
    is_me: bool
    cells: list[Cell]

    @property
    def hours_da(self) -> str:
        return hours_da(self.hours)

    @property
    def norm_da(self) -> str:
        return hours_da(self.norm)


def hours_da(value: float) -> str:
    """Hours the Danish way, as the R5 recommendation writes them but without ``,0``:
    ``273,8``, ``296``."""
    text = number_da(value)
    return text[:-2] if text.endswith(",0") else text


@dataclass(frozen=True)
class Grid:
    weeks: tuple[Week, ...]
    rows: tuple[Row, ...]
    open_row: Row | None

    @property
    def days(self) -> list[Day]:
        return [d for w in self.weeks for d in w.days]


def build_grid(context: RosterContext, verdict: CheckResult, names: Names,
               me: str | None, today: date, catalogue: Catalogue | None = None) -> Grid:
    """The grid for the roster: one row per team member (me first), open shifts last.

    Each member's hours and norm are R5's (``web.rosterplan.hours_and_norms`` with the
    ``catalogue`` the verdict was made with), so the row and the R5 recommendation in
    the rule check show the same figures.
    """
    roster = context.roster
    weeks = _weeks(roster["period_start"], roster["weeks"], today)
    days = [d for w in weeks for d in w.days]
    marks = _breaches(verdict)
    cells: dict[str | None, dict[date, Cell]] = defaultdict(
        lambda: {d.date: Cell(d) for d in days})
    open_hours = 0.0  # members' hours are R5's (below)
    for shift_id, s in roster["shifts"].items():
        if s["date"] not in cells[None]:
            continue
        breach = marks.get(("shift", shift_id), "")
        times = f"{s['start']:%H}–{s['end']:%H}"
        cell = cells[s["employee_id"]][s["date"]]
        cell.shifts.append(
            CellShift(shift_id, s["employee_id"], s["layer"], times, s.get("route"), breach))
        cell.breach = _worse(cell.breach, breach)
        if s["employee_id"] is None:
            open_hours += span_hours(s["start"], s["end"])
    for b in roster["bids"].values():
        if b["date"] in cells[None]:
            cells[b["employee_id"]][b["date"]].bids.append(_bid(b))
    for employee, data in context.employees.items():
        for absence in data["absences"].values():
            _mark_absence(cells[employee], absence)
    for key, severity in marks.items():
        if key[0] == "day" and key[2] in cells[key[1]]:
            cell = cells[key[1]][key[2]]
            cell.breach = _worse(cell.breach, severity)
    members = [e for e in context.team["members"] if e in context.employees]
    members.sort(key=lambda e: (e != me, names.name(e)))
    r5 = hours_and_norms(context, catalogue)
    rows = tuple(Row(e, names.name(e), context.employees[e]["profession"],
                     round(r5[e][0], 1), round(r5[e][1], 1),
                     e == me, _ordered(cells[e], days)) for e in members)
    open_row = None
    if any(c.shifts for c in cells[None].values()):
        open_row = Row(None, "Ledige vagter", "", round(open_hours, 1), 0, False,
                       _ordered(cells[None], days))
    return Grid(tuple(weeks), rows, open_row)


def _worse(a: str, b: str) -> str:
    """The worse of two breach marks ("", "soft", "hard")."""
    return "hard" if "hard" in (a, b) else ("soft" if "soft" in (a, b) else "")


def _weeks(start: date, count: int, today: date) -> list[Week]:
    holidays: dict[date, str] = {}
    for year in {start.year, (start + timedelta(weeks=count)).year}:
        holidays.update(public_holidays(year))
    weeks = []
    for w in range(count):
        monday = start + timedelta(weeks=w)
        days = tuple(Day(d, d.weekday() >= 5, holidays.get(d), d == today)
                     for d in (monday + timedelta(days=i) for i in range(7)))
        weeks.append(Week(monday.isocalendar().week, days))
    return weeks


def _ordered(cells: dict[date, Cell], days: list[Day]) -> list[Cell]:
    return [cells[d.date] for d in days]


def _bid(bid: dict[str, Any]) -> CellBid:
    letter = LAYER_LETTER.get(bid.get("layer") or "", "")
    layer = LAYER_DA.get(bid.get("layer") or "", "vagt")
    kind = bid["kind"]
    if kind == "want_shift":
        return CellBid(kind, f"+{letter}", f"Ønsker {layer}")
    if kind == "avoid_shift":
        return CellBid(kind, f"−{letter}", f"Vil helst ikke have {layer}")
    if kind == "day_off":
        return CellBid(kind, "Fri", "Ønsker fri")
    return CellBid(kind, bid.get("route") or "R", f"Ønsker ruten {bid.get('route')}")


def _mark_absence(cells: dict[date, Cell], absence: dict[str, Any]) -> None:
    label = ABSENCE_DA.get(absence["kind"], "Fravær")
    for day, cell in cells.items():
        if absence["start"] <= day and (absence["end"] is None or day <= absence["end"]):
            cell.absence = label


def _breaches(verdict: CheckResult) -> dict[tuple[Any, ...], str]:
    """Where the grid shows a breach: the shifts named, else the single days named."""
    marks: dict[tuple[Any, ...], str] = {}
    for v in verdict.violations:
        if v.severity is Severity.COST:
            continue
        severity = "hard" if v.severity is Severity.HARD else "soft"
        keys: list[tuple[Any, ...]] = [("shift", s) for s in v.shift_ids]
        if not keys and len(v.dates) == 1 and v.employee:
            keys = [("day", v.employee, v.dates[0])]
        for key in keys:
            if marks.get(key) != "hard":
                marks[key] = severity
    return marks
