"""The load test script, short: many clients on every endpoint of `python app.py`; then an overload
against a tiny queue, which must be answered "busy" (HTTP 503, queue full) and not crash the server.
The 60-second run is a benchmark: python -m gen_core.loadtest --clients 32 --seconds 60."""
import http.client
from urllib.parse import urlsplit

from gen_core import bench, loadtest
from serving import serving


def test_short_load_run_has_no_errors_and_serves_every_endpoint():
    report = loadtest.main(["--clients", "8", "--seconds", "5"])
    assert report["server_alive"] and report["errors"] == 0 and report["busy"] == 0
    assert all(e["ok"] >= 1 for e in report["endpoints"].values()), report["endpoints"]
    memory = report["server_rss_mb"]
    assert memory["end"] - memory["after_warmup"] < 500


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
