"""Evaluating a reorganisation: the demo's mini-teams, the report and its CSV files."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from domain.application import Pusleplan
from scripts.cli import main
from scripts.demo import build_demo
from scripts.evaluate import Period, evaluate, parse_period
from scripts.evaluate_report import write_report
from tests.conftest import Store

TODAY = date(2026, 3, 4)  # history 2026-02-02 … 2026-03-01; the first team splits on 02-16
BEFORE = Period("before", date(2026, 2, 2), date(2026, 2, 15))
AFTER = Period("after", date(2026, 2, 16), date(2026, 3, 1))


def small_district(app: Pusleplan) -> None:
    build_demo(app, seed=2026, today=TODAY, teams=2, citizens=60, history_weeks=4)


def test_the_demo_reorganisation_into_mini_teams_means_fewer_faces_per_citizen(
    store_factory: Any
) -> None:
    # What the evaluation should show is what the split into mini-teams did to OE1. The
    # same district is built twice from one seed — the same people, citizens, sickness
    # and holidays — once with OE1's split halfway and once without (it keeps sharing
    # visits out centrally). OE1's "after" period is then compared with its own
    # counterfactual, where only the reorganisation differs. Comparing OE1 before with
    # after, or with the control team OE2, is at the mercy of chance: a sickness wave in
    # one team's "after" weeks moved those figures by more than the effect, either way,
    # whenever the demo generator changed.
    figures = {}
    for reorganise in (True, False):
        store = store_factory("sqlite")
        app = store.app()
        try:
            build_demo(app, seed=2026, today=TODAY, teams=2, citizens=60, history_weeks=4,
                       reorganise=reorganise)
            figures[reorganise] = evaluate(app, store.settings, store.extra_env, "OE1",
                                           BEFORE, AFTER, replan_days=0).figures["after"]
        finally:
            app.close()

    split, without = figures[True], figures[False]
    assert split.continuity_n > 20 and without.continuity_n > 20
    assert split.continuity_mean < without.continuity_mean - 0.4
    assert split.contact_share > without.contact_share


def test_the_report_compares_every_figure_with_its_difference_and_observations(
    app: Pusleplan, store: Store, tmp_path: Path
) -> None:
    small_district(app)
    evaluation = evaluate(app, store.settings, store.extra_env, "oe1", BEFORE, AFTER,
                          replan_days=1, time_limit_s=1.0)

    paths = write_report(evaluation, tmp_path / "report")

    page = (tmp_path / "report" / "report.html").read_text(encoding="utf-8")
    assert {p.name for p in paths} == {"report.html", "figures.csv", "weeks.csv",
                                       "continuity_distribution.csv", "counterfactual.csv"}
    assert page.count("<svg") >= 4 and "<script" not in page and "src=" not in page
    with (tmp_path / "report" / "figures.csv").open(encoding="utf-8") as handle:
        figures = {row["figure"]: row for row in csv.DictReader(handle)}
    continuity = figures["continuity_mean"]
    assert float(continuity["difference"]) == pytest.approx(
        float(continuity["after"]) - float(continuity["before"]), abs=0.011)
    assert int(continuity["n_before"]) > 0 and int(continuity["n_after"]) > 0
    assert {"btp_direct", "btp_buurtzorg", "sick_rate", "rehab_mean_change",
            "bids_met_share", "proposal_changed_share"} <= set(figures)
    with (tmp_path / "report" / "counterfactual.csv").open(encoding="utf-8") as handle:
        replanned = list(csv.DictReader(handle))
    if evaluation.counterfactual.available:
        assert {r["source"] for r in replanned} == {"actual", "replanned"}
        assert "genplanlagt" in page
    else:
        assert replanned[0]["source"] == "not available"
        assert "ikke tilgængelig endnu" in page


def test_the_command_refuses_a_bad_period_and_an_unknown_team(
    store_factory: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = store_factory("sqlite")
    where = ["--data-dir", str(store.settings.data_dir), "--out", str(tmp_path / "out")]

    assert main(["evaluate", "--team", "OE1", "--before", "2026-02-02",
                 "--after", "2026-02-16..2026-03-01", *where]) == 2
    assert "--before must be FIRST..LAST" in capsys.readouterr().err
    assert main(["evaluate", "--team", "XX9", "--before", "2026-02-02..2026-02-15",
                 "--after", "2026-02-16..2026-03-01", "--replan-days", "0", *where]) == 2
    assert "no team 'XX9'" in capsys.readouterr().err


def test_a_period_reads_first_and_last_day() -> None:
    assert parse_period("after", "2026-03-02..2026-04-26") == Period(
        "after", date(2026, 3, 2), date(2026, 4, 26))
    with pytest.raises(ValueError, match="lies before"):
        parse_period("before", "2026-03-02..2026-01-01")
