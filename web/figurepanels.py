"""The team overview's figures as panels: a chart per figure and its numbers beside it.

Used by Teamoverblik (weeks of one team) and Evaluering (the weeks over both
periods, with the periods shaded). Each ``PanelSpec`` says which ``Figures``
values a chart shows, in which unit, and which count is its number of
observations (n). The figures themselves are ``projections.teamfigures``'s.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from projections.teamfigures import INDIRECT_MINUTES_PER_VISIT, Figures
from web.charts import Band, Reference, Series, number, week_chart

Value = Callable[[Figures], float | None]

BUURTZORG_TARGET_PCT = 61


def _pct(get: Callable[[Figures], float | None]) -> Value:
    def value(figures: Figures) -> float | None:
        share = get(figures)
        return None if share is None else share * 100
    return value


@dataclass(frozen=True)
class PanelSpec:
    """One figure's chart: series (name, value), unit, axis label and observations."""

    key: str
    title: str
    explanation: str
    unit: str
    y_label: str
    series: tuple[tuple[str, Value], ...]
    observations: Callable[[Figures], int] | None
    observed: str = ""
    bars: bool = False
    decimals: int = 1
    reference: Reference | None = None
    #: What the chart says when the weeks have no value (instead of an empty axis).
    empty: str = "Ingen tal for ugerne endnu."
    #: A count (not a measure): only zeros mean nothing happened, and say ``empty`` too.
    zero_is_empty: bool = False


PANELS: tuple[PanelSpec, ...] = (
    PanelSpec("kontinuitet", "Kontinuitet",
              "Forskellige medarbejdere, der har været hos den samme borger i de 14 dage, "
              "som slutter ugens søndag. Færre er bedre.",
              "personer", "medarbejdere pr. borger",
              (("Gennemsnit", lambda f: f.continuity_mean),
               ("Median", lambda f: f.continuity_median)),
              lambda f: f.continuity_n, "borgere",
              empty="Ingen leverede besøg i ugerne – kontinuiteten måles, når besøgene "
                    "er registreret."),
    PanelSpec("kontaktperson", "Kontaktpersonen kom",
              "Andel af ugens leverede besøg, hvor borgerens kontaktperson var med.",
              "%", "% af besøg", (("Kontaktperson", _pct(lambda f: f.contact_share)),),
              lambda f: f.visits, "besøg",
              empty="Ingen leverede besøg i ugerne endnu."),
    PanelSpec("borgertid", "Borgertid",
              "Dansk direkte BTP: leveret besøgstid / fremmødetid. Buurtzorg-lignende: "
              f"plus antaget indirekte tid ({INDIRECT_MINUTES_PER_VISIT} min pr. besøg).",
              "%", "% af fremmødetid",
              (("Dansk BTP", _pct(lambda f: f.btp_direct)),
               ("Buurtzorg-lignende", _pct(lambda f: f.btp_buurtzorg))),
              lambda f: f.shifts, "vagter",
              reference=Reference(BUURTZORG_TARGET_PCT,
                                  f"Buurtzorg-mål {BUURTZORG_TARGET_PCT} %"),
              empty="Ingen vagter med leverede besøg i ugerne endnu."),
    PanelSpec("sygefravaer", "Sygefravær",
              "Sygetimer / planlagte timer for teamets nuværende medlemmer.",
              "%", "% af planlagte timer", (("Sygefravær", _pct(lambda f: f.sick_rate)),),
              lambda f: f.members, "medarbejdere",
              empty="Ingen planlagte timer i ugerne – sygefraværet kan ikke beregnes."),
    PanelSpec("rehabilitering", "Rehabiliteringseffekt",
              "Ændring i visiterede minutter pr. uge efter et afsluttet forløb (§ 83a), "
              "gennemsnit pr. forløb. Negativ: borgeren har brug for mindre hjælp.",
              "min/uge", "minutter pr. uge",
              (("Ændring pr. forløb", lambda f: f.rehab_mean_change),),
              lambda f: f.rehab_courses, "forløb", bars=True, decimals=0,
              empty="Ingen rehabiliteringsforløb er afsluttet i ugerne."),
    PanelSpec("oensker", "Ønsker opfyldt",
              "Andel af medarbejdernes ønsker (vagt, fri, rute) som vagtplanen opfylder.",
              "%", "% af ønsker", (("Ønsker opfyldt", _pct(lambda f: f.bids_met_share)),),
              lambda f: f.bids, "ønsker",
              empty="Ingen ønsker til vagtplanen i ugerne."),
    PanelSpec("pusling", "Pusleaktivitet",
              "Vagter byttet, taget og afgivet af teamet selv, efter vagtens dag.",
              "vagter", "antal vagter",
              (("Byttet", lambda f: f.swaps), ("Taget", lambda f: f.takes),
               ("Afgivet", lambda f: f.releases)),
              None, bars=True, decimals=0,
              empty="Ingen vagter er byttet, taget eller afgivet i ugerne.",
              zero_is_empty=True),
)


