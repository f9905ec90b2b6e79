"""``pusleplan routes propose|sick`` on a small demo district (SQLite)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from domain.application import Pusleplan
from domain.settings import Settings
from domain.teams import team_id
from scripts.cli import main
from scripts.demo import build_demo
from web.dayproblem import build_day

TODAY = date(2026, 11, 25)  # a Wednesday; the open roster started Monday 23 November
DAY = date(2026, 11, 24)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("routes")
    app = Pusleplan.from_settings(Settings.from_env(data_dir=directory))
    build_demo(app, seed=7, today=TODAY, teams=2, citizens=50, history_weeks=2)
    app.close()
    return directory


def test_the_day_problem_holds_the_visits_due_and_the_people_on_shift(data_dir):
    app = Pusleplan.from_settings(Settings.from_env(data_dir=data_dir))
    context = build_day(app, team_id("OE1"), DAY, time_limit_s=1)
    app.close()
    assert context.problem.visits and context.problem.caregivers
    assert all(v.citizen_id.startswith("OE1-") for v in context.problem.visits)  # codes only
    assert all(v.visit_id.endswith(DAY.isoformat()) for v in context.problem.visits)


def test_propose_prints_run_lists_as_json_and_accept_records_the_visits(data_dir, capsys):
    code = main(["routes", "propose", "--team", "OE1", "--date", DAY.isoformat(),
                 "--data-dir", str(data_dir), "--time-limit", "2", "--json", "--accept"])
    out = json.loads(capsys.readouterr().out)
    assert code in (0, 1) and (code == 1) == bool(out["unassigned"])
    served = sum(len(run["stops"]) for run in out["run_lists"])
    assert served > 0
    assert all(run["employee"] for run in out["run_lists"])
    app = Pusleplan.from_settings(Settings.from_env(data_dir=data_dir))
    plan = app.day_plan(team_id("OE1"), DAY)
    app.close()
    assert plan is not None and len(plan["visits"]) >= served // 2


def test_sick_replans_and_says_what_moved(data_dir, capsys):
    app = Pusleplan.from_settings(Settings.from_env(data_dir=data_dir))
    context = build_day(app, team_id("OE1"), DAY, time_limit_s=1)
    app.close()
    day_worker = next(c for c in context.problem.caregivers if c.shift.start == 7 * 60
                      and c.profession != "TER")
    number = context.numbers[day_worker.caregiver_id]
    code = main(["routes", "sick", "--team", "OE1", "--date", DAY.isoformat(),
                 "--data-dir", str(data_dir), "--time-limit", "2", "--employee", number,
                 "--from", "09:30"])
    out = capsys.readouterr().out
    assert code in (0, 1)
    assert f"{number} er syg fra 09:30" in out


def test_an_unknown_team_is_a_clear_error(data_dir, capsys):
    assert main(["routes", "propose", "--team", "NOPE", "--date", DAY.isoformat(),
                 "--data-dir", str(data_dir)]) == 2
    assert "not found" in capsys.readouterr().err
