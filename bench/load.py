"""A bounded load run: `aggregator serve` under many keep-alive clients, while it rebuilds.

    python bench/load.py [--seconds 60] [--connections 64] [--articles 300] [--no-nginx]

It builds a temporary site (the seeds plus generated articles), starts `aggregator serve
--interval 1` on 127.0.0.1, and keeps a content file changing so rebuilds really run.
64 threads, each with one HTTP/1.1 keep-alive connection, request a mix of feeds (200),
conditional requests with the ETag they last saw (304) and unknown slugs (404). Every
200 body is checked: Content-Length matches and the body parses. The server's RSS is
sampled every second. Then the same load goes to our server with no rebuilds, and to
nginx serving the same output folder (when nginx is installed), for comparison.

Only 127.0.0.1 is ever contacted. Stdlib only, besides the aggregator itself.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
TOPICS = ["AI", "Robotics", "Space", "Climate", "Energy", "Health", "Chess", "Computer Vision"]
MIX = (("200", 0.6), ("304", 0.3), ("404", 0.1))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def article(i: int, rng: random.Random, edition: int = 0) -> str:
    title = " ".join(
        "".join(rng.choice("bcdfgklmnprstvz") + rng.choice("aeiou") for _ in range(3)) for _ in range(6)
    )
    topics = "\n".join(f"  - {t}" for t in rng.sample(TOPICS, 2))
    return (
        f'---\ntitle: "{title.capitalize()} {edition}"\nexcerpt: "Article {i}, edition {edition}."\n'
        f"publishedDateTime: 2024-04-{1 + i % 28:02d}T{i % 24:02d}:00:00Z\n"
        f'webUrl: "https://news{i % 40}.example/story/{i}"\ntopics:\n{topics}\n---\n'
    )


@dataclass
class Site:
    root: Path
    content: Path
    output: Path
    config: Path
    port: int


def make_site(root: Path, articles: int) -> Site:
    content, output = root / "content", root / "feeds"
    content.mkdir(parents=True)
    root.chmod(0o755)
    for seed in SEEDS.glob("*.txt"):
        shutil.copy(seed, content / seed.name)
    rng = random.Random(1)
    for i in range(articles):
        (content / f"a{i:05d}.md").write_text(article(i, rng), encoding="utf-8")
    port = free_port()
    config = root / "aggregator.yaml"
    config.write_text(
        f"site:\n  base_url: http://127.0.0.1:{port}/\ncontent:\n  dir: {content}\noutput:\n  dir: {output}\n"
        f"state:\n  path: {root / 'state' / 'state.sqlite3'}\nserver:\n  host: 127.0.0.1\n  port: {port}\n",
        encoding="utf-8",
    )
    return Site(root, content, output, config, port)


def start_serve(site: Site, *extra: str) -> subprocess.Popen:
    code = "import sys; from aggregator.cli import main; sys.exit(main())"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    log = (site.root / "serve.log").open("ab")
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "serve", "--config", str(site.config), *extra],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{site.port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("aggregator serve did not become healthy")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


# --- the clients ------------------------------------------------------------------------


@dataclass
class Tally:
    statuses: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    truncated: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, status: int) -> None:
        with self.lock:
            self.statuses[str(status)] = self.statuses.get(str(status), 0) + 1

    def error(self, what: str) -> None:
        with self.lock:
            self.errors.append(what)

    @property
    def total(self) -> int:
        return sum(self.statuses.values())


def body_problem(path: str, body: bytes, length: str | None) -> str | None:
    if length is None or int(length) != len(body):
        return f"truncated: {len(body)} bytes of {length}"
    try:
        if path.endswith(".json"):
            json.loads(body)
        else:
            ElementTree.fromstring(body)
    except ValueError as exc:
        return f"does not parse: {exc}"
    except ElementTree.ParseError as exc:
        return f"does not parse: {exc}"
    return None


def client(port: int, paths: list[str], deadline: float, tally: Tally, seed: int) -> None:
    rng = random.Random(seed)
    tags: dict[str, str] = {}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    kinds, weights = zip(*MIX, strict=True)
    while time.monotonic() < deadline:
        kind = rng.choices(kinds, weights)[0]
        path = rng.choice(paths)
        headers = {}
        if kind == "404":
            path = f"/feeds/no-such-topic-{rng.randrange(1000)}.atom"
        elif kind == "304" and path in tags:
            headers["If-None-Match"] = tags[path]
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException) as exc:
            tally.error(f"{path}: {exc!r}")
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        tally.count(response.status)
        if response.status == 200:
            problem = body_problem(path, body, response.headers.get("Content-Length"))
            if problem:
                tally.error(f"{path}: {problem}")
                tally.truncated += problem.startswith("truncated")
            tags[path] = response.headers.get("ETag", "")
        elif response.status == 304:
            tags[path] = response.headers.get("ETag", tags.get(path, ""))
        elif not (response.status == 404 and kind == "404"):
            tally.error(f"{path}: unexpected {response.status}")
    conn.close()


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def run_load(port: int, paths: list[str], seconds: float, connections: int, pid: int | None) -> dict:
    tally = Tally()
    deadline = time.monotonic() + seconds
    threads = [
        threading.Thread(target=client, args=(port, paths, deadline, tally, i), daemon=True)
        for i in range(connections)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    samples: list[int] = []
    while any(t.is_alive() for t in threads):
        if pid is not None and (kib := rss_kib(pid)) is not None:
            samples.append(kib)
        time.sleep(1)
    elapsed = time.monotonic() - started
    result = {
        "seconds": round(elapsed, 1),
        "requests": tally.total,
        "rps": round(tally.total / elapsed),
        "statuses": dict(sorted(tally.statuses.items())),
        "errors": len(tally.errors),
        "truncated": tally.truncated,
        "first_errors": tally.errors[:5],
    }
    if samples:
        warm = samples[min(len(samples) - 1, max(5, len(samples) // 6))]
        result["rss_kib"] = {"warm": warm, "end": samples[-1], "max": max(samples)}
    return result


# --- the content keeps changing ----------------------------------------------------------


def keep_editing(site: Site, stop_event: threading.Event) -> None:
    """Rewrite one article every half second, so each scheduled build has work to do."""
    rng = random.Random(2)
    edition = 0
    while not stop_event.wait(0.5):
        edition += 1
        i = rng.randrange(50)
        tmp = site.content / ".edit.tmp"
        tmp.write_text(article(i, random.Random(i), edition), encoding="utf-8")
        os.replace(tmp, site.content / f"a{i:05d}.md")


# --- nginx ------------------------------------------------------------------------------

NGINX_CONF = """
worker_processes auto;
pid {root}/nginx.pid;
error_log {root}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    keepalive_requests 1000000;
    types {{
        application/atom+xml atom; application/rss+xml rss; application/feed+json json;
        text/x-opml opml; text/html html; text/css css; text/javascript js;
    }}
    default_type application/octet-stream;
    client_body_temp_path {root}/tmp; proxy_temp_path {root}/tmp; fastcgi_temp_path {root}/tmp;
    uwsgi_temp_path {root}/tmp; scgi_temp_path {root}/tmp;
    server {{
        listen 127.0.0.1:{port};
        root {output};  # the folder mirrors the URL space
    }}
}}
"""


def start_nginx(root: Path, output: Path) -> tuple[subprocess.Popen, int] | None:
    binary = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if binary is None:
        return None
    root.mkdir()
    (root / "tmp").mkdir()
    port = free_port()
    conf = root / "nginx.conf"
    conf.write_text(NGINX_CONF.format(root=root, port=port, output=output), encoding="utf-8")
    proc = subprocess.Popen([binary, "-c", str(conf), "-g", "daemon off;"], stderr=subprocess.DEVNULL)
    for _ in range(50):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    return None


def wrk_rps(port: int, path: str, seconds: int, connections: int) -> int | None:
    """Requests per second from wrk (Debian's `wrk`), when installed: a client in C."""
    binary = shutil.which("wrk")
    if binary is None:
        return None
    done = subprocess.run(
        [binary, "-t2", f"-c{connections}", f"-d{seconds}s", f"http://127.0.0.1:{port}{path}"],
        capture_output=True,
        text=True,
        timeout=seconds + 30,
    )
    for line in done.stdout.splitlines():
        if line.startswith("Requests/sec:"):
            return round(float(line.split()[1]))
    return None


# --- main -------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--no-nginx", action="store_true", help="skip the nginx comparison")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="aggregator-load-") as tmp:
        os.chmod(tmp, 0o755)  # nginx's workers run as an unprivileged user
        site = make_site(Path(tmp) / "site", args.articles)
        serve = start_serve(site, "--interval", "1")
        results: dict[str, dict] = {}
        try:
            names = sorted(p.name for p in site.output.iterdir() if p.suffix in (".atom", ".rss", ".json"))
            paths = [f"/feeds/{name}" for name in names]
            print(
                f"{len(paths)} feed files; {args.connections} connections for {args.seconds:g} s", flush=True
            )
            editing = threading.Event()
            editor = threading.Thread(target=keep_editing, args=(site, editing), daemon=True)
            editor.start()
            results["aggregator serve, rebuilding every second"] = run_load(
                site.port, paths, args.seconds, args.connections, serve.pid
            )
            editing.set()
            editor.join()
            builds = (site.root / "serve.log").read_text().count("INFO aggregator.scheduler: build:")
            results["aggregator serve, rebuilding every second"]["builds"] = builds
        finally:
            stop(serve)

        quiet = start_serve(site, "--no-scheduler")
        try:
            results["aggregator serve, no rebuilds"] = run_load(
                site.port, paths, args.seconds, args.connections, quiet.pid
            )
            results["aggregator serve, no rebuilds"]["wrk_rps_all_atom"] = wrk_rps(
                site.port, "/feeds/all.atom", int(min(args.seconds, 30)), args.connections
            )
        finally:
            stop(quiet)

        nginx = None if args.no_nginx else start_nginx(Path(tmp) / "nginx", site.output)
        if nginx is not None:
            proc, port = nginx
            try:
                results["nginx, same files"] = run_load(port, paths, args.seconds, args.connections, None)
                results["nginx, same files"]["wrk_rps_all_atom"] = wrk_rps(
                    port, "/feeds/all.atom", int(min(args.seconds, 30)), args.connections
                )
            finally:
                proc.send_signal(signal.SIGQUIT)
                proc.wait(10)
    print(json.dumps(results, indent=2))
    failed = any(r["errors"] for name, r in results.items() if name.startswith("aggregator"))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
