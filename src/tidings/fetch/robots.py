"""robots.txt, honoured for page fetches (a feed is published to be fetched; the pages it links to are
crawled on its behalf, so they ask the site first).

One lookup per origin, cached for a day; concurrent lookups for one origin share one request. A missing
robots.txt (4xx) allows everything; a server error or an unreachable robots.txt disallows for now, as the
robots exclusion protocol (RFC 9309) asks. A Crawl-delay slows that host's gate down.
"""

from __future__ import annotations

import asyncio
import time
import urllib.robotparser
from urllib.parse import urlsplit

from tidings.fetch.http import Fetcher, FetchError

ROBOTS_MAX_BYTES = 500_000  # RFC 9309 asks crawlers to read at least 500 KiB
ROBOTS_TTL = 24 * 3600.0
MAX_CRAWL_DELAY = 60.0


class RobotsCache:
    def __init__(self, fetcher: Fetcher, agent: str = "Tidings") -> None:
        self.fetcher = fetcher
        self.agent = agent
        self._rules: dict[str, tuple[float, urllib.robotparser.RobotFileParser | bool]] = {}
        self._pending: dict[str, asyncio.Future[urllib.robotparser.RobotFileParser | bool]] = {}

    async def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        rules = await self._rules_for(origin)
        if isinstance(rules, bool):
            return rules
        return rules.can_fetch(self.agent, url)

    async def _rules_for(self, origin: str) -> urllib.robotparser.RobotFileParser | bool:
        cached = self._rules.get(origin)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        pending = self._pending.get(origin)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[urllib.robotparser.RobotFileParser | bool] = (
            asyncio.get_running_loop().create_future()
        )
        self._pending[origin] = future
        try:
            rules = await self._load(origin)
            future.set_result(rules)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: waiters see it through `await`
            raise
        finally:
            del self._pending[origin]
        self._rules[origin] = (time.monotonic() + ROBOTS_TTL, rules)
        return rules

    async def _load(self, origin: str) -> urllib.robotparser.RobotFileParser | bool:
        try:
            response = await self.fetcher.get(
                f"{origin}/robots.txt", accept="text/plain, */*;q=0.5", max_bytes=ROBOTS_MAX_BYTES
            )
        except FetchError as exc:
            # No robots.txt (4xx) allows everything; unreachable or failing allows nothing, for now.
            return exc.status is not None and 400 <= exc.status < 500 and exc.status != 429
        parser = urllib.robotparser.RobotFileParser()
        parser.parse(response.body.decode("utf-8", errors="replace").splitlines())
        delay = parser.crawl_delay(self.agent)
        if delay is not None:
            self.fetcher.gate.set_delay(urlsplit(origin).netloc, min(float(delay), MAX_CRAWL_DELAY))
        return parser
