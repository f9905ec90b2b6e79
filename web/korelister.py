"""Kørelister pages: the team's run lists for a day, a route map, and the puslemøde.

``/teams/<code>/korelister/<dato>`` shows the stored day plan, or offers
"Foreslå kørelister" (the route planner on the day's visitations and roster,
run in the background while the page shows its progress) and "Godkend"
(records the proposal as VisitPlanned events, and each person's route from
their shift as RouteAssigned, in one transaction). At the puslemøde,
"Meld syg" replans the stored day from a time, shows what moved to whom, and
"Godkend ændringerne" records the moves (VisitMoved). Every change is a POST
with the CSRF token; members of the team, its planners and administrative staff
may make them, leaders and evaluators only read (evaluators by pseudonym).

Drafts (proposals and replannings waiting for "Godkend") live in the data
directory (``web.daydrafts``), so with several web processes any of them shows
and accepts a draft another made.

The JSON API (``web.api_korelister``) runs the same functions.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from typing import Any
from uuid import UUID

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from flask_login import current_user
from werkzeug.wrappers import Response

from domain.errors import Conflict, Forbidden, RuleBroken, ValidationFailed
from domain.teams import team_id
from domain.values import Profession, Role
from planning.routing import plan_routes
from planning.routing_problem import hhmm
from web import services
from web.auth import ROLE_DA, LoggedInUser
from web.authz import require_team, sees_names
from web.borgere import citizen_key
from web.daydrafts import DraftStore
from web.dayproblem import DayContext, build_day
from web.dayview import DayView, Presenter, day_view
from web.puslemoede import (
    CANCELLED,
    EXTRA,
    REPLAN,
    SECOND_PERSON,
    load_change,
    prepare_change,
    prepare_sick,
    record_replan,
    record_sickness,
    replan_day,
)
from web.puzzle import now_local
from web.runlists import (
    Draft,
    check_plan_version,
    may_be_stored,
    new_draft_id,
    parse_day,
    parse_time,
    record_proposal,
    route_of,
    statuses,
    stored_day,
)

bp = Blueprint("korelister", __name__)

DAY_PLANNERS = frozenset({Role.MEMBER, Role.PLANNER, Role.ADMINISTRATIVE})
DEFAULT_ROUTE_SECONDS = 5.0
PROPOSAL = "forslag"
WEEKDAYS_DA = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
PAST_REPLAN_DA = ("Dagen er gået – kørelisterne for en dag, der er gået, kan ikke "
                  "planlægges om.")
PAST_PROPOSAL_DA = ("Dagen er gået – der kan ikke foreslås kørelister for en dag, der er "
                    "gået.")
MONTHS_DA = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
             "september", "oktober", "november", "december")


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    state.app.extensions["pusleplan_korelister"] = DraftStore()


@bp.app_context_processor
def _today() -> dict[str, Any]:
    """Today for the team page's Kørelister card."""
    day = now_local().date()
    return {"korelister_today": day, "korelister_today_da": day_da(day)}


def drafts() -> DraftStore:
    return current_app.extensions["pusleplan_korelister"]  # type: ignore[no-any-return]


# -- rules and shared steps (pages and API) ---------------------------------------------------


def may_plan_day(user: LoggedInUser, team: str) -> bool:
    """Whether the user may propose, accept and replan this team's run lists."""
    try:
        authorize_day(user, team)
    except Forbidden:
        return False
    return True


def authorize_day(user: LoggedInUser, team: str) -> None:
    """:raise Forbidden: unless the user is a member, planner or administrative user of
    the team (leaders and evaluators read only)."""
    if user.role not in DAY_PLANNERS:
        raise Forbidden(f"Som {ROLE_DA[user.role]} kan du se kørelisterne, men ikke ændre dem.",
                        f"role {user.role} may not change day plans")
    require_team(user, team)


def readable_team(team: UUID) -> dict[str, Any]:
    """The team, if the user may read it (:raise NotFound, Forbidden:)."""
    data = services().app.team(team)
    require_team(current_user, data["id"])
    return data


def time_limit() -> float:
    """The route planner's time limit: config, else ``PUSLEPLAN_ROUTE_SECONDS``, else 5 s."""
    value = current_app.config.get("PUSLEPLAN_ROUTE_SECONDS") or os.environ.get(
        "PUSLEPLAN_ROUTE_SECONDS")
    return float(value or DEFAULT_ROUTE_SECONDS)


