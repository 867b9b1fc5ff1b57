"""Keeping notification URLs secret: masked forms for display, and redaction of log lines and
stored error messages.

apprise's privacy form masks passwords and path tokens but prints query parameters as they are
(``json://host/x?-X-Token=...``), and urllib3's error messages repeat request URLs. So every
secret fragment of every configured target is known here and replaced wherever it appears, and
query parameters whose names look secret are masked whatever their value.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, unquote, urlsplit

MASK = "***"

# Values of apprise's own options: never secret, and too common to redact everywhere.
_HARMLESS = {
    "yes",
    "no",
    "true",
    "false",
    "text",
    "html",
    "markdown",
    "post",
    "get",
    "put",
    "upstream",
    "truncate",
    "split",
    "none",
    "info",
    "json",
    "form",
    "xml",
    "always",
    "never",
    "auto",
    "hook",
}
_SECRET_PARAM = re.compile(
    r"(?i)((?:[?&;]|\b)[-+]?[\w-]*(?:token|key|secret|passw(?:or)?d|pass|pwd|auth|sig|signature"
    r"|apikey|webhook|session|credential|bearer)[\w-]*=)([^&\s'\"<>,)]+)"
)
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)([^/\s:@]+):([^/\s@]+)@")


def mask_url(url: str) -> str:
    """A target URL as it may be shown: apprise's privacy form, with secret-looking query
    parameters masked too; ``scheme://***`` when apprise does not know the URL."""
    try:
        import apprise

        plugin = apprise.Apprise.instantiate(url, suppress_exceptions=True)
    except Exception:  # apprise raises several types on malformed URLs: none may leak the URL
        plugin = None
    if not plugin:
        scheme = url.split("://", 1)[0] if "://" in url else "?"
        return f"{scheme}://{MASK}"
    return Redactor([url]).redact(str(plugin.url(privacy=True)))


def secret_fragments(url: str) -> set[str]:
    """The parts of a target URL that must never be shown: user and password, path segments
    that look like tokens, and query values."""
    found: set[str] = set()
    try:
        parts = urlsplit(url)
    except ValueError:
        return {url}
    for value in (parts.username, parts.password):
        if value and len(value) >= 3:
            found.update({value, unquote(value)})
    for segment in parts.path.split("/"):
        if len(segment) >= 8 or (len(segment) >= 4 and any(c.isdigit() for c in segment)):
            found.update({segment, unquote(segment)})
    host = parts.netloc.rsplit("@", 1)[-1]
    if "." not in host and not host.startswith(("localhost", "[")) and len(host) >= 8:
        # apprise puts tokens in the host place for many services (tgram://BOTID:TOKEN/...).
        found.add(host)
        found.update(p for p in host.split(":") if len(p) >= 8 and not p.isdigit())
    for _key, value in parse_qsl(parts.query, keep_blank_values=False):
        if len(value) >= 4 and value.lower() not in _HARMLESS and not value.isdigit():
            found.add(value)
    return {f for f in found if f}


class Redactor:
    """Replaces every known secret fragment (longest first) and secret-looking parameters."""

    def __init__(self, urls: Iterable[str] = ()) -> None:
        fragments: set[str] = set()
        for url in urls:
            fragments |= secret_fragments(url)
        self.fragments = sorted(fragments, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for fragment in self.fragments:
            if fragment in text:
                text = text.replace(fragment, MASK)
        text = _USERINFO.sub(lambda m: f"{m.group(1)}{m.group(2)}:{MASK}@", text)
        return _SECRET_PARAM.sub(lambda m: m.group(1) + MASK, text)


class RedactingFilter(logging.Filter):
    """A handler filter that rewrites each record's message with secrets replaced."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__("newsmon.redact")
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the handler's own error path
            return True
        redacted = self.redactor.redact(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redactor.redact(record.exc_text)
        record.msg, record.args = redacted, ()
        return True


def install(urls: Iterable[str], logger: logging.Logger | None = None) -> RedactingFilter:
    """Redact ``urls``' secrets from everything the handlers of ``logger`` (default: the root
    logger) write. Filters sit on handlers because records from child loggers (apprise, urllib3)
    reach the root's handlers without passing the root logger's own filters."""
    logger = logger or logging.getLogger()
    flt = RedactingFilter(Redactor(urls))
    for handler in logger.handlers:
        for old in [f for f in handler.filters if isinstance(f, RedactingFilter)]:
            handler.removeFilter(old)
        handler.addFilter(flt)
    return flt
