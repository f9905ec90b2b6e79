"""Vagtplan pages: the grid, the cell panel, the rule verdict, the history, and the forms.

Forms post to ``/vagtplan/<roster id>/<action>`` with the CSRF token and the
roster version the person saw; afterwards the page shows the same cell again,
with the checker's verdict on the changed plan. A broken rule or a conflict
comes back as a message on the page; a refusal (403) or a missing roster (404)
goes to the central error mapping.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any
from uuid import UUID

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from domain.errors import Conflict, RuleBroken, ValidationFailed
from domain.rosters import roster_id
from domain.teams import team_id
from planning.checker import CheckResult
from web import services
from web.authz import may_act_for, may_run, require_team
from web.commands import load_command, validation_failed
from web.grid import Grid, build_grid
from web.history import history, short_day
from web.panel import build_panel, split_target
from web.puzzle import check_and_record, layer_times, new_id, now_local, parse_version, perform
from web.rosterdata import (
    Names,
    cached_verdict,
    context_sources,
    current_period,
    display_names,
    read_cache,
    roster_context,
    team_rosters,
)
from web.rosterplan import RosterContext

bp = Blueprint("rosters", __name__)


@bp.get("/teams/<code>/vagtplan")
def current(code: str) -> Response:
    """The team's current roster (or the next one)."""
    tid = team_id(code)
    require_team(current_user, str(services().app.team(tid)["id"]))
    period = current_period(team_rosters(services().app, tid, now_local().date()),
                            now_local().date())
    if period is None:
        abort(404)
    return redirect(url_for(".page", code=code, start=period.period_start.isoformat()))


@bp.get("/teams/<code>/vagtplan/<start>")
def page(code: str, start: str) -> str:
    """The Vagtplan page: grid, chosen cell, rule verdict and history."""
    context = roster_context(services().app, _roster_id(team_id(code), start))
    require_team(current_user, context.team["id"])
    return render_template("vagtplan.html", code=code, **board(context))


def board(context: RosterContext) -> dict[str, Any]:
    """What the Vagtplan template shows for the current user."""
    app = services().app
    verdict = cached_verdict(app, context, services().catalogue)
    names = Names(current_user, context.employees,
                  display_names(app, context.history, context.employees))
    grid = _grid(context, verdict, names)
    person, day = request.args.get("person"), _date(request.args.get("dato"))
    may_act = may_act_for(current_user, person, context.roster)
    return {
        "context": context, "team": context.team, "grid": grid, "verdict": verdict,
        "names": names, "panel": build_panel(grid, person, day, may_act, verdict),
        "history": history(context.history, names),
        "periods": team_rosters(app, UUID(context.team["id"]), context.roster["period_start"]),
        "may": lambda name: may_run(current_user, name, context.roster),
    }


def _grid(context: RosterContext, verdict: CheckResult, names: Names) -> Grid:
    """The grid for the current user, built once per roster state, user and day.

    What differs between users is only whether they see names and which row is
    theirs, so a wall screen and twenty members looking at the same roster share
    a handful of grids.
    """
    app = services().app
    me, today = current_user.employee_id, now_local().date()
    catalogue = services().catalogue  # the verdict's: the rows show R5's hours and norm
    key = ("grid", context.roster_id, context.roster["version"], id(verdict), names.real,
           me, today)

    def make() -> tuple[Grid, set[UUID]]:
        return (build_grid(context, verdict, names, me, today, catalogue),
                context_sources(context))

    return read_cache(app).get(app, key, make)


@bp.post("/vagtplan/<uuid:roster_id>/<action>")
def act(roster_id: UUID, action: str) -> Response:
    """Run one form's action (ønske, tag, afgiv, byt, tjek, offentliggør), then go back."""
    if action not in FORMS:
        abort(404)
    version = parse_version(request.form.get("version"), "version")
    with page_errors():
        message = FORMS[action](roster_id, request.form, version)
        flash(message, "ok")
    return redirect(back_to(roster_id), code=303)


