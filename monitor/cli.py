"""The ``newsmon`` command: a click group whose commands are thin wrappers over the Python API.

Every error the user can fix is one ``Error: …`` line on stderr and exit status 1; a traceback
is shown only with ``--debug``.
"""

from __future__ import annotations

import io
import logging
import os
import sqlite3
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import click

from crawler.database import StoreError
from crawler.seedformat import SeedFormatError
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
    if not verbose and not debug:
        # trafilatura warns about a page with no text, which extract reports in its Error: line.
        logging.getLogger("trafilatura").setLevel(logging.CRITICAL)


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
    if sys.stdout is None:
        # Started with standard output closed (`newsmon export >&-`): say so at the first write.
        sys.stdout = _ClosedOutput()
    try:
        result: Any = cli.main(args=args, prog_name="newsmon", standalone_mode=False)
        sys.stdout.flush()
    except SystemExit:
        # click ends a command whose reader left (EPIPE) with status 1 and wraps the streams to
        # silence their last flush; the reader leaving is no error for us (as below).
        if type(sys.stdout).__name__ == "_PacifyFlushWrapper":
            sys.exit(0)
        raise
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
        # `newsmon export | head`: the reader left; not an error worth a message. Standard
        # output goes to /dev/null so the interpreter's last flush does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)
    except ClosedOutputError:
        click.echo("Error: standard output is closed; redirect it to a file or /dev/null", err=True)
        sys.exit(1)
    except OverflowError as exc:
        click.echo(
            f"Error: a number in the arguments is too large ({exc}); give an id or count"
            " that exists",
            err=True,
        )
        sys.exit(1)
    except UnicodeEncodeError as exc:
        if debug or "surrogates" not in str(exc):
            _unexpected(exc, debug)
        bad = next((a for a in args if _not_utf8(a)), "")
        shown = os.fsencode(bad) if bad else b""
        click.echo(
            f"Error: an argument is not valid UTF-8 text ({shown!r}); give it in UTF-8"
            " (check the terminal's or the script's encoding)",
            err=True,
        )
        sys.exit(1)
    except OSError as exc:
        if debug:
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        click.echo(f"Error: {where}{exc.strerror or exc}", err=True)
        sys.exit(1)
    except Exception as exc:
        _unexpected(exc, debug)
    sys.exit(result if isinstance(result, int) else 0)


def _unexpected(exc: Exception, debug: bool) -> NoReturn:
    if debug:
        raise exc
    log.debug("unexpected error", exc_info=True)
    click.echo(
        f"Error: unexpected {type(exc).__name__}: {exc} (run with --debug for details)",
        err=True,
    )
    sys.exit(1)


def _not_utf8(arg: str) -> bool:
    try:
        arg.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


class ClosedOutputError(Exception):
    """Standard output was closed before newsmon started."""


class _ClosedOutput(io.TextIOBase):
    def write(self, _text: str) -> int:
        raise ClosedOutputError

    def flush(self) -> None:
        pass
