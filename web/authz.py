"""Authorisation (adgang): every decision about who may read or change what, in one place.

Roles (DESIGN.md "Web"):

* **member** (teammedlem) reads their own team and changes only their own bids
  and shifts in it: bid, take, release, and swap away a shift they hold;
* **planner** (planlægger) and **administrative** staff read and puzzle their
  teams' rosters for anyone, ask the planner for a proposal ("Foreslå plan"),
  accept it and check the plan;
* **leader** (leder) reads their teams, checks and publishes;
* **evaluator** reads pseudonymised data only and changes nothing.

A team is "theirs" when its id is among the user's ``team_ids``. Every check
raises ``domain.errors.Forbidden`` (403) before any command runs, so a refused
action never stores an event.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from flask import current_app

from domain.errors import Forbidden
from domain.values import Role
from web.auth import ROLE_DA, LoggedInUser

PUZZLERS = frozenset({Role.MEMBER, Role.PLANNER, Role.ADMINISTRATIVE})

#: Roster command -> the roles that may run it (in their own teams).
ROSTER_COMMANDS: dict[str, frozenset[Role]] = {
    "bid_shift": PUZZLERS,
    "take_shift": PUZZLERS,
    "release_shift": PUZZLERS,
    "swap_shifts": PUZZLERS,
    "accept_proposal": frozenset({Role.PLANNER, Role.ADMINISTRATIVE}),
    "record_roster_check": frozenset({Role.PLANNER, Role.ADMINISTRATIVE, Role.LEADER}),
    "publish_roster": frozenset({Role.LEADER}),
}

READERS = frozenset({Role.MEMBER, Role.PLANNER, Role.ADMINISTRATIVE, Role.LEADER,
                     Role.EVALUATOR})

OTHER_TEAM = "Du har kun adgang til dine egne teams."
ONLY_OWN = "Som teammedlem kan du kun byde på og pusle med dine egne vagter."
ONLY_LEADER_PUBLISHES = "Kun lederen kan offentliggøre vagtplanen."


def require_team(user: LoggedInUser, team_id: str) -> None:
    """:raise Forbidden: unless the user may read team ``team_id``."""
    if user.role not in READERS or str(team_id) not in user.team_ids:
        raise Forbidden(OTHER_TEAM, f"{user.username} ({user.role}) has no access to team "
                                    f"{team_id}")


def may_read_team(user: LoggedInUser, team_id: str) -> bool:
    try:
        require_team(user, team_id)
    except Forbidden:
        return False
    return True


def authorize_roster_command(
    user: LoggedInUser, name: str, roster: dict[str, Any], data: dict[str, Any]
) -> None:
    """May ``user`` run roster command ``name`` with (loaded) ``data`` on ``roster``?

    :raise Forbidden: if the role may not run the command, the roster belongs to
        another team, or a member acts for someone else.
    """
    allowed = ROSTER_COMMANDS.get(name, frozenset())
    if user.role not in allowed:
        message = (ONLY_LEADER_PUBLISHES if name == "publish_roster" else
                   f"Som {ROLE_DA[user.role]} kan du ikke gøre dette i vagtplanen.")
        raise Forbidden(message, f"role {user.role} may not {name}")
    require_team(user, roster["team_id"])
    if user.role is Role.MEMBER:
        _member_acts_for_self(user, name, roster, data)


def _member_acts_for_self(
    user: LoggedInUser, name: str, roster: dict[str, Any], data: dict[str, Any]
) -> None:
    own = user.employee_id
    if name == "swap_shifts":
        shift = roster["shifts"].get(str(data.get("shift_id")))
        acting_for = shift["employee_id"] if shift is not None else own
    else:
        acting_for = str(data.get("employee_id"))
    if own is None or acting_for != own:
        raise Forbidden(ONLY_OWN, f"member {user.username} acted for {acting_for} in {name}")


def may_run(user: LoggedInUser, name: str, roster: dict[str, Any]) -> bool:
    """Whether the role may run ``name`` on this roster at all (for showing buttons)."""
    return user.role in ROSTER_COMMANDS.get(name, frozenset()) and may_read_team(
        user, roster["team_id"])


def may_act_for(user: LoggedInUser, employee_id: str | None, roster: dict[str, Any]) -> bool:
    """Whether the user may bid and puzzle on behalf of ``employee_id`` in this roster."""
    if not may_run(user, "take_shift", roster):
        return False
    return user.role is not Role.MEMBER or (employee_id is not None
                                           and employee_id == user.employee_id)


# -- pseudonymisation --------------------------------------------------------------------


def sees_names(user: LoggedInUser) -> bool:
    """Evaluators see pseudonyms, never names or ids of people."""
    return user.role is not Role.EVALUATOR


def pseudonym(identifier: str) -> str:
    """A stable pseudonym for an id (keyed with the app's secret, not reversible)."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return "p-" + hmac.new(key, identifier.encode(), hashlib.sha256).hexdigest()[:10]
