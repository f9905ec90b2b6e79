"""Importing delivered visits from a care record system's CSV export."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from domain.application import Pusleplan
from domain.values import Actor, Role
from scripts.cli import main
from scripts.import_visits import import_lines, read_lines
from tests.conftest import Store
from tests.factories import LEADER, MORNING, at, team_scenario

MONDAY, TUESDAY = date(2025, 3, 3), date(2025, 3, 4)
HEADER = "citizen,employee,planned_start,actual_start,actual_end,service_codes\n"
GOOD = HEADER + (
    "T1-B1,T1-E0,2025-03-03 08:00,2025-03-03 08:04,2025-03-03 08:31,PP1\n"
    "T1-B1,T1-E1,2025-03-04 08:30,2025-03-04 08:35,2025-03-04 09:00,PP1\n"
)


def planned_monday(app: Pusleplan) -> dict[str, str]:
    """Team T1, citizen T1-B1 with morning care; Monday's visit planned for E0."""
    s = team_scenario(app, "T1", members=3)
    app.change_visitation(LEADER, s.citizen, date(2025, 1, 1), "services", [MORNING])
    app.plan_visit(Actor("planlaegger", Role.PLANNER), s.team, MONDAY, visit_id="V1",
                   citizen_id=s.citizen, service_codes=["PP1"], start=at(MONDAY, 8),
                   minutes=30, employee_ids=[s.members[0]], required_profession="SSH")
    return {"team": str(s.team), "e0": str(s.members[0]), "e1": str(s.members[1])}


def test_a_planned_visit_is_delivered_and_an_unplanned_one_planned_and_delivered(
    app: Pusleplan, tmp_path: Path
) -> None:
    ids = planned_monday(app)
    path = tmp_path / "visits.csv"
    path.write_text(GOOD, encoding="utf-8")

    lines, problems = read_lines(app, path)
    result = import_lines(app, lines)

    assert problems == []
    assert (result.delivered, result.planned_and_delivered) == (1, 1)
    monday = app.day_plan(ids["team"], MONDAY)["visits"]["V1"]
    assert monday["status"] == "delivered"
    assert (monday["actual_start"], monday["actual_end"]) == (at(MONDAY, 8, 4),
                                                              at(MONDAY, 8, 31))
    (tuesday,) = app.day_plan(ids["team"], TUESDAY)["visits"].values()
    assert tuesday["status"] == "delivered" and tuesday["delivered_by"] == [ids["e1"]]
    assert (tuesday["start"], tuesday["minutes"]) == (datetime(2025, 3, 4, 8, 30), 25)


def test_importing_the_same_file_twice_changes_nothing(app: Pusleplan, tmp_path: Path) -> None:
    planned_monday(app)
    path = tmp_path / "visits.csv"
    path.write_text(GOOD, encoding="utf-8")
    import_lines(app, read_lines(app, path)[0])
    events = app.recorder.max_notification_id()

    again = import_lines(app, read_lines(app, path)[0])

    assert again.already_imported == 2 and again.delivered == 0
    assert app.recorder.max_notification_id() == events


def test_every_bad_line_is_reported_with_its_number_and_field_and_nothing_is_imported(
    app: Pusleplan, tmp_path: Path
) -> None:
    planned_monday(app)
    path = tmp_path / "visits.csv"
    path.write_text(HEADER.replace(",", ";") + (
        "T1-B1;T1-E0;2025-03-03 08:00;2025-03-03 08:04;2025-03-03 08:31;PP1\n"
        "T9-B9;T1-E0;2025-03-03 08:00;2025-03-03 08:04;2025-03-03 08:31;PP1\n"
        "T1-B1;NOBODY;2025-03-03 08:00;2025-03-03 08:04;2025-03-03 08:31;PP1\n"
        "T1-B1;T1-E0;3 March;2025-03-03 08:04;2025-03-03 08:31;PP1\n"
        "T1-B1;T1-E0;2025-03-03 08:00;2025-03-03 08:40;2025-03-03 08:31;PP1\n"
        "T1-B1;T1-E0;2025-03-03 08:00;2025-03-03 08:04;2025-03-03 08:31;\n"
    ), encoding="utf-8")
    events = app.recorder.max_notification_id()

    lines, problems = read_lines(app, path)

    assert len(lines) == 1
    assert [(p.line, p.field) for p in problems] == [
        (3, "citizen"), (4, "employee"), (5, "planned_start"), (6, "actual_end"),
        (7, "service_codes")]
    assert app.recorder.max_notification_id() == events


def test_the_command_reports_problems_and_imports_a_good_file(
    store_factory: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store: Store = store_factory("sqlite")
    app = store.app()
    try:
        planned_monday(app)
    finally:
        app.close()
    bad, good = tmp_path / "bad.csv", tmp_path / "good.csv"
    bad.write_text("citizen,employee\nT1-B1,T1-E0\n", encoding="utf-8")
    good.write_text(GOOD, encoding="utf-8")
    where = ["--data-dir", str(store.settings.data_dir)]

    assert main(["import-visits", str(bad), *where]) == 2
    assert "planned_start: column missing" in capsys.readouterr().err
    assert main(["import-visits", str(good), *where]) == 0
    assert "1 delivered, 1 planned and delivered" in capsys.readouterr().err
    assert main(["import-visits", str(good), *where]) == 0
    assert "2 already imported" in capsys.readouterr().err
