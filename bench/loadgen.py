"""Sending the queries: one at a time for validation (urllib), and under load with wrk.

wrk (Debian's package) runs `rotate.lua`, which rotates through the filled queries as GET
requests (SPARQL 1.1 Protocol, query in the URL) and prints its summary as one JSON line.
"""

from __future__ import annotations

import json
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from queries import Query

LUA = Path(__file__).resolve().parent / "rotate.lua"


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    body: bytes
    seconds: float
    error: str = ""


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    non_2xx: int
    socket_errors: int
    timeouts: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float

    @property
    def throughput(self) -> float:
        """Successful requests per second."""
        return (self.requests - self.non_2xx) / self.seconds if self.seconds else 0.0


def path_of(url: str, query: Query) -> str:
    """The request path (with its query string) for `query` at endpoint `url`."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.path}?{urllib.parse.urlencode({'query': query.sparql})}"


def send(url: str, query: Query, timeout: float) -> Reply:
    """GET one query; an HTTP error or a time-out is a Reply too, with `error` set."""
    parts = urllib.parse.urlsplit(url)
    full = f"{parts.scheme}://{parts.netloc}{path_of(url, query)}"
    request = urllib.request.Request(full, headers={"Accept": query.template.accept})
    start = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
            return Reply(
                response.status,
                response.headers.get("Content-Type", ""),
                body,
                time.monotonic() - start,
            )
    except urllib.error.HTTPError as error:
        text = error.read()[:300].decode(errors="replace")
        return Reply(error.code, "", b"", time.monotonic() - start, f"HTTP {error.code}: {text}")
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        return Reply(0, "", b"", time.monotonic() - start, f"no answer: {reason}")


def write_rotation(path: Path, url: str, rotation: list[Query]) -> None:
    lines = [f"{path_of(url, q)}\t{q.template.accept}\n" for q in rotation]
    path.write_text("".join(lines), encoding="utf-8")


def run_wrk(
    wrk: str,
    url: str,
    rotation_file: Path,
    *,
    seconds: float,
    connections: int,
    threads: int,
    timeout: float,
) -> LoadResult:
    """Run wrk for `seconds` and read the JSON summary that rotate.lua prints."""
    parts = urllib.parse.urlsplit(url)
    argv = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        f"--timeout={max(1, round(timeout))}s",
        "-s",
        str(LUA),
        f"{parts.scheme}://{parts.netloc}",
        "--",
        str(rotation_file),
    ]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + timeout + 30)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("{")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    data = json.loads(line)
    errors, latency = data["errors"], data["latency_us"]
    return LoadResult(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        non_2xx=errors["status"],
        socket_errors=errors["connect"] + errors["read"] + errors["write"],
        timeouts=errors["timeout"],
        p50_ms=latency["p50"] / 1000,
        p90_ms=latency["p90"] / 1000,
        p99_ms=latency["p99"] / 1000,
        max_ms=latency["max"] / 1000,
    )
