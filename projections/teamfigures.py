"""The team overview's figures, per ISO week or for any period, from its facts.

Definitions (AGREEMENT.md §2; every figure comes with the number of observations):

* **Kontinuitet**: for each citizen who got a delivered visit in a 14-day
  window, the number of distinct staff who came. A week's window is the 14
  days ending on its Sunday; a period is cut into 14-day blocks from its first
  day (a last block shorter than 7 days is left out). Mean, median and the
  distribution (1, 2, … 9, 10+) over citizen-windows; plus the share of
  delivered visits at which the citizen's contact person was one of the staff.
* **Borgertid, Danish direct measure (BTP)**: delivered visit minutes (actual
  start to actual end, once per staff member, so a double-staffed visit counts
  twice) over attended shift minutes (held shifts in the roster after sickness
  cover — fremmødetid, absence excluded).
* **Borgertid, Buurtzorg-style**: (direct + indirect citizen-related time) over
  the same attended minutes. The log holds no indirect time, so it is
  *assumed*: ``INDIRECT_MINUTES_PER_VISIT`` (10) minutes per staff member per
  delivered visit for documentation and coordination with relatives, GP and
  colleagues; travel is not counted. Not comparable with the Danish BTP.
* **Sygefravær**: sick minutes over planned minutes. Planned = the members'
  contracted hours spread evenly over the calendar days of the period; sick =
  the same daily share for each calendar day of a sick absence (an absence
  still open counts up to the latest delivered day, the business clock).
  Current members only: someone who left is no longer counted.
* **Rehabiliteringseffekt**: for each rehabilitation course (a visitation with
  the § 83a service ``REH``) that ended in the period, granted minutes per
  week after it minus the granted minutes (without the course) when it began.
* **Puslen**: bids met (want shift/route: held; avoid shift/day off: not held)
  in the current roster, swaps, takes and releases by the shifts' days,
  accepted proposals, and the share of proposed shifts the team changed
  (a different holder now).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from projections.events import iso_week, week_monday
from projections.teamoverview import TeamOverviewView

INDIRECT_MINUTES_PER_VISIT = 10
DISTRIBUTION_KEYS = tuple(str(n) for n in range(1, 10)) + ("10+",)


@dataclass(frozen=True)
class Figures:
    """A team's figures for one week or period, with the observations behind them."""

    team_id: str
    start: date
    end: date
    visits: int = 0
    staff_visits: int = 0
    direct_minutes: int = 0
    attended_minutes: int = 0
    shifts: int = 0
    continuity_mean: float | None = None
    continuity_median: float | None = None
    continuity_n: int = 0
    continuity_distribution: dict[str, int] = field(default_factory=dict)
    contact_visits: int = 0
    members: int = 0
    planned_minutes: int = 0
    sick_minutes: int = 0
    sick_days: int = 0
    rehab_courses: int = 0
    rehab_minutes_change: int = 0
    visitation_changes: int = 0
    granted_change: int = 0
    bids: int = 0
    bids_met: int = 0
    swaps: int = 0
    takes: int = 0
    releases: int = 0
    proposals: int = 0
    proposal_shifts: int = 0
    proposal_shifts_changed: int = 0
    changes_after_publish: int = 0

    @property
    def week(self) -> str:
        return iso_week(self.start)

    @property
    def btp_direct(self) -> float | None:
        return _share(self.direct_minutes, self.attended_minutes)

    @property
    def btp_buurtzorg(self) -> float | None:
        indirect = INDIRECT_MINUTES_PER_VISIT * self.staff_visits
        return _share(self.direct_minutes + indirect, self.attended_minutes)

    @property
    def contact_share(self) -> float | None:
        return _share(self.contact_visits, self.visits)

    @property
    def sick_rate(self) -> float | None:
        return _share(self.sick_minutes, self.planned_minutes)

    @property
    def rehab_mean_change(self) -> float | None:
        return self.rehab_minutes_change / self.rehab_courses if self.rehab_courses else None

    @property
    def bids_met_share(self) -> float | None:
        return _share(self.bids_met, self.bids)

    @property
    def proposal_changed_share(self) -> float | None:
        return _share(self.proposal_shifts_changed, self.proposal_shifts)


