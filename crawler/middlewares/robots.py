"""robots.txt, fetched once by the spider's first request and obeyed by every later one.

Scrapy's own middleware fetches robots.txt on the first request to a host and makes the others
wait; in Scrapy 2.19 the third and later waiters skip the check. The spider therefore asks for
robots.txt itself (meta ``newsmon_robots``) and fans out only from its callback; this subclass
installs that response as the host's parser instead of fetching robots.txt a second time.

Policy: 2xx is obeyed; 4xx means no robots.txt, so everything is allowed; 5xx or no answer at
all disallows everything (the spider stops: the site is failing, come back later).
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import signals
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import Request, Response
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from twisted.internet.defer import Deferred

log = logging.getLogger(__name__)

ROBOTS_META = "newsmon_robots"  # meta flag of the spider's own robots.txt request
NETLOC_META = "newsmon_robots_netloc"  # the host the robots.txt answers for (before redirects)
DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"


class RobotsFirstMiddleware(RobotsTxtMiddleware):
    async def process_request(self, request: Request, spider: Any = None) -> None:
        if request.meta.get(ROBOTS_META):
            return  # downloaded as is; process_response installs it
        await super().process_request(request)

    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Response:
        if request.meta.get(ROBOTS_META):
            status = response.status
            if 200 <= status < 300:
                body = response.body
            elif 400 <= status < 500:
                body = b""
            else:
                log.error("robots.txt answered %d: disallowing everything", status)
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
