"""The load test script, short: many clients on every endpoint of `python app.py`; then an overload
against a tiny queue, which must be answered "busy" (HTTP 503, queue full) and not crash the server.
The 60-second run is a benchmark: python -m gen_core.loadtest --clients 32 --seconds 60."""
from gen_core import loadtest


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