def day_context(team: UUID, day: date) -> DayContext:
    return build_day(services().app, team, day, time_limit_s=time_limit())


def presenter(context: DayContext) -> Presenter:
    return Presenter(context, sees_names(current_user), citizen_key())


@dataclass(frozen=True)
class Shown:
    """What a day shows: the stored plan, a proposal or a replanning, as a DayView."""

    context: DayContext
    view: DayView | None
    source: str  # "stored", "forslag", "puslemoede" or "none"
    plan: dict[str, Any] | None
    draft: Draft | None = None


def show_day(team: UUID, day: date, draft_id: str | None = None, kind: str | None = None
             ) -> Shown:
    """The stored plan, or the draft asked for (a proposal or a replanning)."""
    app = services().app
    plan = app.day_plan(team, day)
    if draft_id and kind:
        draft = drafts().get(draft_id, str(team), day, kind)
        if draft.proposal is None:  # the planner is still working (or failed)
            return Shown(draft.context, None, kind, plan, draft)
        view = day_view(draft.context, draft.problem, draft.proposal, presenter(draft.context),
                        result=draft.result,
                        previous=draft.current,
                        status=statuses(plan) if kind == REPLAN else None,
                        sick=(draft.sick_id, draft.sick_from) if draft.sick_id else None,
                        route_codes=route_of(draft, plan))
        return Shown(draft.context, view, kind, plan, draft)
    context = day_context(team, day)
    if may_be_stored(plan):
        assert plan is not None
        problem, proposal = stored_day(app, context, plan, with_missing=True)
        return Shown(context, day_view(context, problem, proposal, presenter(context),
                                       status=statuses(plan), stored_ids=set(plan["visits"]),
                                       route_codes=route_of(None, plan)),
                     "stored", plan)
    return Shown(context, None, "none", plan)


def propose(team: UUID, day: date) -> Draft:
    """Start the route planner on the day in the background (nothing is stored); the
    running draft, or the one already running for the day.

    :raise RuleBroken: the day is over (``dato``), nobody is on shift or nothing is due.
    :raise Conflict: if the day already has stored run lists.
    """
    authorize_day(current_user, str(team))
    not_over(day, PAST_PROPOSAL_DA, "the day is over: no run lists can be proposed")
    app = services().app
    if may_be_stored(app.day_plan(team, day)):
        raise Conflict("Dagen har allerede godkendte kørelister.",
                       "the day plan already has visits")
    context = day_context(team, day)
    if not context.problem.caregivers:  # (the routing library cannot plan for nobody)
        raise RuleBroken("Ingen fra teamet er på vagt den dag – tjek vagtplanen.",
                         "nobody on shift that day", field="dato")
    if not context.problem.visits:
        raise RuleBroken("Der er ingen besøg at planlægge den dag.", "no visits due that day",
                         field="dato")
    draft = Draft(id=new_draft_id(), kind=PROPOSAL, team_id=str(team), day=day,
                  context=context, problem=context.problem, proposal=None, plan_version=None,
                  made_by=current_user.username, routes=dict(context.routes),
                  time_limit_s=context.problem.time_limit_s)
    def work() -> dict[str, Any]:
        return {"proposal": plan_routes(context.problem, context.travel)}
    return drafts().start(draft, work)


def accept_proposal(team: UUID, day: date, draft_id: str | None) -> int:
    """Record a proposal as the day plan; the number of visits recorded.

    :raise NotFound: unknown draft. :raise Conflict: the day got run lists meanwhile.
    """
    authorize_day(current_user, str(team))
    draft = drafts().get(draft_id, str(team), day, PROPOSAL)
    app = services().app
    plan = app.day_plan(team, day)
    check_plan_version(plan, draft.plan_version)
    count = record_proposal(app, current_user.actor, draft, plan)
    drafts().forget(draft.id)
    return count


