"""Run the Flask app under waitress, a production WSGI server (``pusleplan serve``)."""

from __future__ import annotations

import logging

import waitress  # type: ignore[import-untyped]
from flask import Flask

log = logging.getLogger(__name__)


def serve(app: Flask, host: str = "127.0.0.1", port: int = 8080, threads: int = 8) -> None:
    """Serve ``app`` on ``host:port`` with ``threads`` worker threads until interrupted.

    Blocks; logs the address people should open. Bind to ``0.0.0.0`` (or ``::``)
    only behind a firewall or reverse proxy that adds TLS.
    """
    shown = f"[{host}]" if ":" in host else host
    log.info("Pusleplan kører på http://%s:%d/ (stop med Ctrl+C)", shown, port)
    waitress.serve(app, host=host, port=port, threads=threads, ident="Pusleplan")
