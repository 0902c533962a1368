"""A cheap HTTP load generator for `/v1/batch`: keep-alive connections in separate processes, bodies pre-encoded.

Each process (this module run with `python -m`) reads its share of request bodies from a file before the start
signal, so during the run it does
nothing but send bytes and read replies. Every loop is bounded by the number of bodies and by a deadline, and
it only ever talks to 127.0.0.1.
"""

from __future__ import annotations

import base64
import http.client
import select
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import msgspec

HOST = "127.0.0.1"


@dataclass
class LoadResult:
    """What the load generator saw: per-request latencies and how many events the server accepted."""

    wall_s: float = 0.0
    requests: int = 0
    accepted: int = 0
    errors: int = 0
    timed_out: bool = False
    latencies_ms: list[float] = field(default_factory=list)
    first_error: str | None = None

    def percentile(self, q: float) -> float:
        """The q-th percentile (0–100) of request latency, nearest-rank."""
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
        return ordered[rank]


class _Reply(msgspec.Struct):
    accepted: int = 0


def write_bodies(path: Path, bodies: Sequence[bytes]) -> None:
    """Store request bodies one a line (encoded JSON has no raw newline)."""
    with path.open("wb") as fh:
        for body in bodies:
            fh.write(body)
            fh.write(b"\n")


def batch_body(messages: Sequence[bytes], sent_at: str) -> bytes:
    """A `/v1/batch` body around already encoded messages."""
    return b'{"batch":[' + b",".join(messages) + b'],"sentAt":"' + sent_at.encode() + b'"}'


def run_load(port: int, write_key: str, body_files: Sequence[Path], deadline_s: float) -> LoadResult:
    """Send every body file's requests over one keep-alive connection per file, all at once; gather the results."""
    workers = [
        subprocess.Popen(  # noqa: S603 - this module, with arguments we built
            [sys.executable, "-m", __name__, str(port), write_key, str(f), str(deadline_s)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        for f in body_files
    ]
    try:
        for w in workers:  # each says "ready" once its bodies are read and its connection is open
            assert w.stdout is not None
            ready, _, _ = select.select([w.stdout], [], [], 120)
            if not ready or w.stdout.readline().strip() != b"ready":
                raise RuntimeError("a load generator process did not get ready")
        began = time.perf_counter()
        for w in workers:
            assert w.stdin is not None
            w.stdin.write(b"go\n")
            w.stdin.flush()
        parts = [w.communicate(timeout=deadline_s + 120)[0] for w in workers]
        wall = time.perf_counter() - began
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
                w.wait(timeout=30)
    total = LoadResult(wall_s=wall)
    for raw in parts:
        part = msgspec.json.decode(raw, type=LoadResult)
        total.requests += part.requests
        total.accepted += part.accepted
        total.errors += part.errors
        total.timed_out = total.timed_out or part.timed_out
        total.latencies_ms.extend(part.latencies_ms)
        total.first_error = total.first_error or part.first_error
    return total


def _worker(port: int, write_key: str, body_file: str, deadline_s: float) -> LoadResult:
    bodies = Path(body_file).read_bytes().split(b"\n")[:-1]
    headers = {
        "Content-Type": "application/json",
        "Authorization": "Basic " + base64.b64encode(f"{write_key}:".encode()).decode(),
    }
    decode = msgspec.json.Decoder(_Reply).decode
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    conn.connect()
    sys.stdout.buffer.write(b"ready\n")
    sys.stdout.buffer.flush()
    sys.stdin.buffer.readline()
    out = LoadResult()
    stop_at = time.monotonic() + deadline_s
    for body in bodies:
        if time.monotonic() > stop_at:
            out.timed_out = True
            break
        began = time.perf_counter()
        try:
            conn.request("POST", "/v1/batch", body=body, headers=headers)
            reply = conn.getresponse()
            data = reply.read()
        except (OSError, http.client.HTTPException) as exc:
            out.errors += 1
            out.first_error = out.first_error or repr(exc)
            conn.close()
            conn = http.client.HTTPConnection(HOST, port, timeout=60)
            continue
        out.latencies_ms.append((time.perf_counter() - began) * 1000)
        out.requests += 1
        if reply.status == 200:
            out.accepted += decode(data).accepted
        else:
            out.errors += 1
            out.first_error = out.first_error or f"HTTP {reply.status}: {data[:200]!r}"
    conn.close()
    return out


if __name__ == "__main__":
    result = _worker(int(sys.argv[1]), sys.argv[2], sys.argv[3], float(sys.argv[4]))
    sys.stdout.buffer.write(msgspec.json.encode(result))
