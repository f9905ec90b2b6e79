"""Value objects and enumerations of the domain language (see DESIGN.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from enum import StrEnum


class Role(StrEnum):
    """Who is acting: every event records the actor and their role."""

    MEMBER = "member"
    PLANNER = "planner"
    LEADER = "leader"
    ADMINISTRATIVE = "administrative"
    EVALUATOR = "evaluator"
    SYSTEM = "system"


class Profession(StrEnum):
    """Faggruppe. UFL < SSH < SSA < SPL; TER (terapeut) stands apart."""

    UFL = "UFL"
    SSH = "SSH"
    SSA = "SSA"
    SPL = "SPL"
    TER = "TER"

    def can_do(self, required: Profession | str) -> bool:
        """Whether this profession may do a visit requiring ``required``.

        Care professions form a ladder (UFL < SSH < SSA < SPL); a therapist only
        does therapist visits and only a therapist does them.
        """
        required = Profession(required)
        if Profession.TER in (self, required):
            return self is required
        return _LADDER.index(self) >= _LADDER.index(required)


_LADDER = [Profession.UFL, Profession.SSH, Profession.SSA, Profession.SPL]


class ShiftLayer(StrEnum):
    """Vagtlag."""

    DAG = "dag"
    AFTEN = "aften"
    NAT = "nat"


class Triage(StrEnum):
    """The team's shared judgement of how a citizen is doing (rød/gul/grøn)."""

    RED = "roed"
    YELLOW = "gul"
    GREEN = "groen"


class AbsenceKind(StrEnum):
    """Fravær: sygdom, ferie, kursus, andet."""

    SICK = "sick"
    HOLIDAY = "holiday"
    COURSE = "course"
    OTHER = "other"


class VisitationKind(StrEnum):
    """A visitation grants services (ydelser), a package of weekly minutes, or is open."""

    SERVICES = "services"
    PACKAGE = "package"
    OPEN = "open"


class BidKind(StrEnum):
    """Ønske: work a shift, avoid a shift, a day off, or take a route."""

    WANT_SHIFT = "want_shift"
    AVOID_SHIFT = "avoid_shift"
    DAY_OFF = "day_off"
    WANT_ROUTE = "want_route"


class PuzzleAction(StrEnum):
    """At pusle: take a shift, release it, or swap/hand it to a colleague."""

    TAKE = "take"
    RELEASE = "release"
    SWAP = "swap"


@dataclass(frozen=True)
class Actor:
    """Who did something: an id (user name or employee number) and their role."""

    id: str
    role: Role

    def as_dict(self) -> dict[str, str]:
        return {"id": self.id, "role": str(self.role)}

    @classmethod
    def system(cls) -> Actor:
        return cls("system", Role.SYSTEM)


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_hhmm(value: str) -> time:
    """Parse ``HH:MM`` into a time; raise ValueError with a clear message."""
    try:
        hours, minutes = value.split(":")
        return time(int(hours), int(minutes))
    except (ValueError, AttributeError):
        raise ValueError(f"not a time of day HH:MM: {value!r}") from None