def _share(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def teams(view: TeamOverviewView) -> list[dict[str, Any]]:
    """Every team (id, code, name, area), ordered by code."""
    return view.select("SELECT team_id, code, name, area FROM {teams} ORDER BY code")


def find_team(view: TeamOverviewView, code_or_id: str) -> dict[str, Any] | None:
    """A team by its code (case-insensitive) or id."""
    for team in teams(view):
        if code_or_id.lower() in (team["code"].lower(), team["team_id"]):
            return team
    return None


def week_figures(view: TeamOverviewView, team_id: str, first: str, last: str
                 ) -> list[Figures]:
    """Figures per ISO week from ``first`` to ``last`` (``2026-W02``), inclusive."""
    result = []
    monday = week_monday(first)
    while iso_week(monday) <= last:
        sunday = monday + timedelta(days=6)
        result.append(figures(view, team_id, monday, sunday,
                              [(sunday - timedelta(days=13), sunday)]))
        monday += timedelta(days=7)
    return result


def period_figures(view: TeamOverviewView, team_id: str, start: date, end: date) -> Figures:
    """Figures for ``start`` .. ``end`` (inclusive), continuity in 14-day blocks."""
    windows = []
    block = start
    while block <= end:
        block_end = min(end, block + timedelta(days=13))
        if (block_end - block).days >= 6:
            windows.append((block, block_end))
        block += timedelta(days=14)
    return figures(view, team_id, start, end, windows)


def figures(view: TeamOverviewView, team_id: str, start: date, end: date,
            windows: list[tuple[date, date]]) -> Figures:
    """Every figure of ``team_id`` for ``start`` .. ``end``; continuity over ``windows``."""
    values: dict[str, Any] = {}
    values.update(_deliveries(view, team_id, start, end))
    values.update(_continuity(view, team_id, windows))
    values.update(_attendance_and_puzzles(view, team_id, start, end))
    values.update(_sickness(view, team_id, start, end))
    values.update(_counters(view, team_id, start, end))
    rehab = view.select(
        "SELECT minutes_before, minutes_after FROM {rehab_courses} "
        "WHERE team_id = ? AND ended >= ? AND ended <= ?",
        (team_id, start.isoformat(), end.isoformat()))
    values.update(rehab_courses=len(rehab),
                  rehab_minutes_change=sum(r["minutes_after"] - r["minutes_before"]
                                               for r in rehab))
    return Figures(team_id=team_id, start=start, end=end, **values)


def _deliveries(view: TeamOverviewView, team_id: str, start: date, end: date
                ) -> dict[str, int]:
    rows = view.select(
        "SELECT staff, minutes, by_contact FROM {visits} "
        "WHERE team_id = ? AND day >= ? AND day <= ? AND staff IS NOT NULL",
        (team_id, start.isoformat(), end.isoformat()))
    staff = [len(r["staff"].split(",")) for r in rows]
    return {"visits": len(rows), "staff_visits": sum(staff),
            "direct_minutes": sum(r["minutes"] * n
                                  for r, n in zip(rows, staff, strict=True)),
            "contact_visits": sum(1 for r in rows if r["by_contact"])}


def _continuity(view: TeamOverviewView, team_id: str, windows: list[tuple[date, date]]
                ) -> dict[str, Any]:
    counts: list[int] = []
    for first, last in windows:
        seen: dict[str, set[str]] = defaultdict(set)
        for row in view.select(
                "SELECT citizen_id, staff FROM {visits} WHERE team_id = ? AND day >= ? "
                "AND day <= ? AND staff IS NOT NULL",
                (team_id, first.isoformat(), last.isoformat())):
            seen[row["citizen_id"]].update(row["staff"].split(","))
        counts += [len(staff) for staff in seen.values()]
    distribution = dict.fromkeys(DISTRIBUTION_KEYS, 0)
    for n in counts:
        distribution[str(n) if n < 10 else "10+"] += 1
    return {
        "continuity_mean": statistics.fmean(counts) if counts else None,
        "continuity_median": float(statistics.median(counts)) if counts else None,
        "continuity_n": len(counts), "continuity_distribution": distribution,
    }


def _attendance_and_puzzles(view: TeamOverviewView, team_id: str, start: date, end: date
                            ) -> dict[str, int]:
    span = (team_id, start.isoformat(), end.isoformat())
    shifts = view.select(
        "SELECT day, layer, route, employee_id, proposed_id, proposed, minutes FROM {shifts} "
        "WHERE team_id = ? AND day >= ? AND day <= ?", span)
    held = [s for s in shifts if s["employee_id"] is not None]
    by_layer = {(s["employee_id"], s["day"], s["layer"]) for s in held}
    by_route = {(s["employee_id"], s["day"], s["route"]) for s in held}
    by_day = {(s["employee_id"], s["day"]) for s in held}
    bids = view.select("SELECT employee_id, kind, day, layer, route FROM {bids} "
                       "WHERE team_id = ? AND day >= ? AND day <= ?", span)
    met = 0
    for bid in bids:
        who, day = bid["employee_id"], bid["day"]
        met += {
            "want_shift": (who, day, bid["layer"]) in by_layer,
            "avoid_shift": (who, day, bid["layer"]) not in by_layer,
            "day_off": (who, day) not in by_day,
            "want_route": (who, day, bid["route"]) in by_route,
        }.get(bid["kind"], False)
    proposed = [s for s in shifts if s["proposed"]]
    return {
        "attended_minutes": sum(s["minutes"] or 0 for s in held), "shifts": len(held),
        "bids": len(bids), "bids_met": met, "proposal_shifts": len(proposed),
        "proposal_shifts_changed": sum(1 for s in proposed
                                       if s["employee_id"] != s["proposed_id"]),
    }


def _sickness(view: TeamOverviewView, team_id: str, start: date, end: date
              ) -> dict[str, int]:
    members = view.select("SELECT employee_id, weekly_minutes FROM {members} "
                          "WHERE team_id = ?", (team_id,))
    daily = {m["employee_id"]: (m["weekly_minutes"] or 0) / 7 for m in members}
    clock_rows = view.select("SELECT day FROM {clock} WHERE name = ?", ("business",))
    clock = date.fromisoformat(clock_rows[0]["day"]) if clock_rows else end
    days = (end - start).days + 1
    sick_days: dict[str, int] = defaultdict(int)
    absences = view.select(
        "SELECT a.employee_id, a.first_day, a.last_day FROM {absences} a JOIN {members} m "
        "ON m.employee_id = a.employee_id WHERE m.team_id = ? AND a.kind = ?",
        (team_id, "sick"))
    for absence in absences:
        first = max(start, date.fromisoformat(absence["first_day"]))
        last = min(end, date.fromisoformat(absence["last_day"]) if absence["last_day"]
                   else clock)
        if last >= first:
            sick_days[absence["employee_id"]] += (last - first).days + 1
    return {
        "members": len(members), "planned_minutes": round(sum(daily.values()) * days),
        "sick_minutes": round(sum(daily[e] * n for e, n in sick_days.items())),
        "sick_days": sum(sick_days.values()),
    }


def _counters(view: TeamOverviewView, team_id: str, start: date, end: date
              ) -> dict[str, int]:
    names = ("swaps", "takes", "releases", "proposals", "changes_after_publish",
             "visitation_changes", "granted_change")
    sums = ", ".join(f"COALESCE(SUM({n}), 0) AS {n}" for n in names)
    row = view.select(f"SELECT {sums} FROM {{team_days}} WHERE team_id = ? AND day >= ? "
                      "AND day <= ?", (team_id, start.isoformat(), end.isoformat()))[0]
    return {n: int(row[n]) for n in names}
