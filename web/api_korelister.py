"""The JSON API for kørelister: the day's run lists, proposals and the puslemøde.

``GET`` gives the stored run lists (``source: stored``) or none; ``POST
.../proposals`` runs the route planner in the background and answers the
proposal with its ``draft_id`` when done (``?wait=false``: at once, 202 with
``status: running``; poll ``GET .../proposals/<draft_id>``); ``POST
.../proposals/<draft_id>/accept`` records it (with each person's route). ``POST
.../sick`` replans the stored day in the background when someone goes home sick
and answers the replanning with the moves (the sister team helps when the team
cannot cover; ``?wait=false`` and ``GET .../sick/<draft_id>`` as for proposals);
``POST .../sick/<draft_id>/accept`` records the moves. The other puslemøde
changes work the same way: ``POST .../cancel`` (a visit is aflyst),
``.../second-person`` (a visit now needs two people), ``.../extra`` (an extra
visit today), polled at ``GET .../replans/<draft_id>`` and recorded with
``POST .../replans/<draft_id>/accept``.
The same rules as the page apply (web.korelister): members of the team, its
planners and administrative staff change run lists; leaders and evaluators read
(evaluators see pseudonyms).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from uuid import UUID

from flask.views import MethodView
from marshmallow import Schema, fields

from planning.routing_problem import hhmm
from web import api_schemas as a
from web import schemas as s
from web.api import Blueprint
from web.korelister import (
    Shown,
    accept_proposal,
    accept_replan,
    change_day,
    drafts,
    mark_sick,
    presenter,
    propose,
    readable_team,
    show_day,
    sister_help,
)
from web.puslemoede import (
    CANCELLED,
    EXTRA,
    SECOND_PERSON,
    CancelVisitBody,
    ExtraVisitBody,
    SecondPersonBody,
)
from web.runlists import parse_day

WAIT_GRACE_S = 30.0  # beyond the planner's time limit, for building and writing
blp = Blueprint("korelister_api", __name__, url_prefix="/api/teams",
                description="Kørelister: dagens ruter, forslag og puslemøde")


class SickBody(s.CommandSchema):
    """Someone goes home sick: the employee (id or number) and from when (HH:MM)."""

    employee_id = fields.String(required=True, metadata={"example": "OE1-03"})
    from_ = fields.String(required=True, data_key="from", metadata={"example": "09:30"})


class StopAnswer(a.Answer):
    number = fields.Integer()
    visit_id = fields.String()
    start = fields.String(metadata={"description": "HH:MM"})
    end = fields.String()
    citizen = fields.String(metadata={"description": "case code (evaluators: pseudonym)"})
    service = fields.String()
    profession = fields.String()
    triage = fields.String(metadata={"description": "roed, gul or groen"})
    double = fields.Boolean(metadata={"description": "double-staffed visit"})
    partner = fields.String(allow_none=True)
    travel = fields.Integer(metadata={"description": "minutes from the previous stop"})
    wait = fields.Integer()
    status = fields.String(metadata={"description": "proposed, planned or delivered"})
    moved_from = fields.String(allow_none=True)
    new_time = fields.String(allow_none=True, metadata={"description": "the old start"})


class RunAnswer(a.Answer):
    employee_id = fields.String()
    name = fields.String()
    number = fields.String()
    profession = fields.String()
    colour = fields.String()
    leave = fields.String()
    back = fields.String()
    travel = fields.Integer()
    visit_minutes = fields.Integer()
    received = fields.Integer(metadata={"description": "visits moved to this person"})
    handed_over = fields.Integer()
    sick_from = fields.String(allow_none=True)
    route = fields.String(allow_none=True, metadata={"description": "the shift's route code"})
    route_name = fields.String(allow_none=True)
    break_text = fields.String(allow_none=True)
    stops = fields.List(fields.Nested(StopAnswer))


class UnassignedAnswer(a.Answer):
    visit_id = fields.String()
    citizen = fields.String()
    service = fields.String()
    window = fields.String()
    profession = fields.String()
    reason = fields.String()
    message = fields.String(metadata={"description": "Danish"})


class MoveAnswer(a.Answer):
    visit_id = fields.String()
    slot = fields.Integer()
    from_employee_id = fields.String(allow_none=True)
    to_employee_id = fields.String(allow_none=True)
    old_start = fields.String(allow_none=True)
    new_start = fields.String(allow_none=True)
    forced = fields.Boolean(metadata={"description": "the sickness itself made it move"})


class TotalsAnswer(a.Answer):
    visits = fields.Integer()
    people = fields.Integer()
    stops = fields.Integer()
    travel_minutes = fields.Integer()
    unassigned = fields.Integer()
    moved = fields.Integer()


class DayAnswer(a.Answer):
    team = fields.String()
    date = fields.Date()
    source = fields.String(metadata={"description": "stored, forslag, puslemoede or none"})
    draft_id = fields.String(allow_none=True, metadata={"description": "to accept the draft"})
    status = fields.String(metadata={
        "description": "running (the planner works; poll the proposal), failed or ready"})
    progress = fields.Float(metadata={"description": "0–1 of the planner's time limit"})
    version = fields.Integer(allow_none=True, metadata={"description": "stored plan version"})
    sick_employee_id = fields.String(allow_none=True)
    sick_from = fields.String(allow_none=True)
    sister_team = fields.String(allow_none=True, metadata={
        "description": "the sister team's code when it helped the replanning"})
    sister_help = fields.Integer(metadata={"description": "visits given to the sister team"})
    change = fields.String(allow_none=True, metadata={
        "description": "the puslemøde change: aflyst, dobbelt or ekstra (sick: null)"})
    change_visit_id = fields.String(allow_none=True)
    totals = fields.Nested(TotalsAnswer, allow_none=True)
    run_lists = fields.List(fields.Nested(RunAnswer))
    unassigned = fields.List(fields.Nested(UnassignedAnswer))
    moves = fields.List(fields.Nested(MoveAnswer))


class AcceptAnswer(DayAnswer):
    recorded = fields.Integer(metadata={"description": "visits planned or moved"})


def day_answer(team: dict[str, Any], shown: Shown) -> dict[str, Any]:
    """A shown day (stored, proposal or replanning) for the API."""
    view, draft = shown.view, shown.draft
    who = presenter(shown.context)
    answer: dict[str, Any] = {
        "team": team["code"], "date": shown.context.day, "source": shown.source,
        "draft_id": draft.id if draft else None,
        "status": ("running" if draft and draft.running else
                   "failed" if draft and draft.failed else "ready"),
        "progress": round(draft.progress, 3) if draft else 1.0,
        "version": shown.plan["version"] if shown.plan else None,
        "sick_employee_id": who.ident(draft.sick_id) if draft and draft.sick_id else None,
        "sick_from": hhmm(draft.sick_from) if draft and draft.sick_from is not None else None,
        "sister_team": draft.sister.code if draft and draft.sister else None,
        "sister_help": sister_help(draft),
        "change": draft.change["kind"] if draft and draft.change else None,
        "change_visit_id": draft.change["visit_id"] if draft and draft.change else None,
        "totals": None, "run_lists": [], "unassigned": [], "moves": []}
    if view is None:
        return answer
    answer.update(
        totals={"visits": view.visits, "people": view.people, "stops": view.stops,
                "travel_minutes": view.travel, "unassigned": len(view.unassigned),
                "moved": view.moved},
        run_lists=[asdict(run) for run in view.runs],
        unassigned=[asdict(u) for u in view.unassigned])
    if draft is not None and draft.result is not None:
        answer["moves"] = [{
            "visit_id": m.visit_id, "slot": m.slot,
            "from_employee_id": who.ident(m.from_caregiver) if m.from_caregiver else None,
            "to_employee_id": who.ident(m.to_caregiver) if m.to_caregiver else None,
            "old_start": hhmm(m.old_start) if m.old_start is not None else None,
            "new_start": hhmm(m.new_start) if m.new_start is not None else None,
            "forced": m.forced} for m in draft.result.moves]
    return answer


def _team_and_day(team_id: UUID, day: str) -> tuple[dict[str, Any], Any]:
    team = readable_team(team_id)
    return team, parse_day(day, "date")


@blp.route("/<uuid:team_id>/korelister/<day>")
class Day(MethodView):
    @blp.response(200, DayAnswer)
    def get(self, team_id: UUID, day: str) -> dict[str, Any]:
        """The day's stored run lists (``source: stored``), or ``source: none``."""
        team, when = _team_and_day(team_id, day)
        return day_answer(team, show_day(team_id, when))


