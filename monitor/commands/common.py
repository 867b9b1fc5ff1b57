"""Options and helpers shared by the CLI's commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from sqlite_utils import Database

from crawler.database import open_db
from monitor.config import resolve_db_path

F = TypeVar("F", bound=Callable[..., Any])

db_option = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The archive's SQLite file [default: $NEWSMON_DB, else ~/.local/share/newsmon/].",
)


def open_archive(db_path: Path | None, *, readonly: bool = False) -> Database:
    """The archive named by ``--db`` / ``NEWSMON_DB`` / the default, with its tables ready.
    The monitor's migrations are checked too, so no command writes to an archive a newer
    newsmon has changed."""
    from monitor.store import migrations

    return open_db(resolve_db_path(db_path), readonly=readonly, also=(migrations,))