def mark_sick(team: UUID, day: date, employee: str | None, from_text: str | None,
              from_field: str = "fra") -> Draft:
    """Start replanning the stored day in the background when someone goes home sick
    (nothing is stored); the running draft, or the same replanning already running.

    :raise ValidationFailed: bad time (``fra``) or unknown employee (``employee_id``).
    :raise RuleBroken: the day has no stored run lists yet, or is over.
    """
    authorize_day(current_user, str(team))
    not_over(day)
    from_minute = parse_time(from_text, from_field)
    app = services().app
    plan = stored_plan(app, team, day, "Godkend dagens kørelister, før I melder nogen syg.")
    draft = prepare_sick(app, day_context(team, day), plan, employee or "", from_minute,
                         current_user.username)
    return drafts().start(draft, partial(replan_day, app, draft))


def not_over(day: date, danish: str = PAST_REPLAN_DA,
             detail: str = "the day is over: it cannot be replanned") -> None:
    """A puslemøde replans, and the route planner proposes, today or a day to come.

    :raise RuleBroken: (``danish``, naming the field ``dato``) for a past day.
    """
    if day < now_local().date():
        raise RuleBroken(danish, detail, field="dato")


def stored_plan(app: Any, team: UUID, day: date, danish: str) -> dict[str, Any]:
    """The day's stored run lists to replan. :raise RuleBroken: (``danish``) if none."""
    plan = app.day_plan(team, day)
    if not may_be_stored(plan):
        raise RuleBroken(danish, "no stored day plan to replan", field="dato")
    assert plan is not None
    return plan  # type: ignore[no-any-return]


def change_day(team: UUID, day: date, kind: str, data: dict[str, Any]) -> Draft:
    """Start replanning the stored day in the background for a cancelled visit
    (``aflyst``), a visit needing two people (``dobbelt``) or an extra visit
    (``ekstra``); nothing is stored. ``data`` is the change's loaded body
    (``web.puslemoede.load_change`` or the API's schema).

    :raise ValidationFailed: a visit or citizen that is not the day's, naming the
        field. :raise RuleBroken: the day has no stored run lists yet, or is over.
    """
    authorize_day(current_user, str(team))
    not_over(day)
    app = services().app
    plan = stored_plan(app, team, day, "Godkend dagens kørelister, før I ændrer dem.")
    now = now_local()
    draft = prepare_change(app, day_context(team, day), plan, kind, data,
                           current_user.username,
                           now.hour * 60 + now.minute if now.date() == day else None)
    return drafts().start(draft, partial(replan_day, app, draft))


def accept_replan(team: UUID, day: date, draft_id: str | None) -> int:
    """Record a replanning's moves; the number of visits moved.

    :raise Conflict: the stored plan changed since the replanning was made.
    """
    authorize_day(current_user, str(team))
    draft = drafts().get(draft_id, str(team), day, REPLAN)
    app = services().app
    plan = app.day_plan(team, day)
    check_plan_version(plan, draft.plan_version)
    assert plan is not None
    count = record_replan(app, current_user.actor, draft, plan)
    if draft.change is None:
        record_sickness(app, current_user.actor, draft)
    drafts().forget(draft.id)
    return count


# -- pages ------------------------------------------------------------------------------------


@bp.get("/teams/<code>/korelister")
def today(code: str) -> Response:
    """Today's run lists, or the day chosen in the date picker (``?dato=``)."""
    tid = team_id(code)
    readable_team(tid)
    chosen = request.args.get("dato")
    day = parse_day(chosen) if chosen else now_local().date()
    return redirect(url_for(".page", code=code, dato=day.isoformat()))


@bp.get("/teams/<code>/korelister/<dato>")
def page(code: str, dato: str) -> str:
    """The day's run lists: stored, or a proposal (``?forslag=``) or replanning
    (``?puslemoede=``)."""
    return _render(code, dato)


def _render(code: str, dato: str, error: str | None = None, status: int = 200) -> Any:
    tid = team_id(code)
    team = readable_team(tid)
    day = parse_day(dato)
    kind = REPLAN if request.args.get(REPLAN) else PROPOSAL if request.args.get(
        PROPOSAL) else None
    shown = show_day(tid, day, request.args.get(kind) if kind else None, kind)
    if error:
        flash(error, "error")
    body = render_template(
        "korelister.html", team=team, day=day, day_da=day_da(day), shown=shown,
        view=shown.view, draft=shown.draft, may_plan=may_plan_day(current_user, team["id"]),
        today=now_local().date(), prev_day=day - timedelta(days=1),
        next_day=day + timedelta(days=1), sick_options=_sick_options(shown),
        hhmm=hhmm, sick_name=_sick_name(shown), sister_help=sister_help(shown.draft),
        replan_heading=replan_heading(shown), replan_summary=replan_summary(shown),
        change_options=_change_options(shown),
        citizen_options=_citizen_options(shown), professions=[p.value for p in Profession],
        now=now_local().strftime("%H:%M"))
    return body if status == 200 else (body, status)


