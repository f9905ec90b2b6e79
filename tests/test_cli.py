"""The ``pusleplan`` command: keygen, seed from a file, errors that name the line."""

from __future__ import annotations

import base64
import json

from domain.application import Pusleplan
from domain.settings import Settings
from domain.teams import team_id
from scripts.cli import main


def test_keygen_prints_a_256_bit_base64_key(capsys):
    assert main(["keygen"]) == 0
    key = capsys.readouterr().out.strip()
    assert len(base64.b64decode(key)) == 32


def commands_file(tmp_path, *lines):
    path = tmp_path / "commands.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    return path


LEADER = {"id": "leder", "role": "leader"}
TEAM = {"code": "T1", "name": "Team Stensballe", "area": "Stensballe", "base_lat": 55.873,
        "base_lon": 9.905}


def test_seed_applies_commands_from_a_file_through_the_schemas(tmp_path, capsys):
    path = commands_file(
        tmp_path,
        {"command": "create_team", "actor": LEADER, "data": TEAM},
        {"command": "hire_employee", "actor": LEADER,
         "data": {"number": "E1", "name": "Anna", "profession": "SSH", "weekly_hours": 37,
                  "hired_on": "2024-01-01"}},
    )
    data_dir = tmp_path / "data"
    assert main(["seed", "--file", str(path), "--data-dir", str(data_dir)]) == 0
    assert "Applied 2 commands" in capsys.readouterr().err
    app = Pusleplan.from_settings(Settings.from_env(data_dir=data_dir))
    assert app.team(team_id("T1"))["name"] == "Team Stensballe"
    app.close()


def test_seed_stops_at_a_bad_line_naming_line_field_and_problem(tmp_path, capsys):
    path = commands_file(
        tmp_path,
        {"command": "create_team", "actor": LEADER, "data": TEAM},
        {"command": "hire_employee", "actor": LEADER,
         "data": {"number": "E1", "name": "Anna", "profession": "SSH", "weekly_hours": 99,
                  "hired_on": "2024-01-01"}},
    )
    data_dir = tmp_path / "data"
    assert main(["seed", "--file", str(path), "--data-dir", str(data_dir)]) == 1
    err = capsys.readouterr().err
    assert "commands.jsonl:2" in err and "weekly_hours" in err
    assert "Applied 1 commands before line 2" in err
    app = Pusleplan.from_settings(Settings.from_env(data_dir=data_dir))
    assert app.recorder.max_notification_id() == 1  # only the team; nothing half-written
    app.close()


def test_seed_reports_a_line_that_is_not_json(tmp_path, capsys):
    path = tmp_path / "bad.jsonl"
    path.write_text("{not json\n")
    assert main(["seed", "--file", str(path), "--data-dir", str(tmp_path / "d")]) == 1
    assert "bad.jsonl:1: not a valid command line" in capsys.readouterr().err


def test_a_bad_encryption_key_in_the_environment_is_a_clear_error(tmp_path, capsys,
                                                                   monkeypatch):
    monkeypatch.setenv("PUSLEPLAN_ENCRYPTION_KEY", "oops")
    assert main(["seed", "--file", str(tmp_path / "x.jsonl"), "--data-dir", str(tmp_path)]) == 2
    assert "PUSLEPLAN_ENCRYPTION_KEY" in capsys.readouterr().err
