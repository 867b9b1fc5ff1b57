"""Recognising one article under many URLs.

``canonical_url`` maps every form a link to the outlet takes (mirror hosts, the bare domain,
``:443``, tracking parameters, AMP paths, a fragment, a trailing slash, either case of
percent-encoding) to one ``https://www.alaraby.co.uk/...`` URL.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

from crawler.outlets import ALARABY, Outlet

_DEFAULT_PORTS = {"http": 80, "https": 443}
# Marks a copy from Arabic text drags along at the ends of a URL: bidi controls, zero-width
# characters, no-break space, BOM. Never part of a slug's ends.
INVISIBLE = (
    "\u200e\u200f\u200b\u200c\u200d\u2066\u2067\u2068\u2069"
    "\u202a\u202b\u202c\u202d\u202e\ufeff\u00a0"
)
# The same marks (and spaces) percent-encoded at the end of a path, as w3lib writes them.
_ENCODED_TAIL = re.compile(
    r"(?:%20|%09|%0A|%0D|%C2%A0|%EF%BB%BF|%E2%80%8[B-F]|%E2%80%A[A-E]|%E2%81%A[6-9])+$"
)
# A percent sign encoded once more (%25D8 for %D8): a slug never holds a literal "%" followed
# by two hex digits (Drupal's pathauto drops "%"), so this is a link encoded twice.
_DOUBLE_ENCODED = re.compile(r"%25(?=[0-9A-Fa-f]{2})")
_WRAPPERS = (("<", ">"), ('"', '"'), ("'", "'"), ("«", "»"), ("\u201c", "\u201d"))


def trim(url: str) -> str:
    """``url`` without the damage that is never part of a URL: surrounding whitespace and
    invisible marks, and ``<...>`` or quote wrappers."""
    url = url.strip().strip(INVISIBLE).strip()
    changed = True
    while changed:
        changed = False
        for left, right in _WRAPPERS:
            if len(url) > 1 and url.startswith(left) and url.endswith(right):
                url = url[1:-1].strip().strip(INVISIBLE).strip()
                changed = True
    return url


def is_outlet_url(url: str, outlet: Outlet = ALARABY) -> bool:
    """True for an http(s) URL on the outlet's own hosts (canonical, bare domain, or a mirror)
    at a default port; another port or scheme is another service, not the outlet's pages."""
    try:
        parts = urlsplit(trim(url))
        port = parts.port
    except ValueError:
        return False
    host = (parts.hostname or "").lower().rstrip(".")
    scheme = parts.scheme.lower()
    return (
        host in outlet.own_hosts
        and scheme in ("http", "https", "")
        and port in (None, *_DEFAULT_PORTS.values())
    )


def canonical_url(url: str, outlet: Outlet = ALARABY) -> str:
    """The one URL newsmon stores for ``url``.

    Outlet URLs become ``https://www.alaraby.co.uk<path>`` with the path percent-encoded as UTF-8
    in uppercase hex (a twice-encoded path decoded once), no fragment, no tracking, rendering or
    default-valued parameters, the rest of the query sorted, AMP and print forms, Drupal's
    ``/index.php`` prefix, ``index.html``, empty segments and trailing slashes or marks mapped
    to the article's own path. Slugs are otherwise kept as they are: ``<slug>-0`` and a dated
    ``/<section>/<Y>/<M>/<D>/<slug>`` are other addresses, maybe other articles. Other URLs are
    only normalised (w3lib: encoding, sorted query, no fragment), keeping host, port and scheme.
    """
    url = trim(url)
    if "?" in url:
        # "&amp;" is an ampersand copied out of HTML source.
        head, _, query_text = url.partition("?")
        url = f"{head}?{query_text.replace('&amp;', '&')}"
    # w3lib: lowercase host, percent-encoding of the path as UTF-8 with uppercase hex, dot
    # segments resolved, sorted query, no fragment.
    normal = canonicalize_url(url, keep_fragments=False)
    parts = urlsplit(normal)
    host = (parts.hostname or "").lower().rstrip(".")
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not _tracking(k, outlet)
    ]
    if not is_outlet_url(normal, outlet):
        try:
            port = parts.port
        except ValueError:
            return normal
        netloc = host if port in (None, _DEFAULT_PORTS.get(parts.scheme)) else f"{host}:{port}"
        return urlunsplit((parts.scheme, netloc, parts.path or "/", urlencode(query), ""))
    query = [
        (k, v)
        for k, v in query
        if k.lower() not in outlet.view_params and (k.lower(), v) not in outlet.default_params
    ]
    path = _outlet_path(parts.path, outlet)
    return urlunsplit(("https", outlet.canonical_host, path, urlencode(sorted(query)), ""))


def _outlet_path(path: str, outlet: Outlet) -> str:
    for _ in range(3):
        if not _DOUBLE_ENCODED.search(path):
            break
        path = canonicalize_url("https://x" + _DOUBLE_ENCODED.sub("%", path))[len("https://x") :]
    path = re.sub(r"/{2,}", "/", path or "/")
    path = _ENCODED_TAIL.sub("", path)
    front = outlet.front_controller
    if path == front or path.startswith(front + "/"):
        path = path[len(front) :] or "/"
    segments = [s for s in path.split("/") if s]
    if segments and segments[-1].lower() in outlet.index_files:
        segments.pop()
    # A rendering's prefix or suffix; the article's own path must keep one segment at least.
    if len(segments) > 1 and "/" + segments[0].lower() in outlet.view_prefixes:
        segments.pop(0)
    if len(segments) > 1 and "/" + segments[-1].lower() in outlet.view_suffixes:
        segments.pop()
    # Drupal looks path aliases up regardless of case: /Politics/<slug> is /politics/<slug>.
    if segments and segments[0].lower() in outlet.sections:
        segments[0] = segments[0].lower()
    path = "/" + "/".join(segments)
    dated = outlet.dated_path.match(path)
    if dated and dated["section"] in outlet.sections:
        y, m, d = dated["y"], int(dated["m"]), int(dated["d"])
        path = f"/{dated['section']}/{y}/{m}/{d}/{dated['slug']}"
    return path


def _tracking(key: str, outlet: Outlet) -> bool:
    key = key.lower()
    return key in outlet.tracking_params or key.startswith(outlet.tracking_prefixes)


def fetch_url(canonical: str, site: str | None, outlet: Outlet = ALARABY) -> str:
    """The URL to fetch for a canonical outlet URL when crawling through ``site`` (a mirror host
    or a local replica base URL); stored URLs stay canonical."""
    if not site or not is_outlet_url(canonical, outlet):
        return canonical
    base = urlsplit(site.rstrip("/"))
    parts = urlsplit(canonical)
    prefix = base.path.rstrip("/")
    return urlunsplit((base.scheme, base.netloc, prefix + parts.path, parts.query, ""))


def site_to_canonical(url: str, site: str | None, outlet: Outlet = ALARABY) -> str:
    """The canonical URL of a URL fetched through ``site`` (the inverse of ``fetch_url``)."""
    if site:
        base = urlsplit(site.rstrip("/"))
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc) == (base.scheme, base.netloc) and parts.path.startswith(
            base.path.rstrip("/")
        ):
            path = parts.path[len(base.path.rstrip("/")) :] or "/"
            url = urlunsplit(("https", outlet.canonical_host, path, parts.query, parts.fragment))
    return canonical_url(url, outlet)
