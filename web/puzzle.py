"""Running roster commands from pages and the API: authorise, check the version, run.

Both the Vagtplan page and the JSON API come here, so a refused action is
refused the same way everywhere and never stores an event. ``expected_version``
is the roster version the person was looking at: if someone changed the plan
since, the answer is 409 ("someone changed this, reload").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from secrets import token_hex
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from flask_login import current_user

from domain.application import CONFLICT_MESSAGE
from domain.errors import Conflict, RuleBroken
from planning.checker import CheckResult
from web import services
from web.authz import authorize_roster_command
from web.commands import COMMANDS, validation_failed
from web.rosterplan import load_context

COPENHAGEN = ZoneInfo("Europe/Copenhagen")

#: Standard shift times per layer (start hour, hours), as the demo and the planner use.
LAYER_TIMES: dict[str, tuple[int, int]] = {"dag": (7, 8), "aften": (15, 8), "nat": (23, 8)}


@dataclass(frozen=True)
class Outcome:
    """What a roster command left behind: the roster's new version."""

    roster_id: UUID
    version: int


def perform(name: str, data: dict[str, Any], expected_version: int | None = None) -> Outcome:
    """Run roster command ``name`` with loaded ``data`` (incl. ``roster_id``) as the user.

    :raise NotFound: the roster does not exist.
    :raise Forbidden: the user may not do this (nothing is stored).
    :raise Conflict: the roster changed since ``expected_version``.
    :raise RuleBroken: the command breaks an invariant of the roster.
    """
    app = services().app
    roster_id: UUID = data["roster_id"]
    roster = app.roster(roster_id)
    check_version(roster, expected_version)  # a stale request hears 409, not a misleading 403
    authorize_roster_command(current_user, name, roster, data)
    changes = after_publication(name, data, roster)
    # The command acts on the roster the checks above saw, or not at all (409).
    with app.expecting(roster_id, roster["version"]) as saved:
        if changes is None:
            getattr(app, COMMANDS[name][1])(current_user.actor, **data)
        for change in changes or ():
            app.change_shift_after_publish(current_user.actor, roster_id, **change)
    services().forget_verdicts()
    version = saved.loaded.version if saved.loaded is not None else roster["version"]
    return Outcome(roster_id, version)


#: Why a puzzle on a published roster changed it (recorded with the change).
REASONS = {"take_shift": "Ledig vagt taget efter offentliggørelse",
           "release_shift": "Vagt afgivet efter offentliggørelse",
           "swap_shifts": "Vagt byttet efter offentliggørelse"}


def after_publication(name: str, data: dict[str, Any], roster: dict[str, Any]
                      ) -> list[dict[str, Any]] | None:
    """A puzzle (take an open shift, release, swap) on a published roster as the changes
    after publication it makes, stamped now (``changed_at``), so the notice given and
    the fees R7–R9 are recorded and priced; None when the roster is still open or the
    command is not such a puzzle (the domain then decides, e.g. refuses a new shift).

    :raise RuleBroken: a release of someone else's shift, or an exchange that would give
        someone two shifts at once (checked before anything is stored).
    """
    shifts = roster["shifts"]
    if roster["published_at"] is None or name not in REASONS:
        return None
    shift = shifts.get(str(data.get("shift_id")))
    if shift is None:
        return None
    now, reason = now_local(), REASONS[name]

    def move(shift_id: str, to: Any) -> dict[str, Any]:
        s = shifts[shift_id]
        return {"shift_id": shift_id, "employee_id": to, "start": s["start"], "end": s["end"],
                "changed_at": now, "reason": reason}

    if name == "take_shift":
        if shift["employee_id"] is not None:
            return None  # the domain explains that a colleague holds it
        return [move(data["shift_id"], data["employee_id"])]
    if name == "release_shift":
        if shift["employee_id"] != str(data["employee_id"]):
            raise RuleBroken("Man kan kun afgive sine egne vagter.",
                             f"shift {data['shift_id']} is not held by {data['employee_id']}",
                             field="shift_id")
        return [move(data["shift_id"], None)]
    holder, other_id = shift["employee_id"], data.get("other_shift_id")
    if holder is None:
        return None  # the domain explains that an open shift is taken, not swapped
    if other_id is None:
        return [move(data["shift_id"], data["to_employee_id"])]
    other = shifts.get(other_id)
    if other is None or other["employee_id"] != str(data["to_employee_id"]):
        raise RuleBroken("Den anden vagt tilhører ikke kollegaen.",
                         f"shift {other_id} not held by {data['to_employee_id']}",
                         field="other_shift_id")
    if shift["start"] < other["end"] and other["start"] < shift["end"]:
        raise RuleBroken("Vagterne ligger samtidig og kan ikke byttes.",
                         f"shifts {data['shift_id']} and {other_id} overlap",
                         field="other_shift_id")
    return [move(data["shift_id"], data["to_employee_id"]) | {"exchange_shift_id": other_id}]


def check_and_record(roster_id: UUID, expected_version: int | None = None) -> CheckResult:
    """Check the roster against the agreement and record the verdict (RosterChecked)."""
    app = services().app
    roster = app.roster(roster_id)
    authorize_roster_command(current_user, "record_roster_check", roster, {})
    check_version(roster, expected_version)
    verdict = services().verdict(load_context(app, roster_id))
    app.record_roster_check(current_user.actor, roster_id, len(verdict.hard), len(verdict.soft))
    return verdict


def check_version(roster: dict[str, Any], expected_version: int | None) -> None:
    """:raise Conflict: if the roster is no longer at ``expected_version``."""
    if expected_version is not None and roster["version"] != expected_version:
        raise Conflict(CONFLICT_MESSAGE, f"roster is at version {roster['version']}, "
                                         f"not {expected_version}")


def parse_version(value: str | None, field: str) -> int | None:
    """A version from a form field or header; None when not given.

    :raise ValidationFailed: if it is not a whole number.
    """
    if value is None or value.strip().strip('"') == "":
        return None
    try:
        return int(value.strip().strip('"'))
    except ValueError:
        raise validation_failed({field: ["Not a valid integer."]}) from None


def now_local() -> datetime:
    """The Danish wall-clock time now (naive, as the domain keeps times)."""
    return datetime.now(COPENHAGEN).replace(tzinfo=None, second=0, microsecond=0)


def layer_times(day: date, layer: str) -> tuple[datetime, datetime]:
    """Standard start and end of a ``layer`` shift on ``day`` (nat ends the next morning)."""
    hour, hours = LAYER_TIMES[layer]
    start = datetime.combine(day, time(hour))
    return start, start + timedelta(hours=hours)


def new_id(prefix: str, day: date) -> str:
    """A fresh id for a bid or a new shift, readable in logs: ``V-20261124-3fa2c1``."""
    return f"{prefix}-{day:%Y%m%d}-{token_hex(3)}"
