"""Travel times (køretid): the network-free default and the plug-in point."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from domain.settings import Settings, SettingsError
from planning.routing_problem import Location
from planning.travel import (
    PROVIDERS,
    HaversineTravelTimes,
    MatrixCsvTravelTimes,
    OsrmTravelTimes,
    TravelDataError,
    haversine_km,
    register_provider,
    travel_times_from_config,
)

COPENHAGEN = Location(55.6761, 12.5683, "urban")
AARHUS = Location(56.1629, 10.2039, "urban")
NEARBY = Location(55.6861, 12.5683, "urban")  # about 1.1 km north


def test_the_great_circle_distance_between_copenhagen_and_aarhus_is_about_157_km():
    assert haversine_km(COPENHAGEN, AARHUS) == pytest.approx(157, abs=2)


def test_a_matrix_has_zero_on_the_diagonal_and_for_the_same_place():
    times = HaversineTravelTimes()
    matrix = times.matrix([COPENHAGEN, NEARBY, Location(55.6761, 12.5683, "urban")])
    assert matrix[0][0] == matrix[1][1] == matrix[0][2] == 0
    assert matrix[0][1] == matrix[1][0] > 0


def test_a_short_trip_costs_the_parking_minutes_on_top_of_driving():
    times = HaversineTravelTimes(road_factor=1.3, speeds_kmh={"urban": 26}, stop_minutes=2)
    km = haversine_km(COPENHAGEN, NEARBY) * 1.3
    assert times.minutes(COPENHAGEN, NEARBY) == -(-km // (26 / 60)) + 2


def test_rural_roads_are_driven_faster_than_city_streets():
    times = HaversineTravelTimes(stop_minutes=0)
    far = Location(55.90, 12.80)
    urban = times.minutes(Location(55.6, 12.5, "urban"), Location(far.lat, far.lon, "urban"))
    rural = times.minutes(Location(55.6, 12.5, "rural"), Location(far.lat, far.lon, "rural"))
    assert rural < urban


def test_a_larger_road_factor_means_longer_trips():
    short = HaversineTravelTimes(road_factor=1.0).minutes(COPENHAGEN, AARHUS)
    long = HaversineTravelTimes(road_factor=1.5).minutes(COPENHAGEN, AARHUS)
    assert long > short


def test_a_road_shorter_than_the_straight_line_is_refused():
    with pytest.raises(ValueError):
        HaversineTravelTimes(road_factor=0.9)
    with pytest.raises(ValueError):
        HaversineTravelTimes(speeds_kmh={"rural": 0})


def test_the_matrix_is_cached_but_a_caller_cannot_spoil_the_cache():
    times = HaversineTravelTimes()
    first = times.matrix([COPENHAGEN, AARHUS])
    first[0][1] = -1
    assert times.matrix([COPENHAGEN, AARHUS])[0][1] > 0


def write_csv(path, rows):
    lines = ["from_lat,from_lon,to_lat,to_lon,minutes"] + [",".join(map(str, r)) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_precomputed_road_matrix_is_read_from_csv(tmp_path):
    path = write_csv(tmp_path / "times.csv", [(55.6761, 12.5683, 56.1629, 10.2039, 185),
                                             (56.1629, 10.2039, 55.6761, 12.5683, 190)])
    matrix = MatrixCsvTravelTimes(path).matrix([COPENHAGEN, AARHUS])
    assert matrix == [[0, 185], [190, 0]]


def test_a_missing_pair_raises_unless_there_is_a_fallback(tmp_path):
    path = write_csv(tmp_path / "times.csv", [(55.6761, 12.5683, 56.1629, 10.2039, 185)])
    with pytest.raises(TravelDataError, match="1 pairs missing"):
        MatrixCsvTravelTimes(path).matrix([COPENHAGEN, AARHUS])
    fallback = HaversineTravelTimes()
    matrix = MatrixCsvTravelTimes(path, fallback=fallback).matrix([COPENHAGEN, AARHUS])
    assert matrix[0][1] == 185 and matrix[1][0] == fallback.minutes(AARHUS, COPENHAGEN)


def test_a_csv_without_the_columns_is_refused(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ValueError, match="missing columns"):
        MatrixCsvTravelTimes(path)


def test_the_provider_is_chosen_by_name_in_the_configuration(tmp_path):
    assert isinstance(travel_times_from_config(None), HaversineTravelTimes)
    default = travel_times_from_config({"provider": "haversine", "road_factor": 1.5})
    assert isinstance(default, HaversineTravelTimes) and default.road_factor == 1.5
    path = write_csv(tmp_path / "t.csv", [])
    csv_times = travel_times_from_config({"provider": "matrix_csv", "path": str(path),
                                          "fallback": {"provider": "haversine"}})
    assert isinstance(csv_times, MatrixCsvTravelTimes)
    assert isinstance(csv_times.fallback, HaversineTravelTimes)
    with pytest.raises(ValueError, match="unknown travel-time provider"):
        travel_times_from_config({"provider": "valhalla"})


def test_a_new_provider_can_be_registered_by_name():
    class Flat:
        def matrix(self, locations):
            return [[0 if a == b else 7 for b in locations] for a in locations]

    register_provider("flat", Flat)
    try:
        assert travel_times_from_config({"provider": "flat"}).matrix([COPENHAGEN, AARHUS]) == [
            [0, 7], [7, 0]]
    finally:
        del PROVIDERS["flat"]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_osrm_server_is_a_clear_error_naming_the_url():
    url = f"http://127.0.0.1:{_closed_port()}"
    times = travel_times_from_config({"provider": "osrm", "url": url, "timeout_s": 2})
    with pytest.raises(TravelDataError, match=f"OSRM server at {url} cannot be reached"):
        times.matrix([COPENHAGEN, AARHUS])


class _FakeOsrm(BaseHTTPRequestHandler):
    """Answers OSRM's table service: 10 min per step of list position, seconds."""

    paths: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        _FakeOsrm.paths.append(self.path)
        count = self.path.split("/driving/")[1].split("?")[0].count(";") + 1
        body = {"code": "Ok", "durations": [[abs(i - j) * 600.0 - (30 if i != j else 0)
                                             for j in range(count)] for i in range(count)]}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def test_an_osrm_table_becomes_whole_minutes_and_is_asked_once_per_set_of_places():
    server = HTTPServer(("127.0.0.1", 0), _FakeOsrm)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        times = OsrmTravelTimes(f"http://127.0.0.1:{server.server_port}/")
        matrix = times.matrix([COPENHAGEN, NEARBY, AARHUS])
        assert matrix == [[0, 10, 20], [10, 0, 10], [20, 10, 0]]  # 570 s rounds up to 10
        times.matrix([COPENHAGEN, NEARBY, AARHUS])
        assert len(_FakeOsrm.paths) == 1
        assert "/table/v1/driving/12.5683,55.6761;" in _FakeOsrm.paths[0]  # lon,lat order
    finally:
        server.shutdown()
        server.server_close()


def test_the_travel_setting_picks_the_provider_and_refuses_what_it_cannot_use(tmp_path):
    assert Settings.from_env(data_dir=tmp_path).travel_config() == {"provider": "haversine"}
    matrix = write_csv(tmp_path / "roads.csv", [])
    csv_config = Settings.from_env(data_dir=tmp_path, travel=str(matrix)).travel_config()
    assert isinstance(travel_times_from_config(csv_config), MatrixCsvTravelTimes)
    osrm = Settings.from_env(data_dir=tmp_path, travel="http://osrm.local:5000").travel_config()
    assert isinstance(travel_times_from_config(osrm), OsrmTravelTimes)
    with pytest.raises(SettingsError, match="does not exist"):
        Settings.from_env(data_dir=tmp_path, travel=str(tmp_path / "missing.csv"))
    with pytest.raises(SettingsError, match="PUSLEPLAN_TRAVEL must be"):
        Settings.from_env(data_dir=tmp_path, travel="google")
