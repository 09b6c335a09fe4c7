"""Latency of every endpoint with its example input, at three layers, printed as JSON.

    python -m tools.bench [--repeats 50]

1. handler: the tab's function as the app runs it (validation, model, figure, PNG/WAV), in-process;
   for a stream, also the first update;
2. http: POST /gradio_api/call/<api_name> to `python app.py` on 127.0.0.1, then read that event's
   stream to `complete`;
3. gradio_client: the same through gradio_client (its own overhead is large).
Also reports how long `python app.py` takes to answer on its port.
"""
from __future__ import annotations

import argparse
import http.client
import inspect
import json
import statistics
import time
from collections.abc import Callable

from tools.serve import endpoints, free_port, http_call, launch_app, percentile


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    return {"p50_ms": round(statistics.median(ordered), 2), "p95_ms": round(percentile(ordered, 0.95), 2),
            "n": len(ordered)}


def timed(fn: Callable[[], object], repeats: int, warmup: int = 2) -> dict[str, float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return percentiles(samples)


def first_update(handler, inputs: list) -> Callable[[], object]:
    """Time to a stream's first update (the stream is then closed, as a cancelled run is)."""
    def call():
        stream = handler(*inputs)
        next(stream)
        stream.close()
    return call


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--only", nargs="*", help="api names to measure (default: all)")
    args = parser.parse_args(argv)
    import demos
    from demos import hosting

    hosting.configure_serving()  # the same torch threads as the server, so the layers compare
    examples, handlers = demos.examples(), endpoints()
    names = args.only or sorted(examples)
    report: dict = {"endpoints": {}}
    port = free_port()
    with launch_app(port) as (_, startup):
        report["app_startup_s"] = round(startup, 2)
        from gradio_client import Client

        client = Client(f"http://127.0.0.1:{port}/", verbose=False, analytics_enabled=False)
        for name in names:
            inputs, (handler, lane) = examples[name], handlers[name]
            streams = inspect.isgeneratorfunction(handler)
            whole = (lambda: list(handler(*inputs))) if streams else (lambda: handler(*inputs))
            repeats = max(3, args.repeats // 10) if lane == "training" else args.repeats
            # A fresh keep-alive connection per endpoint: uvicorn closes idle ones after 5 s.
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
            report["endpoints"][name] = {
                "lane": lane,
                **({"handler_first_update": timed(first_update(handler, inputs), repeats)} if streams else {}),
                "handler": timed(whole, repeats),
                "http": timed(lambda: http_call(conn, name, inputs), repeats),
                "gradio_client": timed(lambda: client.predict(*inputs, api_name=f"/{name}"), max(3, repeats // 5)),
            }
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
