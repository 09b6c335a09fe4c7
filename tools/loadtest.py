"""Load test: many gradio_client users call every endpoint of `python app.py` at once on 127.0.0.1.

    python -m tools.loadtest --clients 32 --seconds 60

Each client is a thread with its own gradio_client session that calls the named endpoints in turn
(client k calls endpoints k, k + clients, ..., so together they cover every one at once), each with
its example input (demos.examples(), the streaming ones included), and downloads what it returns,
as a user's browser would, until the time is up. Printed as JSON: per endpoint the calls,
answers, "busy" refusals, errors and cut connections, with p50/p99/max latency (of every call, busy
ones included); per lane the p99 of its answers; the longest call; and the server's resident memory.
"""
from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from collections import defaultdict

from tools.serve import endpoints, free_port, launch_app, percentile, resident_mb

CUT = ("peer closed connection", "incomplete", "RemoteProtocolError", "ReadError", "Connection reset")
CALL_LIMIT_S = 600      # a call still running after this counts as an error (none should come close)


def outcome(error: BaseException | None) -> str:
    """ok, busy (the lanes' or Gradio's own refusal), cut (a connection closed mid-answer) or error."""
    if error is None:
        return "ok"
    text = f"{type(error).__name__}: {error}"
    if "busy" in text or "queue is full" in text.lower():
        return "busy"
    return "cut" if any(mark in text for mark in CUT) else "error"


def drive(url: str, examples: dict[str, list], clients: int, seconds: float) -> dict[str, dict]:
    """Run the clients for `seconds` (a call under way then is finished); per endpoint, each call's
    latency in ms and outcome, and a few error texts."""
    from gradio_client import Client

    stats: dict[str, dict] = defaultdict(lambda: {"calls": [], "texts": []})
    lock, deadline, names = threading.Lock(), time.monotonic() + seconds, sorted(examples)
    downloads = tempfile.TemporaryDirectory(prefix="loadtest-")

    def client(k: int) -> None:
        user = Client(url, verbose=False, analytics_enabled=False, download_files=downloads.name)
        i = k
        while i == k or time.monotonic() < deadline:   # one call at least: under load, connecting can outlast the run
            name = names[i % len(names)]
            start = time.perf_counter()
            try:
                user.submit(*examples[name], api_name=f"/{name}").result(timeout=CALL_LIMIT_S)
                error = None
            except Exception as failure:  # noqa: BLE001 - every failure is classified and reported
                error = failure
            elapsed = (time.perf_counter() - start) * 1000
            kind = outcome(error)
            with lock:
                stats[name]["calls"].append((elapsed, kind))
                if kind in ("error", "cut") and len(stats[name]["texts"]) < 3:
                    stats[name]["texts"].append(f"{type(error).__name__}: {str(error)[:200]}")
            i += clients    # together the clients go through every endpoint before any repeats one

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    downloads.cleanup()
    return stats


def summary(stats: dict[str, dict], lanes: dict[str, str]) -> dict:
    per_endpoint, per_lane = {}, defaultdict(list)
    for name in sorted(lanes):
        calls = stats.get(name, {"calls": [], "texts": []})["calls"]
        every = sorted(ms for ms, _ in calls)
        answered = sorted(ms for ms, kind in calls if kind == "ok")
        per_lane[lanes[name]] += answered
        count = {kind: sum(1 for _, k in calls if k == kind) for kind in ("ok", "busy", "error", "cut")}
        per_endpoint[name] = {"lane": lanes[name], "calls": len(calls), **count,
                              "p50_ms": round(percentile(every, 0.5), 1), "p99_ms": round(percentile(every, 0.99), 1),
                              "max_ms": round(every[-1], 1) if every else None,
                              **({"error_examples": stats[name]["texts"]} if stats.get(name, {}).get("texts") else {})}
    return {"endpoints": per_endpoint,
            "lane_p99_of_answers_ms": {lane: round(percentile(sorted(ms), 0.99), 1) for lane, ms in per_lane.items()},
            **{kind: sum(e[kind] for e in per_endpoint.values()) for kind in ("calls", "ok", "busy", "error", "cut")},
            "longest_call_s": round(max((e["max_ms"] or 0) for e in per_endpoint.values()) / 1000, 2)}


def sample_memory(pid: int, every: float, done: threading.Event, samples: list[float]) -> None:
    while not done.wait(every):
        samples.append(resident_mb(pid))


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m tools.loadtest", description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--sample-every", type=float, default=10, help="seconds between two memory readings")
    args = parser.parse_args(argv)
    import demos

    examples, lanes = demos.examples(), {name: lane for name, (_, lane) in endpoints().items()}
    port = free_port()
    with launch_app(port) as (proc, startup):
        url = f"http://127.0.0.1:{port}/"
        before = resident_mb(proc.pid)
        samples, done = [], threading.Event()
        sampler = threading.Thread(target=sample_memory, args=(proc.pid, args.sample_every, done, samples))
        sampler.start()
        start = time.perf_counter()
        stats = drive(url, examples, args.clients, args.seconds)
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
        after = resident_mb(proc.pid)
        alive = proc.poll() is None
    report = {"clients": args.clients, "seconds": round(wall, 1), "app_startup_s": round(startup, 1),
              **summary(stats, lanes), "server_alive": alive,
              "server_rss_mb": {"start": before, "during": samples, "end": after}}
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
