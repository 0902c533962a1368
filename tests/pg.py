"""Find or start a real PostgreSQL server for the tests, and hand out fresh databases."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

ENV = "OMOTENASHI_TEST_POSTGRES_URL"
LOCAL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ThrowawayServer:
    """A PostgreSQL cluster in a temporary folder, started from Debian's binaries, removed at the end."""

    def __init__(self) -> None:
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not found:
            raise RuntimeError(
                "no PostgreSQL server answers and Debian's postgresql binaries are missing; "
                "run `make test` (it installs them) or set " + ENV
            )
        self.bin = Path(found[-1]).parent
        self.dir = Path(tempfile.mkdtemp(prefix="omotenashi-pg-"))
        self.port = _free_port()
        self.run_as: list[str] = []
        if os.geteuid() == 0:  # initdb refuses to run as root
            self.run_as = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.dir, "postgres")
        data = self.dir / "data"
        self._run([str(self.bin / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"])
        self._run(
            [
                str(self.bin / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(self.dir / "log"),
                "-o",
                f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off",
                "-w",
                "start",
            ]
        )
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, cmd: list[str]) -> None:
        subprocess.run([*self.run_as, *cmd], check=True, capture_output=True)  # noqa: S603

    def stop(self) -> None:
        self._run([str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate", "stop"])
        shutil.rmtree(self.dir, ignore_errors=True)


def server_url() -> tuple[str, ThrowawayServer | None]:
    """The admin URL of a server to test against, and the throwaway server if one had to be started."""
    if os.environ.get(ENV):
        return os.environ[ENV], None
    if _answers("127.0.0.1", 5432):
        return LOCAL, None
    server = ThrowawayServer()
    for _ in range(50):
        if _answers("127.0.0.1", server.port):
            break
        time.sleep(0.1)
    return server.url, server


def create_database(admin_url: str, template: str | None = None) -> str:
    """A new, empty (or template-copied) database; returns its URL."""
    import sqlalchemy as sa

    name = f"omo_test_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        suffix = f" TEMPLATE {template}" if template else ""
        conn.exec_driver_sql(f"CREATE DATABASE {name}{suffix}")
    engine.dispose()
    return str(sa.engine.make_url(admin_url).set(database=name).render_as_string(hide_password=False))


def drop_database(admin_url: str, url: str) -> None:
    """Drop a test database, disconnecting whoever is still on it."""
    import sqlalchemy as sa

    name = sa.engine.make_url(url).database
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    engine.dispose()
