"""A bounded load run: `aggregator serve` under many keep-alive clients, while it rebuilds.

    python bench/load.py [--seconds 60] [--connections 64] [--articles 300] [--no-nginx]
                         [--wrk-seconds 10] [--wrk-connections 32] [--pairs 3]

It builds a temporary site (the seeds plus generated articles), starts `aggregator serve
--interval 1` on 127.0.0.1, and keeps a content file changing so rebuilds really run.
64 threads, each with one HTTP/1.1 keep-alive connection, request a mix of feeds (200),
conditional requests with the ETag they last saw (304) and unknown slugs (404). Every
200 body is checked: Content-Length matches and the body parses. The RSS of the server
and its web workers is sampled every second.

Then `aggregator serve --no-scheduler` and nginx serve the same output folder, and wrk
(a client in C, 32 keep-alive connections) measures `/feeds/all.atom` on each: 200s,
then 304s (If-None-Match with each server's own ETag). The two servers are alternated,
run by run, and each status's figure is the median of the pairs' ratios, so a machine
that slows down between runs skews no ratio by much. It prints those ratios last.

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

if __package__ in (None, ""):  # run as `python bench/load.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.compare import compare, start_nginx

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
    """Resident memory of `pid` and every process under it (the web workers)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    total, todo, found = 0, [pid], False
    while todo:
        current = todo.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
                    found = True
        except OSError:
            pass
        todo.extend(children.get(current, []))
    return total if found else None


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


# --- main -------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--no-nginx", action="store_true", help="skip the wrk comparison with nginx")
    parser.add_argument("--wrk-seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--wrk-connections", type=int, default=32)
    parser.add_argument("--pairs", type=int, default=3, help="alternated wrk runs per server and status")
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

        if args.no_nginx:
            print(json.dumps(results, indent=2))
            sys.exit(1 if results["aggregator serve, rebuilding every second"]["errors"] else 0)
        quiet = start_serve(site, "--no-scheduler")
        nginx = start_nginx(Path(tmp) / "nginx", site.output)
        if nginx is None:
            raise SystemExit("nginx is not installed (apt-get install nginx), or did not start")
        proc, port = nginx
        try:
            path = "/feeds/all.atom"
            size = (site.output / "all.atom").stat().st_size
            print(
                f"wrk -t2 -c{args.wrk_connections} -d{args.wrk_seconds}s on {path} ({size} bytes)", flush=True
            )
            results["wrk, aggregator serve --no-scheduler vs nginx"] = compare(site.port, port, path, args)
        finally:
            stop(quiet)
            proc.send_signal(signal.SIGQUIT)
            proc.wait(10)
    print(json.dumps(results, indent=2))
    compared = results["wrk, aggregator serve --no-scheduler vs nginx"]
    for status in ("200", "304"):
        pairs = ", ".join(f"{p['ratio']:.2f}" for p in compared[status]["pairs"])
        print(f"{status}s: {compared[status]['ratio_median']:.2f}x nginx (median of pairs {pairs})")
    failed = results["aggregator serve, rebuilding every second"]["errors"] or any(
        p[name]["errors"] for c in compared.values() for p in c["pairs"] for name in ("aggregator", "nginx")
    )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
