"""Read side for pages and the API: rosters of a team, people by name or pseudonym.

``Names`` is the one place that decides how a person appears: by name for
everyone but evaluators, who see stable pseudonyms (``web.authz.pseudonym``) —
in the grid, the history, the checker's messages and the API alike.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from domain.application import Pusleplan
from domain.rosters import MAX_WEEKS, roster_id
from planning.checker import CheckResult
from planning.model import Violation
from web.auth import LoggedInUser
from web.authz import pseudonym, sees_names
from web.rosterplan import RosterContext

SEARCH_WEEKS = 2 * MAX_WEEKS


@dataclass(frozen=True)
class Period:
    """One of a team's rosters, for navigation."""

    roster_id: str
    period_start: date
    weeks: int
    published: bool

    @property
    def period_end(self) -> date:
        """The last day of the period."""
        return self.period_start + timedelta(weeks=self.weeks, days=-1)


def team_rosters(app: Pusleplan, team: UUID, around: date) -> list[Period]:
    """The team's rosters starting within 24 weeks of ``around``, oldest first."""
    monday = around - timedelta(days=around.weekday())
    found = []
    for offset in range(-SEARCH_WEEKS, SEARCH_WEEKS + 1):
        rid = roster_id(team, monday + timedelta(weeks=offset))
        if app.exists(rid):
            roster = app.roster(rid)
            found.append(Period(roster["id"], roster["period_start"], roster["weeks"],
                                roster["published_at"] is not None))
    return found


def current_period(periods: list[Period], today: date) -> Period | None:
    """The roster covering ``today``, else the next one, else the latest."""
    for period in periods:
        if period.period_start <= today <= period.period_end:
            return period
    upcoming = [p for p in periods if p.period_start > today]
    return upcoming[0] if upcoming else (periods[-1] if periods else None)


class Names:
    """How people appear to ``user``: names, or pseudonyms for evaluators."""

    def __init__(self, user: LoggedInUser, employees: dict[str, dict[str, Any]],
                 users: dict[str, str] | None = None) -> None:
        self.real = sees_names(user)
        self.employees = employees
        self.users = users or {}  # user name -> display name, for the history
        self._aliases = {e: f"Person {pseudonym(e)[2:8]}" for e in employees}

    def name(self, employee_id: str | None) -> str:
        if employee_id is None:
            return "Ledig"
        if employee_id not in self.employees:
            return "Ukendt" if self.real else f"Person {pseudonym(employee_id)[2:8]}"
        return self.employees[employee_id]["name"] if self.real else self._aliases[employee_id]

    def ident(self, employee_id: str | None) -> str | None:
        """The id a client sees: the real one, or a pseudonym."""
        if employee_id is None or self.real:
            return employee_id
        return pseudonym(employee_id)

    def text(self, message: str) -> str:
        """A Danish message with every name replaced by its pseudonym (for evaluators)."""
        if self.real:
            return message
        by_length = sorted(self.employees.items(), key=lambda item: -len(item[1]["name"]))
        for employee, data in by_length:
            message = message.replace(data["name"], self._aliases[employee])
        return message

    def actor(self, actor: dict[str, str]) -> str:
        """Who acted, as shown in the history: an employee's name, else the user name."""
        if not self.real:
            return "Planlægger" if actor.get("role") != "member" else "Teammedlem"
        number = actor.get("id", "")
        for data in self.employees.values():
            if data["number"] == number:
                return str(data["name"])
        return self.users.get(number, number or "system")


def display_names(app: Pusleplan, history: list[dict[str, Any]],
                  employees: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Display names of the users who acted in ``history`` (employees are named already)."""
    numbers = {data["number"] for data in employees.values()}
    found: dict[str, str] = {}
    for actor in {e["actor"].get("id", "") for e in history} - numbers - {""}:
        record = app.user(actor)
        if record is not None:
            found[actor] = record["display_name"]
    return found


def people_answer(context: RosterContext, names: Names) -> list[dict[str, Any]]:
    members = set(context.team["members"])
    return [{"employee_id": names.ident(e), "name": names.name(e),
             "profession": data["profession"], "weekly_hours": data["weekly_hours"]}
            for e, data in sorted(context.employees.items(), key=lambda i: i[1]["name"])
            if e in members]


def roster_answer(context: RosterContext, names: Names) -> dict[str, Any]:
    """The roster for the API: shifts and bids with (pseudonymised) people."""
    roster = context.roster
    shifts = [{"shift_id": sid, **s, "employee_id": names.ident(s["employee_id"])}
              for sid, s in sorted(roster["shifts"].items(),
                                   key=lambda item: (item[1]["start"], item[0]))]
    bids = [{"bid_id": bid, **b, "employee_id": names.ident(b["employee_id"])}
            for bid, b in sorted(roster["bids"].items(), key=lambda item: item[1]["date"])]
    return {**{k: roster[k] for k in ("id", "team_id", "period_start", "weeks",
                                      "published_at", "version")},
            "people": people_answer(context, names), "shifts": shifts, "bids": bids}


def violation_answer(violation: Violation, names: Names) -> dict[str, Any]:
    data = asdict(violation)
    data.update(employee=names.ident(violation.employee) or "",
                message=names.text(violation.message),
                suggestion=names.text(violation.suggestion))
    del data["detail"]
    return data


def verdict_answer(context: RosterContext, verdict: CheckResult, names: Names
                   ) -> dict[str, Any]:
    return {"roster_id": context.roster["id"], "version": context.roster["version"],
            "ok": verdict.ok, "hard": len(verdict.hard), "soft": len(verdict.soft),
            "violations": [violation_answer(v, names) for v in verdict.violations]}
