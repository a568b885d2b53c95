"""deploy/nginx.conf, run by Debian's nginx on a free loopback port over a built folder,
answers like `aggregator serve --no-scheduler` on the same folder: status, media types,
Cache-Control, Last-Modified, 304s for each server's own validators, gzip, the bytes.

nginx is an error, not a skip, when missing: CI installs the `nginx` package.
"""

from __future__ import annotations

import gzip
import http.client
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_serve_e2e import REPO, Daemon, free_port, make_site

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PATHS = ["/", "/feeds.opml", "/feeds/all.atom", "/feeds/all.rss", "/feeds/all.json", "/feeds/robotics.atom"]
SAME_HEADERS = (
    "Content-Type",
    "Cache-Control",
    "X-Content-Type-Options",
    "Last-Modified",
    "Content-Security-Policy",
)
pytestmark = pytest.mark.skipif(os.name != "posix", reason="nginx as on the servers")


def get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        reply = conn.getresponse()
        return reply.status, {k.title(): v for k, v in reply.getheaders()}, reply.read()
    finally:
        conn.close()


def nginx_config(root: Path, output: Path, port: int, upstream: int) -> Path:
    site = (REPO / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    site = re.sub(r"listen [^;]+;", f"listen 127.0.0.1:{port};", site, count=1)
    site = re.sub(r"root [^;]+;", f"root {output};", site, count=1)
    site = site.replace("max-age=300", "max-age=60")  # make_site's server.cache_max_age
    site = site.replace("proxy_pass http://127.0.0.1:8080;", f"proxy_pass http://127.0.0.1:{upstream};")
    (root / "site.conf").write_text(site, encoding="utf-8")
    (root / "tmp").mkdir()
    user = "user root;" if os.geteuid() == 0 else ""  # the workers must read the test's folders
    main = f"""{user}
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {root}/tmp; proxy_temp_path {root}/tmp; fastcgi_temp_path {root}/tmp;
    uwsgi_temp_path {root}/tmp; scgi_temp_path {root}/tmp;
    include {root}/site.conf;
}}
"""
    (root / "nginx.conf").write_text(main, encoding="utf-8")
    return root / "nginx.conf"


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[tuple[int, int]]:
    assert Path(NGINX).is_file(), "nginx not found: install the Debian package `nginx`"
    site = make_site(tmp_path / "site", articles=12)
    subprocess.run(
        site.cli("build", "--config", str(site.config)), env=site.env(), check=True, capture_output=True
    )
    time.sleep(1.1)  # past the files' mtime second: both servers send Last-Modified
    app = Daemon(site, "--no-scheduler")
    folder = tmp_path / "nginx"
    folder.mkdir()
    port = free_port()
    conf = nginx_config(folder, site.output, port, site.port)
    proc = subprocess.Popen(
        [NGINX, "-p", str(folder), "-c", str(conf), "-g", "daemon off;"], stderr=subprocess.PIPE
    )
    try:
        app.wait_healthy()
        for _ in range(100):
            try:
                get(port, "/healthz")
                break
            except OSError:
                assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
                time.sleep(0.1)
        yield site.port, port
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        app.stop()


def test_nginx_answers_like_aggregator_serve(servers) -> None:
    app, nginx = servers
    for path in [*PATHS, "/feeds/nope.atom", "/feeds/../config/aggregator.yaml", "/elsewhere"]:
        a_status, a_headers, a_body = get(app, path)
        n_status, n_headers, n_body = get(nginx, path)
        assert n_status == a_status, path
        if a_status != 200:
            continue
        assert n_body == a_body, path
        for name in SAME_HEADERS:
            assert n_headers.get(name) == a_headers.get(name), (path, name)


@pytest.mark.parametrize("path", PATHS)
def test_each_server_revalidates_with_its_own_etag_and_the_shared_date(servers, path: str) -> None:
    for port in servers:
        _status, headers, body = get(port, path)
        for condition in (
            {"If-None-Match": headers["Etag"]},
            {"If-Modified-Since": headers["Last-Modified"]},
        ):
            status, again, rest = get(port, path, condition)
            assert (status, rest) == (304, b""), (port, condition)
            assert again["Cache-Control"] == headers["Cache-Control"]
        status, zipped, packed = get(port, path, {"Accept-Encoding": "gzip"})
        assert (
            status == 200 and zipped.get("Content-Encoding") == "gzip" and "Accept-Encoding" in zipped["Vary"]
        )
        assert gzip.decompress(packed) == body


def test_healthz_through_nginx_names_the_state_backend_and_the_last_publish(servers) -> None:
    import json

    _app, nginx = servers
    status, headers, body = get(nginx, "/healthz")
    data = json.loads(body)
    assert status == 200 and headers["Cache-Control"] == "no-store"
    assert data["state_backend"] == "sqlite"
    assert data["last_publish"]["at"] and data["last_publish"]["to"].endswith("feeds")
