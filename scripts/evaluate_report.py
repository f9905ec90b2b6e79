"""The evaluation report: a self-contained HTML page with charts, and a CSV per table.

Charts are drawn with matplotlib (Agg) as SVG and embedded in the page, so the
report is one file that opens anywhere. Every figure is shown for both periods
with the difference (after − before; percentage points for shares) and the
number of observations behind it (the tables are ``projections.evaluation``'s,
shared with the web's Evaluering page). Citizens appear only as counts.
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")
from matplotlib import pyplot  # noqa: E402  (the backend is chosen first)

from projections.evaluation import (  # noqa: E402
    ROWS,
    FigureRow,
    distribution_table,
    figure_table,
    week_table,
    write_csv,
)
from projections.evaluation import percent as _pct  # noqa: E402
from projections.evaluation import rounded as _round  # noqa: E402
from projections.teamfigures import INDIRECT_MINUTES_PER_VISIT, Figures  # noqa: E402

if TYPE_CHECKING:
    from scripts.evaluate import Evaluation

matplotlib.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "pusleplan",
                            "font.size": 9, "axes.spines.top": False,
                            "axes.spines.right": False})
BEFORE_COLOUR, AFTER_COLOUR = "#8c9bab", "#2a7f62"

__all__ = ["ROWS", "FigureRow", "counterfactual_table", "distribution_table", "figure_table",
           "render_html", "week_table", "write_csv", "write_report"]



def counterfactual_table(evaluation: Evaluation) -> list[dict[str, Any]]:
    replanned = evaluation.counterfactual
    if not replanned.available:
        return [{"day": "", "period": "", "source": "not available", "note": replanned.reason}]
    rows = []
    for actual, plan in replanned.days:
        period = "before" if actual.day <= evaluation.before.end else "after"
        for source, outcome in (("actual", actual), ("replanned", plan)):
            rows.append({"day": outcome.day.isoformat(), "period": period, "source": source,
                         "visits": outcome.visits,
                         "mean_distinct_staff": _round(outcome.mean_distinct_staff),
                         "contact_share_pct": _pct(outcome.contact_share),
                         "travel_minutes": outcome.travel_minutes,
                         "lateness_minutes": outcome.lateness_minutes,
                         "unassigned": outcome.unassigned})
    return rows


# -- charts -------------------------------------------------------------------------


def _svg(figure: Any) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    pyplot.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def _shade(axes: Any, evaluation: Evaluation, weeks: list[Figures]) -> None:
    for period, colour in ((evaluation.before, BEFORE_COLOUR), (evaluation.after, AFTER_COLOUR)):
        inside = [i for i, w in enumerate(weeks)
                  if period.start <= w.start and w.end <= period.end]
        if inside:
            axes.axvspan(inside[0] - 0.5, inside[-1] + 0.5, color=colour, alpha=0.12,
                         label="før" if period.name == "before" else "efter")


def weekly_chart(evaluation: Evaluation, title: str, series: dict[str, Callable[[Figures],
                 float | None]], unit: str) -> str:
    weeks = evaluation.weeks
    figure, axes = pyplot.subplots(figsize=(7.5, 2.8))
    labels = [w.week[5:] for w in weeks]
    for name, value in series.items():
        values = [value(w) for w in weeks]
        axes.plot(range(len(weeks)), [float("nan") if v is None else v for v in values],
                  marker="o", label=name)
    _shade(axes, evaluation, weeks)
    axes.set_xticks(range(len(weeks)), labels, rotation=0)
    axes.set_ylabel(unit)
    axes.set_title(title)
    axes.legend(loc="best", frameon=False)
    return _svg(figure)


def distribution_chart(evaluation: Evaluation) -> str:
    rows = distribution_table(evaluation)
    figure, axes = pyplot.subplots(figsize=(7.5, 2.8))
    positions = range(len(rows))
    for offset, period, colour, label in ((-0.2, "before", BEFORE_COLOUR, "før"),
                                          (0.2, "after", AFTER_COLOUR, "efter")):
        total = sum(r[period] for r in rows) or 1
        axes.bar([p + offset for p in positions], [100 * r[period] / total for r in rows],
                 width=0.4, color=colour, label=label)
    axes.set_xticks(list(positions), [r["distinct_staff"] for r in rows])
    axes.set_xlabel("forskellige medarbejdere hos borgeren på 14 dage")
    axes.set_ylabel("% af borger-perioder")
    axes.set_title("Kontinuitet: fordeling")
    axes.legend(frameon=False)
    return _svg(figure)


def counterfactual_chart(evaluation: Evaluation) -> str | None:
    if not evaluation.counterfactual.available or not evaluation.counterfactual.days:
        return None
    days = evaluation.counterfactual.days
    figure, panels = pyplot.subplots(1, 3, figsize=(9, 2.8))
    for axes, (title, get) in zip(panels, (
            ("Medarbejdere pr. borger (dag)", lambda o: o.mean_distinct_staff or 0),
            ("Kørsel (min)", lambda o: o.travel_minutes),
            ("Forsinkelse (min)", lambda o: o.lateness_minutes)), strict=True):
        x = range(len(days))
        axes.bar([i - 0.2 for i in x], [get(a) for a, _ in days], width=0.4,
                 color=BEFORE_COLOUR, label="som det skete")
        axes.bar([i + 0.2 for i in x], [get(r) for _, r in days], width=0.4,
                 color=AFTER_COLOUR, label="genplanlagt")
        axes.set_xticks(list(x), [a.day.strftime("%d/%m") for a, _ in days])
        axes.set_title(title)
    panels[0].legend(frameon=False)
    return _svg(figure)


# -- the page -----------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.2f}".replace(",", " ").replace(".", ",")
    return html.escape(str(value))


def _table(rows: list[dict[str, Any]], columns: dict[str, str]) -> str:
    head = "".join(f"<th>{html.escape(label)}</th>" for label in columns.values())
    body = "".join("<tr>" + "".join(f"<td>{_cell(row.get(key))}</td>" for key in columns)
                   + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


STYLE = """
body{font-family:system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em}
table{border-collapse:collapse;width:100%;font-size:.85em;margin:.5em 0}
th,td{border-bottom:1px solid #ddd;padding:.3em .4em;text-align:right}
th:first-child,td:first-child{text-align:left}.note{color:#555;font-size:.85em}
figure{margin:1em 0}svg{max-width:100%;height:auto}
"""


def render_html(evaluation: Evaluation) -> str:
    """The report page."""
    team, before, after = evaluation.team, evaluation.before, evaluation.after
    figures = figure_table(evaluation)
    charts = [
        weekly_chart(evaluation, "Kontinuitet pr. uge (14 dage bagud)", {
            "gennemsnit": lambda w: w.continuity_mean, "median": lambda w: w.continuity_median},
            "personer"),
        distribution_chart(evaluation),
        weekly_chart(evaluation, "Borgertid pr. uge", {
            "dansk BTP": lambda w: _pct(w.btp_direct),
            "Buurtzorg-lignende": lambda w: _pct(w.btp_buurtzorg)}, "%"),
        weekly_chart(evaluation, "Sygefravær pr. uge", {"sygefravær": lambda w: _pct(w.sick_rate)},
                     "%"),
    ]
    replanned = evaluation.counterfactual
    if replanned.available:
        chart = counterfactual_chart(evaluation)
        weights = ", ".join(f"{k}={v}" for k, v in replanned.weights.items())
        counter = (f"<p>Historiske dage genplanlagt med ruteplanlæggeren "
                   f"({replanned.time_limit_s:g} s pr. dag; vægte: {html.escape(weights)}) "
                   "og sammenlignet med hvad der skete.</p>"
                   + (f"<figure>{chart}</figure>" if chart else "")
                   + _table(counterfactual_table(evaluation), {
                       "day": "Dag", "period": "Periode", "source": "Kilde", "visits": "Besøg",
                       "mean_distinct_staff": "Medarb. pr. borger",
                       "contact_share_pct": "Kontaktperson %", "travel_minutes": "Kørsel min",
                       "lateness_minutes": "Forsinkelse min", "unassigned": "Uplanlagt"}))
    else:
        counter = ("<p>Den kontrafaktiske genplanlægning er ikke tilgængelig endnu: "
                   f"{html.escape(replanned.reason)}.</p>")
    title = f"Evaluering af {team['code']} {team['name']}"
    period_text = (f"Før: {before.start} – {before.end} ({before.days} dage). "
                   f"Efter: {after.start} – {after.end} ({after.days} dage).")
    return f"""<!DOCTYPE html>
<html lang="da"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>{STYLE}</style></head><body>
<h1>{html.escape(title)}</h1>
<p>{html.escape(str(team.get("area", "")))}. {html.escape(period_text)}</p>
<h2>Nøgletal</h2>
{_table(figures, {"label": "Nøgletal", "unit": "Enhed", "before": "Før", "after": "Efter",
                  "difference": "Forskel", "n_before": "n før", "n_after": "n efter",
                  "observations": "Observationer"})}
<p class="note">Forskel = efter − før (procentpoint for andele). n er antallet af
observationer bag tallet.</p>
<h2>Udvikling</h2>
{"".join(f"<figure>{chart}</figure>" for chart in charts)}
<h2>Uge for uge</h2>
{_table(week_table(evaluation), {"week": "Uge", "period": "Periode", "visits": "Besøg",
        "continuity_mean": "Kontinuitet", "continuity_n": "n", "contact_share_pct":
        "Kontaktperson %", "btp_direct_pct": "BTP %", "btp_buurtzorg_pct": "Buurtzorg %",
        "sick_rate_pct": "Syg %", "bids": "Ønsker", "bids_met": "Opfyldt", "swaps": "Byt"})}
<h2>Kontrafaktisk: genplanlægning</h2>
{counter}
<h2>Definitioner og antagelser</h2>
<ul class="note">
<li>Kontinuitet: forskellige medarbejdere, der har leveret besøg hos den samme borger
inden for 14 dage; perioden deles i blokke à 14 dage.</li>
<li>Dansk BTP: leveret besøgstid (faktisk start til slut, pr. medarbejder) / fremmødetid
(vagter i vagtplanen efter sygedækning).</li>
<li>Buurtzorg-lignende borgertid: som BTP plus antaget indirekte borgerrelateret tid,
{INDIRECT_MINUTES_PER_VISIT} minutter pr. besøg pr. medarbejder (dokumentation, koordinering);
ikke sammenlignelig med dansk BTP.</li>
<li>Sygefravær: kalenderdage med sygdom × kontraktens timer / 7, over de planlagte timer
(kontrakt) for teamets nuværende medlemmer.</li>
<li>Rehabiliteringseffekt: visiterede minutter pr. uge efter et forløb minus før forløbet.</li>
</ul>
<p class="note">CSV: figures.csv, weeks.csv, continuity_distribution.csv,
counterfactual.csv.</p>
</body></html>
"""


def write_report(evaluation: Evaluation, out: Path) -> list[Path]:
    """Write report.html and the CSV files into ``out``; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths = [
        write_csv(out / "figures.csv", figure_table(evaluation)),
        write_csv(out / "weeks.csv", week_table(evaluation)),
        write_csv(out / "continuity_distribution.csv", distribution_table(evaluation)),
        write_csv(out / "counterfactual.csv", counterfactual_table(evaluation)),
    ]
    report = out / "report.html"
    report.write_text(render_html(evaluation), encoding="utf-8")
    return [report, *paths]

