"""Which encoding a page's bytes are in, when the page may say so wrongly or not at all.

Declarations lie: a mirror serves UTF-8 under ``charset=windows-1256``, an old page in
windows-1256 goes out under a server-wide ``charset=utf-8``, another declares nothing. Decoding
by the declaration alone turns Arabic into mojibake (``ط§ظ„ط¹ط±ط¨ظٹ``) or into replacement
characters, and the matcher would then miss every watched term. The rules, in order:

1. a byte-order mark decides;
2. bytes that are valid UTF-8 are UTF-8 — a legacy single-byte Arabic text is practically never
   valid UTF-8, so this cannot mistake one for the other; nearly valid UTF-8 (ten well-formed
   characters or more for each stray byte) is UTF-8 too, with replacement characters;
3. otherwise each declared encoding (HTTP header, then ``<meta>``) and the outlet's legacy
   encoding that decodes the bytes without error is a candidate, and the one giving the most
   Arabic letters wins (a declaration first on a tie) — ``iso-8859-1`` decodes anything, but
   into Latin letters;
4. bytes nothing decodes cleanly are read as UTF-8 with replacement characters.

``Decoded.lossy`` says replacement characters were needed (the parser flags the page).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from w3lib.encoding import (
    html_body_declared_encoding,
    html_to_unicode,
    http_content_type_encoding,
    read_bom,
)

_ARABIC = re.compile(r"[\u0621-\u064a]")
# Enough text to tell Arabic from mojibake without scanning a huge page.
SAMPLE_CHARS = 64 * 1024
# UTF-8 with at least this many well-formed multi-byte characters per undecodable byte is
# still UTF-8 (windows-1256 Arabic read as UTF-8 has far more bad bytes than good characters).
STRAY_RATIO = 10


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str
    lossy: bool = False  # some bytes could not be decoded (replacement characters)


def decode_bytes(
    body: bytes, content_type: str | None = None, legacy: str = "windows-1256"
) -> Decoded:
    """The page's text, by the rules in the module's notes."""
    if read_bom(body)[0]:
        encoding, text = html_to_unicode(content_type, body)
        return Decoded(text, encoding)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return Decoded(text, "utf-8")
    text = body.decode("utf-8", "replace")
    bad = text.count("\ufffd")
    good = len(text) - len(text.encode("ascii", "ignore")) - bad  # multi-byte characters
    if bad * STRAY_RATIO <= good:
        return Decoded(text, "utf-8", lossy=True)
    best: Decoded | None = None
    best_score = -1
    for name in _candidates(body, content_type, legacy):
        try:
            text = body.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
        score = len(_ARABIC.findall(text, 0, SAMPLE_CHARS))
        if score > best_score:
            best, best_score = Decoded(text, name), score
    if best is not None:
        return best
    return Decoded(body.decode("utf-8", "replace"), "utf-8", lossy=True)


def _candidates(body: bytes, content_type: str | None, legacy: str) -> list[str]:
    names = []
    for declared in (
        http_content_type_encoding(content_type) if content_type else None,
        html_body_declared_encoding(body),
        legacy,
    ):
        if not declared:
            continue
        try:
            name = codecs.lookup(declared).name
        except LookupError:
            continue
        if name not in names and name != "utf-8":  # UTF-8 was tried already
            names.append(name)
    return names
