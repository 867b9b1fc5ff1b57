"""Where newsmon keeps its files, and how flags, environment and defaults combine."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_path

ENV_DB = "NEWSMON_DB"


def default_db_path() -> Path:
    """The per-user archive: ``$XDG_DATA_HOME/newsmon/newsmon.db`` (``~/.local/share/...``)."""
    return user_data_path("newsmon", appauthor=False) / "newsmon.db"


def resolve_db_path(flag: str | os.PathLike[str] | None) -> Path:
    """``--db`` wins over ``NEWSMON_DB``, which wins over the per-user default."""
    if flag:
        return Path(flag).expanduser()
    env = os.environ.get(ENV_DB, "").strip()
    if env:
        return Path(env).expanduser()
    return default_db_path()
