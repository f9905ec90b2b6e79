"""User (bruger): a log-in with a role, a team and, for members, the employee they are.

The password is stored only as an argon2 hash made at the edge (web/auth.py);
the domain never sees a password.
"""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import RuleBroken
from domain.values import Role

LOGIN_ROLES = {Role.MEMBER, Role.PLANNER, Role.LEADER, Role.ADMINISTRATIVE, Role.EVALUATOR}


class User(Aggregate):
    """Someone who logs in to Pusleplan."""

    @staticmethod
    def create_id(username: str) -> UUID:
        return user_id(username)

    @event("UserRegistered")
    def __init__(
        self, username: str, display_name: str, role: str, team_ids: list[str],
        employee_id: str | None, password_hash: str, actor: dict[str, str],
    ) -> None:
        self.username = username
        self.display_name = display_name
        self.role = role
        self.team_ids = team_ids
        self.employee_id = employee_id
        self.password_hash = password_hash
        self.disabled = False

    @classmethod
    def register(
        cls, username: str, display_name: str, role: Role, team_ids: list[str],
        employee_id: str | None, password_hash: str, actor: dict[str, str],
    ) -> User:
        """Register a log-in; a member must be an employee in exactly one team."""
        role = Role(role)
        if role not in LOGIN_ROLES:
            raise RuleBroken("Ukendt rolle.", f"role {role} cannot log in", field="role")
        if role is Role.MEMBER and (employee_id is None or len(team_ids) != 1):
            raise RuleBroken(
                "Et teammedlem skal være knyttet til en medarbejder og ét team.",
                "member user needs an employee and exactly one team", field="employee_id",
            )
        if not password_hash.startswith("$argon2"):
            raise RuleBroken("Adgangskoden er ikke gemt sikkert.",
                             "password hash is not argon2", field="password")
        return cls(username=username, display_name=display_name, role=str(role),
                   team_ids=[str(t) for t in team_ids],
                   employee_id=str(employee_id) if employee_id else None,
                   password_hash=password_hash, actor=actor)

    def change_password(self, password_hash: str, actor: dict[str, str]) -> None:
        if not password_hash.startswith("$argon2"):
            raise RuleBroken("Adgangskoden er ikke gemt sikkert.",
                             "password hash is not argon2", field="password")
        self._password_changed(password_hash=password_hash, actor=actor)

    def disable(self, reason: str, actor: dict[str, str]) -> None:
        self._disabled(reason=reason, actor=actor)

    @event("PasswordChanged")
    def _password_changed(self, password_hash: str, actor: dict[str, str]) -> None:
        self.password_hash = password_hash

    @event("UserDisabled")
    def _disabled(self, reason: str, actor: dict[str, str]) -> None:
        self.disabled = True


def user_id(username: str) -> UUID:
    """Deterministic id of a user from the (case-insensitive) user name."""
    return uuid5(NAMESPACE_URL, f"/pusleplan/users/{username.strip().lower()}")
