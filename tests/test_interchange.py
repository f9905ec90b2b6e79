"""Roster CSV/JSON interchange and the ``pusleplan check`` command."""

from __future__ import annotations

import json
from datetime import date

import pytest

from planning.interchange import (
    InterchangeError,
    plan_from_json,
    plan_from_shifts,
    plan_to_json,
    read_shifts_csv,
    shifts_to_csv,
)
from scripts.cli import main

ROSTER = """employee,start,end,layer,route
anna,2026-11-23T07:00,2026-11-23T15:01,dag,R1
anna,2026-11-24T02:00,2026-11-24T10:00,dag,R1
bo,2026-11-23T15:00,2026-11-23T23:00,aften,
"""


def test_csv_round_trips_and_period_is_inferred_from_the_first_monday():
    shifts = read_shifts_csv(ROSTER)
    assert [s.employee for s in shifts] == ["anna", "anna", "bo"]
    assert shifts[0].route == "R1" and shifts[2].route is None
    again = read_shifts_csv(shifts_to_csv(shifts))
    def key(s):
        return (s.employee, s.start, s.end, s.layer, s.route)

    assert sorted(map(key, again)) == sorted(map(key, shifts))
    plan = plan_from_shifts(shifts)
    assert (plan.period_start, plan.weeks) == (date(2026, 11, 23), 1)


def test_shifts_before_the_period_start_become_history():
    text = ROSTER + "bo,2026-11-22T15:00,2026-11-22T23:00,aften,\n"
    plan = plan_from_shifts(read_shifts_csv(text), period_start=date(2026, 11, 23), weeks=1)
    assert len(plan.history) == 1 and len(plan.shifts) == 3


def test_json_round_trips_the_whole_plan():
    plan = plan_from_shifts(read_shifts_csv(ROSTER))
    assert plan_from_json(plan_to_json(plan)) == plan


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("who,start,end\n", "roster.csv:1: header: missing column(s) employee"),
        ("employee,start,end,colour\n", "unknown column(s) colour"),
        ("employee,start,end\nanna,2026-11-23 7:00,2026-11-23T15:00\n",
         "roster.csv:2: start: '2026-11-23 7:00' is not an ISO local time"),
        ("employee,start,end\nanna,2026-11-23T15:00,2026-11-23T07:00\n",
         "roster.csv:2: end: 2026-11-23T07:00 is not after the start"),
        ("employee,start,end\nanna,2026-11-23T07:00+01:00,2026-11-23T15:00\n",
         "without a UTC offset"),
        ("employee,start,end\n,2026-11-23T07:00,2026-11-23T15:00\n", "roster.csv:2: employee"),
    ],
)
def test_bad_csv_lines_are_named_with_line_and_field(text, words):
    with pytest.raises(InterchangeError) as caught:
        read_shifts_csv(text)
    assert words in str(caught.value)


def test_check_prints_the_violation_in_danish_and_exits_non_zero_on_a_hard_breach(
    tmp_path, capsys
):
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    assert main(["check", str(roster)]) == 1
    out = capsys.readouterr().out
    assert "[SKAL] R1" in out and "10 t 59 min" in out and "Forslag:" in out


def test_check_with_json_output_and_a_clean_roster_exits_zero(tmp_path, capsys):
    roster = tmp_path / "roster.csv"
    roster.write_text("employee,start,end\nanna,2026-11-23T07:00,2026-11-23T15:00\n")
    people = tmp_path / "employees.csv"
    people.write_text("employee,name,weekly_hours\nanna,Anna Holm,8\n")
    assert main(["check", str(roster), "--employees", str(people), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True and report["hard"] == 0


def test_check_refuses_a_bad_rules_file_with_exit_code_two(tmp_path, capsys):
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER)
    rules = tmp_path / "rules.toml"
    rules.write_text("[rules.R1]\nmin_rest_h = 99\n")
    assert main(["check", str(roster), "--rules", str(rules)]) == 2
    assert "min_rest_h = 99 h is above the maximum" in capsys.readouterr().err


def test_check_with_local_rules_can_allow_what_the_default_forbids(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER)
    rules = tmp_path / "rules.toml"
    rules.write_text("[rules.R1]\nmin_rest_h = 10\n")
    assert main(["check", str(roster), "--rules", str(rules)]) == 0


def test_check_names_only_a_qualified_free_colleague_when_professions_are_given(
    tmp_path, capsys
):
    roster = tmp_path / "roster.csv"
    roster.write_text("employee,start,end,layer\n"
                      "anna,2026-11-23T07:00,2026-11-23T15:01,dag\n"
                      "anna,2026-11-24T02:00,2026-11-24T10:00,dag\n")
    people = tmp_path / "employees.csv"
    people.write_text("employee,name,weekly_hours\nanna,Anna,37\naaron,Aaron,37\ncara,Cara,37\n")
    assert main(["check", str(roster), "--employees", str(people)]) == 1
    assert "Byt dagvagten tirsdag 24. november med Aaron" in capsys.readouterr().out
    people.write_text("employee,name,weekly_hours,profession\n"
                      "anna,Anna,37,SSA\naaron,Aaron,37,SSH\ncara,Cara,37,ssa\n")
    assert main(["check", str(roster), "--employees", str(people)]) == 1
    out = capsys.readouterr().out
    assert "Byt dagvagten tirsdag 24. november med Cara" in out and "Aaron, der har fri" not in out
    people.write_text("employee,profession\nanna,nurse\n")
    assert main(["check", str(roster), "--employees", str(people)]) == 2
    assert "employees.csv:2: profession: 'nurse' is not one of" in capsys.readouterr().err
