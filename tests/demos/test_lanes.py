"""Lanes: a bounded number of requests at a time, a bounded waiting room and a bounded wait; a refusal
is a plain "busy" sentence, and a slot is given back however the request ends."""
import inspect
import threading
import time

import gradio as gr
import pytest

import app
from demos.lanes import Lane


def _hold_the_slot(lane: Lane) -> tuple[threading.Event, threading.Thread]:
    """A request that holds the lane's one slot until the returned event is set; returns once it runs."""
    release, started = threading.Event(), threading.Event()

    @lane.admit
    def work():
        started.set()
        release.wait(10)

    holder = threading.Thread(target=work)
    holder.start()
    started.wait(5)
    return release, holder


def test_a_request_that_cannot_start_within_the_wait_is_told_busy():
    lane = Lane("t", slots=1, max_waiting=4, wait_s=0.3, what="test")
    release, worker = _hold_the_slot(lane)
    start = time.perf_counter()
    with pytest.raises(gr.Error, match="busy"):
        lane.admit(lambda: "second")()
    waited = time.perf_counter() - start
    assert 0.25 < waited < 1.5, waited
    release.set()
    worker.join()
    assert lane.admit(lambda: "third")() == "third"     # the slot came back


def test_a_full_waiting_room_is_refused_at_once():
    lane = Lane("t", slots=1, max_waiting=1, wait_s=5, what="test")
    release, holder = _hold_the_slot(lane)
    waiter_done = []
    waiter = threading.Thread(target=lambda: waiter_done.append(lane.admit(lambda: "waited")()))
    waiter.start()
    time.sleep(0.2)                                     # the waiter is in the waiting room
    start = time.perf_counter()
    with pytest.raises(gr.Error, match="busy"):
        lane.admit(lambda: "third")()
    assert time.perf_counter() - start < 0.2
    release.set()
    holder.join()
    waiter.join()
    assert waiter_done == ["waited"]                    # the one that waited ran once a slot was free


def test_a_failed_request_and_a_closed_stream_give_their_slot_back():
    lane = Lane("t", slots=1, max_waiting=0, wait_s=0, what="A test run")

    @lane.admit
    def fails():
        raise ValueError("boom")

    @lane.admit
    def stream(n):
        yield from range(n)

    with pytest.raises(ValueError):
        fails()
    assert inspect.isgeneratorfunction(stream) and list(stream(3)) == [0, 1, 2]
    running = stream(3)
    next(running)
    with pytest.raises(gr.Error, match="A test run is already going .* busy"):
        next(stream(3))
    running.close()
    assert list(stream(2)) == [0, 1]


def test_every_event_of_the_app_runs_in_a_lane():
    """An event outside the lanes would run unbounded beside them (Gradio's own limit is off)."""
    demo = app.build_app()
    handlers = [block_fn.fn for block_fn in demo.fns.values() if block_fn.fn is not None]
    assert handlers and all(getattr(fn, "lane", None) for fn in handlers), \
        [getattr(fn, "__name__", fn) for fn in handlers if not getattr(fn, "lane", None)]
