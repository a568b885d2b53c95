"""The web app against an output folder filled by hand: routes, validators, errors."""

from __future__ import annotations

import dataclasses
import gzip
import json
import os
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import unquote_to_bytes

import pytest

from aggregator.config import Config
from aggregator.serve.web import create_app

XML = b'<?xml version="1.0" encoding="utf-8"?>\n'
ATOM = XML + b'<feed xmlns="http://www.w3.org/2005/Atom">' + b"x" * 600 + b"</feed>\n"
RSS = XML + b'<rss version="2.0"><channel>' + b"y" * 600 + b"</channel></rss>\n"
JSON_FEED = json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "AI", "items": []}).encode()
OPML = b'<?xml version="1.0" encoding="utf-8"?>\n<opml version="2.0"><body/></opml>\n'
INDEX = b"<!doctype html><title>Topic feeds</title>" + b"<p>feeds</p>" * 50
AN_HOUR_AGO = time.time() - 3600


def write(folder: Path, name: str, data: bytes, mtime: float | None = AN_HOUR_AGO) -> Path:
    path = folder / name
    tmp = folder / f".{name}.test.tmp"
    tmp.write_bytes(data)
    os.replace(tmp, path)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


@pytest.fixture
def config(tmp_path: Path) -> Config:
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "aggregator.yaml").write_text("secret: do-not-serve\n")
    for name, data in [
        ("ai.atom", ATOM),
        ("ai.rss", RSS),
        ("ai.json", JSON_FEED),
        ("computer-vision.atom", ATOM),
        ("feeds.opml", OPML),
        ("index.html", INDEX),
    ]:
        write(out, name, data)
    return Config(
        output_dir=out,
        content_dir=tmp_path / "content",
        state_setting=tmp_path / "state" / "agg.sqlite3",
        cache_max_age=123,
    )


@pytest.fixture
def client(config: Config):
    return create_app(config).test_client()


@pytest.mark.parametrize(
    ("path", "media_type", "body"),
    [
        ("/", "text/html; charset=utf-8", INDEX),
        ("/feeds/ai.atom", "application/atom+xml; charset=utf-8", ATOM),
        ("/feeds/ai.rss", "application/rss+xml; charset=utf-8", RSS),
        ("/feeds/ai.json", "application/feed+json; charset=utf-8", JSON_FEED),
        ("/feeds/computer-vision.atom", "application/atom+xml; charset=utf-8", ATOM),
        ("/feeds.opml", "text/x-opml; charset=utf-8", OPML),
    ],
)
def test_routes_serve_files_with_media_types(client, path, media_type, body):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == media_type
    assert response.data == body
    assert response.headers["Cache-Control"] == "public, max-age=123"
    assert response.headers["Vary"] == "Accept-Encoding"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    etag = response.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/")
    assert response.headers["Last-Modified"].endswith(" GMT")


def test_index_carries_a_restrictive_csp(client):
    assert "script-src" not in client.get("/").headers["Content-Security-Policy"]
    assert "default-src 'none'" in client.get("/").headers["Content-Security-Policy"]


def test_etag_is_stable_and_depends_only_on_bytes(client):
    first = client.get("/feeds/ai.atom").headers["ETag"]
    assert client.get("/feeds/ai.atom").headers["ETag"] == first
    assert client.get("/feeds/computer-vision.atom").headers["ETag"] == first  # same bytes
    assert client.get("/feeds/ai.rss").headers["ETag"] != first


@pytest.mark.parametrize("form", ["{tag}", "W/{tag}", '"other", {tag}', '"a",{tag} , "b"'])
def test_if_none_match_gives_304(client, form):
    tag = client.get("/feeds/ai.atom").headers["ETag"]
    response = client.get("/feeds/ai.atom", headers={"If-None-Match": form.format(tag=tag)})
    assert response.status_code == 304
    assert response.data == b""
    assert response.headers["ETag"] == tag
    assert response.headers["Cache-Control"] == "public, max-age=123"


def test_if_none_match_star_and_mismatch(client):
    assert client.get("/feeds/ai.atom", headers={"If-None-Match": "*"}).status_code == 304
    assert client.get("/feeds/ai.atom", headers={"If-None-Match": '"nope"'}).status_code == 200


def test_if_modified_since(client):
    last_modified = client.get("/feeds/ai.rss").headers["Last-Modified"]
    assert client.get("/feeds/ai.rss", headers={"If-Modified-Since": last_modified}).status_code == 304
    later = format_datetime(datetime.now(UTC), usegmt=True)
    assert client.get("/feeds/ai.rss", headers={"If-Modified-Since": later}).status_code == 304
    earlier = format_datetime(datetime.fromtimestamp(AN_HOUR_AGO - 60, UTC), usegmt=True)
    assert client.get("/feeds/ai.rss", headers={"If-Modified-Since": earlier}).status_code == 200
    assert client.get("/feeds/ai.rss", headers={"If-Modified-Since": "garbage"}).status_code == 200


