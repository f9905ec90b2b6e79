"""The JSON API for Foreslå plan: start the roster planner, poll it, accept its proposal.

Starting answers 202 with the job; polling gives the progress and, when done,
the proposal's shifts and its difference against the current plan (or why no
plan exists); accepting stores the proposal at the roster version it was made
from (409 if someone puzzled since).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import current_app
from flask.views import MethodView
from flask_login import current_user
from marshmallow import fields

from domain.errors import NotFound, RuleBroken
from web import api_schemas as a
from web import services
from web.api import Blueprint, if_match
from web.authz import authorize_roster_command
from web.proposals import DEFAULT_TIME_LIMIT_S, summary_da
from web.puzzle import perform
from web.rosterdata import Names
from web.rosterplan import load_context
from web.solving import Job, Jobs

blp = Blueprint("proposals_api", __name__, url_prefix="/api/rosters",
                description="Foreslå plan: planlæggeren (CP-SAT) foreslår en vagtplan")


class ChangeAnswer(a.Answer):
    employee_id = fields.String(allow_none=True)
    day = fields.Date()
    before = fields.String()
    after = fields.String()


class JobAnswer(a.Answer):
    job_id = fields.String()
    roster_id = fields.String()
    version = fields.Integer(metadata={"description": "the roster version it was made from"})
    status = fields.String(metadata={"description": "running, proposal, infeasible or failed"})
    progress = fields.Float(metadata={"description": "0–1, the share of the time limit used"})
    summary = fields.String(metadata={"description": "Danish"})
    shifts = fields.List(fields.Nested(a.ShiftAnswer))
    changes = fields.List(fields.Nested(ChangeAnswer))


def _jobs() -> Jobs:
    return current_app.extensions["pusleplan_jobs"]  # type: ignore[no-any-return]


def _authorised_context(roster_id: UUID) -> Any:
    context = load_context(services().app, roster_id)
    authorize_roster_command(current_user, "accept_proposal", context.roster, {})
    return context


def _job(roster_id: UUID, job_id: str) -> Job:
    job = _jobs().get(job_id, str(roster_id))
    if job is None:
        raise NotFound("Forslaget findes ikke længere – bed om et nyt.", "no such solver job")
    return job


def job_answer(job: Job, names: Names) -> dict[str, Any]:
    status = ("running" if job.running else "failed" if job.failed else
              "proposal" if job.feasible else "infeasible")
    return {
        "job_id": job.id, "roster_id": job.roster_id, "version": job.version, "status": status,
        "progress": round(job.progress, 3),
        "summary": names.text(summary_da(job.result)) if job.result else "",
        "shifts": [{**s, "employee_id": names.ident(s["employee_id"])} for s in job.shifts],
        "changes": [{"employee_id": names.ident(c.employee_id), "day": c.day,
                     "before": c.before, "after": c.after} for c in job.changes],
    }


@blp.route("/<uuid:roster_id>/proposals")
class Proposals(MethodView):
    @blp.response(202, JobAnswer)
    def post(self, roster_id: UUID) -> dict[str, Any]:
        """Start the planner on the roster as it stands (planners, administrative staff)."""
        context = _authorised_context(roster_id)
        limit = float(current_app.config.get("PUSLEPLAN_SOLVER_SECONDS", DEFAULT_TIME_LIMIT_S))
        job = _jobs().start(context, services().catalogue, limit, current_user.username)
        return job_answer(job, Names(current_user, context.employees))


@blp.route("/<uuid:roster_id>/proposals/<job_id>")
class Proposal(MethodView):
    @blp.response(200, JobAnswer)
    def get(self, roster_id: UUID, job_id: str) -> dict[str, Any]:
        """The job's progress; when done, the proposal and its difference."""
        context = _authorised_context(roster_id)
        return job_answer(_job(roster_id, job_id), Names(current_user, context.employees))


@blp.route("/<uuid:roster_id>/proposals/<job_id>/accept")
class Accept(MethodView):
    @blp.response(200, a.CommandAnswer)
    @blp.alt_response(409, schema=a.ErrorAnswer, description="Planen er ændret imens")
    def post(self, roster_id: UUID, job_id: str) -> dict[str, Any]:
        """Accept the proposal; it replaces every shift of the roster."""
        job = _job(roster_id, job_id)
        if not job.feasible:
            raise RuleBroken("Der er ikke noget forslag at acceptere.", "job has no proposal")
        expected = if_match()
        parts = getattr(job.result, "objective_parts", {}) or {}
        outcome = perform("accept_proposal", {
            "roster_id": roster_id, "shifts": job.shifts,
            "objective": {str(k): int(v) for k, v in parts.items()}},
            job.version if expected is None else expected)
        return {"roster_id": str(outcome.roster_id), "version": outcome.version}