# -- the forms -------------------------------------------------------------------------------


def _bid(roster_id: UUID, form: Any, version: int | None) -> str:
    day = _required_date(form.get("date"))
    payload = {"roster_id": str(roster_id), "bid_id": new_id("O", day),
               "employee_id": form.get("employee_id", ""), "kind": form.get("kind", ""),
               "date": day.isoformat(), "layer": form.get("layer") or None}
    if payload["kind"] == "day_off":
        payload["layer"] = None
    _run("bid_shift", payload, version)
    return f"Ønsket for {short_day(day)} er gemt."


def _take(roster_id: UUID, form: Any, version: int | None) -> str:
    day = _required_date(form.get("date"))
    layer = form.get("layer", "")
    if form.get("shift_id"):  # an open shift: the roster knows its times
        shift = services().app.roster(roster_id)["shifts"].get(form["shift_id"])
        layer = shift["layer"] if shift else layer
    start, end = layer_times(day, layer) if layer in ("dag", "aften", "nat") else (day, day)
    payload = {"roster_id": str(roster_id),
               "shift_id": form.get("shift_id") or new_id(layer[:1].upper() or "V", day),
               "employee_id": form.get("employee_id", ""), "date": day.isoformat(),
               "layer": layer, "start": str(start).replace(" ", "T"),
               "end": str(end).replace(" ", "T")}
    _run("take_shift", payload, version)
    return f"Vagten {short_day(day)} er taget."


def _release(roster_id: UUID, form: Any, version: int | None) -> str:
    _run("release_shift", {"roster_id": str(roster_id), "shift_id": form.get("shift_id", ""),
                           "employee_id": form.get("employee_id", "")}, version)
    return "Vagten er afgivet og står nu som ledig."


def _swap(roster_id: UUID, form: Any, version: int | None) -> str:
    _run("swap_shifts", {"roster_id": str(roster_id), "shift_id": form.get("shift_id", ""),
                         **split_target(form.get("target", ""))}, version)
    return "Vagten er byttet."


def _check(roster_id: UUID, form: Any, version: int | None) -> str:
    verdict = check_and_record(roster_id, version)
    if verdict.ok:
        return "Planen er tjekket: ingen skarpe regler er brudt. Den kan offentliggøres."
    return f"Planen er tjekket: {len(verdict.hard)} brud på skarpe regler skal rettes først."


def _publish(roster_id: UUID, form: Any, version: int | None) -> str:
    perform("publish_roster", {"roster_id": roster_id, "published_at": now_local()}, version)
    return "Vagtplanen er offentliggjort."


FORMS = {"oenske": _bid, "tag": _take, "afgiv": _release, "byt": _swap, "tjek": _check,
         "offentliggoer": _publish}


def _run(name: str, payload: dict[str, Any], version: int | None) -> None:
    clean = {k: v for k, v in payload.items() if v is not None}
    perform(name, load_command(name, clean)[1], version)


@contextmanager
def page_errors() -> Iterator[None]:
    """A broken rule, bad input or a conflict becomes a message on the page."""
    try:
        yield
    except (RuleBroken, ValidationFailed, Conflict) as error:
        flash(error.message, "error")


def back_to(roster_id: UUID) -> str:
    """The Vagtplan page of the roster, at the cell the form came from."""
    roster = services().app.roster(roster_id)
    code = services().app.team(UUID(roster["team_id"]))["code"]
    cell = {k: request.form[k] for k in ("person", "dato") if request.form.get(k)}
    return url_for(".page", code=code, start=roster["period_start"].isoformat(), **cell) + (
        "#handling" if cell else "")


def _roster_id(team: UUID, start: str) -> UUID:
    day = _date(start)
    if day is None:
        abort(404)
    return roster_id(team, day)


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _required_date(value: str | None) -> date:
    day = _date(value)
    if day is None:
        raise validation_failed({"date": ["Not a valid date."]})
    return day
