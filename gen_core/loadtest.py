"""Load test: many clients call every endpoint of `python app.py` at once on 127.0.0.1.

    python -m gen_core.loadtest --clients 32 --seconds 60

Each client is a thread with its own keep-alive connection that calls the endpoints in turn (plain
HTTP, as gen_core.bench) until the time is up. Printed as JSON: requests, errors and "busy" answers
(Gradio's queue is full) per endpoint with p50/p95/p99 latency, and the server's resident memory
before, after a warm-up, every --sample-every seconds of the run, and at the end. flow_train_live (a 2-minute training stream, one at a time
app-wide) is left out.
"""
from __future__ import annotations

import argparse
import http.client
import json
import threading
import time
from collections import defaultdict
from pathlib import Path

from gen_core.bench import free_port, http_call, launch_app, percentile

# api_name -> inputs for call number s (valid, varied so caches do not answer everything)
MIX = {
    "cgan_generate": lambda s: [str(s % 10), 16, s, 4.0],
    "gan_family_generate": lambda s: [10, s],
    "infogan_sample": lambda s: [str(s % 10), (s % 9) / 2 - 2, 0.5, s],
    "infogan_traversal": lambda s: ["c1", 8, 0.0, 0.0, s],
    "vae_interpolate": lambda s: ["seed", s, "0", 0, None, None, "test digit", 0, str(s % 10), s % 50, None, None,
                                  16, "slerp"],
    "wavegan_clip": lambda s: [str(s % 10), s],
    "wavegan_inspect": lambda s: [str(s % 10), s],
    "wavegan_morph": lambda s: ["7", s, "8", s + 1, 4],
    "flow_density": lambda s: ["moons", 1000, s],
    "flow_layer": lambda s: ["moons", s % 10, s],
    "flow_read_point": lambda s: ["moons", (s % 89) / 10 - 4.4, 0.5],
}


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError("no VmRSS")


def sample_memory(pid: int, every: float, done: threading.Event, samples: list[float]) -> None:
    while not done.wait(every):
        samples.append(resident_mb(pid))


def drive(port: int, clients: int, seconds: float) -> dict[str, dict]:
    """Run the clients for `seconds`; per endpoint: latencies of successes, errors, busy answers."""
    stats: dict[str, dict] = defaultdict(lambda: {"ms": [], "errors": 0, "busy": 0, "examples": []})
    lock, deadline, names = threading.Lock(), time.monotonic() + seconds, list(MIX)

    def client(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        i = k
        while time.monotonic() < deadline:
            name = names[i % len(names)]
            start = time.perf_counter()
            try:
                http_call(conn, name, MIX[name](i))
                outcome = None
            except Exception as error:  # noqa: BLE001 - every failure is counted and reported
                outcome = str(error)[:200]
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                entry = stats[name]
                if outcome is None:
                    entry["ms"].append(elapsed)
                elif "queue is full" in outcome.lower():
                    entry["busy"] += 1
                else:
                    entry["errors"] += 1
                    if len(entry["examples"]) < 3:
                        entry["examples"].append(outcome)
            i += clients

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return stats


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m gen_core.loadtest", description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--sample-every", type=float, default=10, help="seconds between two memory readings")
    args = parser.parse_args(argv)
    port = free_port()
    with launch_app(port) as (proc, startup):
        before = resident_mb(proc.pid)
        drive(port, min(args.clients, 4), min(5.0, args.seconds / 4))  # warm-up: first figures, caches
        warm = resident_mb(proc.pid)
        samples, done = [], threading.Event()
        sampler = threading.Thread(target=sample_memory, args=(proc.pid, args.sample_every, done, samples))
        sampler.start()
        start = time.perf_counter()
        stats = drive(port, args.clients, args.seconds)
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
        after = resident_mb(proc.pid)
        alive = proc.poll() is None
    endpoints = {}
    for name in MIX:
        entry = stats.get(name, {"ms": [], "errors": 0, "busy": 0, "examples": []})
        ordered = sorted(entry["ms"])
        endpoints[name] = {"requests": len(ordered) + entry["errors"] + entry["busy"], "ok": len(ordered),
                           "errors": entry["errors"], "busy": entry["busy"],
                           "p50_ms": round(percentile(ordered, 0.5), 1), "p95_ms": round(percentile(ordered, 0.95), 1),
                           "p99_ms": round(percentile(ordered, 0.99), 1),
                           **({"error_examples": entry["examples"]} if entry["examples"] else {})}
    report = {"clients": args.clients, "seconds": round(wall, 1), "app_startup_s": round(startup, 1),
              "requests": sum(e["requests"] for e in endpoints.values()),
              "errors": sum(e["errors"] for e in endpoints.values()),
              "busy": sum(e["busy"] for e in endpoints.values()),
              "server_rss_mb": {"start": before, "after_warmup": warm, "during": samples, "end": after},
              "server_alive": alive, "endpoints": endpoints}
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
