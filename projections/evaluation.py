"""Comparing two periods of a team (før/efter): the figures, their tables and CSV.

The core of ``pusleplan evaluate`` and of the web's Evaluering page, so both
give the same numbers: ``compare(view, team, before, after)`` computes every
figure of both periods (``projections.teamfigures.period_figures``) and the
weekly course over both; ``figure_table``, ``week_table`` and
``distribution_table`` turn a comparison into rows (what the report, the page
and the CSV files show). Every figure comes with the difference (after −
before; percentage points for shares) and the number of observations behind it.
Citizens appear only as counts.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from projections.events import iso_week
from projections.teamfigures import (
    DISTRIBUTION_KEYS,
    INDIRECT_MINUTES_PER_VISIT,
    Figures,
    find_team,
    period_figures,
    week_figures,
)
from projections.teamoverview import TeamOverviewView


@dataclass(frozen=True)
class Period:
    """A named period (``before`` or ``after``), first and last day inclusive."""

    name: str
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass
class Comparison:
    """A team's figures for two periods and the weeks over both."""

    team: dict[str, Any]
    before: Period
    after: Period
    figures: dict[str, Figures]
    weeks: list[Figures]


def parse_period(name: str, text: str) -> Period:
    """``2026-01-05..2026-03-01`` as a Period; ValueError with a clear message."""
    first, sep, last = text.partition("..")
    try:
        if not sep:
            raise ValueError
        period = Period(name, date.fromisoformat(first.strip()), date.fromisoformat(last.strip()))
    except ValueError:
        raise ValueError(f"--{name} must be FIRST..LAST, e.g. 2026-01-05..2026-03-01 "
                         f"(got {text!r})") from None
    if period.end < period.start:
        raise ValueError(f"--{name}: {period.end} lies before {period.start}")
    return period


def compare(view: TeamOverviewView, team: str, before: Period, after: Period) -> Comparison:
    """Both periods' figures and the weeks over both; LookupError if ``team`` is unknown.

    ``team`` is a team code (case-insensitive) or id. The view should be caught up first.
    """
    found = find_team(view, team)
    if found is None:
        raise LookupError(f"no team {team!r}")
    team_id = found["team_id"]
    figures = {p.name: period_figures(view, team_id, p.start, p.end) for p in (before, after)}
    first, last = min(before.start, after.start), max(before.end, after.end)
    weeks = week_figures(view, team_id, iso_week(first), iso_week(last))
    return Comparison(found, before, after, figures, weeks)


def delivered_span(view: TeamOverviewView, team_id: str) -> tuple[date, date] | None:
    """The first and last day with a delivered visit for the team, or None."""
    row = view.select("SELECT MIN(day) AS first, MAX(day) AS last FROM {visits} "
                      "WHERE team_id = ? AND staff IS NOT NULL", (team_id,))[0]
    if not row["first"]:
        return None
    return date.fromisoformat(row["first"]), date.fromisoformat(row["last"])


