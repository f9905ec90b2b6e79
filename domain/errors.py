"""Domain errors: one Danish message for people, one English detail for logs."""

from __future__ import annotations


class DomainError(Exception):
    """Base class for every error a command can raise.

    ``message`` is Danish and shown to care workers; ``detail`` is English and
    goes to logs. Neither ever contains a citizen's personal data.
    """

    status = 400

    def __init__(self, message: str, detail: str | None = None, *, field: str | None = None):
        super().__init__(detail or message)
        self.message = message
        self.detail = detail or message
        self.field = field

    def __str__(self) -> str:
        return self.detail


class NotFound(DomainError):
    """The aggregate (team, employee, citizen, roster, day plan) does not exist."""

    status = 404


class Forbidden(DomainError):
    """The actor's role or team does not allow this command."""

    status = 403


class Conflict(DomainError):
    """Someone else changed the same aggregate first (optimistic concurrency)."""

    status = 409


class RuleBroken(DomainError):
    """A command would break an invariant of the aggregate."""

    status = 422


class ValidationFailed(DomainError):
    """A command's input failed validation at the edge.

    ``errors`` maps a field name to English messages (for logs and programs);
    ``errors_da`` maps the same field names to Danish messages (for people).
    """

    status = 422

    def __init__(self, errors: dict[str, list[str]], errors_da: dict[str, list[str]]):
        fields = ", ".join(sorted(errors))
        field, messages = next(iter(errors_da.items()), ("", []))
        first_message = messages[0] if messages else "Ugyldig værdi."
        super().__init__(
            f"Ugyldigt input i feltet '{field}': {first_message}",
            f"invalid input in field(s) {fields}: {errors}",
            field=field or None,
        )
        self.errors = errors
        self.errors_da = errors_da
