"""The HTTP face of the service: a Flask app serving the published output folder.

The web app only reads. It never builds and never starts a scheduler, so any number
of WSGI workers can serve one output folder while a single process rebuilds it
(`gunicorn 'aggregator.web:create_app()'`). Files are opened per request, so a
rebuild (which replaces files atomically) is visible to the very next request, and a
request always sees one whole version of a file, never a half-written one.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask, Response, current_app, redirect, request
from werkzeug.exceptions import HTTPException, NotFound, RequestURITooLarge

from aggregator.config import Config, load_config
from aggregator.output.render.channel import asset_file
from aggregator.output.render.links import FeedLinks
from aggregator.serve.answers import Conditions, answer
from aggregator.serve.fastpath import FeedFastPath
from aggregator.serve.filecache import StaticFile
from aggregator.serve.paths import INDEX, MAX_URL_LENGTH, OPML, Target, feed_file
from aggregator.serve.websub import read_counters

log = logging.getLogger("aggregator.web")

# A topic page's slug, by the feeds' slug rule.
SLUG_RE = re.compile(r"^(?=.{1,200}$)[a-z0-9]+(?:-[a-z0-9]+)*$")
# The site's fixed files under /assets/, by name, with their kind.
ASSETS = {"site.css": "css", "site.js": "js"}

# The pages are ours and static: only our own stylesheet and script, images from the
# outlets' absolute URLs, nothing inline, nothing framed, nothing posted.
PAGE_CSP = (
    "default-src 'none'; style-src 'self'; img-src https: http: data:; script-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

CONFIG_KEY = "AGGREGATOR_CONFIG"
STATIC_KEY = "AGGREGATOR_FILES"
__all__ = ["MAX_URL_LENGTH", "create_app", "loggable"]
METRICS_KEY = "AGGREGATOR_METRICS"
HUB_LINK_KEY = "AGGREGATOR_HUB_LINK"


def create_app(config: Config | None = None) -> Flask:
    """Build the app for `config`; with no argument, load it as the CLI would.

    The no-argument form is what a WSGI server calls (`aggregator.web:create_app()`);
    it honours $AGGREGATOR_CONFIG.
    """
    if config is None:
        config = load_config(None)
    # No static folder: the only files served are the published ones, by the routes below.
    app = Flask(__name__, static_folder=None)
    # Never let an exception escape to the server's own (traceback-printing) handler.
    app.config.update(PROPAGATE_EXCEPTIONS=False, TRAP_HTTP_EXCEPTIONS=False)
    app.config[CONFIG_KEY] = config
    files = StaticFile(config.output_dir.resolve())
    app.config[STATIC_KEY] = files
    link = functools.partial(hub_link, config) if config.hubs else None
    app.config[HUB_LINK_KEY] = link

    app.before_request(_refuse_long_urls)
    app.add_url_rule("/", "index", _index, methods=["GET"])
    app.add_url_rule(f"/{OPML.name}", "opml", _opml, methods=["GET"])
    app.add_url_rule("/feeds/<name>", "feed", _feed, methods=["GET"])
    # Flask answers /topics/<slug> (no slash) with a 308 to the page, as static hosts do.
    app.add_url_rule("/topics/<slug>/", "topic", _topic, methods=["GET"])
    app.add_url_rule("/feed.css", "feed_css", _feed_css, methods=["GET"])
    app.add_url_rule("/assets/<name>", "asset", _asset, methods=["GET"])
    app.add_url_rule("/healthz", "healthz", _healthz, methods=["GET"])
    app.add_url_rule("/favicon.ico", "favicon", _favicon, methods=["GET"])
    for which, value in (("icon", config.site_icon), ("logo", config.site_logo)):
        if name := asset_file(value, which):
            app.add_url_rule(
                f"/{name}", which, functools.partial(_serve, Target(name, name.rsplit(".", 1)[1]))
            )
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _server_error)
    count = None
    if config.metrics:
        from aggregator.serve.metrics import HttpMetrics

        metrics = HttpMetrics()
        app.config[METRICS_KEY] = metrics
        app.add_url_rule("/metrics", "metrics", _metrics, methods=["GET"])
        count = metrics.count
    # Flask stays the app: the lean path only takes the feed files it finds.
    app.wsgi_app = FeedFastPath(app.wsgi_app, files, config.cache_max_age, count, link)  # type: ignore[method-assign]
    return app


# --- routes ---------------------------------------------------------------------------


def _refuse_long_urls() -> None:
    if len(request.path) + len(request.query_string) > MAX_URL_LENGTH:
        raise RequestURITooLarge()


def _index() -> Response:
    return _with_csp(_serve(INDEX), PAGE_CSP)


def _topic(slug: str) -> Response:
    if SLUG_RE.fullmatch(slug) is None:
        raise NotFound()
    return _with_csp(_serve(Target(f"topics/{slug}/index.html", "html")), PAGE_CSP)


def _feed_css() -> Response:
    return _serve(Target("feed.css", "css"))


def _asset(name: str) -> Response:
    kind = ASSETS.get(name)
    if kind is None:
        raise NotFound()
    return _serve(Target(f"assets/{name}", kind))


def _with_csp(response: Response, policy: str) -> Response:
    if response.status_code < 400:
        response.headers["Content-Security-Policy"] = policy
    return response


def _opml() -> Response:
    return _serve(OPML)


def _feed(name: str) -> Response:
    target = feed_file(name)
    if target is None:
        raise NotFound()
    response = _serve(target)
    link = current_app.config[HUB_LINK_KEY]
    if link is not None and response.status_code < 400:
        response.headers["Link"] = link(target)
    return response


def hub_link(config: Config, target: Target) -> str:
    """WebSub discovery (W3C WebSub 4): the hubs, and the topic URL this response is for."""
    slug = target.name.rsplit(".", 1)[0].rsplit("/", 1)[-1]
    self_url = FeedLinks(config.base_url).feed(slug, target.kind)
    return ", ".join([f'<{hub}>; rel="hub"' for hub in config.hubs] + [f'<{self_url}>; rel="self"'])


def _favicon() -> Response:
    """The configured icon: the published copy of a file, or a redirect to its URL."""
    config: Config = current_app.config[CONFIG_KEY]
    name = asset_file(config.site_icon, "icon")
    if name:
        return _serve(Target(name, name.rsplit(".", 1)[1]))
    if config.site_icon:
        return redirect(config.site_icon, code=302)
    raise NotFound()


def _healthz() -> Response:
    """The last build as JSON; 503 until a build has succeeded.

    It reads the status file every build writes, so it reports the scheduler's
    builds even when the web app runs in other processes.
    """
    config: Config = current_app.config[CONFIG_KEY]
    status = _read_status(config)
    body: dict[str, Any]
    where = {
        "state_backend": config.state_backend,
        "last_publish": {
            "at": (status or {}).get("last_publish_at"),
            "to": (status or {}).get("published_to"),
        },
    }
    if status is None:
        body = {
            "status": "starting",
            "last_build_at": None,
            "last_success_at": None,
            "duration_ms": None,
            "counts": None,
            "error": None,
            "stale": True,
        }
        code = 503
    else:
        last_success = _parse_time(status.get("last_success_at"))
        body = {
            "status": status.get("status"),
            "last_build_at": status.get("finished_at"),
            "last_success_at": status.get("last_success_at"),
            "duration_ms": status.get("duration_ms"),
            "counts": status.get("counts"),
            "error": status.get("error"),
            "stale": _is_stale(last_success, config),
        }
        code = 200 if last_success is not None else 503
    if config.hubs:  # pings never change the status: a hub being down is not ours to fix
        body["websub"] = read_counters(config) or {"hubs": list(config.hubs), "sent": 0, "pending": 0}
    body.update(where)
    response = Response(
        json.dumps(body, indent=2) + "\n", status=code, content_type="application/json; charset=utf-8"
    )
    response.headers["Cache-Control"] = "no-store"
    if code == 503:
        response.headers["Retry-After"] = str(min(config.interval_seconds, 60))
    return response


def _read_status(config: Config) -> dict[str, Any] | None:
    try:
        data = json.loads(config.status_path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("cannot read build status %s: %s", config.status_path, exc)
        return None
    return data if isinstance(data, dict) else None


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _is_stale(last_success: datetime | None, config: Config) -> bool:
    """No success within three intervals: the scheduler is stuck, failing or not running."""
    if last_success is None:
        return True
    allowance = timedelta(seconds=3 * config.interval_seconds + 60)
    return datetime.now(UTC) - last_success > allowance


# --- serving files --------------------------------------------------------------------


def _serve(target: Target) -> Response:
    config: Config = current_app.config[CONFIG_KEY]
    files: StaticFile = current_app.config[STATIC_KEY]
    published = files.read(target.name)
    if published is None:
        if target == INDEX:
            return _not_built_yet(config)
        raise NotFound()
    asked = Conditions(
        request.headers.get("Accept-Encoding"),
        request.headers.get("If-None-Match"),
        request.headers.get("If-Modified-Since"),
        request.headers.get("Accept"),
    )
    result = answer(published, target.kind, asked, config.cache_max_age, datetime.now(UTC))
    response = Response(result.body, status=result.status)
    response.headers.clear()
    response.headers.extend(result.headers)
    return response


def _metrics() -> Response:
    config: Config = current_app.config[CONFIG_KEY]
    from prometheus_client import CONTENT_TYPE_LATEST

    from aggregator.serve.metrics import exposition

    own = current_app.config[METRICS_KEY]
    body = exposition(config.status_path, [own.requests])
    response = Response(body, status=200, content_type=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response


def _not_built_yet(config: Config) -> Response:
    response = Response(
        "No feeds yet: the first build has not finished. Try again shortly.\n",
        status=503,
        content_type="text/plain; charset=utf-8",
    )
    response.headers["Retry-After"] = str(min(config.interval_seconds, 60))
    response.headers["Cache-Control"] = "no-store"
    return response


# --- errors ---------------------------------------------------------------------------


def _http_error(exc: HTTPException) -> Response:
    """Short plain text for every HTTP error; never a path, never a traceback."""
    code = exc.code or 500
    response = Response(f"{code} {exc.name}\n", status=code, content_type="text/plain; charset=utf-8")
    # Keep what the error itself must carry, such as Allow on a 405.
    for key, value in exc.get_headers():
        if key.lower() not in ("content-type", "content-length"):
            response.headers[key] = value
    return response


def _server_error(exc: Exception) -> Response:
    log.exception("unhandled error serving %s %s", request.method, loggable(request.path))
    return Response("500 Internal Server Error\n", status=500, content_type="text/plain; charset=utf-8")


def loggable(text: str, limit: int = 200) -> str:
    """A client-supplied string as one bounded log line: no forged lines, no megabytes."""
    shown = text[:limit].encode("unicode_escape").decode("ascii")
    return shown + ("..." if len(text) > limit else "")