class ProposeArgs(Schema):
    wait = fields.Boolean(load_default=True, metadata={
        "description": "wait for the planner (201); false: answer at once (202) and poll"})


@blp.route("/<uuid:team_id>/korelister/<day>/proposals")
class Proposals(MethodView):
    @blp.arguments(ProposeArgs, location="query")
    @blp.response(201, DayAnswer)
    @blp.alt_response(202, schema=DayAnswer, description="Planlæggeren arbejder (wait=false)")
    @blp.alt_response(409, schema=a.ErrorAnswer, description="Dagen har allerede kørelister")
    def post(self, args: dict[str, Any], team_id: UUID, day: str) -> Any:
        """Run the route planner on the day in the background (nothing is stored); accept
        the answer's ``draft_id`` when its ``status`` is ``ready``."""
        team, when = _team_and_day(team_id, day)
        draft = propose(team_id, when)
        return _started(team, team_id, when, draft, args["wait"])


@blp.route("/<uuid:team_id>/korelister/<day>/proposals/<draft_id>")
class Proposal(MethodView):
    @blp.response(200, DayAnswer)
    def get(self, team_id: UUID, day: str, draft_id: str) -> dict[str, Any]:
        """A proposal: the planner's progress (``status: running``), then the run lists."""
        team, when = _team_and_day(team_id, day)
        return day_answer(team, show_day(team_id, when, draft_id, "forslag"))


