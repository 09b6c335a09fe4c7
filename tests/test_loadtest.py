"""The load test script, short: many clients on every endpoint of `python app.py`; then an overload
against a tiny queue, which must be answered "busy" (HTTP 503, queue full) and not crash the server.
Memory is checked on its own, with the same requests in equal passes: under many clients a run's
resident memory is mostly the high-water mark of whichever requests overlapped, which varied by
hundreds of MB between identical runs (README, "Load").
The 60-second run is a benchmark: python -m gen_core.loadtest --clients 32 --seconds 60."""
import http.client
from urllib.parse import urlsplit

from gen_core import bench, loadtest
from serving import serving

PASS = 4      # calls of each endpoint per pass
LEAK_MB = 40  # what a pass of 4 x 11 requests may add; a leak of 1 MB per request adds 44


def test_short_load_run_has_no_errors_and_serves_every_endpoint():
    report = loadtest.main(["--clients", "8", "--seconds", "5"])
    assert report["server_alive"] and report["errors"] == 0 and report["busy"] == 0
    assert all(e["ok"] >= 1 for e in report["endpoints"].values()), report["endpoints"]


def test_serving_the_same_requests_again_adds_no_memory(monkeypatch):
    """A leak grows with every request served: after two warm-up passes over every endpoint (the
    high-water mark, and the session store filled to its cap), one more equal pass (new seeds, so no
    cache answers) must leave the server's memory where the one before took it. Measured: +2 to +7 MB."""
    monkeypatch.setenv("GEN_CORE_MAX_SESSIONS", "20")  # each call opens a session; 400 are kept by default
    port = bench.free_port()
    with bench.launch_app(port) as (proc, _):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

        def serve_every_endpoint(seeds: range) -> float:
            for s in seeds:
                for name, inputs in loadtest.MIX.items():
                    bench.http_call(conn, name, inputs(s))
            return loadtest.resident_mb(proc.pid)

        serve_every_endpoint(range(0, 2 * PASS))
        first = serve_every_endpoint(range(2 * PASS, 3 * PASS))
        second = serve_every_endpoint(range(3 * PASS, 4 * PASS))
    assert second - first < LEAK_MB, (first, second)


def test_overload_gets_busy_answers_and_the_server_survives(monkeypatch):
    monkeypatch.setenv("GEN_CORE_QUEUE_SIZE", "2")
    report = loadtest.main(["--clients", "24", "--seconds", "4"])
    assert report["server_alive"] and report["busy"] > 0 and report["errors"] == 0
    assert sum(e["ok"] for e in report["endpoints"].values()) > 0


def test_the_server_keeps_a_bounded_number_of_sessions(monkeypatch):
    """Each API call without a session opens one, and Gradio keeps a copy of every component's config
    per session (10,000 by default): memory grows with every call until the cap drops the oldest."""
    monkeypatch.setenv("GEN_CORE_MAX_SESSIONS", "20")
    with serving() as (demo, url):
        conn = http.client.HTTPConnection("127.0.0.1", urlsplit(url).port, timeout=60)
        for s in range(50):
            bench.http_call(conn, "flow_read_point", loadtest.MIX["flow_read_point"](s))
        assert 1 <= len(demo.state_holder.session_data) <= 20
