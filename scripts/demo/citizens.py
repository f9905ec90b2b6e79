"""Planning citizens: names, visitations, addresses and contact persons (pure)."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta
from typing import Any

from domain.values import Triage
from scripts.demo.model import DAY_NAMES, CitizenPlan, TeamPlan
from scripts.demo_data import (
    CITIZEN_FIRST_NAMES_F,
    CITIZEN_FIRST_NAMES_M,
    FJORD_LAT,
    FJORD_LON,
    POSTCODE,
    SCATTER_KM,
    SERVICE_NAMES,
    SERVICE_WINDOWS,
    SURNAMES,
    TEAM_CODES,
    TOWN,
    WEEKDAYS_ONLY,
)


class _NameDrawer:
    """Draw fictional names, never the same full name twice."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: dict[str, None] = {}

    def draw(self, first_names: tuple[str, ...]) -> str:
        for _ in range(200):
            name = f"{self.rng.choice(first_names)} {self.rng.choice(SURNAMES)}"
            if self.rng.random() < 0.2:
                name = (f"{self.rng.choice(first_names)} {self.rng.choice(SURNAMES)} "
                        f"{self.rng.choice(SURNAMES)}")
            if name not in self.used:
                self.used[name] = None
                return name
        raise RuntimeError("ran out of names")  # pragma: no cover


#: Time windows a citizen may be granted instead of the default (late risers, early
#: evenings…): spreading them keeps the morning peak workable.
WINDOW_CHOICES: dict[str, tuple[tuple[tuple[str, str], int], ...]] = {
    "PP1": ((("07:00", "09:00"), 2), (("07:30", "09:30"), 3), (("08:00", "10:00"), 3),
            (("08:30", "10:30"), 3), (("09:00", "11:00"), 2), (("09:30", "11:30"), 2),
            (("10:00", "12:00"), 1)),
    "PP2": ((("11:00", "13:00"), 1), (("11:30", "13:30"), 2), (("12:00", "14:00"), 1)),
    "MAD": ((("15:30", "17:30"), 1), (("16:00", "18:00"), 1)),
    "PP3": ((("17:00", "19:00"), 2), (("17:30", "19:30"), 2), (("18:00", "20:00"), 2),
            (("18:30", "20:30"), 1), (("19:00", "21:00"), 1)),
    "PP4": ((("20:30", "22:30"), 1), (("21:00", "22:45"), 1)),
}
#: Medicine is given in the care visit of the same part of the day.
WINDOW_FOLLOWS = {"MED1": "PP1", "MED2": "PP3"}


def _service(rng: random.Random, code: str, minutes: int, days: tuple[str, ...] | list[str],
             double: bool = False, window: tuple[str, str] | None = None) -> dict[str, Any]:
    start, end, profession = SERVICE_WINDOWS[code]
    if window is None and code in WINDOW_CHOICES:
        choices = WINDOW_CHOICES[code]
        window = rng.choices([w for w, _ in choices], [n for _, n in choices])[0]
    if window is not None:
        start, end = window
    return {"code": code, "name": SERVICE_NAMES[code], "minutes": minutes, "days": list(days),
            "window_start": start, "window_end": end, "profession": profession,
            "double_staffed": double}


def _some_days(rng: random.Random, pool: tuple[str, ...], k: int) -> list[str]:
    chosen = rng.sample(range(len(pool)), k)
    return [pool[i] for i in sorted(chosen)]


