"""The cell panel beside the Vagtplan grid: what a click on one person's day offers.

For the chosen person and day it lists their shifts and bids, the open shifts
that day, what the user may do (bid, take, release, swap — only for themselves
if they are a member) and the rule violations that touch that person and day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from planning.checker import CheckResult
from planning.danish import day_da
from planning.model import Severity, Violation
from web.grid import Cell, CellShift, Day, Grid, Row
from web.history import short_day

SWAP_WINDOW_DAYS = 7


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class ChoiceGroup:
    label: str
    choices: tuple[Choice, ...]


@dataclass
class Panel:
    """The chosen cell and what can be done there."""

    row: Row
    day: Day
    cell: Cell
    can_act: bool
    open_shifts: list[CellShift] = field(default_factory=list)
    swap_groups: dict[str, list[ChoiceGroup]] = field(default_factory=dict)
    violations: list[Violation] = field(default_factory=list)

    @property
    def employee_id(self) -> str | None:
        return self.row.employee_id


def find_cell(grid: Grid, person: str | None, day: date | None) -> tuple[Row, Cell] | None:
    """The row and cell for ``person`` ("ledig" for the open shifts) on ``day``."""
    if person is None or day is None:
        return None
    rows = list(grid.rows) + ([grid.open_row] if grid.open_row else [])
    for row in rows:
        if (row.employee_id or "ledig") == person:
            for cell in row.cells:
                if cell.day.date == day:
                    return row, cell
    return None


def build_panel(grid: Grid, person: str | None, day: date | None, can_act: bool,
                verdict: CheckResult) -> Panel | None:
    """The panel for the chosen cell, or None when nothing (valid) is chosen."""
    found = find_cell(grid, person, day)
    if found is None:
        return None
    row, cell = found
    panel = Panel(row, cell.day, cell, can_act and row.employee_id is not None)
    if grid.open_row is not None:
        panel.open_shifts = next(c.shifts for c in grid.open_row.cells if c.day == cell.day)
    if panel.can_act:
        panel.swap_groups = {s.shift_id: swap_choices(grid, row, cell.day.date)
                             for s in cell.shifts}
    panel.violations = touching(verdict, row.employee_id, cell) + fees(
        verdict, row.employee_id, cell.day.date)
    return panel


def swap_choices(grid: Grid, holder: Row, day: date) -> list[ChoiceGroup]:
    """Per colleague: hand the shift over, or exchange it for one of theirs within a week."""
    groups = []
    near = {day + timedelta(days=d) for d in range(-SWAP_WINDOW_DAYS, SWAP_WINDOW_DAYS + 1)}
    for row in grid.rows:
        if row.employee_id is None or row.employee_id == holder.employee_id:
            continue
        choices = [Choice(row.employee_id, f"Giv vagten til {row.name}")]
        for cell in row.cells:
            if cell.day.date in near:
                choices += [Choice(f"{row.employee_id}|{s.shift_id}",
                                   f"Byt med {row.name}s {s.title.split(' ')[0].lower()} "
                                   f"{short_day(cell.day.date)}") for s in cell.shifts]
        groups.append(ChoiceGroup(row.name, tuple(choices)))
    return groups


def touching(verdict: CheckResult, employee: str | None, cell: Cell) -> list[Violation]:
    """Hard and soft violations of ``employee`` that name this day or its shifts."""
    if employee is None:
        return []
    shift_ids = {s.shift_id for s in cell.shifts}
    found = []
    for v in verdict.violations:
        if v.severity is Severity.COST or v.employee != employee:
            continue
        in_range = bool(v.dates) and v.dates[0] <= cell.day.date <= v.dates[-1]
        if shift_ids & set(v.shift_ids) or (in_range and len(v.dates) <= 2
                                             and (v.dates[-1] - v.dates[0]).days <= 7):
            found.append(v)
    return found


#: Costs of changing a published plan (omlagt tjeneste, varsko, inddraget fridøgn).
CHANGE_FEES = ("R7", "R8", "R9")


def fees(verdict: CheckResult, employee: str | None, day: date) -> list[Violation]:
    """The fees due for changes after publication to ``employee``'s shift on ``day``, as
    cost lines in the panel's verdict (rule, Danish sentence with the amount in kr.)."""
    if employee is None:
        return []
    named = day_da(day)
    return [Violation(
        rule=c.rule, severity=Severity.COST, employee=c.employee, dates=(day,),
        measured=c.amount_dkk, limit=0.0, unit="kr",
        message=f"{c.message} Det koster {kroner(c.amount_dkk)} ({c.basis}).",
        suggestion="Varsl ændringer i god tid, så undgås betalingen.",
        detail=f"{c.rule}: {c.amount_dkk:.2f} DKK for a change after publication")
        for c in verdict.costs
        if c.rule in CHANGE_FEES and c.employee == employee and named in c.message]


def kroner(amount: float) -> str:
    """'2.371,83 kr.' — Danish thousands separator and decimal comma."""
    text = f"{amount:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"{text} kr."


def split_target(value: str) -> dict[str, Any]:
    """A swap choice 'employee' or 'employee|shift' as command fields."""
    employee, _, other = value.partition("|")
    return {"to_employee_id": employee, "other_shift_id": other or None}