def test_if_none_match_takes_precedence_over_if_modified_since(client):
    later = format_datetime(datetime.now(UTC), usegmt=True)
    response = client.get("/feeds/ai.rss", headers={"If-None-Match": '"old"', "If-Modified-Since": later})
    assert response.status_code == 200


def test_file_modified_this_second_has_no_last_modified(client, config):
    # An mtime in the current second (here: just ahead of it) could be shared by a second
    # rebuild, so the date is withheld and If-Modified-Since is not trusted; ETags still work.
    write(config.output_dir, "ai.json", JSON_FEED + b" ", mtime=time.time() + 5)
    response = client.get("/feeds/ai.json")
    assert response.status_code == 200
    assert "Last-Modified" not in response.headers
    later = format_datetime(datetime.fromtimestamp(time.time() + 60, UTC), usegmt=True)
    assert client.get("/feeds/ai.json", headers={"If-Modified-Since": later}).status_code == 200
    tag = response.headers["ETag"]
    assert client.get("/feeds/ai.json", headers={"If-None-Match": tag}).status_code == 304


def test_rebuild_is_visible_to_the_next_request(client, config):
    before = client.get("/feeds/ai.atom")
    write(config.output_dir, "ai.atom", ATOM.replace(b"x", b"z"), mtime=AN_HOUR_AGO)  # same mtime
    after = client.get("/feeds/ai.atom")
    assert after.data == ATOM.replace(b"x", b"z")
    assert after.headers["ETag"] != before.headers["ETag"]
    stale = client.get("/feeds/ai.atom", headers={"If-None-Match": before.headers["ETag"]})
    assert stale.status_code == 200
    (config.output_dir / "ai.atom").unlink()
    assert client.get("/feeds/ai.atom").status_code == 404


def test_gzip(client):
    plain = client.get("/feeds/ai.atom")
    response = client.get("/feeds/ai.atom", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Vary"] == "Accept-Encoding"
    assert gzip.decompress(response.data) == ATOM
    assert int(response.headers["Content-Length"]) == len(response.data) < len(ATOM)
    assert response.headers["ETag"] == plain.headers["ETag"][:-1] + '-gzip"'
    again = client.get("/feeds/ai.atom", headers={"Accept-Encoding": "gzip"})
    assert again.data == response.data  # deterministic: no timestamp in the gzip header
    not_modified = client.get(
        "/feeds/ai.atom", headers={"Accept-Encoding": "gzip", "If-None-Match": response.headers["ETag"]}
    )
    assert not_modified.status_code == 304
    assert not_modified.headers["ETag"] == response.headers["ETag"]


def test_client_holding_identity_copy_gets_304_naming_its_tag(client):
    tag = client.get("/feeds/ai.atom").headers["ETag"]
    response = client.get("/feeds/ai.atom", headers={"Accept-Encoding": "gzip", "If-None-Match": tag})
    assert response.status_code == 304
    assert response.headers["ETag"] == tag


@pytest.mark.parametrize("accept", ["identity", "gzip;q=0", "deflate", "*;q=0"])
def test_no_gzip_unless_accepted(client, accept):
    response = client.get("/feeds/ai.atom", headers={"Accept-Encoding": accept})
    assert "Content-Encoding" not in response.headers
    assert response.data == ATOM


def test_small_files_are_not_compressed(client):
    response = client.get("/feeds/ai.json", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in response.headers
    assert response.data == JSON_FEED


def test_head_matches_get_without_body(client):
    get = client.get("/feeds/ai.rss")
    head = client.head("/feeds/ai.rss")
    assert head.status_code == 200
    assert head.data == b""
    for key in ("Content-Type", "ETag", "Last-Modified", "Cache-Control", "Content-Length"):
        assert head.headers[key] == get.headers[key]
    assert client.head("/feeds/ai.rss", headers={"If-None-Match": get.headers["ETag"]}).status_code == 304
    assert client.head("/feeds/nope.rss").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/feeds/nope.atom",
        "/feeds/ai.xml",
        "/feeds/AI.atom",
        "/feeds/ai",
        "/feeds/",
        "/feeds/-ai.atom",
        "/feeds/ai--x.atom",
        "/feeds/.ai.atom.test.tmp",
        "/feeds/index.html",
        "/feeds/feeds.opml",
        "/index.html",
        "/ai.atom",
        "/feeds/ai.atom/",
        "/feeds/ai.atom%00",
        "/nothing/here",
        "/static/web.py",
        "/static/../web.py",
    ],
)
def test_unknown_paths_are_plain_404s(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.data == b"404 Not Found\n"


@pytest.mark.parametrize(
    "raw",
    [
        "/feeds/../config/aggregator.yaml",
        "/feeds/..%2fconfig%2faggregator.yaml",
        "/feeds/%2e%2e/config/aggregator.yaml",
        "/feeds/%2e%2e%2fconfig%2faggregator.yaml",
        "/feeds/..%5cconfig%5caggregator.yaml",
        "/feeds/%252e%252e%252fconfig%252faggregator.yaml",
        "/feeds/....//config/aggregator.yaml",
        "/../config/aggregator.yaml",
        "/feeds/../../etc/passwd",
        "/feeds/%c0%ae%c0%ae/config/aggregator.yaml",
    ],
)
def test_traversal_is_impossible(client, raw):
    # Hand the app the path as a WSGI server would (PEP 3333: decoded bytes as latin-1).
    path_info = unquote_to_bytes(raw).decode("latin-1")
    response = client.get("/", environ_overrides={"PATH_INFO": path_info, "RAW_URI": raw, "REQUEST_URI": raw})
    assert response.status_code == 404
    assert b"do-not-serve" not in response.data
    assert b"/" not in response.data.replace(b"404 Not Found", b"")


def test_only_the_routes_exist(config):
    rules = sorted(rule.rule for rule in create_app(config).url_map.iter_rules())
    assert rules == ["/", "/favicon.ico", "/feeds.opml", "/feeds/<name>", "/healthz", "/metrics"]
    without_metrics = create_app(dataclasses.replace(config, metrics=False))
    assert "/metrics" not in {rule.rule for rule in without_metrics.url_map.iter_rules()}


def test_unknown_method_is_405_with_allow(client):
    response = client.post("/feeds/ai.atom")
    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "HEAD"}
    assert response.data == b"405 Method Not Allowed\n"
    assert client.delete("/").status_code == 405


