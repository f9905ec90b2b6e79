"""``pusleplan projections …``: follow the log, rebuild, catch up, show positions.

* ``run`` — keep every read model current until stopped (Ctrl+C or SIGTERM):
  on PostgreSQL eventsourcing's ``ProjectionRunner`` follows the log with
  LISTEN/NOTIFY, on SQLite the notification log is polled.
* ``rebuild [--as-of DATE]`` — empty the views and build them again from the
  whole log, with a progress bar and the throughput at the end; the read models
  in two groups in two processes when a second core is idle enough
  (``--processes``, see ``projections/parallel.py``), secondary indexes built
  at the end. With
  ``--as-of`` a separate set of views is built as the read models stood on
  that date (see ``projections/asof.py``); the live views are not touched.
* ``catch-up`` — one pass: bring every view to the end of the log and stop.
* ``status`` — each view's position against the log.

Exit codes: 0 done, 1 a view could not be brought up to date, 2 bad input.
"""

from __future__ import annotations

import argparse
import functools
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from domain.application import Pusleplan
from domain.settings import Settings
from projections import parallel
from projections.catalogue import READ_MODELS, ReadModels, open_read_models, reset
from projections.runner import catch_up_all, follow, log_behind

#: Environment passed on to the views (PostgreSQL schema of a test or a tenant).
PASSED_ENV = ("POSTGRES_SCHEMA",)


#: Events per view transaction in a rebuild: fewer, larger commits.
REBUILD_TRANSACTION = 10_000


def add_parser(commands: Any) -> None:
    """Add ``projections`` and its subcommands to the ``pusleplan`` parser."""
    parser = commands.add_parser("projections", help="read models: run, rebuild, status")
    sub = parser.add_subparsers(dest="projections_command", required=True, metavar="ACTION")

    run = sub.add_parser("run", help="follow the log and keep every view current")
    _common(run)
    run.add_argument("--poll", type=float, default=0.5,
                     help="SQLite: seconds between looks at the log (default 0.5)")
    run.set_defaults(handler=cmd_run)

    rebuild = sub.add_parser("rebuild", help="build every view again from the whole log")
    _common(rebuild)
    rebuild.add_argument("--as-of", type=date.fromisoformat, metavar="DATE",
                         help="build separate views as they stood on DATE (YYYY-MM-DD)")
    rebuild.add_argument("--transaction-size", type=int, default=REBUILD_TRANSACTION,
                         help="events per view transaction while rebuilding (default "
                              f"{REBUILD_TRANSACTION:,}; each commits its rows with its "
                              "position)")
    rebuild.add_argument("--processes", type=int, choices=(1, 2),
                         help="2: the read models in two groups, rebuilt at once by two "
                              "processes over the same log; 1: one process (default: 2 "
                              "when a second core is idle enough)")
    rebuild.set_defaults(handler=cmd_rebuild)

    catch = sub.add_parser("catch-up", help="bring every view to the end of the log, once")
    _common(catch)
    catch.add_argument("--pause", type=float, default=0.0,
                       help="seconds to pause between batches (throttle on a busy store)")
    catch.set_defaults(handler=cmd_catch_up)

    status = sub.add_parser("status", help="each view's position against the log")
    _common(status)
    status.set_defaults(handler=cmd_status)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path,
                        help="directory of the SQLite store and its views (default: "
                             "PUSLEPLAN_DATA_DIR or ~/.local/share/pusleplan)")
    parser.add_argument("--only", help="comma-separated read models (default: all): "
                        + ", ".join(cls.name for cls in READ_MODELS))
    parser.add_argument("--batch-size", type=int, default=1000,
                        help="events per transaction and per page of the log (default 1000)")


def _names(args: argparse.Namespace) -> list[str] | None:
    if not args.only:
        return None
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    known = {cls.name.lower(): cls.name for cls in READ_MODELS}
    unknown = [n for n in names if n.lower() not in known]
    if unknown:
        raise ValueError(f"unknown read model {unknown[0]!r}; known: {', '.join(known.values())}")
    return [known[n.lower()] for n in names]


def _open(args: argparse.Namespace, as_of: date | None = None
          ) -> tuple[Settings, dict[str, str], Pusleplan, ReadModels]:
    settings = Settings.from_env(data_dir=args.data_dir)
    extra = {k: os.environ[k] for k in PASSED_ENV if os.environ.get(k)}
    app = Pusleplan.from_settings(settings, **extra)
    try:
        models = open_read_models(settings, extra, as_of=as_of, names=_names(args))
    except BaseException:
        app.close()
        raise
    return settings, extra, app, models


