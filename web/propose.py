"""Foreslå plan pages: start the roster planner, watch its progress, see the difference
against the current plan, and accept it (planners and administrative staff).

Accepting runs ``accept_proposal`` at the roster version the proposal was made
from: if anyone puzzled in the meantime, the answer is "someone changed the plan,
reload" and nothing is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from domain.errors import NotFound
from web import services
from web.authz import authorize_roster_command
from web.grid import Cell, CellShift, Day, Grid, build_grid
from web.proposals import DEFAULT_TIME_LIMIT_S, summary_da
from web.puzzle import now_local, perform
from web.rosterdata import Names, cached_verdict, roster_context
from web.rosterplan import load_context
from web.rosters import page_errors
from web.solving import Job, Jobs

bp = Blueprint("propose", __name__)


def jobs() -> Jobs:
    return current_app.extensions["pusleplan_jobs"]  # type: ignore[no-any-return]


@bp.post("/vagtplan/<uuid:roster_id>/foreslaa")
def start(roster_id: UUID) -> Response:
    """Start the planner on the roster as it stands; show its progress."""
    context = load_context(services().app, roster_id)  # the job's own copy
    authorize_roster_command(current_user, "accept_proposal", context.roster, {})
    limit = float(current_app.config.get("PUSLEPLAN_SOLVER_SECONDS", DEFAULT_TIME_LIMIT_S))
    job = jobs().start(context, services().catalogue, limit, current_user.username)
    return redirect(url_for(".show", roster_id=roster_id, job_id=job.id), code=303)


@bp.get("/vagtplan/<uuid:roster_id>/forslag/<job_id>")
def show(roster_id: UUID, job_id: str) -> str:
    """Progress while the planner works; then the proposal as a difference."""
    context = roster_context(services().app, roster_id)
    authorize_roster_command(current_user, "accept_proposal", context.roster, {})
    job = _job(roster_id, job_id)
    names = Names(current_user, context.employees)
    verdict = cached_verdict(services().app, context, services().catalogue)
    grid = build_grid(context, verdict, names, None, now_local().date(), services().catalogue)
    return render_template(
        "proposal.html", context=context, team=context.team, job=job, grid=grid,
        names=names, summary=summary_da(job.result) if job.result else "",
        rows=diff_rows(grid, job), changes=job.changes,
        stale=job.version != context.roster["version"])


@bp.post("/vagtplan/<uuid:roster_id>/forslag/<job_id>/accepter")
def accept(roster_id: UUID, job_id: str) -> Response:
    """Accept the proposal (at the version it was made from) and go to the roster."""
    job = _job(roster_id, job_id)
    if not job.feasible:
        abort(409)
    with page_errors():
        perform("accept_proposal", {"roster_id": roster_id, "shifts": job.shifts,
                                    "objective": _objective(job)}, job.version)
        flash("Forslaget er accepteret og er nu vagtplanen.", "ok")
        roster = services().app.roster(roster_id)
        code = services().app.team(UUID(roster["team_id"]))["code"]
        return redirect(url_for("rosters.page", code=code,
                                start=roster["period_start"].isoformat()), code=303)
    return redirect(url_for(".show", roster_id=roster_id, job_id=job_id), code=303)


def _job(roster_id: UUID, job_id: str) -> Job:
    """:raise NotFound: if the job is unknown (or forgotten, or of another roster)."""
    job = jobs().get(job_id, str(roster_id))
    if job is None:
        raise NotFound("Forslaget findes ikke længere – bed om et nyt.", "no such solver job")
    return job


@dataclass(frozen=True)
class DiffCell:
    """One person's day in the proposal: new shifts, removed ones, or unchanged ones."""

    day: Day
    after: tuple[str, ...]  # "A A1": layer letter and route
    before: tuple[str, ...]
    same: tuple[CellShift, ...]

    @property
    def changed(self) -> bool:
        return bool(self.after or self.before)


@dataclass(frozen=True)
class DiffRow:
    name: str
    cells: tuple[DiffCell, ...]


def diff_rows(grid: Grid, job: Job) -> list[DiffRow]:
    """The proposal against the current plan, as rows like the Vagtplan grid's."""
    by_cell = {(c.employee_id, c.day): c for c in job.changes}
    rows = list(grid.rows)
    open_cells = grid.open_row.cells if grid.open_row else [Cell(d) for d in grid.days]
    result = []
    for employee, name, cells in [(r.employee_id, r.name, r.cells) for r in rows] + [
            (None, "Ledige vagter", open_cells)]:
        diff = []
        for cell in cells:
            change = by_cell.get((employee, cell.day.date))
            if change is None:
                diff.append(DiffCell(cell.day, (), (), tuple(cell.shifts)))
            else:
                diff.append(DiffCell(cell.day, _parts(change.after), _parts(change.before),
                                     ()))
        result.append(DiffRow(name, tuple(diff)))
    return result


def _parts(text: str) -> tuple[str, ...]:
    return tuple(part for part in text.split(", ") if part)


def _objective(job: Job) -> dict[str, int]:
    parts = getattr(job.result, "objective_parts", {}) or {}
    return {str(k): int(v) for k, v in parts.items()}
