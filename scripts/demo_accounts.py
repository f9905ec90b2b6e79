"""The demo's log-ins (every password is ``demo``), registered as User aggregates.

The argon2 hashes use a salt derived from the seed, so the same seed gives the
same events; real accounts get random salts (web/auth.py).
"""

from __future__ import annotations

import hashlib

from argon2 import PasswordHasher
from argon2.low_level import Type, hash_secret

from domain.application import Pusleplan
from domain.employees import employee_id
from domain.teams import team_id
from domain.values import Actor, Role
from scripts.demo_data import DEMO_ACCOUNTS

DEMO_PASSWORD = "demo"
ADMIN = Actor("demo", Role.ADMINISTRATIVE)


def demo_hash(username: str, seed: int) -> str:
    """A deterministic argon2id hash of the demo password (demo data only)."""
    params = PasswordHasher()
    salt = hashlib.sha256(f"pusleplan-demo/{seed}/{username}".encode()).digest()[:16]
    return hash_secret(
        DEMO_PASSWORD.encode(), salt, time_cost=params.time_cost,
        memory_cost=params.memory_cost, parallelism=params.parallelism,
        hash_len=params.hash_len, type=Type.ID,
    ).decode()


def register_demo_accounts(app: Pusleplan, team_codes: list[str], seed: int) -> int:
    """Register the demo accounts for the teams that exist; returns how many."""
    all_teams = [team_id(code) for code in team_codes]
    count = 0
    for account in DEMO_ACCOUNTS:
        code = account.get("team")
        if code and code not in team_codes:
            continue
        role = Role(str(account["role"]))
        teams = [team_id(str(code))] if code else all_teams
        number = account.get("employee_number")
        app.register_user(
            ADMIN, username=str(account["username"]),
            display_name=str(account["display_name"]), role=role,
            password_hash=demo_hash(str(account["username"]), seed), team_ids=teams,
            employee_id=employee_id(str(number)) if number else None,
        )
        count += 1
    return count