@contextmanager
def _opened(args: argparse.Namespace, as_of: date | None = None
            ) -> Iterator[tuple[Settings, dict[str, str], Pusleplan, ReadModels]]:
    """The store and its read models, closed again however the command ends."""
    settings, extra, app, models = _open(args, as_of)
    try:
        yield settings, extra, app, models
    finally:
        models.close()
        app.close()


def _reports_bad_input(command: Callable[[argparse.Namespace], int]
                       ) -> Callable[[argparse.Namespace], int]:
    """Bad settings or arguments (ValueError) become a one-line message and exit code 2."""
    @functools.wraps(command)
    def run(args: argparse.Namespace) -> int:
        try:
            return command(args)
        except ValueError as error:
            print(f"pusleplan projections: {error}", file=sys.stderr)
            return 2
    return run


class ProgressBar:
    """A progress bar on stderr: ``[#####.....]  52 %  14000/27000 events``."""

    def __init__(self, label: str, stream: TextIO | None = None, width: int = 30) -> None:
        self.label, self.stream, self.width = label, stream or sys.stderr, width
        self.started = time.perf_counter()

    def __call__(self, position: int, last: int) -> None:
        share = position / last if last else 1.0
        filled = round(self.width * share)
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {share:4.0%}  {position}/{last} events")
        self.stream.flush()

    def done(self, events: int) -> float:
        seconds = max(time.perf_counter() - self.started, 1e-9)
        self.stream.write("\n")
        return events / seconds


@_reports_bad_input
def cmd_rebuild(args: argparse.Namespace) -> int:
    with _opened(args, args.as_of) as (settings, extra, app, models):
        reset(models, defer_indexes=True)
        bar = ProgressBar("Rebuilding" + (f" as of {args.as_of}" if args.as_of else ""))
        read = parallel.rebuild(app, models, settings, extra, as_of=args.as_of,
                                batch_size=args.batch_size, progress=bar,
                                transaction_size=args.transaction_size,
                                processes=args.processes)
        rate = bar.done(read)
        where = f" (views '…AsOf{args.as_of:%Y%m%d}')" if args.as_of else ""
        print(f"Rebuilt {len(models.projections)} read models{where} from {read} events "
              f"in {time.perf_counter() - bar.started:.1f} s: {rate:,.0f} events/s.",
              file=sys.stderr)
    return 0


@_reports_bad_input
def cmd_catch_up(args: argparse.Namespace) -> int:
    with _opened(args) as (_, _, app, models):
        read = catch_up_all(app, list(models), batch_size=args.batch_size, pause=args.pause)
        print(f"Caught up: {read} events read.", file=sys.stderr)
    return 0


@_reports_bad_input
def cmd_status(args: argparse.Namespace) -> int:
    with _opened(args) as (_, _, app, models):
        print(status_table(app, models))
    return 0


def status_table(app: Pusleplan, models: ReadModels) -> str:
    """Each view's position, the log's last notification and the events still to do."""
    last = app.recorder.max_notification_id() or 0
    lines = [f"{'read model':<16} {'position':>10} {'log':>10} {'to do':>8}"]
    for projection in models:
        position = projection.view.max_tracking_id(app.name) or 0
        behind = log_behind(app, projection)
        lines.append(f"{projection.name:<16} {position:>10} {last:>10} {behind:>8}")
    return "\n".join(lines)


@_reports_bad_input
def cmd_run(args: argparse.Namespace) -> int:
    with _opened(args) as (settings, extra, app, models):
        _follow_until_stopped(args, settings, extra, app, models)
    print("Stopped.", file=sys.stderr)
    return 0


def _follow_until_stopped(args: argparse.Namespace, settings: Settings,
                          extra: dict[str, str], app: Pusleplan, models: ReadModels) -> None:
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set())
                for sig in (signal.SIGINT, signal.SIGTERM)}
    how = "LISTEN/NOTIFY" if settings.uses_postgres else f"polling every {args.poll} s"
    print(f"Following the log ({how}); Ctrl+C stops.", file=sys.stderr, flush=True)
    try:
        follow(app, list(models), stop, settings=settings, extra_env=extra, poll=args.poll,
               batch_size=args.batch_size)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m scripts.projections_cli ACTION …`` (the same as ``pusleplan projections``)."""
    parser = argparse.ArgumentParser(prog="pusleplan")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["projections", *(argv if argv is not None else sys.argv[1:])])
    return int(args.handler(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
