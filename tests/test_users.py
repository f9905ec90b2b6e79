"""User log-ins: roles, member links, only argon2 hashes stored."""

from __future__ import annotations

import pytest

from domain.errors import Conflict, RuleBroken
from tests.factories import LEADER, team_scenario

HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"


def test_a_member_user_is_linked_to_one_team_and_an_employee(memory_app):
    s = team_scenario(memory_app)
    memory_app.register_user(LEADER, "Medlem1", "Medlem 1", "member", HASH, [s.team],
                             s.members[0])
    user = memory_app.user("medlem1")
    assert user["role"] == "member" and user["employee_id"] == str(s.members[0])
    with pytest.raises(RuleBroken):
        memory_app.register_user(LEADER, "medlem2", "Medlem 2", "member", HASH, [s.team])
    with pytest.raises(Conflict):
        memory_app.register_user(LEADER, "MEDLEM1", "Igen", "planner", HASH, [s.team])


def test_a_plain_text_password_is_never_stored(memory_app):
    with pytest.raises(RuleBroken) as caught:
        memory_app.register_user(LEADER, "leder", "Leder", "leader", "demo")
    assert caught.value.field == "password"
    assert memory_app.user("leder") is None


def test_a_system_role_cannot_log_in(memory_app):
    with pytest.raises(RuleBroken):
        memory_app.register_user(LEADER, "robot", "Robot", "system", HASH)
