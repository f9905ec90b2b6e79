"""Thin Flask app: pages in Danish for people, a JSON API for programs.

``create_app(config)`` is the composition root: it resolves the settings,
constructs the Pusleplan application once per process, opens the read models,
registers the blueprints and maps every error in one place.

Config keys (besides Flask's own):

* ``PUSLEPLAN_SETTINGS`` — a ``domain.settings.Settings`` (default ``Settings.from_env()``).
* ``PUSLEPLAN_EXTRA_ENV`` — extra eventsourcing env, e.g. ``{"POSTGRES_SCHEMA": ...}``.
* ``SECRET_KEY`` — default ``PUSLEPLAN_SECRET_KEY``, else a random key kept in
  ``<data dir>/secret_key`` (mode 0600) so sessions survive restarts.
* ``SESSION_COOKIE_SECURE`` — default from ``PUSLEPLAN_SECURE_COOKIES=1``: set it
  when the app is served over https (behind a TLS proxy); ``PUSLEPLAN_BEHIND_PROXY``
  (config or environment) trusts that proxy's X-Forwarded-For, -Proto and -Host.
* ``PUSLEPLAN_LOGIN_LIMIT`` — log-in attempts per client address (default
  ``10 per minute``); ``RATELIMIT_STORAGE_URI`` (default ``memory://``) and
  ``RATELIMIT_ENABLED`` are Flask-Limiter's own.
* ``PUSLEPLAN_RULES`` — a municipality's rule overrides (TOML) for the checker.
* ``PUSLEPLAN_SOLVER_SECONDS`` — the roster planner's time limit (default 20).
* ``WTF_CSRF_ENABLED`` — CSRF protection of every form and state-changing API
  call (default on; a browser's JSON call sends the ``X-CSRFToken`` header).
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, current_app, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from domain.application import Pusleplan
from domain.errors import DomainError, ValidationFailed
from domain.settings import Settings
from planning.checker import CheckResult, check
from planning.rules import Catalogue
from projections.runner import catch_up, catch_up_all, open_team_directory
from projections.teams import TeamDirectory, TeamRow
from web.dates import danish_date

log = logging.getLogger(__name__)

SECRET_KEY_FILE = "secret_key"
VERDICT_CACHE_SIZE = 32

csrf = CSRFProtect()


@dataclass
class Services:
    """What the views use: the application service and the read models (one per process)."""

    app: Pusleplan
    settings: Settings
    team_directory: TeamDirectory
    catalogue: Catalogue = field(default_factory=Catalogue.default)
    _catch_up_lock: threading.Lock = field(default_factory=threading.Lock)
    _verdicts: OrderedDict[tuple[str, int], CheckResult] = field(default_factory=OrderedDict)
    _verdict_lock: threading.Lock = field(default_factory=threading.Lock)
    #: The team overview projection (``projections.teamoverview``), opened by ``web.overview``.
    team_overview: Any = None
    _overview_lock: threading.Lock = field(default_factory=threading.Lock)
    #: What else to close with the app (read models other modules opened).
    closing: list[Callable[[], None]] = field(default_factory=list)

    def teams(self) -> list[TeamRow]:
        """The team directory, caught up with the event log first."""
        with self._catch_up_lock:
            catch_up(self.app, self.team_directory)
        return self.team_directory.view.teams()

    def event_count(self) -> int:
        """The id of the newest event in the log (0 when empty)."""
        return self.app.recorder.max_notification_id() or 0

    def verdict(self, context: Any) -> CheckResult:
        """The rule checker's verdict on a roster (a ``web.rosterplan.RosterContext``).

        Cached per roster and position in the event log, so a wall screen that
        reloads every minute costs one check per change, not one per view.
        """
        from web.rosterplan import to_plan

        key = (context.roster["id"], self.event_count())
        with self._verdict_lock:
            if key in self._verdicts:
                self._verdicts.move_to_end(key)
                return self._verdicts[key]
        result = check(to_plan(context), self.catalogue)
        with self._verdict_lock:
            self._verdicts[key] = result
            while len(self._verdicts) > VERDICT_CACHE_SIZE:
                self._verdicts.popitem(last=False)
        return result

    @contextmanager
    def overview(self) -> Iterator[Any]:
        """The team overview's view, caught up with the event log, for one reader at a time
        (its row cache is not safe to share between threads while it catches up)."""
        with self._overview_lock:
            catch_up_all(self.app, [self.team_overview])
            yield self.team_overview.view

    def forget_verdicts(self) -> None:
        with self._verdict_lock:
            self._verdicts.clear()

    def close(self) -> None:
        self.team_directory.view.close()
        if self.team_overview is not None:
            self.team_overview.view.close()
        for close in self.closing:
            close()
        self.app.close()


def services() -> Services:
    """The current Flask app's services (call inside a request or app context)."""
    return current_app.extensions["pusleplan"]


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the Flask app; see the module docstring for the config keys."""
    app = Flask(__name__)
    app.config.update(secure_defaults())
    app.config.from_mapping(config or {})
    settings: Settings = app.config.get("PUSLEPLAN_SETTINGS") or Settings.from_env()
    extra_env: dict[str, str] = dict(app.config.get("PUSLEPLAN_EXTRA_ENV") or {})
    app.config["PUSLEPLAN_SETTINGS"] = settings
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = (
            os.environ.get("PUSLEPLAN_SECRET_KEY") or stored_secret_key(settings.data_dir)
        )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # æ, ø, å as themselves
    app.json.sort_keys = False  # type: ignore[attr-defined]

    application = Pusleplan.from_settings(settings, **extra_env)
    rules = app.config.get("PUSLEPLAN_RULES")
    app.extensions["pusleplan"] = Services(
        app=application, settings=settings,
        team_directory=open_team_directory(settings, extra_env),
        catalogue=Catalogue.from_toml(Path(rules)) if rules else Catalogue.default(),
    )
    app.add_template_filter(danish_date, "dato")
    register_blueprints(app)
    register_error_handlers(app)  # after the API's, so these are the ones that answer
    if app.config.get("PUSLEPLAN_BEHIND_PROXY") or os.environ.get("PUSLEPLAN_BEHIND_PROXY"):
        # Trust one proxy: client address (rate limit), https (URLs, CSRF referer check).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    return app


def register_blueprints(app: Flask) -> None:
    """Log-in and CSRF first, then pages and the JSON API."""
    from web import (
        api,
        auth,
        borgere,
        korelister,
        overview,
        propose,
        revisionsspor,
        rosters,
        solving,
        teams,
    )

    csrf.init_app(app)
    auth.init_app(app)
    app.extensions["pusleplan_jobs"] = solving.Jobs()
    app.register_blueprint(teams.bp)
    app.register_blueprint(rosters.bp)
    app.register_blueprint(propose.bp)
    app.register_blueprint(korelister.bp)
    api.init_app(app)
    overview.init_app(app)  # Teamoverblik, Evaluering and their API
    revisionsspor.init_app(app)  # Revisionsspor (its API route is in web.api_borgere)
    borgere.init_app(app)  # Borgerforløb and its API


def secure_defaults() -> dict[str, Any]:
    """Cookie and CSRF settings that the given config may override."""
    return {
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("PUSLEPLAN_SECURE_COOKIES", "") in ("1", "true"),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        "WTF_CSRF_TIME_LIMIT": None,  # a token lives as long as its session
        "RATELIMIT_STORAGE_URI": "memory://",
        # Stated, not left to Flask-Limiter: its limiter is shared by every app of the
        # process and would otherwise carry over the last app's RATELIMIT_ENABLED.
        "RATELIMIT_ENABLED": True,
        # The last minute, not the clock's minute: attempts straddling a full minute
        # would otherwise start a fresh budget (and a burst of twice the limit pass).
        "RATELIMIT_STRATEGY": "moving-window",
        "RATELIMIT_HEADERS_ENABLED": True,
    }


def stored_secret_key(data_dir: Path) -> str:
    """Read the secret key kept in the data directory, creating it (mode 0600) if needed."""
    path = data_dir / SECRET_KEY_FILE
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w", encoding="ascii") as file:
        file.write(key + "\n")
    log.info("created a new secret key in %s", path)
    return key


# -- errors: mapped here and nowhere else ----------------------------------------------

ERROR_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 409: "conflict", 413: "too_large",
               415: "unsupported_media_type", 422: "unprocessable", 429: "too_many_requests",
               500: "internal_error"}

TITLES_DA = {400: "Forkert forespørgsel", 401: "Log ind først", 403: "Ingen adgang",
             404: "Siden findes ikke", 405: "Det kan man ikke her", 409: "Nogen kom før dig",
             422: "Det kan ikke lade sig gøre", 429: "For mange forsøg",
             500: "Der skete en fejl"}

CSRF_MESSAGE_DA = ("Sikkerhedstjekket af formularen slog fejl (CSRF) – genindlæs siden og "
                   "prøv igen.")

MESSAGES_DA = {
    400: "Forespørgslen kunne ikke forstås.",
    401: "Du skal logge ind først.",
    429: "For mange forsøg på kort tid – vent et minut, og prøv igen.",
    403: "Du har ikke adgang til dette.",
    404: "Vi kunne ikke finde siden. Tjek adressen, eller gå til forsiden.",
    405: "Den handling kan ikke bruges på denne adresse.",
    500: "Noget gik galt hos os. Fejlen er skrevet i loggen – prøv igen om lidt.",
}


def register_error_handlers(app: Flask) -> None:
    """Map domain errors and HTTP errors to JSON (under /api/) or a Danish page.

    Domain errors carry their status (NotFound 404, Conflict 409, RuleBroken and
    ValidationFailed 422; a 403 error class works the same way). Any other
    exception becomes a generic 500: Flask logs it (method and path, no request
    body) and the user sees no stack trace.
    """
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)


def handle_domain_error(error: DomainError) -> tuple[Any, int]:
    log.info("%s %s -> %d: %s", request.method, request.path, error.status, error.detail)
    body: dict[str, Any] = {
        "error": ERROR_CODES.get(error.status, "error"), "message": error.message,
        "detail": error.detail, "field": error.field,
    }
    if isinstance(error, ValidationFailed):
        body["fields"] = error.errors_da
    return _respond(error.status, body)


def handle_csrf_error(error: CSRFError) -> tuple[Any, int]:
    log.info("%s %s -> 400: CSRF %s", request.method, request.path, error.description)
    body = {"error": "csrf", "message": CSRF_MESSAGE_DA, "detail": error.description,
            "field": "csrf_token"}
    return _respond(400, body)


def handle_http_error(error: HTTPException) -> tuple[Any, int, list[tuple[str, str]]]:
    status = error.code or 500
    message = MESSAGES_DA.get(status, "Der opstod en fejl.")
    body = {"error": ERROR_CODES.get(status, "error"), "message": message,
            "detail": error.name, "field": None}
    kept = [(k, v) for k, v in error.get_headers() if k in ("Allow", "Retry-After")]
    return (*_respond(status, body), kept)


def _respond(status: int, body: dict[str, Any]) -> tuple[Any, int]:
    if request.path == "/api" or request.path.startswith("/api/"):
        return body, status
    title = TITLES_DA.get(status, "Der opstod en fejl")
    return render_template("error.html", status=status, title=title,
                           message=body["message"]), status