def test_server_error_is_short_and_plain(client, monkeypatch, caplog):
    from aggregator.serve import filecache

    def broken(self, name):
        raise RuntimeError("/secret/path exploded")

    monkeypatch.setattr(filecache.StaticFile, "read", broken)
    response = client.get("/feeds/ai.atom")
    assert response.status_code == 500
    assert response.data == b"500 Internal Server Error\n"
    assert "exploded" in caplog.text  # logged for the operator, not shown to the client


def test_index_before_first_build_is_503(client, config):
    (config.output_dir / "index.html").unlink()
    response = client.get("/")
    assert response.status_code == 503
    assert "Retry-After" in response.headers


def _status(config: Config, **changes) -> None:
    status = {
        "status": "ok",
        "started_at": "2024-05-01T10:00:00+00:00",
        "finished_at": "2024-05-01T10:00:01+00:00",
        "duration_ms": 1000,
        "last_success_at": "2024-05-01T10:00:01+00:00",
        "counts": {
            "files_scanned": 2,
            "articles": 2,
            "skipped": 0,
            "stories": 1,
            "feeds": 3,
            "written": 9,
            "unchanged": 0,
        },
        "error": None,
    }
    status.update(changes)
    config.status_path.parent.mkdir(parents=True, exist_ok=True)
    config.status_path.write_text(json.dumps(status))


def test_healthz_before_any_build(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "starting"
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_after_failed_first_build(client, config):
    _status(config, status="error", last_success_at=None, error="boom")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["error"] == "boom"


def test_healthz_after_success(client, config):
    _status(config)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    body = response.json
    assert body["status"] == "ok"
    assert body["last_build_at"] == "2024-05-01T10:00:01+00:00"
    assert body["counts"]["feeds"] == 3
    assert body["stale"] is True  # a build from long ago


def test_healthz_after_failure_following_a_success(client, config):
    now = datetime.now(UTC).isoformat()
    _status(config, status="error", error="disk full", last_success_at=now)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "error"
    assert response.json["stale"] is False


def test_healthz_with_unreadable_status(client, config):
    config.status_path.parent.mkdir(parents=True, exist_ok=True)
    config.status_path.write_text("{not json")
    assert client.get("/healthz").status_code == 503


def test_create_app_without_argument_reads_config_from_env(tmp_path, monkeypatch):
    out = tmp_path / "published"
    out.mkdir()
    write(out, "all.rss", RSS)
    path = tmp_path / "aggregator.yaml"
    path.write_text(f"output:\n  dir: {out}\nserver:\n  cache_max_age: 7\n")
    monkeypatch.setenv("AGGREGATOR_CONFIG", str(path))
    response = create_app().test_client().get("/feeds/all.rss")
    assert response.status_code == 200
    assert response.data == RSS
    assert response.headers["Cache-Control"] == "public, max-age=7"
