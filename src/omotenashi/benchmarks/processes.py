"""Running omotenashi as a user would, for benchmarks: the real CLI in subprocesses, each on its own fresh store.

Nothing here targets anything but 127.0.0.1, every wait has a deadline, and only processes started here are
stopped here.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from omotenashi.benchmarks.load import HOST

INTAKE_ONLY = "omotenashi.benchmarks.intake_only"


def cli() -> list[str]:
    """The `omotenashi` command of this install."""
    script = Path(sys.executable).with_name("omotenashi")
    return [str(script)] if script.exists() else [sys.executable, "-m", "omotenashi.cli.main"]


def module(name: str) -> list[str]:
    """A module of this install run as a program."""
    return [sys.executable, "-m", name]


def clean_env() -> dict[str, str]:
    """The environment without OMOTENASHI__* settings, so nothing can point a benchmark at another store."""
    return {k: v for k, v in os.environ.items() if not k.startswith("OMOTENASHI__")}


def run_cli(*args: str, timeout: float = 120) -> str:
    """Run `omotenashi ARGS`; its stdout, or RuntimeError with its stderr."""
    done = subprocess.run(  # noqa: S603 - our own CLI, arguments we built
        [*cli(), *args], env=clean_env(), capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"`omotenashi {' '.join(args)}` failed ({done.returncode}): {done.stderr[-2000:]}")
    return done.stdout


def init_house(folder: Path) -> Path:
    """A fresh house file (and store) from `omotenashi init`, in `folder`."""
    house = folder / "omotenashi.yaml"
    run_cli("init", str(house))
    return house


def timed(command: Sequence[str], folder: Path, timeout: float) -> tuple[float, float, str]:
    """Run a command to its end: wall seconds, peak RSS in MB, stdout. Killed after `timeout` seconds."""
    out, err = folder / "run.out", folder / "run.err"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        began = time.perf_counter()
        proc = subprocess.Popen(command, env=clean_env(), stdout=stdout, stderr=stderr)  # noqa: S603
        killer = threading.Timer(timeout, proc.kill)
        killer.start()
        # The child's own high-water mark, read while it runs: wait4's ru_maxrss would also count the moments
        # between fork and exec, when the child is still a copy of this (large) process.
        peak_kb = 0
        try:
            while True:
                pid, status = os.waitpid(proc.pid, os.WNOHANG)
                if pid:
                    break
                peak_kb = max(peak_kb, _hwm_kb(proc.pid))
                time.sleep(0.02)
        finally:
            killer.cancel()
        wall = time.perf_counter() - began
        proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"`{' '.join(command[-6:])}` failed ({proc.returncode}): {err.read_text()[-2000:]}")
    return wall, round(peak_kb / 1024, 1), out.read_text()


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@contextmanager
def server(command: Sequence[str], log: Path, port: int, up_within: float = 60) -> Iterator[int]:
    """Start a server, wait until /healthz answers on `port`, yield its pid; interrupt it afterwards."""
    with log.open("wb") as out:
        proc = subprocess.Popen(command, env=clean_env(), stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
        try:
            _wait_until_up(port, proc, up_within)
            yield proc.pid
        finally:
            _stop(proc)


def peak_rss_mb(pid: int) -> float:
    """The high-water mark of a running process's resident memory (VmHWM), in MB."""
    return round(_hwm_kb(pid) / 1024, 1)


def _hwm_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass  # it has just exited
    return 0


def _wait_until_up(port: int, proc: subprocess.Popen[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode} before it was up")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=2) as reply:  # noqa: S310
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer on port {port} within {seconds:.0f} s")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)
