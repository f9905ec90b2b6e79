"""Log-in (log ind): argon2 passwords, Flask-Login sessions, a rate limit, the log-in page.

* Passwords are hashed with argon2id (``hash_password``) before the
  ``register_user`` command; the domain only ever sees the hash. A log-in
  verifies against the stored hash; an unknown user name costs the same time.
* The session cookie is HttpOnly and SameSite=Lax, Secure when
  ``SESSION_COOKIE_SECURE`` (or ``PUSLEPLAN_SECURE_COOKIES=1``) says it is served
  over https; sessions last ``PERMANENT_SESSION_LIFETIME`` (12 hours).
* Log-in attempts are limited per client address (``PUSLEPLAN_LOGIN_LIMIT``,
  default ten a minute; in-memory unless ``RATELIMIT_STORAGE_URI`` says otherwise).
* Every page and API route needs a log-in except the ones in ``PUBLIC_ENDPOINTS``.

Passwords are never logged; user names only at INFO on failed log-ins.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from werkzeug.exceptions import Unauthorized
from werkzeug.wrappers import Response

from domain.errors import DomainError, NotFound
from domain.values import Actor, Role

log = logging.getLogger(__name__)

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
limiter = Limiter(get_remote_address, storage_uri="memory://")

DEFAULT_LOGIN_LIMIT = "10 per minute"
PUBLIC_ENDPOINTS = {"auth.login", "static", "teams.healthz", "api_docs",
                    "api-docs.openapi_json", "session.Session"}
WRONG_LOGIN = "Forkert brugernavn eller adgangskode."

ROLE_DA = {Role.MEMBER: "teammedlem", Role.PLANNER: "planlægger", Role.LEADER: "leder",
           Role.ADMINISTRATIVE: "administrativ medarbejder", Role.EVALUATOR: "evaluator",
           Role.SYSTEM: "system"}

_hasher = PasswordHasher()


class LoginFailed(DomainError):
    """Wrong user name or password (401); says which of the two never."""

    status = 401

    def __init__(self) -> None:
        super().__init__(WRONG_LOGIN, "wrong user name or password")


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` with a random salt (what ``register_user`` takes)."""
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash``; False for a broken or foreign hash."""
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash() -> str:
    return hash_password("pusleplan-no-such-user")


@dataclass(frozen=True)
class LoggedInUser(UserMixin):
    """The person behind the current session, as the web layer needs them."""

    username: str
    display_name: str
    role: Role
    team_ids: frozenset[str]
    employee_id: str | None

    def get_id(self) -> str:
        return self.username

    @property
    def actor(self) -> Actor:
        """Who the events record as having acted."""
        return Actor(self.username, self.role)

    @property
    def role_da(self) -> str:
        return ROLE_DA[self.role]

    @cached_property
    def shown_name(self) -> str:
        """The name the page header shows: a user linked to an employee (a team member)
        is shown by the employee's own name; any other account by its display name.

        Looked up once per request (the user is loaded per request), and only when a page
        shows it; an employee that cannot be read falls back to the display name.
        """
        if not self.employee_id:
            return self.display_name
        from web import services

        try:
            name = services().app.employee(UUID(str(self.employee_id)))["name"]
        except (NotFound, ValueError):
            log.warning("user %s: employee %s not found for the header", self.username,
                        self.employee_id)
            return self.display_name
        return str(name or "") or self.display_name

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> LoggedInUser:
        return cls(record["username"], record["display_name"], Role(record["role"]),
                   frozenset(record["team_ids"]), record["employee_id"])


def authenticate(username: str, password: str) -> LoggedInUser | None:
    """The user if the name and password match an enabled account, else None."""
    from web import services

    record = services().app.user(username) if username else None
    if record is None or record["disabled"]:
        verify_password(_dummy_hash(), password)  # the same time as a real check
        return None
    if not verify_password(record["password_hash"], password):
        return None
    return LoggedInUser.from_record(record)


def start_session(user: LoggedInUser) -> None:
    """Log ``user`` in with a fresh, permanent (time-limited) session."""
    session.clear()
    session.permanent = True
    login_user(user)


def login_limit() -> str:
    return str(current_app.config.get("PUSLEPLAN_LOGIN_LIMIT", DEFAULT_LOGIN_LIMIT))


#: Shared by the log-in page and the JSON log-in: one budget per client address.
limit_login = limiter.shared_limit(login_limit, scope="login", methods=["POST"])


# -- the log-in page ---------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
@limit_login
def login() -> str | Response | tuple[str, int]:
    """The Danish log-in page; on success, back to where the person was going."""
    if request.method == "GET":
        return render_template("login.html", next=safe_next(request.args.get("next")))
    username = request.form.get("brugernavn", "").strip().lower()
    user = authenticate(username, request.form.get("adgangskode", ""))
    if user is None:
        log.info("failed log-in for %.40r from %s", username, request.remote_addr)
        return render_template("login.html", error=WRONG_LOGIN, username=username,
                               next=safe_next(request.form.get("next"))), 401
    start_session(user)
    return redirect(safe_next(request.form.get("next")) or url_for("teams.index"))


@bp.post("/logout")
def logout() -> Response:
    """Log out and show the log-in page."""
    logout_user()
    session.clear()
    flash("Du er logget ud.", "info")
    return redirect(url_for("auth.login"))


def safe_next(target: str | None) -> str | None:
    """A local path to go to after log-in, or None (never another site)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


# -- wiring ------------------------------------------------------------------------------


def init_app(app: Flask) -> None:
    """Set up Flask-Login and the limiter; require a log-in everywhere else."""
    login_manager.init_app(app)
    limiter.init_app(app)
    app.register_blueprint(bp)
    app.before_request(require_login)


@login_manager.user_loader
def load_user(username: str) -> LoggedInUser | None:
    from web import services

    record = services().app.user(username)
    if record is None or record["disabled"]:
        return None
    return LoggedInUser.from_record(record)


@login_manager.unauthorized_handler
def unauthorized() -> Response:
    """Pages send people to the log-in page; the API answers 401 (mapped centrally)."""
    if request.path == "/api" or request.path.startswith("/api/"):
        raise Unauthorized()
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def require_login() -> Response | None:
    """Before every request: anything not public needs a logged-in user."""
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return None
    if current_user.is_authenticated:
        return None
    return unauthorized()
