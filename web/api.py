"""The JSON API (flask-smorest): teams, rosters and log-in, with an OpenAPI document.

The OpenAPI document is served at ``/api/openapi.json`` and read as a page at
``/api/docs`` (rendered here: no CDN, no network). Bodies are validated by the
command schemas of ``web.schemas``; a bad body answers 422 naming each field,
in English and Danish, through the same error mapping as everything else
(``web.register_error_handlers``). Authenticate with the session cookie from
``POST /api/session``; every state-changing call sends the ``X-CSRFToken`` header.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Flask, current_app, render_template, request
from flask.views import MethodView
from flask_login import current_user, logout_user
from flask_smorest import Api
from flask_smorest import Blueprint as SmorestBlueprint
from flask_wtf.csrf import generate_csrf
from webargs.flaskparser import FlaskParser

from web import api_schemas as a
from web import services
from web.auth import LoginFailed, authenticate, limit_login, start_session
from web.authz import require_team
from web.commands import flatten_messages, validation_failed
from web.puzzle import check_and_record, now_local, parse_version, perform
from web.rosterdata import Names, roster_answer, roster_context, team_rosters, verdict_answer

API_TITLE = "Pusleplan API"


class Parser(FlaskParser):
    """Bad input raises the domain's ValidationFailed (422, every field, English + Danish)."""

    def handle_error(self, error: Any, req: Any, schema: Any, *, error_status_code: Any,
                     error_headers: Any) -> None:
        flat: dict[str, list[str]] = {}
        for messages in error.messages.values():
            flat.update(flatten_messages(messages))
        raise validation_failed(flat)


class Blueprint(SmorestBlueprint):
    ARGUMENTS_PARSER = Parser()


def if_match() -> int | None:
    """The roster version the client last saw (``If-Match`` header), if sent."""
    return parse_version(request.headers.get("If-Match"), "If-Match")


# -- session -------------------------------------------------------------------------------

session_blp = Blueprint("session", __name__, url_prefix="/api",
                        description="Log ind og ud (sessions-cookie + CSRF-token)")


