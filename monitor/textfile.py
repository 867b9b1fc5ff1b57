"""Reading a file the user named: only regular files (a FIFO or a device would block for ever or
never end), and text as UTF-8 (UTF-16, what Windows editors call "Unicode", is named as such, as
the configuration files do). Every failure is one ``FileInputError`` naming the file."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class FileInputError(ValueError):
    """A file that cannot be read as asked; the message names it and says what to do."""


def read_input_bytes(path: Path | str) -> bytes:
    """The bytes of ``path`` (``-``: standard input), refusing what is not a regular file."""
    if str(path) == "-":
        return sys.stdin.buffer.read()
    try:
        mode = os.stat(path).st_mode
        if stat.S_ISDIR(mode):
            raise FileInputError(f"{path}: is a directory; give a file")
        if not stat.S_ISREG(mode):
            raise FileInputError(
                f"{path}: not a regular file (a pipe or a device); save it to a file, or give -"
                " and redirect it to standard input"
            )
        return Path(path).read_bytes()
    except OSError as exc:
        raise FileInputError(f"{path}: cannot read: {exc.strerror or exc}") from None


def decode_text(raw: bytes, source: Path | str) -> str:
    """UTF-8 (a leading BOM dropped); anything else is refused, saying what it looks like."""
    if raw.startswith(UTF16_BOMS):
        raise FileInputError(
            f"{source}: UTF-16 text (it starts with a UTF-16 byte-order mark); save it as UTF-8"
        )
    try:
        return raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise FileInputError(
            f"{source}: line {line}: not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file"
            " as UTF-8 (windows-1256 and other legacy encodings are not read)"
        ) from None
