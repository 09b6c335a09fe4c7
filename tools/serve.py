"""Start `python app.py` for a tool or a test, call it over plain HTTP, and read what it exposes."""
from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def percentile(ordered: list[float], q: float) -> float:
    """The q-quantile of sorted samples by nearest rank (nan when there are none)."""
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, limit_s: float) -> float:
    """Seconds until GET / on 127.0.0.1:port answers 200; RuntimeError if the process exits or the
    limit passes first."""
    start = time.perf_counter()
    while time.perf_counter() - start < limit_s:
        if proc.poll() is not None:
            raise RuntimeError(f"app.py exited with status {proc.returncode} before it answered")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/")
            if conn.getresponse().status == 200:
                return time.perf_counter() - start
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"app.py did not answer within {limit_s:.0f} s")


@contextlib.contextmanager
def launch_app(port: int, *, python: str = sys.executable, env: dict[str, str] | None = None,
               limit_s: float = 120, log: Path | None = None) -> Iterator[tuple[subprocess.Popen, float]]:
    """Run `python app.py` for the block: yields the process and the seconds until it answered GET /,
    and stops it afterwards by its PID."""
    env = {**os.environ, **(env or {}), "GRADIO_SERVER_NAME": "127.0.0.1", "GRADIO_SERVER_PORT": str(port)}
    out = log.open("wb") if log else subprocess.DEVNULL
    proc = subprocess.Popen([python, "app.py"], cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        startup = wait_for_port(port, proc, limit_s)
        yield proc, startup
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if log:
            out.close()


def http_call(conn: http.client.HTTPConnection, api_name: str, data: list) -> str:
    """One plain-HTTP call: POST the inputs, then read the event stream to `complete`."""
    conn.request("POST", f"/gradio_api/call/{api_name}", body=json.dumps({"data": data}),
                 headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    answer = json.loads(response.read())
    if "event_id" not in answer:  # refused before queueing, e.g. the queue is full
        raise RuntimeError(f"{api_name} refused (HTTP {response.status}): {json.dumps(answer)[:300]}")
    conn.request("GET", f"/gradio_api/call/{api_name}/{answer['event_id']}")
    stream = conn.getresponse().read().decode()
    if "event: complete" not in stream:
        raise RuntimeError(f"{api_name} did not complete: {stream[:300]}")
    return stream


def endpoints() -> dict[str, tuple[object, str]]:
    """api_name -> (its handler as the app runs it, in its lane; the lane's name), from the app built
    in this process."""
    import app  # the app, not the library: tools sit above both

    demo = app.build_app()
    return {fn.api_name: (fn.fn, fn.fn.lane) for fn in demo.fns.values()
            if fn.fn is not None and fn.api_name and fn.api_visibility != "private"}


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError("no VmRSS")
