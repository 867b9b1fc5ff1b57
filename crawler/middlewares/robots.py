"""robots.txt, fetched once by the spider's first request and obeyed by every later one.

Scrapy's own middleware fetches robots.txt on the first request to a host and makes the others
wait; in Scrapy 2.19 the third and later waiters skip the check. The spider therefore asks for
robots.txt itself (meta ``newsmon_robots``) and fans out only from its callback; this subclass
installs that response as the host's parser instead of fetching robots.txt a second time.

Policy (``robots_policy``): 2xx is obeyed; 4xx means no robots.txt, so everything is allowed;
5xx, a redirect that could not be followed, or no answer at all disallows everything (the spider
stops: the site is failing, come back later). Redirects on the site are followed, as for any page.
A page robots.txt disallows ends with ``RobotsDisallowed``, which the spider skips quietly (every
other ``IgnoreRequest`` is an error worth recording).
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from scrapy import signals
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from twisted.internet.defer import Deferred

log = logging.getLogger(__name__)

ROBOTS_META = "newsmon_robots"  # meta flag of the spider's own robots.txt request
NETLOC_META = "newsmon_robots_netloc"  # the host the robots.txt answers for (before redirects)
DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"
# Like Google, only the first 500 KiB of a robots.txt count (a huge one costs no more).
ROBOTS_MAX_BYTES = 500 * 1024
# Every status but the redirects reaches the spider's callback; redirects are followed first.
ROBOTS_STATUSES = [s for s in range(100, 600) if s not in (301, 302, 303, 307, 308)]

Policy = Literal["obey", "allow_all", "fail"]


def robots_policy(status: int) -> Policy:
    """What a robots.txt answer means for the crawl."""
    if 200 <= status < 300:
        return "obey"
    if 400 <= status < 500:
        return "allow_all"
    return "fail"


def robots_body(body: bytes) -> bytes:
    """The part of a robots.txt that is read: the first ``ROBOTS_MAX_BYTES``, whole lines."""
    if len(body) <= ROBOTS_MAX_BYTES:
        return body
    cut = body[:ROBOTS_MAX_BYTES]
    return cut[: cut.rfind(b"\n") + 1]


class RobotsDisallowed(IgnoreRequest):
    """A request robots.txt does not allow: skipped, not an error."""


class RobotsFirstMiddleware(RobotsTxtMiddleware):
    async def process_request(self, request: Request, spider: Any = None) -> None:
        if request.meta.get(ROBOTS_META):
            return  # downloaded as is; process_response installs it
        try:
            await super().process_request(request)
        except RobotsDisallowed:
            raise
        except IgnoreRequest as exc:
            raise RobotsDisallowed(str(exc)) from None

    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Response:
        # Redirects were followed below (RedirectMiddleware); a 3xx that gets here was not.
        if request.meta.get(ROBOTS_META):
            policy = robots_policy(response.status)
            if policy == "obey":
                body = robots_body(response.body)
            elif policy == "allow_all":
                body = b""
            else:
                log.error("robots.txt answered %d: disallowing everything", response.status)
                body = DISALLOW_ALL
            self._install(request, body)
        return response

    def process_exception(self, request: Request, exception: Exception, spider: Any = None) -> None:
        if request.meta.get(ROBOTS_META):
            log.error("robots.txt could not be fetched (%s): disallowing everything", exception)
            self._install(request, DISALLOW_ALL)

    def _install(self, request: Request, body: bytes) -> None:
        netloc = request.meta.get(NETLOC_META) or urlparse_cached(request).netloc
        parser = build_from_crawler(self._parserimpl, self.crawler, body)
        waiting = self._parsers.get(netloc)
        self._parsers[netloc] = parser
        self.crawler.signals.send_catch_log(
            signal=signals.robots_parsed, robotparser=parser, request=request
        )
        if isinstance(waiting, Deferred):
            waiting.callback(parser)
