"""The Curtois & Qu shift-scheduling benchmark: instance parser and independent scorer.

Instances are the text files of http://www.schedulingbenchmarks.org/nrp/ (see
``../shared/benchmarks/README.md``). This module reads them and scores a roster
exactly as the benchmark defines it; the CP-SAT model lives in
``planning.curtois_model`` and shares no code with the scorer, so the scorer is an
independent check of every objective the model reports.

Rules (benchmark page): hard — at most one shift a day, days off, shifts that may
not follow each other, max shifts per type, min/max total minutes, max/min
consecutive shifts, min consecutive days off, max weekends; soft — shift-on and
shift-off requests (their weight) and cover (weight per person under or over).
Minimum consecutive shifts and days off do not apply to a block touching the first
or last day (the benchmark assumes unlimited runs outside the horizon).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

#: A roster: (employee, day) -> shift id; missing keys are days off.
Roster = Mapping[tuple[str, int], str]


@dataclass(frozen=True)
class ShiftSpec:
    """SECTION_SHIFTS row: id, length in minutes, shifts that cannot follow it next day."""

    id: str
    minutes: int
    cannot_follow: frozenset[str]


@dataclass(frozen=True)
class Staff:
    """SECTION_STAFF row."""

    id: str
    max_shifts: dict[str, int]
    max_minutes: int
    min_minutes: int
    max_consecutive: int
    min_consecutive: int
    min_days_off: int
    max_weekends: int


@dataclass(frozen=True)
class Request:
    """Shift-on or shift-off request: (employee, day, shift, weight)."""

    employee: str
    day: int
    shift: str
    weight: int


@dataclass(frozen=True)
class Cover:
    """SECTION_COVER row: (day, shift, requirement, weight under, weight over)."""

    day: int
    shift: str
    requirement: int
    under: int
    over: int


@dataclass(frozen=True)
class Instance:
    """One benchmark instance. Day 0 is a Monday."""

    name: str
    horizon: int
    shifts: dict[str, ShiftSpec]
    staff: list[Staff]
    days_off: dict[str, frozenset[int]] = field(default_factory=dict)
    on_requests: list[Request] = field(default_factory=list)
    off_requests: list[Request] = field(default_factory=list)
    cover: list[Cover] = field(default_factory=list)

    @property
    def weekends(self) -> list[tuple[int, int]]:
        """(Saturday, Sunday) day indexes inside the horizon."""
        return [(d, d + 1) for d in range(5, self.horizon, 7) if d + 1 < self.horizon]


class CurtoisFormatError(ValueError):
    """The file is not in the benchmark's text format; the message names the line."""


def read_instance(path: Path | str) -> Instance:
    path = Path(path)
    return parse_instance(path.read_text(encoding="utf-8"), path.stem)


def parse_instance(text: str, name: str = "instance") -> Instance:
    """Parse the benchmark's text format (sections, '#' comments, comma separated)."""
    sections: dict[str, list[tuple[int, list[str]]]] = {}
    current: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("SECTION_"):
            current = line
            sections[current] = []
        elif current is None:
            raise CurtoisFormatError(f"{name}:{number}: data before the first SECTION_")
        else:
            sections[current].append((number, [c.strip() for c in line.split(",")]))
    try:
        horizon = int(sections["SECTION_HORIZON"][0][1][0])
        shifts = {row[0]: ShiftSpec(row[0], int(row[1]),
                                    frozenset(s for s in row[2].split("|") if s)
                                    if len(row) > 2 else frozenset())
                  for _, row in sections["SECTION_SHIFTS"]}
        staff = [_staff(row) for _, row in sections["SECTION_STAFF"]]
        days_off = {row[0]: frozenset(int(d) for d in row[1:] if d)
                    for _, row in sections.get("SECTION_DAYS_OFF", [])}
        on = [_request(row) for _, row in sections.get("SECTION_SHIFT_ON_REQUESTS", [])]
        off = [_request(row) for _, row in sections.get("SECTION_SHIFT_OFF_REQUESTS", [])]
        cover = [Cover(int(r[0]), r[1], int(r[2]), int(r[3]), int(r[4]))
                 for _, r in sections.get("SECTION_COVER", [])]
    except (KeyError, IndexError, ValueError) as error:
        raise CurtoisFormatError(f"{name}: malformed or missing section ({error})") from None
    return Instance(name, horizon, shifts, staff, days_off, on, off, cover)


