"""The ``newsmon`` command: a click group whose commands are thin wrappers over the Python API.

Every error the user can fix is one ``Error: …`` line on stderr and exit status 1; a traceback
is shown only with ``--debug``.
"""

from __future__ import annotations

import logging
import sqlite3
import sys
from collections.abc import Sequence
from typing import Any

import click

from crawler.seedformat import SeedFormatError
from crawler.store import StoreError
from monitor import __version__

log = logging.getLogger(__name__)

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

# Exceptions that carry a message meant for the user as it is.
USER_ERRORS: tuple[type[BaseException], ...] = (StoreError, SeedFormatError)


class NewsmonError(click.ClickException):
    """An error with a message for the user; exit status 1."""


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="newsmon")
@click.option("-v", "--verbose", count=True, help="More log output (-v: info, -vv: debug).")
@click.option("--debug", is_flag=True, help="Show tracebacks for unexpected errors.")
@click.pass_context
def cli(ctx: click.Context, verbose: int, debug: bool) -> None:
    """newsmon: collect Al-Araby Al-Jadeed's articles, keep every revision, and alert on
    watchlist terms matched the way an Arabic reader expects."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    level = logging.WARNING
    if verbose == 1:
        level = logging.INFO
    elif verbose >= 2 or debug:
        level = logging.DEBUG
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _register() -> None:
    from monitor.commands import (
        alerts,
        archive,
        crawl,
        daemon,
        demo,
        extract,
        revisions,
        settings,
        watch,
        web,
    )

    for module in (archive, crawl, daemon, demo, extract, revisions, watch, alerts, web, settings):
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def main(argv: Sequence[str] | None = None) -> None:
    """Run the CLI and turn every failure into one ``Error:`` line and an exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    for stream in (sys.stdout, sys.stderr):
        # Arabic must come out as UTF-8 whatever the locale says (a bare container has none).
        if (getattr(stream, "encoding", "") or "").lower().replace("-", "") != "utf8":
            reconfigure = getattr(stream, "reconfigure", None)
            if reconfigure:
                reconfigure(encoding="utf-8")
    debug = "--debug" in args
    try:
        result: Any = cli.main(args=args, prog_name="newsmon", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.UsageError as exc:
        hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
        click.echo(f"Error: {exc.format_message()}{hint}", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        click.echo(f"Error: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except USER_ERRORS as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    except sqlite3.DatabaseError as exc:
        click.echo(f"Error: database error: {exc}", err=True)
        sys.exit(1)
    except BrokenPipeError:
        # `newsmon export | head`: the reader left; not an error worth a message.
        sys.stderr.close()
        sys.exit(0)
    except Exception as exc:
        if debug:
            raise
        log.debug("unexpected error", exc_info=True)
        click.echo(
            f"Error: unexpected {type(exc).__name__}: {exc} (run with --debug for details)",
            err=True,
        )
        sys.exit(1)
    sys.exit(result if isinstance(result, int) else 0)