def _sick_options(shown: Shown) -> list[tuple[str, str]]:
    """The people with visits on the stored plan, for the "Meld syg" form."""
    if shown.source != "stored" or shown.view is None:
        return []
    return [(run.employee_id, f"{run.name} ({run.profession})")
            for run in shown.view.runs if run.stops]


def sister_help(draft: Draft | None) -> int:
    """How many visits a replanning gave to the sister team's people."""
    if draft is None or draft.sister is None or draft.result is None:
        return 0
    helpers = {c.caregiver_id for c in draft.sister.problem.caregivers}
    return sum(1 for m in draft.result.moves if m.to_caregiver in helpers)


def replan_heading(shown: Shown) -> str | None:
    """The puslemøde banner's heading: what happened to the day."""
    draft = shown.draft
    if draft is None or draft.kind != REPLAN:
        return None
    who = presenter(shown.context)
    if draft.change is None:
        return (f"Puslemøde: {who.person(draft.sick_id)} er syg fra "
                f"{hhmm(draft.sick_from or 0)}")
    kind, visit_id = draft.change["kind"], draft.change["visit_id"]
    code, service = (visit_id.split("/") + [""])[:2]
    visit = next((v for v in (*draft.problem.visits, *shown.context.problem.visits)
                  if v.visit_id == visit_id), None)
    at = f" kl. {hhmm(visit.window.start)}" if visit is not None and kind == EXTRA else ""
    return {CANCELLED: f"Puslemøde: besøget hos {who.citizen(code)} ({service}) er aflyst",
            SECOND_PERSON: f"Puslemøde: besøget hos {who.citizen(code)} ({service}) "
                           "kræver nu to",
            EXTRA: f"Puslemøde: ekstra besøg hos {who.citizen(code)} ({service}){at}"}[kind]


def replan_summary(shown: Shown) -> str | None:
    """What a change's replanning did with the visit itself, in a sentence."""
    draft = shown.draft
    if draft is None or draft.change is None or draft.result is None:
        return None
    who = presenter(shown.context)
    kind, visit_id = draft.change["kind"], draft.change["visit_id"]
    if kind == CANCELLED:
        return "Besøget tages af kørelisten"
    served = sorted((stop.start, run.caregiver_id) for run in draft.result.proposal.run_lists
                    for stop in run.stops if stop.visit_id == visit_id)
    needed = 2 if kind == SECOND_PERSON else len(next(
        v for v in draft.problem.visits if v.visit_id == visit_id).slots)
    if len(served) < needed:
        return "Besøget kunne ikke lægges ind – se Ikke planlagt"
    names = " og ".join(who.person(c) for _, c in served)
    return f"{names} tager besøget kl. {hhmm(served[0][0])}"


def _change_options(shown: Shown) -> list[tuple[str, str, bool]]:
    """The stored plan's planned visits for the change forms: (visit id, label, double)."""
    if shown.source != "stored" or shown.view is None or shown.plan is None:
        return []
    who = presenter(shown.context)
    options = []
    for visit_id, visit in sorted(shown.plan["visits"].items(),
                                  key=lambda item: (item[1]["start"], item[0])):
        if visit["status"] != "planned":
            continue
        code = visit_id.split("/", 1)[0]
        label = (f"{visit['start']:%H:%M} {who.citizen(code)} "
                 f"{', '.join(visit['service_codes'])}")
        options.append((visit_id, label, bool(visit["double_staffed"])))
    return options


def _citizen_options(shown: Shown) -> list[str]:
    """Case codes (pseudonyms for evaluators) of the citizens with visits today."""
    who = presenter(shown.context)
    return sorted({who.citizen(code) for code in shown.context.citizen_ids})