@dataclass
class Panel:
    """A chart and the table of its numbers, ready for the template."""

    spec: PanelSpec
    chart: Markup
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)


def week_labels(weeks: Sequence[Figures]) -> tuple[list[str], str]:
    """Short x labels (the week number) and the axis label with the year(s)."""
    years = sorted({w.start.isocalendar()[0] for w in weeks})
    labels = [str(w.start.isocalendar()[1]) for w in weeks]
    span = f" {years[0]}" if len(years) == 1 else (f" {years[0]}–{years[-1]}" if years else "")
    return labels, f"Uge{span}"


def panels(weeks: Sequence[Figures], bands: Sequence[Band] = (),
           week_period: Callable[[Figures], str] | None = None) -> list[Panel]:
    """Every panel for these weeks; ``week_period`` adds a period column (før/efter)."""
    labels, x_label = week_labels(weeks)
    result = []
    for spec in PANELS:
        series = [Series(name, [get(w) for w in weeks],
                         [spec.observations(w) for w in weeks] if spec.observations else [])
                  for name, get in spec.series]
        chart = week_chart(spec.title, labels, series, unit=spec.unit, y_label=spec.y_label,
                           x_label=x_label, bars=spec.bars, bands=bands,
                           reference=spec.reference, decimals=spec.decimals,
                           empty=spec.empty, zero_is_empty=spec.zero_is_empty)
        columns = ["Uge"] + (["Periode"] if week_period else [])
        columns += [f"{name} ({spec.unit})" for name, _ in spec.series]
        if spec.observations:
            columns.append(f"n ({spec.observed})")
        rows = []
        for week in weeks:
            row = [str(week.start.isocalendar()[1])]
            if week_period:
                row.append(week_period(week))
            row += [number(get(week), spec.decimals) for _, get in spec.series]
            if spec.observations:
                row.append(str(spec.observations(week)))
            rows.append(row)
        result.append(Panel(spec, chart, columns, rows))
    return result


def figures_answer(figures: Figures) -> dict[str, Any]:
    """Every figure and count of a week or period (shares 0–1), for the JSON API."""
    names = ("visits", "staff_visits", "direct_minutes", "attended_minutes", "shifts",
             "continuity_mean", "continuity_median", "continuity_n",
             "continuity_distribution", "contact_visits", "contact_share", "btp_direct",
             "btp_buurtzorg", "members", "planned_minutes", "sick_minutes", "sick_days",
             "sick_rate", "rehab_courses", "rehab_minutes_change", "rehab_mean_change",
             "visitation_changes", "granted_change", "bids", "bids_met", "bids_met_share",
             "swaps", "takes", "releases", "proposals", "proposal_shifts",
             "proposal_shifts_changed", "proposal_changed_share", "changes_after_publish")
    return {"week": figures.week, "start": figures.start, "end": figures.end,
            **{name: getattr(figures, name) for name in names}}