@session_blp.route("/session")
class Session(MethodView):
    decorators = [limit_login]  # log-in attempts share the log-in page's budget

    @session_blp.response(200, a.SessionAnswer)
    def get(self) -> dict[str, Any]:
        """Who is logged in (or null) and the CSRF token to send as X-CSRFToken."""
        return _session_answer()

    @session_blp.arguments(a.LoginBody)
    @session_blp.response(200, a.SessionAnswer)
    @session_blp.alt_response(401, schema=a.ErrorAnswer, description="Forkert log-in")
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Log in (rate limited); send the X-CSRFToken from GET first."""
        user = authenticate(body["username"].strip().lower(), body["password"])
        if user is None:
            raise LoginFailed()
        start_session(user)
        return _session_answer()

    @session_blp.response(200, a.SessionAnswer)
    def delete(self) -> dict[str, Any]:
        """Log out."""
        logout_user()
        return _session_answer()


def _session_answer() -> dict[str, Any]:
    user = None
    if current_user.is_authenticated:
        user = {"username": current_user.username, "display_name": current_user.display_name,
                "role": str(current_user.role), "team_ids": sorted(current_user.team_ids),
                "employee_id": current_user.employee_id}
    return {"user": user, "csrf_token": generate_csrf()}


# -- teams -----------------------------------------------------------------------------------

teams_blp = Blueprint("teams_api", __name__, url_prefix="/api/teams",
                      description="Teams og deres vagtplaner")


@teams_blp.route("")
class Teams(MethodView):
    @teams_blp.response(200, a.TeamListAnswer)
    def get(self) -> dict[str, Any]:
        """The team directory (no personal data)."""
        return {"teams": services().teams()}


@teams_blp.route("/<uuid:team_id>")
class Team(MethodView):
    @teams_blp.response(200, a.TeamAnswer)
    def get(self, team_id: UUID) -> dict[str, Any]:
        """One team: members (pseudonymised for evaluators), routes and rosters."""
        app = services().app
        team = app.team(team_id)
        require_team(current_user, team["id"])
        employees = {e: app.employee(UUID(e)) for e in team["members"]}
        names = Names(current_user, employees)
        members = [{"employee_id": names.ident(e), "name": names.name(e), **{
            k: data[k] for k in ("profession", "weekly_hours")}}
            for e, data in sorted(employees.items(), key=lambda i: names.name(i[0]))]
        rosters = [p.__dict__ for p in team_rosters(app, team_id, now_local().date())]
        return {**team, "members": members, "rosters": rosters}


# -- rosters -------------------------------------------------------------------------------

rosters_blp = Blueprint("rosters_api", __name__, url_prefix="/api/rosters",
                        description="Vagtplanen: se, byd, pusl, tjek og offentliggør")


def _readable_context(roster_id: UUID) -> Any:
    context = roster_context(services().app, roster_id)
    require_team(current_user, context.roster["team_id"])
    return context


@rosters_blp.route("/<uuid:roster_id>")
class Roster(MethodView):
    @rosters_blp.response(200, a.RosterAnswer)
    def get(self, roster_id: UUID) -> dict[str, Any]:
        """The roster grid: people, shifts and bids; ``version`` for If-Match."""
        context = _readable_context(roster_id)
        return roster_answer(context, Names(current_user, context.employees))


def _command(name: str, body: a.Schema) -> Any:
    """A MethodView posting roster command ``name`` with ``body`` (roster id from the URL)."""

    class Command(MethodView):
        @rosters_blp.arguments(body)
        @rosters_blp.response(200, a.CommandAnswer)
        @rosters_blp.alt_response(409, schema=a.ErrorAnswer, description="Planen er ændret")
        def post(self, data: dict[str, Any], roster_id: UUID) -> dict[str, Any]:
            outcome = perform(name, {**data, "roster_id": roster_id}, if_match())
            return {"roster_id": str(outcome.roster_id), "version": outcome.version}

    Command.post.__doc__ = f"Run ``{name}`` on the roster (send If-Match: version to be safe)."
    Command.__name__ = "".join(part.title() for part in name.split("_"))
    return Command


for _path, _name, _body in (("bids", "bid_shift", a.BidBody), ("take", "take_shift", a.TakeBody),
                            ("release", "release_shift", a.ReleaseBody),
                            ("swap", "swap_shifts", a.SwapBody)):
    rosters_blp.route(f"/<uuid:roster_id>/{_path}")(_command(_name, _body))


@rosters_blp.route("/<uuid:roster_id>/check")
class Check(MethodView):
    @rosters_blp.response(200, a.VerdictAnswer)
    def get(self, roster_id: UUID) -> dict[str, Any]:
        """The rule checker's verdict on the roster as it stands (nothing recorded)."""
        context = _readable_context(roster_id)
        names = Names(current_user, context.employees)
        return verdict_answer(context, services().verdict(context), names)

    @rosters_blp.response(200, a.VerdictAnswer)
    def post(self, roster_id: UUID) -> dict[str, Any]:
        """Check the roster and record the verdict (needed before publishing)."""
        check_and_record(roster_id, if_match())
        return self.get(roster_id)


@rosters_blp.route("/<uuid:roster_id>/publish")
class Publish(MethodView):
    @rosters_blp.response(200, a.CommandAnswer)
    def post(self, roster_id: UUID) -> dict[str, Any]:
        """Publish the checked roster (leaders only); it is stamped with the time now."""
        outcome = perform("publish_roster", {"roster_id": roster_id,
                                             "published_at": now_local()}, if_match())
        return {"roster_id": str(outcome.roster_id), "version": outcome.version}


# -- wiring ---------------------------------------------------------------------------------


def init_app(app: Flask) -> None:
    """Create the app's Api (its own OpenAPI spec) and register the API blueprints."""
    app.config.setdefault("API_TITLE", API_TITLE)
    app.config.setdefault("API_VERSION", "1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    api = Api(app, spec_kwargs={"info": {"description": __doc__}})
    api.spec.components.security_scheme(
        "session", {"type": "apiKey", "in": "cookie", "name": "session"})
    api.spec.components.security_scheme(
        "csrf", {"type": "apiKey", "in": "header", "name": "X-CSRFToken"})
    from web import api_korelister, api_proposals

    for blueprint in (session_blp, teams_blp, rosters_blp, api_proposals.blp,
                      api_korelister.blp):
        api.register_blueprint(blueprint)
    app.extensions["pusleplan_api"] = api
    app.add_url_rule("/api/docs", "api_docs", docs)


def docs() -> str:
    """The OpenAPI document as a readable page (served by the app, no CDN)."""
    spec = current_app.extensions["pusleplan_api"].spec.to_dict()
    return render_template("api_docs.html", spec=spec)