def _sick_name(shown: Shown) -> str | None:
    if shown.draft is None or shown.draft.sick_id is None:
        return None
    return presenter(shown.context).person(shown.draft.sick_id)


def day_da(day: date) -> str:
    """'tirsdag 24. november 2026'."""
    return f"{WEEKDAYS_DA[day.weekday()]} {day.day}. {MONTHS_DA[day.month - 1]} {day.year}"


def _back(code: str, dato: str, **args: str) -> Response:
    return redirect(url_for(".page", code=code, dato=dato, **args), code=303)


def _page_action(code: str, dato: str, action: Any) -> Any:
    """Run ``action(team, day)``; a broken rule, bad input or conflict re-renders the day
    with the message (422 or 409); a refusal (403) or a missing thing (404) goes to the
    central error mapping."""
    tid = team_id(code)
    readable_team(tid)
    day = parse_day(dato)
    try:
        return action(tid, day)
    except (RuleBroken, ValidationFailed, Conflict) as error:
        return _render(code, dato, error.message, error.status)


@bp.post("/teams/<code>/korelister/<dato>/foreslaa")
def propose_page(code: str, dato: str) -> Any:
    """Foreslå kørelister: run the route planner and show its proposal."""
    def run(tid: UUID, day: date) -> Response:
        draft = propose(tid, day)
        return _back(code, dato, forslag=draft.id)
    return _page_action(code, dato, run)


@bp.post("/teams/<code>/korelister/<dato>/godkend")
def accept_page(code: str, dato: str) -> Any:
    """Godkend: record the proposal as the day's run lists."""
    def run(tid: UUID, day: date) -> Response:
        count = accept_proposal(tid, day, request.form.get(PROPOSAL))
        flash(f"Kørelisterne er godkendt: {count} besøg er planlagt.", "ok")
        return _back(code, dato)
    return _page_action(code, dato, run)


@bp.post("/teams/<code>/korelister/<dato>/syg")
def sick_page(code: str, dato: str) -> Any:
    """Puslemøde: someone goes home sick from a time; show the replanned day."""
    def run(tid: UUID, day: date) -> Response:
        draft = mark_sick(tid, day, request.form.get("employee_id"), request.form.get("fra"))
        return _back(code, dato, puslemoede=draft.id)
    return _page_action(code, dato, run)


CHANGE_PATHS = {"aflys": CANCELLED, "dobbelt": SECOND_PERSON, "ekstra": EXTRA}


@bp.post("/teams/<code>/korelister/<dato>/<handling>")
def change_page(code: str, dato: str, handling: str) -> Any:
    """Puslemøde: a visit is cancelled (``aflys``), needs two people (``dobbelt``) or
    an extra visit comes in (``ekstra``); show the replanned day."""
    if handling not in CHANGE_PATHS:
        abort(404)

    def run(tid: UUID, day: date) -> Response:
        kind = CHANGE_PATHS[handling]
        authorize_day(current_user, str(tid))
        form = {k: v for k, v in request.form.items() if k != "csrf_token" and v != ""}
        draft = change_day(tid, day, kind, load_change(kind, form))
        return _back(code, dato, puslemoede=draft.id)
    return _page_action(code, dato, run)


@bp.post("/teams/<code>/korelister/<dato>/puslemoede/godkend")
def accept_replan_page(code: str, dato: str) -> Any:
    """Godkend ændringerne: record the replanning's moves."""
    def run(tid: UUID, day: date) -> Response:
        count = accept_replan(tid, day, request.form.get(REPLAN))
        flash(f"Ændringerne er godkendt: {count} besøg er flyttet.", "ok")
        return _back(code, dato)
    return _page_action(code, dato, run)


@bp.post("/teams/<code>/korelister/<dato>/puslemoede/annuller")
def cancel_replan_page(code: str, dato: str) -> Any:
    """Annullér: forget the replanning; the stored run lists stay as they were."""
    def run(tid: UUID, day: date) -> Response:
        authorize_day(current_user, str(tid))
        draft_id = request.form.get(REPLAN)
        if draft_id:
            drafts().forget(draft_id)
        flash("Puslemødets ændringer er annulleret. Kørelisterne er uændrede.", "info")
        return _back(code, dato)
    return _page_action(code, dato, run)
