"""Recognising one article under many URLs.

``canonical_url`` maps every form a link to the outlet takes (mirror hosts, the bare domain,
``:443``, tracking parameters, AMP paths, a fragment, a trailing slash, either case of
percent-encoding) to one ``https://www.alaraby.co.uk/...`` URL.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

from crawler.outlets import ALARABY, Outlet

_DEFAULT_PORTS = {"http": 80, "https": 443}
# Drupal's AMP module serves an article at ?amp, /amp/<path> or <path>/amp.
_AMP_PARAMS = ("amp", "_amp", "outputtype")


def is_outlet_url(url: str, outlet: Outlet = ALARABY) -> bool:
    """True for a URL on the outlet's own hosts (canonical, bare domain, or a mirror)."""
    try:
        host = (urlsplit(url.strip()).hostname or "").lower().rstrip(".")
    except ValueError:
        return False
    return host in outlet.own_hosts


def canonical_url(url: str, outlet: Outlet = ALARABY) -> str:
    """The one URL newsmon stores for ``url``.

    Outlet URLs become ``https://www.alaraby.co.uk<path>`` with the path percent-encoded as UTF-8
    in uppercase hex, no fragment, no tracking parameters, the rest of the query sorted, AMP
    forms mapped to the article and one trailing slash removed. Other URLs are only normalised
    (w3lib: encoding, sorted query, no fragment), keeping their own host and scheme.
    """
    url = url.strip()
    # w3lib: lowercase host, percent-encoding of the path as UTF-8 with uppercase hex, sorted
    # query, no fragment.
    normal = canonicalize_url(url, keep_fragments=False)
    parts = urlsplit(normal)
    host = (parts.hostname or "").lower().rstrip(".")
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not _tracking(k, outlet)
    ]
    if host not in outlet.own_hosts:
        port = parts.port
        netloc = host if port in (None, _DEFAULT_PORTS.get(parts.scheme)) else f"{host}:{port}"
        return urlunsplit((parts.scheme, netloc, parts.path or "/", urlencode(query), ""))
    path = parts.path or "/"
    query = [(k, v) for k, v in query if k.lower() not in _AMP_PARAMS]
    if path.startswith("/amp/"):
        path = path[len("/amp") :]
    if path.endswith("/amp") or path.endswith("/amp/"):
        path = path[: path.rindex("/amp")] or "/"
    if len(path) > 1 and path.endswith("/"):
        path = path[:-1]
    return urlunsplit(("https", outlet.canonical_host, path, urlencode(sorted(query)), ""))


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
