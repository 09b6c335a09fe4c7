"""Latency of every endpoint at three layers, printed as JSON.

    python -m gen_core.bench [--repeats 50]

1. model: the raw model call; 2. handler: the demo function (validation, sampling, figure, PNG);
3. http: POST /gradio_api/call/<api_name> to `python app.py` on 127.0.0.1, then read that event's
stream to `complete`. The gradio_client figure is printed too; its own overhead is large.
Also reports how long `python app.py` takes to answer on its port.
"""
from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import torch
from PIL import Image

from gen_core.sample import digit_labels

REPO_ROOT = Path(__file__).resolve().parents[1]


def percentile(ordered: list[float], q: float) -> float:
    """The q-quantile of sorted samples by nearest rank (nan when there are none)."""
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    return {"p50_ms": round(statistics.median(ordered), 2), "p95_ms": round(percentile(ordered, 0.95), 2),
            "n": len(ordered)}


def timed(fn: Callable[[int], object], repeats: int, warmup: int = 3) -> dict[str, float]:
    for i in range(warmup):
        fn(10_000 + i)
    samples = []
    for i in range(repeats):
        start = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - start) * 1000)
    return percentiles(samples)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def launch_app(port: int) -> Iterator[tuple[subprocess.Popen, float]]:
    """Run `python app.py` for the block: yields the process and the seconds until it answered GET /,
    and stops it afterwards."""
    env = {**os.environ, "GRADIO_SERVER_NAME": "127.0.0.1", "GRADIO_SERVER_PORT": str(port)}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=REPO_ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while time.perf_counter() - start < 120:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/")
            if conn.getresponse().status == 200:
                break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        raise RuntimeError("app.py did not answer within 120 s")
    try:
        yield proc, time.perf_counter() - start
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def http_call(conn: http.client.HTTPConnection, api_name: str, data: list) -> str:
    """One plain-HTTP call: POST the inputs, then read the event stream to `complete`."""
    conn.request("POST", f"/gradio_api/call/{api_name}", body=json.dumps({"data": data}),
                 headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    answer = json.loads(response.read())
    if "event_id" not in answer:  # refused before queueing, e.g. the queue is full
        raise RuntimeError(f"{api_name} refused (HTTP {response.status}): {json.dumps(answer)[:300]}")
    event_id = answer["event_id"]
    conn.request("GET", f"/gradio_api/call/{api_name}/{event_id}")
    stream = conn.getresponse().read().decode()
    if "event: complete" not in stream:
        raise RuntimeError(f"{api_name} did not complete: {stream[:300]}")
    return stream


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m gen_core.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args(argv)
    from demos import (cgan_digits, common, flow_density, gan_family, infogan_codes,  # gen_core itself never imports gradio
                       vae_interpolation, wavegan_digits)
    from gen_core.data import toy2d
    from gen_core.data.digit_input import mnist_like

    common.configure_serving()  # the same torch threads as the server, so the layers compare
    cgan = common.get_model(cgan_digits.MODEL)
    flow = common.get_model(flow_density.model_name("moons"))
    _, grid = toy2d.grid(flow_density.RESOLUTION)

    def raw_cgan(digit: int | None, n: int) -> Callable[[int], object]:
        labels = digit_labels(digit, n)
        return lambda s: cgan.sample(len(labels), labels=labels, generator=torch.Generator().manual_seed(s))

    def raw_flow_figure(s: int) -> None:
        with torch.no_grad():
            flow.sample(1000, generator=torch.Generator().manual_seed(s))
            flow.log_prob(grid)  # what the handler caches per density

    vae = common.get_model(vae_interpolation.MODEL)
    sketch = np.zeros((280, 280, 4), np.uint8)
    sketch[40:240, 125:150] = (0, 0, 0, 255)  # one stroke on a clear canvas, as the sketchpad sends it

    def sketch_encode(s: int) -> None:
        with torch.no_grad():
            vae.encode(mnist_like(Image.fromarray(np.roll(sketch, s % 40, axis=1))))

    vae_inputs = lambda s: ["test digit", 0, str(s % 10), s % 50, None, None,  # noqa: E731
                            "seed", s, "0", 0, None, None, 16, "slerp"]
    wavegan = common.get_model(wavegan_digits.MODEL)

    def raw_wavegan(s: int) -> None:
        wavegan.sample(1, digits=torch.tensor([s % 10]), generator=torch.Generator().manual_seed(s))

    # label: (api_name, inputs for call s, handler, raw model call or None)
    endpoints = {
        "cgan_generate (digit 3, n 64)": ("cgan_generate", lambda s: ["3", 64, s, 4.0], cgan_digits.generate,
                                          raw_cgan(3, 64)),
        "cgan_generate (all digits, n 8)": ("cgan_generate", lambda s: ["all digits", 8, s, 4.0],
                                            cgan_digits.generate, raw_cgan(None, 8)),
        "gan_family_generate (4 models x 10 samples)": ("gan_family_generate", lambda s: [10, s], gan_family.generate,
                                                        None),
        "flow_density (moons, 200x200 heat maps, 1000 samples each)": (
            "flow_density", lambda s: ["moons", 1000, s], flow_density.show_density, raw_flow_figure),
        "flow_layer (moons, slider moves, seed fixed)": (
            "flow_layer", lambda s: ["moons", s % 10, 0], flow_density.show_layer, None),
        "flow_layer (moons, new seed every call)": (
            "flow_layer", lambda s: ["moons", 5, s], flow_density.show_layer, None),
        "vae_interpolate (16 steps, slerp, + norm plot)": ("vae_interpolate", vae_inputs,
                                                          vae_interpolation.interpolate, None),
        "vae_details (GIF, reconstructions, ELBO terms)": ("vae_details", vae_inputs, vae_interpolation.details, None),
        "sketch encode (280x280 sketch -> MNIST framing -> q(z|x))": (None, None, None, sketch_encode),
        "infogan_traversal (10 x 8 grid)": ("infogan_traversal", lambda s: ["c1", 8, 0.0, 0.0, s],
                                            infogan_codes.traversal, None),
        "infogan_sample (one digit, slider released)": (
            "infogan_sample", lambda s: [str(s % 10), (s % 9) / 2 - 2, 0.5, 0], infogan_codes.sample, None),
        "wavegan_clip (one raw 1-s clip, int16)": ("wavegan_clip", lambda s: [str(s % 10), s], wavegan_digits.clip,
                                                   raw_wavegan),
        "wavegan_inspect (one clip: waveform + log-mel, beside a real one)": (
            "wavegan_inspect", lambda s: [str(s % 10), s], wavegan_digits.inspect, None),
        "wavegan_generate (8 clips, first one plotted)": ("wavegan_generate", lambda s: ["any", 8, s],
                                                          wavegan_digits.generate, None),
        "wavegan_morph (8 steps, 8.2 s, spectrogram)": ("wavegan_morph", lambda s: ["7", s, "8", s + 1, 8],
                                                        wavegan_digits.morph, None),
        "flow_read_point (moons)": ("flow_read_point", lambda s: ["moons", (s % 89) / 10 - 4.4, 0.5],
                                    flow_density.read_point, None),
    }
    report: dict = {"torch_threads": torch.get_num_threads(), "endpoints": {}}
    port = free_port()
    with launch_app(port) as (proc, startup):
        report["app_startup_s"] = round(startup, 2)
        from gradio_client import Client

        client = Client(f"http://127.0.0.1:{port}/", verbose=False, analytics_enabled=False)
        for label, (api_name, inputs, handler, raw) in endpoints.items():
            if api_name is None:  # a model-level step with no endpoint of its own
                report["endpoints"][label] = {"model": timed(raw, args.repeats)}
                continue
            # A fresh keep-alive connection per endpoint: uvicorn closes idle ones after 5 s.
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            report["endpoints"][label] = {
                **({"model": timed(raw, args.repeats)} if raw else {}),
                "handler": timed(lambda s: handler(*inputs(s)), args.repeats),
                "http": timed(lambda s: http_call(conn, api_name, inputs(s)), args.repeats),
                "gradio_client": timed(lambda s: client.predict(*inputs(s), api_name=f"/{api_name}"),
                                       max(5, args.repeats // 5)),
            }
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
