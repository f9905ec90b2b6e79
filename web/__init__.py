"""Thin Flask app: pages in Danish for people, a JSON API for programs.

``create_app(config)`` is the composition root: it resolves the settings,
constructs the Pusleplan application once per process, opens the read models,
registers the blueprints and maps every error in one place.

Config keys (besides Flask's own):

* ``PUSLEPLAN_SETTINGS`` — a ``domain.settings.Settings`` (default ``Settings.from_env()``).
* ``PUSLEPLAN_EXTRA_ENV`` — extra eventsourcing env, e.g. ``{"POSTGRES_SCHEMA": ...}``.
* ``SECRET_KEY`` — default ``PUSLEPLAN_SECRET_KEY``, else a random key kept in
  ``<data dir>/secret_key`` (mode 0600) so sessions survive restarts.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, current_app, render_template, request
from werkzeug.exceptions import HTTPException

from domain.application import Pusleplan
from domain.errors import DomainError, ValidationFailed
from domain.settings import Settings
from projections.runner import catch_up, open_team_directory
from projections.teams import TeamDirectory, TeamRow

log = logging.getLogger(__name__)

SECRET_KEY_FILE = "secret_key"


@dataclass
class Services:
    """What the views use: the application service and the read models (one per process)."""

    app: Pusleplan
    settings: Settings
    team_directory: TeamDirectory
    _catch_up_lock: threading.Lock = field(default_factory=threading.Lock)

    def teams(self) -> list[TeamRow]:
        """The team directory, caught up with the event log first."""
        with self._catch_up_lock:
            catch_up(self.app, self.team_directory)
        return self.team_directory.view.teams()

    def event_count(self) -> int:
        """The id of the newest event in the log (0 when empty)."""
        return self.app.recorder.max_notification_id() or 0

    def close(self) -> None:
        self.team_directory.view.close()
        self.app.close()


def services() -> Services:
    """The current Flask app's services (call inside a request or app context)."""
    return current_app.extensions["pusleplan"]


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the Flask app; see the module docstring for the config keys."""
    app = Flask(__name__)
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
    app.extensions["pusleplan"] = Services(
        app=application, settings=settings,
        team_directory=open_team_directory(settings, extra_env),
    )
    register_error_handlers(app)

    from web import teams

    app.register_blueprint(teams.bp)
    return app


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

ERROR_CODES = {400: "bad_request", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 409: "conflict", 422: "unprocessable",
               500: "internal_error"}

TITLES_DA = {400: "Forkert forespørgsel", 403: "Ingen adgang", 404: "Siden findes ikke",
             405: "Det kan man ikke her", 409: "Nogen kom før dig",
             422: "Det kan ikke lade sig gøre", 500: "Der skete en fejl"}

MESSAGES_DA = {
    400: "Forespørgslen kunne ikke forstås.",
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


def handle_http_error(error: HTTPException) -> tuple[Any, int]:
    status = error.code or 500
    message = MESSAGES_DA.get(status, "Der opstod en fejl.")
    body = {"error": ERROR_CODES.get(status, "error"), "message": message,
            "detail": error.name, "field": None}
    return _respond(status, body)


def _respond(status: int, body: dict[str, Any]) -> tuple[Any, int]:
    if request.path == "/api" or request.path.startswith("/api/"):
        return body, status
    title = TITLES_DA.get(status, "Der opstod en fejl")
    return render_template("error.html", status=status, title=title,
                           message=body["message"]), status
