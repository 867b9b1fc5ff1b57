"""A URL as a person pastes it: out of a chat, an e-mail, a social network, an HTML source.

``pasted_url`` repairs the usual copy damage (a URL broken over lines, trailing punctuation,
a lost scheme or slash, a lost ``?``) and unwraps redirect wrappers whose target is written in
the URL itself (Facebook's ``l.php?u=``, Google's ``/url?q=`` and ``/amp/s/``, the AMP cache).
Only what users type goes through it (``newsmon history URL``, ``--urls`` files, ``extract
--url``): the crawler reads the outlet's own feeds, sitemaps and pages, which carry plain links,
so its scope check (``is_outlet_url``) stays strict and never follows a wrapper off-site.
Opaque shorteners (t.co, bit.ly) cannot be unwrapped without fetching them, which newsmon does
not do for a lookup: they stay off-site URLs.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from crawler.fingerprint import INVISIBLE, trim
from crawler.outlets import ALARABY, Outlet

# Sentence punctuation a URL at the end of a sentence picks up (Latin and Arabic).
_TRAILING = ".,;:!?،؛…"
_BRACKETS = {")": "(", "]": "[", "}": "{"}
# "https:/host", "https:///host", "HTTPS://host".
_SCHEME = re.compile(r"^(https?):/*", re.IGNORECASE)
# Redirect wrappers: (host pattern, path pattern, query parameter holding the target).
_QUERY_WRAPPERS = (
    (re.compile(r"^(?:l|lm|m|www)\.facebook\.com$"), re.compile(r"^/l\.php$"), ("u",)),
    (re.compile(r"^(?:www\.)?google\.[a-z.]+$"), re.compile(r"^/url$"), ("q", "url")),
)
# Google's AMP viewer and the AMP cache keep the target's host and path in their own path:
# /amp/s/<host>/<path> (https) or /amp/<host>/<path>; /c/s/<host>/<path>, /v/s/..., /c/<host>/...
_GOOGLE_AMP = re.compile(r"^(?:www\.)?google\.[a-z.]+$")
_GOOGLE_AMP_PATH = re.compile(r"^/amp/(?P<s>s/)?(?P<rest>[^/]+\..+)$")
_AMP_CACHE = re.compile(r"\.cdn\.ampproject\.org$")
_AMP_CACHE_PATH = re.compile(r"^/[cvi]/(?P<s>s/)?(?P<rest>[^/]+\..+)$")


def pasted_url(text: str, outlet: Outlet = ALARABY) -> str:
    """The URL a person meant by ``text`` (not yet canonical: pass it to ``canonical_url``)."""
    url = _repair(text, outlet)
    for _ in range(3):  # a wrapper may wrap a wrapper; never loop for ever
        target = _unwrap(url)
        if target is None:
            break
        url = _repair(target, outlet)
    return url


def _repair(text: str, outlet: Outlet) -> str:
    # A URL broken over lines (mail clients wrap long ones): the line breaks and the
    # indentation around them are not part of it.
    url = re.sub(r"[ \t]*[\r\n]+[ \t>]*", "", trim(text))
    # A mail quote's "> " and an opening bracket are never the start of a URL.
    url = _strip_trailing(trim(url.lstrip("> \t([")))
    url = _SCHEME.sub(lambda m: m.group(1).lower() + "://", url, count=1)
    if "://" not in url:
        host = url.split("/", 1)[0].lower().rstrip(".")
        if host in outlet.own_hosts or host.startswith("www."):
            url = "https://" + url
    # A query whose "?" was lost ("<slug>&utm_source=x"): slugs never hold "&".
    head, sep, _ = url.partition("?")
    if not sep and "&" in head and "=" in head.split("&", 1)[1]:
        url = url.replace("&", "?", 1)
    return url


def _strip_trailing(url: str) -> str:
    while url:
        last = url[-1]
        unbalanced = last in _BRACKETS and url.count(_BRACKETS[last]) < url.count(last)
        if last in _TRAILING or last in INVISIBLE or unbalanced:
            url = url[:-1]
        else:
            break
    return url


def _unwrap(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    host = (parts.hostname or "").lower().rstrip(".")
    for host_re, path_re, names in _QUERY_WRAPPERS:
        if host_re.match(host) and path_re.match(parts.path):
            for key, value in parse_qsl(parts.query):
                if key in names and "://" in value:
                    return value
    for host_re, path_re in ((_GOOGLE_AMP, _GOOGLE_AMP_PATH), (_AMP_CACHE, _AMP_CACHE_PATH)):
        m = path_re.match(parts.path) if host_re.search(host) else None
        if m:
            scheme = "https" if m["s"] else "http"
            query = f"?{parts.query}" if parts.query else ""
            return f"{scheme}://{m['rest']}{query}"
    return None
