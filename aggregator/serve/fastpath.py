"""A lean WSGI path for feed files, in front of Flask's routing.

Feed readers poll `/feeds/<slug>.<ext>` and little else, and most of what a request
costs under Flask is building the request and response objects and routing. This
middleware answers a GET or HEAD for an existing feed file itself, through the same
mapping (paths.py) and the same answer (answers.py) the Flask routes use; anything
else (other routes, other methods, unknown files, errors) goes on to Flask. It also
refuses announced bodies that are too large before anything reads them, and counts
every response by status code when metrics are on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from aggregator.serve.answers import Conditions, answer
from aggregator.serve.filecache import StaticFile
from aggregator.serve.paths import FEEDS_PREFIX, MAX_URL_LENGTH, Target, feed_file

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
# Nothing we serve takes a body: one announced over 64 KiB gets 413 without being read.
MAX_REQUEST_BODY_BYTES = 64 * 1024
_REASONS = {200: "200 OK", 304: "304 Not Modified"}
_TOO_LARGE = b"413 Request Entity Too Large\n"


class FeedFastPath:
    """WSGI middleware: feed files answered directly, the rest passed to `app`."""

    def __init__(
        self,
        app: WSGIApp,
        files: StaticFile,
        max_age: int,
        count: Callable[[int], None] | None = None,
        link: Callable[[Target], str] | None = None,
    ) -> None:
        self.app = app
        self.files = files
        self.max_age = max_age
        self.count = count
        self.link = link  # the WebSub `Link` header of a feed, when hubs are configured

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if _announced_body(environ) > MAX_REQUEST_BODY_BYTES:
            return self._too_large(start_response)
        path: str = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD")
        if (
            path.startswith(FEEDS_PREFIX)
            and (method == "GET" or method == "HEAD")
            and len(path) + len(environ.get("QUERY_STRING", "")) <= MAX_URL_LENGTH
        ):
            try:
                served = self._feed(environ, start_response, path[len(FEEDS_PREFIX) :], method)
            except Exception:
                served = None
            if served is not None:
                return served
        if self.count is None:
            return self.app(environ, start_response)
        return self.app(environ, self._counting(start_response))

    def _feed(
        self, environ: dict[str, Any], start_response: Callable[..., Any], name: str, method: str
    ) -> list[bytes] | None:
        """The answer for an existing feed file; None to leave the request to Flask."""
        target = feed_file(name)
        published = self.files.read(target.name) if target is not None else None
        if target is None or published is None:
            return None
        asked = Conditions(
            environ.get("HTTP_ACCEPT_ENCODING"),
            environ.get("HTTP_IF_NONE_MATCH"),
            environ.get("HTTP_IF_MODIFIED_SINCE"),
        )
        result = answer(published, target.kind, asked, self.max_age, datetime.now(UTC))
        headers = result.headers
        if self.link is not None:
            headers.append(("Link", self.link(target)))
        if result.status == 200:
            headers.append(("Content-Length", str(len(result.body))))
        if self.count is not None:
            self.count(result.status)
        start_response(_REASONS[result.status], headers)
        return [] if method == "HEAD" or result.status == 304 else [result.body]

    def _counting(self, start_response: Callable[..., Any]) -> Callable[..., Any]:
        count = self.count
        assert count is not None

        def counted(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            count(int(status[:3]))
            return start_response(status, headers, exc_info)

        return counted

    def _too_large(self, start_response: Callable[..., Any]) -> list[bytes]:
        if self.count is not None:
            self.count(413)
        headers = [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(_TOO_LARGE))),
            ("Connection", "close"),  # the unread body must not be taken for the next request
        ]
        start_response("413 Request Entity Too Large", headers)
        return [_TOO_LARGE]


def _announced_body(environ: dict[str, Any]) -> int:
    try:
        return int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0
