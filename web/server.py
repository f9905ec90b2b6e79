"""Run the Flask app under waitress, a production WSGI server (``pusleplan serve``).

One process serves with ``threads`` worker threads. With ``workers`` > 1 (or
``PUSLEPLAN_WORKERS``), the listening socket is opened once and that many
worker processes, each a fresh interpreter (``python -m web.server``; no fork
of a process that has threads and open connections) with its own app built
from the same config and ``threads`` threads, accept on it; a worker that dies
is started again. What the processes share lives in the store and the data
directory: the event log (every cached page is checked against it, see
``web.rosterdata.ReadCache``), the read models, the secret key and the solver
jobs (``web.solving``). Two things stay per process: the log-in rate limit's
counters (``memory://``; give Flask-Limiter a shared storage to count across
workers) and the verdict cache. Every answer of a worker names it in an
``X-Pusleplan-Worker`` header (1, 2, …).
"""

from __future__ import annotations

import logging
import os
import pickle
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any

import waitress  # type: ignore[import-untyped]
from flask import Flask

log = logging.getLogger(__name__)

WORKERS_ENV = "PUSLEPLAN_WORKERS"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def workers_from_env() -> int:
    """``PUSLEPLAN_WORKERS`` (default 1); a bad value is a clear error."""
    value = os.environ.get(WORKERS_ENV, "1").strip() or "1"
    if not value.isdigit() or int(value) < 1:
        raise SystemExit(f"pusleplan: {WORKERS_ENV} must be a whole number ≥ 1, not {value!r}")
    return int(value)


def serve(app: Flask | Mapping[str, Any], host: str = "127.0.0.1", port: int = 8080,
          threads: int = 8, workers: int | None = None) -> None:
    """Serve on ``host:port`` until interrupted, with ``workers`` processes of
    ``threads`` threads each.

    ``app`` is the Flask app, or the config to build it with (``web.create_app``).
    With several workers this process only supervises: each worker builds its
    app from that config (for an app, what differs from Flask's defaults),
    handed over on its standard input, so the secret key never shows in a
    process list. Given a config, the supervisor opens no store at all (an app
    made here first would keep its connections and background threads idle in
    the supervisor). Blocks; logs the address people should open. Bind to
    ``0.0.0.0`` (or ``::``) only behind a firewall or reverse proxy that adds TLS.
    """
    workers = workers or workers_from_env()
    shown = f"[{host}]" if ":" in host else host
    log.info("Pusleplan kører på http://%s:%d/ (%d × %d tråde; stop med Ctrl+C)", shown,
             port, workers, threads)
    if workers == 1:
        if not isinstance(app, Flask):
            from web import create_app

            app = create_app(app)
        waitress.serve(app, host=host, port=port, threads=threads, ident="Pusleplan")
        return
    config = worker_config(app)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.create_server((host, port), family=family, backlog=1024)
    try:
        _supervise(listener, config, workers, threads)
    finally:
        listener.close()


def worker_config(app: Flask | Mapping[str, Any]) -> bytes:
    """The config a worker builds its app from: an app's keys that differ from Flask's
    defaults, or the given config with the secret key settled (so workers starting
    together never race to create the key file)."""
    if isinstance(app, Flask):
        config = {k: v for k, v in app.config.items()
                  if k not in Flask.default_config or Flask.default_config[k] != v}
    else:
        from domain.settings import Settings
        from web import stored_secret_key

        config = dict(app)
        settings = config.setdefault("PUSLEPLAN_SETTINGS", Settings.from_env())
        if not config.get("SECRET_KEY"):
            config["SECRET_KEY"] = (os.environ.get("PUSLEPLAN_SECRET_KEY")
                                    or stored_secret_key(settings.data_dir))
    return pickle.dumps({"config": config, "log_level": logging.getLogger().level})


def _supervise(listener: socket.socket, config: bytes, workers: int, threads: int) -> None:
    """Start ``workers`` processes serving ``listener``; start again any that dies."""
    children: dict[int, subprocess.Popen[bytes]] = {}  # worker number -> process
    stopping = False

    def stop(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        for number in range(1, workers + 1):
            children[number] = _start_worker(listener, config, number, threads)
        while not stopping:
            time.sleep(0.2)
            for number, process in list(children.items()):
                if process.poll() is not None and not stopping:
                    log.warning("worker %d stopped (status %s); starting a new one", number,
                                process.returncode)
                    time.sleep(1.0)  # a worker that cannot start must not spin
                    children[number] = _start_worker(listener, config, number, threads)
    finally:
        for process in children.values():
            if process.poll() is None:
                process.terminate()
        for process in children.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _start_worker(listener: socket.socket, config: bytes, number: int, threads: int
                  ) -> subprocess.Popen[bytes]:
    fd = listener.fileno()
    process = subprocess.Popen(
        [sys.executable, "-m", "web.server", str(fd), str(number), str(threads)],
        pass_fds=[fd], stdin=subprocess.PIPE)
    assert process.stdin is not None
    process.stdin.write(config)
    process.stdin.close()
    return process


def worker_main(argv: list[str]) -> int:
    """A worker process: read the config on stdin, build the app, serve the inherited socket."""
    fd, number, threads = (int(a) for a in argv)
    handed = pickle.loads(sys.stdin.buffer.read())  # noqa: S301 - from our own parent
    logging.basicConfig(level=handed["log_level"] or logging.WARNING, format=LOG_FORMAT)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    from web import create_app

    app = create_app(handed["config"])
    listener = socket.socket(fileno=fd)
    try:
        waitress.serve(labelled(app, number), sockets=[listener], threads=threads,
                       ident="Pusleplan")
    except (KeyboardInterrupt, SystemExit):
        pass
    return 0


def labelled(app: Flask, number: int) -> Flask:
    """Add ``X-Pusleplan-Worker: <number>`` to every answer (which worker answered)."""
    inner = app.wsgi_app
    header = ("X-Pusleplan-Worker", str(number))

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            return start_response(status, [*headers, header], exc_info)

        return inner(environ, start)

    app.wsgi_app = wsgi  # type: ignore[method-assign]
    return app


if __name__ == "__main__":
    sys.exit(worker_main(sys.argv[1:]))