def _staff(row: list[str]) -> Staff:
    limits = dict(part.split("=") for part in row[1].split("|") if part)
    return Staff(row[0], {k: int(v) for k, v in limits.items()}, int(row[2]), int(row[3]),
                 int(row[4]), int(row[5]), int(row[6]), int(row[7]))


def _request(row: list[str]) -> Request:
    return Request(row[0], int(row[1]), row[2], int(row[3]))


def objective(instance: Instance, roster: Roster) -> int:
    """The benchmark penalty of a roster: unmet requests plus weighted under/over cover."""
    total = 0
    for request in instance.on_requests:
        if roster.get((request.employee, request.day)) != request.shift:
            total += request.weight
    for request in instance.off_requests:
        if roster.get((request.employee, request.day)) == request.shift:
            total += request.weight
    staffed: dict[tuple[int, str], int] = {}
    for (_, day), shift in roster.items():
        staffed[day, shift] = staffed.get((day, shift), 0) + 1
    for cover in instance.cover:
        have = staffed.get((cover.day, cover.shift), 0)
        total += max(cover.requirement - have, 0) * cover.under
        total += max(have - cover.requirement, 0) * cover.over
    return total


def hard_violations(instance: Instance, roster: Roster) -> list[str]:
    """Every broken hard rule of the benchmark, in English; empty for a feasible roster."""
    found: list[str] = []
    staff_ids = {s.id for s in instance.staff}
    for (employee, day), shift in roster.items():
        if employee not in staff_ids or not 0 <= day < instance.horizon:
            found.append(f"{employee} day {day}: unknown employee or day")
        if shift not in instance.shifts:
            found.append(f"{employee} day {day}: unknown shift {shift}")
    for staff in instance.staff:
        found.extend(staff_violations(instance, staff, roster))
    return found


def staff_violations(instance: Instance, staff: Staff, roster: Roster) -> list[str]:
    e = staff.id
    days = [roster.get((e, d)) for d in range(instance.horizon)]
    found = [f"{e} works day {d} (a day off)" for d in instance.days_off.get(e, ())
             if d < instance.horizon and days[d] is not None]
    for d in range(instance.horizon - 1):
        today, tomorrow = days[d], days[d + 1]
        if today and tomorrow and tomorrow in instance.shifts[today].cannot_follow:
            found.append(f"{e}: {tomorrow} on day {d + 1} cannot follow {today}")
    for shift_id, limit in staff.max_shifts.items():
        count = sum(1 for s in days if s == shift_id)
        if count > limit:
            found.append(f"{e}: {count} {shift_id} shifts > {limit}")
    minutes = sum(instance.shifts[s].minutes for s in days if s in instance.shifts)
    if not staff.min_minutes <= minutes <= staff.max_minutes:
        found.append(f"{e}: {minutes} min outside [{staff.min_minutes}, {staff.max_minutes}]")
    for working, value in _blocks([s is not None for s in days]):
        start, length = value
        interior = start > 0 and start + length < instance.horizon
        if working and length > staff.max_consecutive:
            found.append(f"{e}: {length} shifts in a row from day {start}")
        if working and interior and length < staff.min_consecutive:
            found.append(f"{e}: only {length} shifts in a row from day {start}")
        if not working and interior and length < staff.min_days_off:
            found.append(f"{e}: only {length} days off in a row from day {start}")
    weekends = sum(1 for sat, sun in instance.weekends if days[sat] or days[sun])
    if weekends > staff.max_weekends:
        found.append(f"{e}: works {weekends} weekends > {staff.max_weekends}")
    return found


def _blocks(flags: list[bool]) -> list[tuple[bool, tuple[int, int]]]:
    """Maximal runs of equal flags: (flag, (start, length))."""
    runs: list[tuple[bool, tuple[int, int]]] = []
    start = 0
    for d in range(1, len(flags) + 1):
        if d == len(flags) or flags[d] != flags[start]:
            runs.append((flags[start], (start, d - start)))
            start = d
    return runs
