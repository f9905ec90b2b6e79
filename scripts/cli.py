"""The ``pusleplan`` command: demo, serve, seed, keygen.

Every subcommand takes ``--data-dir`` (SQLite) or uses ``PUSLEPLAN_DATABASE_URL``
(PostgreSQL); ``PUSLEPLAN_ENCRYPTION_KEY`` turns on encryption at rest.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from domain.errors import DomainError
from domain.settings import Settings, SettingsError, new_encryption_key
from scripts import check, evaluate, import_visits, projections_cli, routes_cli

log = logging.getLogger("pusleplan")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``pusleplan`` console command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return int(args.handler(args) or 0)
    except SettingsError as error:
        print(f"pusleplan: configuration error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("pusleplan: stopped", file=sys.stderr)
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pusleplan",
        description="Pusleplan: shift plans and run lists for self-planning care teams.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser("demo", help="build the demo district and serve it")
    _store_arguments(demo)
    _seed_arguments(demo)
    _serve_arguments(demo)
    demo.add_argument("--no-serve", action="store_true", help="build the demo, do not serve")
    demo.add_argument("--fresh", action="store_true",
                      help="delete an existing SQLite store in the data dir and rebuild")
    demo.set_defaults(handler=cmd_demo)

    serve = commands.add_parser("serve", help="serve the web app (waitress)")
    _store_arguments(serve)
    _serve_arguments(serve)
    serve.set_defaults(handler=cmd_serve)

    seed = commands.add_parser(
        "seed", help="fill the store: the demo district, or commands from a JSON-lines file")
    _store_arguments(seed)
    _seed_arguments(seed)
    seed.add_argument("--file", type=Path,
                      help="JSON lines: {\"command\": NAME, \"actor\": {...}, \"data\": {...}}")
    seed.set_defaults(handler=cmd_seed)

    check.add_parser(commands)
    projections_cli.add_parser(commands)
    import_visits.add_parser(commands)
    evaluate.add_parser(commands)
    routes_cli.add_parser(commands)

    keygen = commands.add_parser("keygen", help="print a new encryption key")
    keygen.set_defaults(handler=cmd_keygen)
    return parser


def _store_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path,
                        help="directory of the SQLite store (default: PUSLEPLAN_DATA_DIR or "
                             "~/.local/share/pusleplan)")


def _seed_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    parser.add_argument("--today", type=date.fromisoformat,
                        help="the demo's 'today' (YYYY-MM-DD; default: today)")


def _serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    parser.add_argument("--threads", type=int, default=8,
                        help="threads per worker process (default 8)")
    parser.add_argument("--workers", type=_positive, default=None,
                        help="worker processes sharing the port (default: PUSLEPLAN_WORKERS or 1)")


# -- subcommands -------------------------------------------------------------------


def cmd_keygen(args: argparse.Namespace) -> int:
    print(new_encryption_key())
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    settings = Settings.from_env(data_dir=args.data_dir)
    if args.fresh and not settings.uses_postgres:
        for suffix in ("", "-wal", "-shm"):
            Path(str(settings.sqlite_path) + suffix).unlink(missing_ok=True)
    if _event_count(settings) == 0:
        build_demo_into(settings, args.seed, args.today)
    else:
        print(f"The store already holds a district ({_where(settings)}); serving it. "
              "Use --fresh to rebuild.", file=sys.stderr)
    if args.no_serve:
        return 0
    print_accounts()
    return run_server(settings, args.host, args.port, args.threads, args.workers)


def cmd_serve(args: argparse.Namespace) -> int:
    settings = Settings.from_env(data_dir=args.data_dir)
    return run_server(settings, args.host, args.port, args.threads, args.workers)


def cmd_seed(args: argparse.Namespace) -> int:
    settings = Settings.from_env(data_dir=args.data_dir)
    if args.file is None:
        if _event_count(settings) > 0:
            print(f"pusleplan: the store already holds events ({_where(settings)}); "
                  "the demo is only built into an empty store", file=sys.stderr)
            return 1
        build_demo_into(settings, args.seed, args.today)
        return 0
    return seed_from_file(settings, args.file)


# -- helpers -------------------------------------------------------------------------


def _where(settings: Settings) -> str:
    return "PostgreSQL" if settings.uses_postgres else str(settings.sqlite_path)


def _event_count(settings: Settings) -> int:
    from domain.application import Pusleplan

    application = Pusleplan.from_settings(settings)
    try:
        return application.recorder.max_notification_id() or 0
    finally:
        application.close()


def build_demo_into(settings: Settings, seed: int, today: date | None) -> None:
    """Build the demo district, showing progress on stderr."""
    from domain.application import Pusleplan
    from scripts.demo import build_demo

    application = Pusleplan.from_settings(settings, AGGREGATE_CACHE_MAXSIZE="5000")
    started = time.perf_counter()
    last_stage = [""]

    def progress(stage: str, done: int, total: int) -> None:
        end = "\n" if done >= total else "\r"
        if stage != last_stage[0] or done >= total or done % 5 == 0:
            print(f"  {stage}: {done}/{total}", end=end, file=sys.stderr, flush=True)
        last_stage[0] = stage

    print(f"Building the demo district (seed {seed}) in {_where(settings)} …", file=sys.stderr)
    try:
        summary = build_demo(application, seed=seed, today=today, progress=progress)
    finally:
        application.close()
    seconds = time.perf_counter() - started
    print(f"Built {summary.teams} teams, {summary.employees} employees, "
          f"{summary.citizens} citizens: {summary.events} events in {seconds:.1f} s.",
          file=sys.stderr)


def print_accounts() -> None:
    from scripts.demo import DEMO_ACCOUNTS

    print("Demo log-ins (password for all: demo):")
    for account in DEMO_ACCOUNTS:
        team = f", team {account['team']}" if account.get("team") else ""
        print(f"  {account['username']:<12} {account['role']}{team}")


def run_server(settings: Settings, host: str, port: int, threads: int,
               workers: int | None = None) -> int:
    from web.server import serve

    print(f"Pusleplan is served at http://{host}:{port}/  (Ctrl+C stops it)", flush=True)
    # The config, not an app: with several workers each builds its own, and the
    # supervising process opens no store.
    serve({"PUSLEPLAN_SETTINGS": settings}, host=host, port=port, threads=threads,
          workers=workers)
    return 0


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number ≥ 1, not {text!r}")
    return int(text)


def seed_from_file(settings: Settings, path: Path) -> int:
    """Apply commands from a JSON-lines file through the edge schemas.

    Stops at the first bad line, naming the line number, field and problem;
    earlier lines stay applied (each command is its own transaction).
    """
    from domain.application import Pusleplan
    from domain.values import Actor, Role
    from web.commands import execute

    if not path.exists():
        print(f"pusleplan: no such file: {path}", file=sys.stderr)
        return 2
    application = Pusleplan.from_settings(settings)
    applied = 0
    try:
        with path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                try:
                    record: dict[str, Any] = json.loads(line)
                    actor_data = record.get("actor") or {"id": "seed", "role": "administrative"}
                    actor = Actor(str(actor_data["id"]), Role(actor_data["role"]))
                    execute(application, str(record.get("command")), record.get("data") or {},
                            actor)
                except (json.JSONDecodeError, KeyError, ValueError, TypeError) as error:
                    print(f"{path}:{number}: not a valid command line: {error}", file=sys.stderr)
                    print(f"Applied {applied} commands before line {number}.", file=sys.stderr)
                    return 1
                except DomainError as error:
                    where = f" (field '{error.field}')" if error.field else ""
                    print(f"{path}:{number}{where}: {error.detail}", file=sys.stderr)
                    print(f"  {error.message}", file=sys.stderr)
                    print(f"Applied {applied} commands before line {number}.", file=sys.stderr)
                    return 1
                applied += 1
    finally:
        application.close()
    print(f"Applied {applied} commands from {path}.", file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
