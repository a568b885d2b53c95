"""A throwaway PostgreSQL server for the tests: Debian's binaries, a temp folder, a free port.

initdb and pg_ctl refuse to run as root, so when the tests run as root they run as the
`postgres` user (which Debian's package creates) on a data folder that user owns. The
server listens on 127.0.0.1 only, with trust authentication, and is stopped (fast) at
the end. Missing binaries are an error, not a skip: CI installs the `postgresql` package.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

BIN_GLOB = "/usr/lib/postgresql/*/bin"


class PostgresMissing(RuntimeError):
    pass


def find_bin_dir() -> Path:
    """The newest installed server's bin folder (or $PG_BIN)."""
    explicit = os.environ.get("PG_BIN")
    candidates = [explicit] if explicit else sorted(glob.glob(BIN_GLOB), key=_major)
    for folder in reversed(candidates):
        if folder and (Path(folder) / "initdb").is_file() and (Path(folder) / "pg_ctl").is_file():
            return Path(folder)
    raise PostgresMissing(
        "PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin "
        "(or $PG_BIN): install the Debian package `postgresql` (apt-get install -y postgresql)"
    )


def _major(folder: str) -> int:
    try:
        return int(Path(folder).parent.name)
    except ValueError:
        return 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PgServer:
    def __init__(self, root: Path, port: int, bin_dir: Path, user: str | None) -> None:
        self.root = root
        self.data = root / "data"
        self.port = port
        self.bin_dir = bin_dir
        self.user = user  # run the server as this OS user (None: as ourselves)
        self.db_user = "postgres"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self.user is not None:
            command = ["runuser", "-u", self.user, "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True, timeout=120)

    def start(self) -> None:
        try:
            self._run(
                "initdb", "-D", str(self.data), "-U", self.db_user, "-A", "trust", "-E", "UTF8", "--no-sync"
            )
        except subprocess.CalledProcessError as exc:
            raise RuntimeError(f"initdb failed: {exc.stderr or exc.stdout}") from None
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.root}"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50"
        )
        result = self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-o", options, "-w", "-t", "60",
            "start", check=False,
        )  # fmt: skip
        if result.returncode != 0:
            log = (self.root / "server.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"pg_ctl start failed: {result.stderr}\n{log}")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)

    def url(self, db: str = "postgres") -> str:
        return f"postgresql://{self.db_user}@127.0.0.1:{self.port}/{db}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@contextlib.contextmanager
def pg_server() -> Iterator[PgServer]:
    bin_dir = find_bin_dir()
    user = None
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            raise PostgresMissing(
                "running as root, but there is no `postgres` user to run the server as"
            ) from None
        user = "postgres"
    root = Path(tempfile.mkdtemp(prefix="agg-pg-"))
    if user is not None:
        shutil.chown(root, user=user, group=None)
    server = PgServer(root, free_port(), bin_dir, user)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        time.sleep(0.1)
        shutil.rmtree(root, ignore_errors=True)
