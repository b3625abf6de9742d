"""A throwaway PostgreSQL server for tests and benchmarks: initdb + pg_ctl in a temporary folder.

It listens on 127.0.0.1 on a free port (no Unix socket outside its folder), trusts local
connections and is stopped and deleted at the end. `ASC_BOT_TEST_PG=postgresql://…` names a server
to use instead (a role that may CREATE DATABASE). Each user gets a fresh database of its own.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import psycopg

ENV = "ASC_BOT_TEST_PG"


class NoPostgres(RuntimeError):
    """No PostgreSQL server could be started or reached; the message says why."""


def find_binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    """Start with `start()`, make databases with `new_database()`, end with `stop()`."""

    def __init__(self, url: str | None = None) -> None:
        self.admin_url = url  # set: an outside server; None: start our own
        self._dir: Path | None = None
        self._as: list[str] = []
        self._pg_ctl: str | None = None

    def start(self) -> PostgresServer:
        if self.admin_url is not None:
            self._check(self.admin_url)
            return self
        initdb, pg_ctl = find_binary("initdb"), find_binary("pg_ctl")
        if not initdb or not pg_ctl:
            raise NoPostgres(
                "no PostgreSQL server binaries (initdb, pg_ctl) on PATH or in /usr/lib/postgresql/*/bin: "
                f"install the postgresql package, or set {ENV}=postgresql://…"
            )
        self._dir = Path(tempfile.mkdtemp(prefix="asc-bot-pg-"))
        if os.geteuid() == 0:  # initdb refuses to run as root: run the server as an unprivileged user
            user = next((u for u in ("postgres", "nobody") if _has_user(u)), None)
            if user is None:
                raise NoPostgres("running as root and there is no postgres or nobody user to run PostgreSQL as")
            os.chown(self._dir, pwd.getpwnam(user).pw_uid, pwd.getpwnam(user).pw_gid)
            self._as = ["runuser", "-u", user, "--"]
        data, port = self._dir / "data", _free_port()
        self._pg_ctl = pg_ctl
        try:
            self._run([initdb, "-D", str(data), "-A", "trust", "-U", "asc", "--locale=C", "-E", "UTF8", "-N"])
            options = f"-h 127.0.0.1 -p {port} -k {self._dir} -F -c max_connections=200 -c shared_buffers=32MB"
            self._run([pg_ctl, "-D", str(data), "-o", options, "-l", str(self._dir / "log"), "-w", "-t", "60", "start"])
        except NoPostgres:
            self.stop()
            raise
        self.admin_url = f"postgresql://asc@127.0.0.1:{port}/postgres"
        self._check(self.admin_url)
        return self

    def new_database(self) -> str:
        """A fresh, empty database on the server; its URL."""
        assert self.admin_url is not None, "start() first"
        name = f"ascbot_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        base, _, _ = self.admin_url.rpartition("/")
        return f"{base}/{name}"

    def drop_database(self, url: str) -> None:
        assert self.admin_url is not None
        name = url.rpartition("/")[2]
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        if self._dir is None:
            return
        if self._pg_ctl and (self._dir / "data" / "postmaster.pid").exists():
            subprocess.run(  # noqa: S603 - our own binary and folder
                [*self._as, self._pg_ctl, "-D", str(self._dir / "data"), "-m", "immediate", "-w", "stop"],
                capture_output=True,
                check=False,
            )
        shutil.rmtree(self._dir, ignore_errors=True)
        self._dir = None

    def _run(self, argv: list[str]) -> None:
        done = subprocess.run([*self._as, *argv], capture_output=True, text=True, check=False)  # noqa: S603
        if done.returncode != 0:
            log = ""
            if self._dir is not None and (self._dir / "log").exists():
                log = (self._dir / "log").read_text()[-2000:]
            raise NoPostgres(f"{Path(argv[0]).name} failed: {done.stderr.strip()[-2000:]} {log}")

    @staticmethod
    def _check(url: str) -> None:
        try:
            with psycopg.connect(url, connect_timeout=10) as conn:
                conn.execute("SELECT 1")
        except psycopg.Error as exc:
            raise NoPostgres(f"cannot connect to PostgreSQL at {url}: {exc}") from exc


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