def _visitation(rng: random.Random) -> tuple[list[dict[str, Any]], bool]:
    """A realistic grant of services (ydelser); returns the services and whether rehab.

    Profiles from practical help only to heavy care with a night visit; about
    35 granted minutes per citizen and day on average, so a team's client time
    lands near half its paid hours. Double-staffed care (lift) is for a few heavy
    citizens only, and they get no medicine in the same visit (two SSA would be needed).
    """
    every = DAY_NAMES
    profile = rng.choices(("praktisk", "morgen", "morgen_aften", "tre", "tung"),
                          (30, 25, 22, 15, 8))[0]
    services: list[dict[str, Any]] = []

    def window_of(code: str) -> tuple[str, str]:
        service = next(s for s in services if s["code"] == code)
        return service["window_start"], service["window_end"]

    if profile == "praktisk":
        services.append(_service(rng, "PH1", rng.choice((30, 45)), _some_days(rng, every[:5], 1)))
    else:
        heavy = profile == "tung"
        double = heavy and rng.random() < 0.3
        services.append(_service(rng, "PP1", rng.randint(6, 8) * 5 if heavy
                                 else rng.randint(3, 4) * 5, every, double))
        if not double and rng.random() < (0.7 if heavy else 0.4):
            services.append(_service(rng, "MED1", 5, every, window=window_of("PP1")))
        if profile in ("tre", "tung"):
            services.append(_service(rng, "PP2", rng.randint(2, 3) * 5, every))
        if heavy or (profile == "tre" and rng.random() < 0.3):
            services.append(_service(rng, "MAD", 10, every))
        if profile in ("morgen_aften", "tre", "tung"):
            services.append(_service(rng, "PP3", rng.randint(2, 3) * 5, every, double))
            if not double and rng.random() < (0.6 if heavy else 0.3):
                services.append(_service(rng, "MED2", 5, every, window=window_of("PP3")))
        if heavy:
            services.append(_service(rng, "PP4", rng.randint(2, 3) * 5, every))
            if rng.random() < 0.7:
                services.append(_service(rng, "NAT", 10, every))
        if profile == "morgen" and rng.random() < 0.4:
            services.append(_service(rng, "PH1", 30, _some_days(rng, every[:5], 1)))
    if rng.random() < 0.15:
        services.append(_service(rng, "SYG", rng.choice((15, 20)),
                                 _some_days(rng, WEEKDAYS_ONLY, rng.choice((2, 3)))))
    rehab = profile != "tung" and rng.random() < 0.1
    if rehab:
        services.append(_service(rng, "REH", 45, _some_days(rng, WEEKDAYS_ONLY, 2)))
    return services, rehab


def _scatter(rng: random.Random, lat: float, lon: float, km: float, half: int
             ) -> tuple[float, float]:
    """A point within ``km`` of (lat, lon) on dry land, in the western/eastern half."""
    for _ in range(1000):
        r = km * math.sqrt(rng.random())
        theta = rng.uniform(0, 2 * math.pi)
        dlat = r * math.sin(theta) / 111.32
        dlon = r * math.cos(theta) / (111.32 * math.cos(math.radians(lat)))
        if (dlon < 0) != (half == 0):
            dlon = -dlon
        plat, plon = lat + dlat, lon + dlon
        if not (plon > FJORD_LON and plat < FJORD_LAT):
            return round(plat, 5), round(plon, 5)
    raise RuntimeError("no dry land found")  # pragma: no cover


def _plan_citizen(rng: random.Random, names: _NameDrawer, team: TeamPlan, code: str,
                  history_start: date, registered_on: date | None = None) -> CitizenPlan:
    first = CITIZEN_FIRST_NAMES_F if rng.random() < 0.62 else CITIZEN_FIRST_NAMES_M
    name = names.draw(first)
    half = TEAM_CODES.index(team.code) % 2
    lat, lon = _scatter(rng, team.sub_area.lat, team.sub_area.lon, SCATTER_KM, half)
    street = rng.choice(team.sub_area.streets)
    number = rng.randint(1, 140)
    floor = rng.choice(("", "", "", ", st. tv.", ", 1. th.", ", 2. tv.", ", 3. mf."))
    address = f"{street} {number}{floor}, {POSTCODE} {TOWN}"
    services, rehab = _visitation(rng)
    if registered_on is None:
        days_back = rng.randint(20, 70) if rehab else rng.randint(20, 6 * 365)
        registered_on = history_start - timedelta(days=days_back)
    triage = rng.choices((str(Triage.GREEN), str(Triage.YELLOW), str(Triage.RED)),
                         (80, 15, 5))[0]
    angle = math.atan2(lat - team.centre_lat, (lon - team.centre_lon) * 0.56)
    return CitizenPlan(code, name, address, lat, lon, team.code, registered_on, services,
                       triage, None, angle, rehab)


def _assign_contacts(rng: random.Random, team: TeamPlan, citizens: list[CitizenPlan]) -> None:
    """Kontaktpersoner: the team's own care staff share the citizens round-robin."""
    staff = [m.number for m in team.members if m.is_regular]
    rng.shuffle(staff)
    for i, citizen in enumerate(citizens):
        if citizen.contact_number is None:
            citizen.contact_number = staff[i % len(staff)]