def halfway(first: date, last: date) -> tuple[Period, Period]:
    """``first`` .. ``last`` cut in two at a week boundary halfway (the demo's reorganisation).

    The cut falls ``7 × (weeks // 2)`` days after ``first``, where weeks counts the
    started weeks of the span; a span shorter than two weeks is cut in the middle day.
    """
    days = (last - first).days + 1
    weeks = -(-days // 7)
    cut = first + timedelta(days=7 * (weeks // 2)) if weeks >= 2 else first + timedelta(
        days=days // 2)
    if cut <= first:
        cut = min(last, first + timedelta(days=1))
    return Period("before", first, max(first, cut - timedelta(days=1))), Period("after", cut, last)


# -- the tables -----------------------------------------------------------------------


@dataclass(frozen=True)
class FigureRow:
    """One figure of the comparison: how to read its value and observations."""

    key: str
    label: str
    unit: str
    value: Callable[[Figures, int], float | None]
    observations: Callable[[Figures, int], int]
    observed: str

    @property
    def is_share(self) -> bool:
        return self.unit == "%"


def _weeks(days: int) -> float:
    return days / 7


ROWS = (
    FigureRow("continuity_mean", "Kontinuitet: forskellige medarbejdere pr. borger pr. 14 dage "
              "(gennemsnit)", "personer", lambda f, d: f.continuity_mean,
              lambda f, d: f.continuity_n, "borger-perioder à 14 dage"),
    FigureRow("continuity_median", "Kontinuitet: forskellige medarbejdere pr. borger pr. 14 "
              "dage (median)", "personer", lambda f, d: f.continuity_median,
              lambda f, d: f.continuity_n, "borger-perioder à 14 dage"),
    FigureRow("contact_share", "Besøg hvor kontaktpersonen kom", "%",
              lambda f, d: f.contact_share, lambda f, d: f.visits, "leverede besøg"),
    FigureRow("btp_direct", "Borgertid, dansk direkte BTP (besøgstid / fremmødetid)", "%",
              lambda f, d: f.btp_direct, lambda f, d: f.shifts, "vagter"),
    FigureRow("btp_buurtzorg", "Borgertid, Buurtzorg-lignende (direkte + antaget indirekte "
              f"tid {INDIRECT_MINUTES_PER_VISIT} min pr. besøg)", "%",
              lambda f, d: f.btp_buurtzorg, lambda f, d: f.shifts, "vagter"),
    FigureRow("sick_rate", "Sygefravær (sygetimer / planlagte timer)", "%",
              lambda f, d: f.sick_rate, lambda f, d: f.members, "medarbejdere"),
    FigureRow("rehab_courses", "Afsluttede rehabiliteringsforløb (§ 83a)", "antal",
              lambda f, d: f.rehab_courses, lambda f, d: f.rehab_courses, "forløb"),
    FigureRow("rehab_mean_change", "Rehabiliteringseffekt: ændring i visiterede minutter "
              "pr. uge pr. forløb", "min/uge", lambda f, d: f.rehab_mean_change,
              lambda f, d: f.rehab_courses, "forløb"),
    FigureRow("granted_change", "Ændring i visiterede minutter pr. uge, alle ændringer",
              "min/uge", lambda f, d: f.granted_change, lambda f, d: f.visitation_changes,
              "visitationsændringer"),
    FigureRow("bids_met_share", "Ønsker opfyldt", "%", lambda f, d: f.bids_met_share,
              lambda f, d: f.bids, "ønsker"),
    FigureRow("swaps_per_week", "Byttede vagter pr. uge", "antal",
              lambda f, d: f.swaps / _weeks(d), lambda f, d: f.swaps, "byt"),
    FigureRow("puzzles_per_week", "Vagter taget eller afgivet pr. uge", "antal",
              lambda f, d: (f.takes + f.releases) / _weeks(d),
              lambda f, d: f.takes + f.releases, "puslinger"),
    FigureRow("proposal_changed_share", "Forslagets vagter som teamet har ændret", "%",
              lambda f, d: f.proposal_changed_share, lambda f, d: f.proposal_shifts,
              "foreslåede vagter"),
    FigureRow("visits_per_day", "Leverede besøg pr. dag", "antal",
              lambda f, d: f.visits / d, lambda f, d: f.visits, "besøg"),
)


def _shown(row: FigureRow, value: float | None) -> float | None:
    if value is None:
        return None
    return round(value * 100, 2) if row.is_share else round(value, 2)


def figure_table(comparison: Comparison) -> list[dict[str, Any]]:
    """Every figure: before, after, difference and observations (as shown and in CSV)."""
    rows = []
    for row in ROWS:
        before = _shown(row, row.value(comparison.figures["before"], comparison.before.days))
        after = _shown(row, row.value(comparison.figures["after"], comparison.after.days))
        rows.append({
            "figure": row.key, "label": row.label, "unit": row.unit,
            "before": before, "after": after,
            "difference": None if before is None or after is None else round(after - before, 2),
            "n_before": row.observations(comparison.figures["before"], comparison.before.days),
            "n_after": row.observations(comparison.figures["after"], comparison.after.days),
            "observations": row.observed,
        })
    return rows


def period_of(comparison: Comparison, week: Figures) -> str:
    """``before``, ``after`` or "" — the period a week lies wholly inside."""
    for candidate in (comparison.before, comparison.after):
        if candidate.start <= week.start and week.end <= candidate.end:
            return candidate.name
    return ""


def week_table(comparison: Comparison) -> list[dict[str, Any]]:
    """The weekly course over both periods (as in weeks.csv)."""
    rows = []
    for week in comparison.weeks:
        rows.append({
            "week": week.week, "monday": week.start.isoformat(),
            "period": period_of(comparison, week),
            "visits": week.visits, "continuity_mean": rounded(week.continuity_mean),
            "continuity_median": week.continuity_median, "continuity_n": week.continuity_n,
            "contact_share_pct": percent(week.contact_share),
            "btp_direct_pct": percent(week.btp_direct),
            "btp_buurtzorg_pct": percent(week.btp_buurtzorg),
            "direct_minutes": week.direct_minutes, "attended_minutes": week.attended_minutes,
            "sick_rate_pct": percent(week.sick_rate), "sick_days": week.sick_days,
            "bids": week.bids, "bids_met": week.bids_met, "swaps": week.swaps,
            "rehab_courses": week.rehab_courses,
            "rehab_minutes_change": week.rehab_minutes_change,
        })
    return rows


def rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def percent(value: float | None) -> float | None:
    """A share 0–1 as a percentage with two decimals (None stays None)."""
    return None if value is None else round(value * 100, 2)


def distribution_table(comparison: Comparison) -> list[dict[str, Any]]:
    """Citizen-periods by distinct staff (1 … 10+), before and after."""
    return [{"distinct_staff": key,
             "before": comparison.figures["before"].continuity_distribution.get(key, 0),
             "after": comparison.figures["after"].continuity_distribution.get(key, 0)}
            for key in DISTRIBUTION_KEYS]


#: The CSV files of a comparison (name -> table), as ``pusleplan evaluate`` writes them.
CSV_TABLES: dict[str, Callable[[Comparison], list[dict[str, Any]]]] = {
    "figures": figure_table,
    "weeks": week_table,
    "continuity_distribution": distribution_table,
}


def csv_text(rows: list[dict[str, Any]]) -> str:
    """Rows as CSV text (header from the keys in first-seen order)."""
    fields: list[str] = []
    for row in rows:
        fields += [k for k in row if k not in fields]
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=fields)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    """Write rows as a UTF-8 CSV file; return its path."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        handle.write(csv_text(rows))
    return path
