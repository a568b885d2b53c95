"""The HTTP face of the service: a Flask app serving the published output folder.

The web app only reads. It never builds and never starts a scheduler, so any number
of WSGI workers can serve one output folder while a single process rebuilds it
(`gunicorn 'aggregator.web:create_app()'`). Files are opened per request, so a
rebuild (which replaces files atomically) is visible to the very next request, and a
request always sees one whole version of a file, never a half-written one.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException, NotFound, RequestURITooLarge

from aggregator.config import Config, load_config
from aggregator.output.render.links import FORMATS, INDEX_FILE, OPML_FILE
from aggregator.output.render.links import MEDIA_TYPES as RENDERED_MEDIA_TYPES
from aggregator.serve.filecache import Published, StaticFile

log = logging.getLogger("aggregator.web")

# What a feed file may be called: the config's slug rule plus a known extension. Checked
# before the file system is touched, so `..`, slashes, dots and encodings never get near it.
FEED_FILE_RE = re.compile(
    r"^(?=.{1,200}$)(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.(?P<ext>" + "|".join(FORMATS) + ")$"
)
# No URL of ours is anywhere near this long; longer ones get 414 before routing.
MAX_URL_LENGTH = 8192

# The published files' media types, as the renderers name them, with their charset.
MEDIA_TYPES = {kind: f"{media_type}; charset=utf-8" for kind, media_type in RENDERED_MEDIA_TYPES.items()}

# The index is ours and static: no scripts, nothing framed, nothing posted.
INDEX_CSP = (
    "default-src 'none'; img-src https: http: data:; style-src 'unsafe-inline'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

CONFIG_KEY = "AGGREGATOR_CONFIG"
STATIC_KEY = "AGGREGATOR_FILES"


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
    app.config[STATIC_KEY] = StaticFile(config.output_dir.resolve())

    app.before_request(_refuse_long_urls)
    app.add_url_rule("/", "index", _index, methods=["GET"])
    app.add_url_rule(f"/{OPML_FILE}", "opml", _opml, methods=["GET"])
    app.add_url_rule("/feeds/<name>", "feed", _feed, methods=["GET"])
    app.add_url_rule("/healthz", "healthz", _healthz, methods=["GET"])
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _server_error)
    return app


# --- routes ---------------------------------------------------------------------------


def _refuse_long_urls() -> None:
    if len(request.path) + len(request.query_string) > MAX_URL_LENGTH:
        raise RequestURITooLarge()


def _index() -> Response:
    response = _serve(INDEX_FILE, "html")
    if response.status_code < 400:
        response.headers["Content-Security-Policy"] = INDEX_CSP
    return response


def _opml() -> Response:
    return _serve(OPML_FILE, "opml")


def _feed(name: str) -> Response:
    match = FEED_FILE_RE.fullmatch(name)
    if match is None:
        raise NotFound()
    return _serve(name, match["ext"])


def _healthz() -> Response:
    """The last build as JSON; 503 until a build has succeeded.

    It reads the status file every build writes, so it reports the scheduler's
    builds even when the web app runs in other processes.
    """
    config: Config = current_app.config[CONFIG_KEY]
    status = _read_status(config)
    body: dict[str, Any]
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


def _serve(name: str, kind: str) -> Response:
    config: Config = current_app.config[CONFIG_KEY]
    files: StaticFile = current_app.config[STATIC_KEY]
    published = files.read(name)
    if published is None:
        if name == INDEX_FILE:
            return _not_built_yet(config)
        raise NotFound()
    use_gzip = published.compressible and request.accept_encodings["gzip"] > 0
    etag = published.gzip_etag if use_gzip else published.etag
    response = _conditional(published, etag)
    if response is None:
        body = published.gzipped() if use_gzip else published.body
        response = Response(body, status=200, content_type=MEDIA_TYPES[kind])
        response.headers["ETag"] = etag
        if use_gzip:
            response.headers["Content-Encoding"] = "gzip"
    if _settled(published.modified):
        response.headers["Last-Modified"] = _http_date(published.modified)
    response.headers["Cache-Control"] = f"public, max-age={config.cache_max_age}"
    response.headers["Vary"] = "Accept-Encoding"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _conditional(published: Published, etag: str) -> Response | None:
    """A 304 when the client's copy is current (RFC 9110 section 13.2.2), else None.

    If-None-Match wins over If-Modified-Since when both are sent. It uses the weak
    comparison RFC 9110 prescribes, against every representation of the current
    version: a client holding the identity bytes that now also accepts gzip still has
    a current copy, and the 304 names the tag it holds, so its cache can match it.
    Dates have one-second precision, so Last-Modified is only sent once the second
    of the file's mtime has passed (RFC 9110 section 8.8.2.2): a client never holds a
    date that a second rebuild within that same second would also carry.
    """
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        matched = _matching_tag(if_none_match, published, etag)
        return None if matched is None else _not_modified(matched)
    since = request.if_modified_since
    modified = published.modified.replace(microsecond=0)
    # A date later than now is invalid (RFC 9110 section 13.1.3): ignored, as if not sent.
    if (
        since is not None
        and since <= datetime.now(UTC)
        and _settled(published.modified)
        and modified <= since
    ):
        return _not_modified(etag)
    return None


def _settled(modified: datetime) -> bool:
    return modified.replace(microsecond=0) < datetime.now(UTC).replace(microsecond=0)


def _matching_tag(header: str, published: Published, etag: str) -> str | None:
    if header.strip() == "*":
        return etag
    offered = {_opaque(tag) for tag in re.findall(r'(?:W/)?"[^"]*"', header)}
    for candidate in [etag, *published.tags()]:
        if candidate in offered:
            return candidate
    return None


def _opaque(tag: str) -> str:
    """Weak comparison: W/"x" and "x" are the same tag."""
    return tag[2:] if tag.startswith("W/") else tag


def _not_modified(etag: str) -> Response:
    response = Response(status=304)
    response.headers["ETag"] = etag
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


def _http_date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")


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
