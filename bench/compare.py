"""wrk against `aggregator serve` and nginx on the same file: 200s and 304s, alternated.

Used by load.py. Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import subprocess
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
    types {{ application/atom+xml atom; application/rss+xml rss; application/feed+json json; }}
    default_type application/octet-stream;
    client_body_temp_path {root}/tmp; proxy_temp_path {root}/tmp; fastcgi_temp_path {root}/tmp;
    uwsgi_temp_path {root}/tmp; scgi_temp_path {root}/tmp;
    server {{
        listen 127.0.0.1:{port};
        location /feeds/ {{ alias {output}/; }}
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


def wrk(port: int, path: str, seconds: int, connections: int, headers: dict[str, str]) -> dict:
    """Requests per second and errors from wrk (Debian's `wrk`, a client in C)."""
    binary = shutil.which("wrk")
    if binary is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    args = [binary, "-t2", f"-c{connections}", f"-d{seconds}s"]
    for key, value in headers.items():
        args += ["-H", f"{key}: {value}"]
    done = subprocess.run(
        [*args, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, timeout=seconds + 30
    )
    result = {"rps": 0, "errors": 0}
    for line in done.stdout.splitlines():
        line = line.strip()
        if line.startswith("Requests/sec:"):
            result["rps"] = round(float(line.split()[1]))
        elif line.startswith(("Socket errors:", "Non-2xx or 3xx responses:")):
            result["errors"] += sum(int(n.strip(",")) for n in line.split() if n.strip(",").isdigit())
    return result


def etag_of(port: int, path: str) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
        return response.headers["ETag"]


def compare(ours: int, nginx: int, path: str, args: argparse.Namespace) -> dict:
    """200s and 304s from wrk on both servers, alternated; the median of the pairs' ratios."""
    tags = {ours: etag_of(ours, path), nginx: etag_of(nginx, path)}
    result: dict[str, dict] = {}
    for status in ("200", "304"):
        pairs = []
        for _ in range(args.pairs):
            pair = {}
            for name, port in (("aggregator", ours), ("nginx", nginx)):
                headers = {"If-None-Match": tags[port]} if status == "304" else {}
                pair[name] = wrk(port, path, args.wrk_seconds, args.wrk_connections, headers)
            pair["ratio"] = round(pair["aggregator"]["rps"] / max(1, pair["nginx"]["rps"]), 3)
            pairs.append(pair)
        result[status] = {
            "ratio_median": statistics.median(p["ratio"] for p in pairs),
            "pairs": pairs,
        }
    return result