@blp.route("/<uuid:team_id>/korelister/<day>/proposals/<draft_id>/accept")
class AcceptProposal(MethodView):
    @blp.response(200, AcceptAnswer)
    @blp.alt_response(409, schema=a.ErrorAnswer, description="Dagen fik kørelister imens")
    def post(self, team_id: UUID, day: str, draft_id: str) -> dict[str, Any]:
        """Record the proposal as the day's run lists (VisitPlanned events)."""
        team, when = _team_and_day(team_id, day)
        recorded = accept_proposal(team_id, when, draft_id)
        return {**day_answer(team, show_day(team_id, when)), "recorded": recorded}


@blp.route("/<uuid:team_id>/korelister/<day>/sick")
class Sick(MethodView):
    @blp.arguments(SickBody)
    @blp.arguments(ProposeArgs, location="query")
    @blp.response(201, DayAnswer)
    @blp.alt_response(202, schema=DayAnswer, description="Planlæggeren arbejder (wait=false)")
    def post(self, body: dict[str, Any], args: dict[str, Any], team_id: UUID,
             day: str) -> Any:
        """Puslemøde: replan the stored day in the background when someone goes home sick
        (nothing stored); accept the answer's ``draft_id`` when ``status`` is ``ready``."""
        team, when = _team_and_day(team_id, day)
        draft = mark_sick(team_id, when, body["employee_id"], body["from_"], "from")
        return _started(team, team_id, when, draft, args["wait"])


def _replanning(team_id: UUID, day: str, kind: str, data: dict[str, Any],
                wait: bool) -> Any:
    """Start a puslemøde change's replanning; the answer (202 while it runs)."""
    team, when = _team_and_day(team_id, day)
    return _started(team, team_id, when, change_day(team_id, when, kind, data), wait)


def _started(team: dict[str, Any], team_id: UUID, when: Any, draft: Any, wait: bool) -> Any:
    """The answer to a started proposal or replanning: 201 when done (after waiting for
    it when ``wait``), else 202 with ``status: running``."""
    if wait:
        draft = drafts().wait(draft, draft.time_limit_s + WAIT_GRACE_S)
    answer = day_answer(team, show_day(team_id, when, draft.id, draft.kind))
    return (answer, 202) if answer["status"] == "running" else answer


def _change_endpoint(path: str, kind: str, body: type[Schema], summary: str) -> None:
    """``POST .../<path>``: start a puslemøde change's replanning (201 when it is done,
    202 with ``?wait=false``); the same answer as the sick day's."""
    def post(self: MethodView, data: dict[str, Any], args: dict[str, Any], team_id: UUID,
             day: str) -> Any:
        return _replanning(team_id, day, kind, data, args["wait"])
    post.__doc__ = summary
    for decorate in (blp.alt_response(202, schema=DayAnswer,
                                      description="Planlæggeren arbejder (wait=false)"),
                     blp.response(201, DayAnswer), blp.arguments(ProposeArgs, location="query"),
                     blp.arguments(body)):
        post = decorate(post)
    view = type(f"Change_{kind}", (MethodView,), {"post": post})
    blp.route(f"/<uuid:team_id>/korelister/<day>/{path}")(view)


_change_endpoint("cancel", CANCELLED, CancelVisitBody,
                 "Puslemøde: a planned visit is cancelled (aflyst); replan the day (nothing "
                 "stored until accepted).")
_change_endpoint("second-person", SECOND_PERSON, SecondPersonBody,
                 "Puslemøde: a planned visit now needs two people (dobbeltbemanding); "
                 "replan the day.")
_change_endpoint("extra", EXTRA, ExtraVisitBody,
                 "Puslemøde: an extra visit today (e.g. after a discharge); replan the day.")


@blp.route("/<uuid:team_id>/korelister/<day>/sick/<draft_id>", endpoint="SickReplan")
@blp.route("/<uuid:team_id>/korelister/<day>/replans/<draft_id>", endpoint="Replanning")
class Replanning(MethodView):
    @blp.response(200, DayAnswer)
    def get(self, team_id: UUID, day: str, draft_id: str) -> dict[str, Any]:
        """A puslemøde replanning (someone sick, or another change): its progress
        (``status: running``), then the moves."""
        team, when = _team_and_day(team_id, day)
        return day_answer(team, show_day(team_id, when, draft_id, "puslemoede"))


@blp.route("/<uuid:team_id>/korelister/<day>/sick/<draft_id>/accept", endpoint="AcceptSick")
@blp.route("/<uuid:team_id>/korelister/<day>/replans/<draft_id>/accept",
           endpoint="AcceptReplanning")
class AcceptReplanning(MethodView):
    @blp.response(200, AcceptAnswer)
    @blp.alt_response(409, schema=a.ErrorAnswer, description="Kørelisterne er ændret imens")
    def post(self, team_id: UUID, day: str, draft_id: str) -> dict[str, Any]:
        """Record a replanning: the moves (VisitMoved), the cancelled, added or doubled
        visit, and a sickness (AbsenceRegistered)."""
        team, when = _team_and_day(team_id, day)
        recorded = accept_replan(team_id, when, draft_id)
        return {**day_answer(team, show_day(team_id, when)), "recorded": recorded}
