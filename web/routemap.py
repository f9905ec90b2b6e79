"""The route map (rutekort) of a day's run lists, drawn as inline SVG.

No map tiles are reachable, so the map is drawn from the coordinates alone: the
team's base, each person's route as a coloured line through numbered stops, and
a scale bar. Positions use an equirectangular projection around the area's mean
latitude, which is exact enough for the few kilometres a team drives.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 800
MIN_HEIGHT = 420
MAX_HEIGHT = 800
PAD = 36
KM_PER_DEGREE = 111.32

#: One colour per person (enough contrast on white, told apart by most colour-blind eyes).
PALETTE = ("#1f5fa8", "#c0392b", "#1e8449", "#7d3c98", "#d35400", "#117a8b", "#8d6e00",
           "#c2185b", "#34495e", "#2e7d32", "#6d4c41", "#5e35b1", "#00897b", "#ad1457")


def colour(index: int) -> str:
    """The colour of the ``index``-th person on the day."""
    return PALETTE[index % len(PALETTE)]


@dataclass(frozen=True)
class MapStop:
    """A numbered stop on one person's route."""

    x: float
    y: float
    number: int
    title: str
    moved: bool = False


@dataclass(frozen=True)
class MapRoute:
    """One person's route: base → stops → base."""

    colour: str
    label: str
    points: str  # SVG polyline points
    stops: tuple[MapStop, ...]


@dataclass(frozen=True)
class RouteMap:
    """Everything the template draws."""

    width: int
    height: int
    base: tuple[float, float]
    routes: tuple[MapRoute, ...]
    loose: tuple[MapStop, ...]  # visits nobody got
    scale_px: float
    scale_label: str

    @property
    def empty(self) -> bool:
        return not any(route.stops for route in self.routes) and not self.loose


@dataclass(frozen=True)
class RouteInput:
    """One route to draw: colour, label and its stops as (lat, lon, title, moved)."""

    colour: str
    label: str
    stops: Sequence[tuple[float, float, str, bool]]


class Projection:
    """Latitude/longitude → SVG x/y fitting every point inside the drawing with padding."""

    def __init__(self, points: Sequence[tuple[float, float]]) -> None:
        lats = [p[0] for p in points]
        lons = [p[1] for p in points]
        self.lat0 = sum(lats) / len(lats)
        self.kx = KM_PER_DEGREE * math.cos(math.radians(self.lat0))  # km per degree east
        self.min_lon, self.max_lat = min(lons), max(lats)
        width_km = max((max(lons) - self.min_lon) * self.kx, 0.5)
        height_km = max((self.max_lat - min(lats)) * KM_PER_DEGREE, 0.5)
        # The drawing follows the area's shape, within a landscape-to-square range.
        self.height = round(min(max(WIDTH * height_km / width_km, MIN_HEIGHT), MAX_HEIGHT))
        self.px_per_km = min((WIDTH - 2 * PAD) / width_km,
                             (self.height - 2 * PAD) / height_km)
        used_w = (max(lons) - self.min_lon) * self.kx * self.px_per_km
        used_h = (self.max_lat - min(lats)) * KM_PER_DEGREE * self.px_per_km
        self.off_x = (WIDTH - used_w) / 2
        self.off_y = (self.height - used_h) / 2

    def xy(self, lat: float, lon: float) -> tuple[float, float]:
        x = self.off_x + (lon - self.min_lon) * self.kx * self.px_per_km
        y = self.off_y + (self.max_lat - lat) * KM_PER_DEGREE * self.px_per_km
        return round(x, 1), round(y, 1)


def scale_bar(px_per_km: float) -> tuple[float, str]:
    """A round distance whose bar is about a sixth of the map wide."""
    target_km = WIDTH / 6 / px_per_km
    for km in (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50):
        if km >= target_km:
            break
    label = f"{km:g} km".replace(".", ",") if km >= 1 else f"{int(km * 1000)} m"
    return round(km * px_per_km, 1), label


def draw(base: tuple[float, float], routes: Sequence[RouteInput],
         loose: Sequence[tuple[float, float, str]] = ()) -> RouteMap:
    """Project the base, the routes and the unassigned visits onto one SVG drawing."""
    points = [base] + [(lat, lon) for r in routes for lat, lon, _, _ in r.stops] + [
        (lat, lon) for lat, lon, _ in loose]
    projection = Projection(points)
    bx, by = projection.xy(*base)
    drawn = []
    for route in routes:
        stops = tuple(MapStop(*projection.xy(lat, lon), number=n, title=title, moved=moved)
                      for n, (lat, lon, title, moved) in enumerate(route.stops, start=1))
        line = [(bx, by)] + [(s.x, s.y) for s in stops] + [(bx, by)]
        drawn.append(MapRoute(route.colour, route.label,
                              " ".join(f"{x},{y}" for x, y in line) if stops else "", stops))
    loose_stops = tuple(MapStop(*projection.xy(lat, lon), number=0, title=title)
                        for lat, lon, title in loose)
    scale_px, scale_label = scale_bar(projection.px_per_km)
    return RouteMap(WIDTH, projection.height, (bx, by), tuple(drawn), loose_stops, scale_px,
                    scale_label)
