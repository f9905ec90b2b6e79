"""``pusleplan routes propose|sick`` on a small demo district (SQLite)."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime, time

import pytest

from domain.application import Pusleplan
from domain.dayplans import dayplan_id
from domain.employees import employee_id
from domain.settings import Settings
from domain.teams import team_id
from planning.travel import HaversineTravelTimes
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


@pytest.fixture
def own_store(data_dir, tmp_path):
    """A copy of the demo store this test may change."""
    copy = tmp_path / "store"
    shutil.copytree(data_dir, copy)
    return copy


def _open(directory):
    return Pusleplan.from_settings(Settings.from_env(data_dir=directory))


def test_sick_replans_from_the_stored_day_plan_and_accept_records_the_moves(own_store, capsys):
    assert main(["routes", "propose", "--team", "OE2", "--date", DAY.isoformat(),
                 "--data-dir", str(own_store), "--time-limit", "2", "--accept"]) in (0, 1)
    capsys.readouterr()
    app = _open(own_store)
    stored = app.day_plan(team_id("OE2"), DAY)["visits"]
    app.close()
    half_past_nine = datetime.combine(DAY, time(9, 30))
    later: dict[str, int] = {}
    for visit in stored.values():
        if visit["start"] >= half_past_nine:
            for person in visit["employee_ids"]:
                later[person] = later.get(person, 0) + 1
    sick_id = max(later, key=later.get)
    context = build_day(_open(own_store), team_id("OE2"), DAY, time_limit_s=1)
    number = context.numbers[sick_id]
    # Another seed: a fresh proposal would differ; the stored plan is the starting point.
    code = main(["routes", "sick", "--team", "OE2", "--date", DAY.isoformat(),
                 "--data-dir", str(own_store), "--time-limit", "2", "--seed", "5",
                 "--employee", number, "--from", "09:30", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code in (0, 1) and out["source"] == "stored"
    served = {(s["visit_id"], s["slot"]): (run["caregiver_id"], s["start"])
              for run in out["run_lists"] for s in run["stops"]}
    for visit_id, visit in stored.items():
        if visit["start"] < half_past_nine:  # what happened before 09:30 stays as stored
            minute = visit["start"].hour * 60 + visit["start"].minute
            for slot, person in enumerate(visit["employee_ids"]):
                assert served[(visit_id, slot)] == (person, minute)
    assert out["forced"] >= later[sick_id] - sum(1 for u in out["unassigned"])
    assert all(m["from_caregiver"] == sick_id for m in out["moves"]
               if m["forced"] and m["from_caregiver"])
    assert sick_id not in {run["caregiver_id"] for run in out["run_lists"]
                           for s in run["stops"] if s["start"] >= 570}
    # Accept: the moves become VisitMoved events on the stored day plan.
    assert main(["routes", "sick", "--team", "OE2", "--date", DAY.isoformat(),
                 "--data-dir", str(own_store), "--time-limit", "2", "--employee", number,
                 "--from", "09:30", "--accept"]) in (0, 1)
    assert "VisitMoved" in capsys.readouterr().err
    app = _open(own_store)
    after = app.day_plan(team_id("OE2"), DAY)["visits"]
    events = [type(e).__name__ for e in app.repository.event_store.get(
        dayplan_id(team_id("OE2"), DAY))]
    app.close()
    assert events.count("VisitMoved") >= later[sick_id]
    assert not [v for v in after.values()
                if v["start"] >= half_past_nine and sick_id in v["employee_ids"]]


def test_the_district_day_is_planned_per_team_in_parallel_processes(own_store, capsys):
    code = main(["routes", "propose", "--district", "--date", DAY.isoformat(),
                 "--data-dir", str(own_store), "--time-limit", "3", "--workers", "2",
                 "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code in (0, 1) and out["workers"] == 2
    assert [t["team"] for t in out["teams"]] == ["OE1", "OE2"]
    assert all(sum(len(r["stops"]) for r in t["run_lists"]) > 0 for t in out["teams"])


def test_a_csv_travel_matrix_from_the_settings_changes_the_plans_travel(own_store, capsys,
                                                                       monkeypatch, tmp_path):
    monkeypatch.delenv("PUSLEPLAN_TRAVEL", raising=False)
    argv = ["routes", "propose", "--team", "OE1", "--date", DAY.isoformat(),
            "--data-dir", str(own_store), "--time-limit", "1", "--json"]
    main(argv)
    plain = json.loads(capsys.readouterr().out)["objective"]["travel_minutes"]
    # A road matrix three times slower than the haversine estimate, for every pair.
    app = _open(own_store)
    context = build_day(app, team_id("OE1"), DAY, time_limit_s=1)
    app.close()
    places = sorted({(v.location.lat, v.location.lon) for v in context.problem.visits}
                    | {(c.base.lat, c.base.lon) for c in context.problem.caregivers})
    estimate = HaversineTravelTimes()
    lines = ["from_lat,from_lon,to_lat,to_lon,minutes"]
    for a in places:
        for b in places:
            if a != b:
                minutes = estimate.matrix([context.problem.visits[0].location.__class__(*a),
                                           context.problem.visits[0].location.__class__(*b)])
                lines.append(f"{a[0]},{a[1]},{b[0]},{b[1]},{3 * minutes[0][1]}")
    matrix = tmp_path / "roads.csv"
    matrix.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setenv("PUSLEPLAN_TRAVEL", str(matrix))
    main(argv)
    slow = json.loads(capsys.readouterr().out)["objective"]["travel_minutes"]
    assert slow > 2 * plain
    # A matrix that lacks a pair is a clear error, not a guess.
    matrix.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    assert main(argv) == 2
    assert "travel times" in capsys.readouterr().err
    monkeypatch.setenv("PUSLEPLAN_TRAVEL", str(tmp_path / "nowhere.csv"))
    assert main(argv) == 2
    assert "PUSLEPLAN_TRAVEL" in capsys.readouterr().err


def test_sick_for_someone_not_on_shift_is_refused(data_dir, capsys):
    code = main(["routes", "sick", "--team", "OE1", "--date", DAY.isoformat(),
                 "--data-dir", str(data_dir), "--employee", "OE2-01", "--from", "09:30"])
    assert code == 2 and "not on shift" in capsys.readouterr().err
    assert employee_id("OE2-01")  # the number is a real employee of the sister team


def test_sick_with_nothing_stored_proposes_the_day_first_and_accept_records_it(own_store,
                                                                              capsys):
    day = TODAY
    app = _open(own_store)
    assert app.day_plan(team_id("OE1"), day) is None
    context = build_day(app, team_id("OE1"), day, time_limit_s=1)
    app.close()
    worker = next(c for c in context.problem.caregivers if c.shift.start == 7 * 60
                  and c.profession != "TER")
    number = context.numbers[worker.caregiver_id]
    code = main(["routes", "sick", "--team", "OE1", "--date", day.isoformat(),
                 "--data-dir", str(own_store), "--time-limit", "2", "--employee", number,
                 "--from", "09:30", "--accept"])
    captured = capsys.readouterr()
    assert code in (0, 1)
    assert "Ingen gemt dagsplan" in captured.out and "VisitPlanned" in captured.err
    app = _open(own_store)
    visits = app.day_plan(team_id("OE1"), day)["visits"]
    app.close()
    assert visits
    assert not [v for v in visits.values() if worker.caregiver_id in v["employee_ids"]
                and v["start"] >= datetime.combine(day, time(9, 30))]


def test_sick_on_a_stored_history_day_names_each_unplanned_visit_and_why_in_danish(
        data_dir, capsys):
    # The demo's history plans were made by people: some visits late, some never
    # planned. The replanning starts from them anyway and says, per visit left
    # over, which visit (window, length, faggruppe) and why, in Danish.
    history = date(2026, 11, 18)
    app = Pusleplan.from_settings(Settings.from_env(data_dir=data_dir))
    context = build_day(app, team_id("OE1"), history, time_limit_s=1)
    app.close()
    day_worker = next(c for c in context.problem.caregivers if c.shift.start == 7 * 60
                      and c.profession != "TER")
    args = ["routes", "sick", "--team", "OE1", "--date", history.isoformat(),
            "--data-dir", str(data_dir), "--time-limit", "2", "--seed", "3",
            "--employee", context.numbers[day_worker.caregiver_id], "--from", "09:30"]
    code = main([*args, "--json"])
    out = json.loads(capsys.readouterr().out)
    assert out["source"] == "stored"
    assert code == (1 if out["unassigned"] else 0)
    assert out["unassigned"], "the stored history day leaves visits unplanned"
    main(args)
    text = capsys.readouterr().out
    for item in out["unassigned"]:
        visit = context.problem.visit(item["visit_id"])
        line = next(x for x in text.splitlines()
                    if x.startswith(f"Ikke planlagt: {item['visit_id']} ("))
        assert str(visit.window) in line and f"{visit.duration} min" in line
        assert item["message"] in line  # the Danish reason
        if item["reason"] == "no_capacity":
            assert "Kvalificerede på vagt i tidsvinduet:" in line
