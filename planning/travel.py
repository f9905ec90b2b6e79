"""Travel times (køretid) between locations, behind one Protocol.

The default needs no network: great-circle distance times a road factor, driven
at a speed that depends on the area type, plus a fixed minute or two to park and
walk to the door. A real road-network matrix (OSRM, Valhalla, a municipality's
own) plugs in by configuration::

    travel_times_from_config({"provider": "matrix_csv", "path": "times.csv",
                              "fallback": {"provider": "haversine"}})
"""

from __future__ import annotations

import csv
import json
import math
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from planning.routing_problem import Location

EARTH_RADIUS_KM = 6371.0088
DEFAULT_SPEEDS_KMH: Mapping[str, float] = {"urban": 25.0, "suburban": 40.0, "rural": 60.0}


class TravelTimes(Protocol):
    """Anything that gives whole minutes between locations."""

    def matrix(self, locations: Sequence[Location]) -> list[list[int]]:
        """A square matrix: ``m[i][j]`` minutes from ``locations[i]`` to ``locations[j]``."""
        ...


class TravelDataError(LookupError):
    """A provider cannot give a time between two locations."""


def haversine_km(a: Location, b: Location) -> float:
    """Great-circle distance in kilometres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


class HaversineTravelTimes:
    """Distance from coordinates × road factor at speeds by area type, cached.

    The speed of a trip is the mean of its two ends' area speeds; same-place
    trips take 0 minutes, other trips at least ``stop_minutes`` (parking).
    """

    def __init__(self, road_factor: float = 1.3,
                 speeds_kmh: Mapping[str, float] | None = None,
                 stop_minutes: int = 2) -> None:
        if road_factor < 1:
            raise ValueError("a road is never shorter than the straight line (road_factor < 1)")
        self.road_factor = road_factor
        self.speeds_kmh = dict(DEFAULT_SPEEDS_KMH)
        self.speeds_kmh.update(speeds_kmh or {})
        if any(speed <= 0 for speed in self.speeds_kmh.values()):
            raise ValueError("speeds must be positive")
        self.stop_minutes = stop_minutes
        self._pairs: dict[tuple[Location, Location], int] = {}
        self._matrices: dict[tuple[Location, ...], list[list[int]]] = {}

    def speed(self, area: str) -> float:
        """Km/h in an area type; unknown types drive at the suburban speed."""
        return self.speeds_kmh.get(area, self.speeds_kmh["suburban"])

    def minutes(self, origin: Location, destination: Location) -> int:
        """Whole minutes (rounded up) from one location to another."""
        key = (origin, destination)
        if key not in self._pairs:
            km = haversine_km(origin, destination) * self.road_factor
            if km < 1e-6:
                self._pairs[key] = 0
            else:
                kmh = (self.speed(origin.area) + self.speed(destination.area)) / 2
                self._pairs[key] = math.ceil(km / kmh * 60) + self.stop_minutes
        return self._pairs[key]

    def matrix(self, locations: Sequence[Location]) -> list[list[int]]:
        key = tuple(locations)
        if key not in self._matrices:
            self._matrices[key] = [[self.minutes(a, b) for b in key] for a in key]
        return [row[:] for row in self._matrices[key]]


def _coordinate_key(lat: float, lon: float) -> tuple[float, float]:
    return (round(lat, 5), round(lon, 5))


class MatrixCsvTravelTimes:
    """A precomputed road-network matrix from CSV: ``from_lat,from_lon,to_lat,to_lon,minutes``.

    Pairs missing from the file come from ``fallback`` when given; otherwise
    they raise TravelDataError. Coordinates match to 5 decimals (about 1 m).
    """

    COLUMNS = ("from_lat", "from_lon", "to_lat", "to_lon", "minutes")

    def __init__(self, path: str | Path, fallback: TravelTimes | None = None) -> None:
        self.path = Path(path)
        self.fallback = fallback
        self._pairs: dict[tuple[tuple[float, float], tuple[float, float]], int] = {}
        with self.path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in self.COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise ValueError(f"{self.path}: missing columns {', '.join(missing)}")
            for line, row in enumerate(reader, start=2):
                try:
                    origin = _coordinate_key(float(row["from_lat"]), float(row["from_lon"]))
                    target = _coordinate_key(float(row["to_lat"]), float(row["to_lon"]))
                    value = int(row["minutes"])
                except (TypeError, ValueError):
                    raise ValueError(f"{self.path}:{line}: not numbers: {row}") from None
                self._pairs[origin, target] = value

    def matrix(self, locations: Sequence[Location]) -> list[list[int]]:
        keys = [_coordinate_key(loc.lat, loc.lon) for loc in locations]
        result = [[0] * len(keys) for _ in keys]
        gaps: list[tuple[int, int]] = []
        for i, origin in enumerate(keys):
            for j, target in enumerate(keys):
                if origin == target:
                    continue
                if (origin, target) in self._pairs:
                    result[i][j] = self._pairs[origin, target]
                else:
                    gaps.append((i, j))
        if gaps and self.fallback is None:
            i, j = gaps[0]
            raise TravelDataError(f"{self.path}: no time from {keys[i]} to {keys[j]} "
                                  f"({len(gaps)} pairs missing)")
        if gaps and self.fallback is not None:
            fill = self.fallback.matrix(locations)
            for i, j in gaps:
                result[i][j] = fill[i][j]
        return result


class OsrmTravelTimes:
    """Road-network times from an OSRM server's table service (``/table/v1/driving/``).

    One request per matrix, cached per set of locations; durations in seconds
    are rounded up to whole minutes. An unreachable server or a refused
    request raises TravelDataError naming the URL, never a silent fallback.
    """

    def __init__(self, url: str, profile: str = "driving", timeout_s: float = 10.0) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"an OSRM URL starts with http:// or https:// (got {url!r})")
        self.url = url.rstrip("/")
        self.profile = profile
        self.timeout_s = timeout_s
        self._matrices: dict[tuple[tuple[float, float], ...], list[list[int]]] = {}

    def matrix(self, locations: Sequence[Location]) -> list[list[int]]:
        key = tuple(_coordinate_key(loc.lat, loc.lon) for loc in locations)
        if key not in self._matrices:
            self._matrices[key] = self._fetch(key)
        return [row[:] for row in self._matrices[key]]

    def _fetch(self, points: tuple[tuple[float, float], ...]) -> list[list[int]]:
        coordinates = ";".join(f"{lon},{lat}" for lat, lon in points)
        url = f"{self.url}/table/v1/{self.profile}/{coordinates}?annotations=duration"
        try:
            with urllib.request.urlopen(url, timeout=self.timeout_s) as response:  # noqa: S310
                answer = json.load(response)
        except (urllib.error.URLError, OSError, ValueError) as error:
            raise TravelDataError(f"the OSRM server at {self.url} cannot be reached or "
                                  f"answered badly: {error}") from None
        durations = answer.get("durations") if isinstance(answer, dict) else None
        if answer.get("code") != "Ok" or not isinstance(durations, list) \
                or len(durations) != len(points):
            raise TravelDataError(f"the OSRM server at {self.url} refused the table request: "
                                  f"{answer.get('code')} {answer.get('message', '')}".strip())
        result = []
        for i, row in enumerate(durations):
            if any(value is None for value in row):
                raise TravelDataError(f"the OSRM server at {self.url} found no road from "
                                      f"{points[i]} to some location")
            result.append([0 if i == j else math.ceil(value / 60) for j, value in enumerate(row)])
        return result


PROVIDERS: dict[str, Callable[..., TravelTimes]] = {
    "haversine": HaversineTravelTimes,
    "matrix_csv": MatrixCsvTravelTimes,
    "osrm": OsrmTravelTimes,
}


def register_provider(name: str, factory: Callable[..., TravelTimes]) -> None:
    """Make a provider available to ``travel_times_from_config`` under ``name``."""
    PROVIDERS[name] = factory


def travel_times_from_config(config: Mapping[str, Any] | None = None) -> TravelTimes:
    """Build the provider named by ``config["provider"]`` (default ``haversine``).

    The other keys are the provider's keyword arguments; a ``fallback`` given
    as a mapping is built the same way.

    Raises:
        ValueError: the provider name is unknown.
    """
    options = dict(config or {})
    name = options.pop("provider", "haversine")
    if name not in PROVIDERS:
        raise ValueError(f"unknown travel-time provider {name!r}; "
                         f"known: {', '.join(sorted(PROVIDERS))}")
    if isinstance(options.get("fallback"), Mapping):
        options["fallback"] = travel_times_from_config(options["fallback"])
    return PROVIDERS[name](**options)
