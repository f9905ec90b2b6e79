"""Read side for pages and the API: rosters of a team, people by name or pseudonym.

``Names`` is the one place that decides how a person appears: by name for
everyone but evaluators, who see stable pseudonyms (``web.authz.pseudonym``) —
in the grid, the history, the checker's messages and the API alike.

Loading a roster page means rebuilding a dozen aggregates from their events.
``ReadCache`` keeps what was built, per application, for as long as the event
log shows no new event of the aggregates it was built from (``roster_context``,
``cached_verdict``, ``team_rosters``, ``display_names``). The log is shared by
every web process, so a cached value is never older than the store.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any, TypeVar
from uuid import UUID

from domain.application import Pusleplan
from domain.errors import NotFound
from domain.rosters import MAX_WEEKS, roster_id
from domain.users import user_id
from planning.checker import CheckResult, check
from planning.model import Violation
from planning.rules import Catalogue
from web.auth import LoggedInUser
from web.authz import pseudonym, sees_names
from web.rosterplan import RosterContext, load_context, to_plan

SEARCH_WEEKS = 2 * MAX_WEEKS
T = TypeVar("T")


@dataclass
class _Entry:
    value: Any
    sources: frozenset[UUID]  # the aggregates the value was built from
    position: int  # the event log's position when it was built (or last confirmed)


class ReadCache:
    """Values built from aggregates, kept while none of those aggregates changes.

    ``get`` compares the cached position with the newest event in the log; if
    events came since, it reads just their originator ids (at most
    ``scan_limit``) and keeps the value when none of them is a source. The
    position is taken *before* building, so an event written meanwhile is seen
    at the next ``get``. Values are shared between requests: treat them as
    read-only.
    """

    def __init__(self, size: int = 256, scan_limit: int = 500) -> None:
        self.size = size
        self.scan_limit = scan_limit
        self._entries: OrderedDict[tuple[Any, ...], _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, app: Pusleplan, key: tuple[Any, ...],
            build: Callable[[], tuple[T, Iterable[UUID]]]) -> T:
        """The value for ``key``, rebuilt by ``build`` (value, source ids) when stale."""
        now = app.recorder.max_notification_id() or 0
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None and self._still_valid(app, entry, now):
            with self._lock:
                self.hits += 1
                if key in self._entries:
                    self._entries.move_to_end(key)
            return entry.value  # type: ignore[no-any-return]
        value, sources = build()
        with self._lock:
            self.misses += 1
            self._entries[key] = _Entry(value, frozenset(sources), now)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value

    def _still_valid(self, app: Pusleplan, entry: _Entry, now: int) -> bool:
        position = entry.position
        if now == position:
            return True
        if now < position or now - position > self.scan_limit:
            return False  # a rebuilt store, or too much happened: build again
        news = app.recorder.select_notifications(position + 1, self.scan_limit, stop=now)
        if len(news) >= self.scan_limit or any(n.originator_id in entry.sources
                                               for n in news):
            return False
        entry.position = max(position, now)  # confirmed up to ``now``
        return True


_caches: weakref.WeakKeyDictionary[Pusleplan, ReadCache] = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()


def read_cache(app: Pusleplan) -> ReadCache:
    """The application's read cache (one per application object, made on first use)."""
    with _caches_lock:
        cache = _caches.get(app)
        if cache is None:
            cache = _caches[app] = ReadCache()
        return cache


def roster_context(app: Pusleplan, rid: UUID) -> RosterContext:
    """``web.rosterplan.load_context``, cached until the roster, its team, its people
    or the roster before it changes.

    :raise NotFound: if the roster (or its team) does not exist.
    """
    def build() -> tuple[RosterContext, Iterable[UUID]]:
        context = load_context(app, rid)
        return context, context_sources(context)

    return read_cache(app).get(app, ("context", rid), build)


def cached_verdict(app: Pusleplan, context: RosterContext, catalogue: Catalogue
                   ) -> CheckResult:
    """The rule checker's verdict on ``context``, cached like ``roster_context``."""
    def build() -> tuple[CheckResult, Iterable[UUID]]:
        return check(to_plan(context), catalogue), context_sources(context)

    key = ("verdict", context.roster_id, context.roster["version"], id(catalogue))
    return read_cache(app).get(app, key, build)


def context_sources(context: RosterContext) -> set[UUID]:
    """The aggregates a roster context is built from (and the rosters that may precede it)."""
    team = UUID(context.team["id"])
    start: date = context.roster["period_start"]
    sources = {context.roster_id, team, *(UUID(e) for e in context.employees)}
    # A roster opened (or changed) just before this one changes the history part.
    sources |= {roster_id(team, start - timedelta(weeks=w)) for w in range(1, MAX_WEEKS + 1)}
    return sources


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
    """The team's rosters starting within 24 weeks of ``around``, oldest first (cached
    until one of them changes or a roster is opened in that window)."""
    monday = around - timedelta(days=around.weekday())
    candidates = [roster_id(team, monday + timedelta(weeks=offset))
                  for offset in range(-SEARCH_WEEKS, SEARCH_WEEKS + 1)]

    def build() -> tuple[tuple[Period, ...], Iterable[UUID]]:
        found = []
        for rid in candidates:
            try:
                roster = app.roster(rid)
            except NotFound:
                continue
            found.append(Period(roster["id"], roster["period_start"], roster["weeks"],
                                roster["published_at"] is not None))
        return tuple(found), candidates

    return list(read_cache(app).get(app, ("periods", team, monday), build))


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
    actors = sorted({e["actor"].get("id", "") for e in history} - numbers - {""})

    def build() -> tuple[dict[str, str], Iterable[UUID]]:
        found: dict[str, str] = {}
        for actor in actors:
            record = app.user(actor)
            if record is not None:
                found[actor] = record["display_name"]
        return found, [user_id(actor) for actor in actors]

    return dict(read_cache(app).get(app, ("users", *actors), build))


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
