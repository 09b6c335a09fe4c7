"""Admission: every request ends, with an answer or a plain "busy", within a bounded time.

Gradio's queue lets a request wait as long as the requests before it take, and a two-minute training
stream made later callers wait for minutes. So each endpoint runs in a lane: a few slots, a bounded
number of waiting requests, and a bounded wait. A request that finds the waiting room full, or no free
slot within `wait_s`, gets a `gr.Error` that says "busy" at once, and the caller may try again.
Lanes keep light requests (one digit, one clip) fast while heavy ones (live training, long streams)
are running: each has its own slots.
"""
from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import gradio as gr

BUSY = "busy"   # every refusal says it, so a client can tell "try again" from a real error


@dataclass
class Lane:
    """`slots` requests at a time; up to `max_waiting` more wait at most `wait_s` seconds each."""

    name: str
    slots: int
    max_waiting: int
    wait_s: float
    what: str                       # how a refusal names the work, e.g. "A training run"
    _free: threading.Semaphore = field(init=False, repr=False)
    _waiting: int = field(default=0, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        self._free = threading.Semaphore(self.slots)

    @property
    def threads(self) -> int:
        """Server threads this lane can hold at once (running and waiting)."""
        return self.slots + self.max_waiting

    def _refuse(self) -> gr.Error:
        if self.wait_s == 0:
            return gr.Error(f"{self.what} is already going (one at a time): the server is {BUSY}, "
                            "try again in a moment.")
        return gr.Error(f"The server is {BUSY} with other {self.what} requests: try again in a moment.")

    def _enter(self) -> None:
        if self._free.acquire(blocking=False):
            return
        with self._lock:
            if self._waiting >= self.max_waiting:
                raise self._refuse()
            self._waiting += 1
        try:
            admitted = self.wait_s > 0 and self._free.acquire(timeout=self.wait_s)
        finally:
            with self._lock:
                self._waiting -= 1
        if not admitted:
            raise self._refuse()

    def admit(self, fn: Callable) -> Callable:
        """`fn` run in this lane. Generators hold their slot until they finish or are closed (Gradio
        closes a cancelled stream). The signature is kept, so Gradio still injects gr.Request,
        gr.Progress and event data and shows the same API; for a handler with its model bound
        (functools.partial), that is the signature of what is left to pass."""
        if inspect.isgeneratorfunction(fn):
            @_keeps_signature(fn)
            def stream(*args, **kwargs):
                self._enter()
                try:
                    yield from fn(*args, **kwargs)
                finally:
                    self._free.release()
            stream.lane = self.name
            return stream

        @_keeps_signature(fn)
        def call(*args, **kwargs):
            self._enter()
            try:
                return fn(*args, **kwargs)
            finally:
                self._free.release()
        call.lane = self.name
        return call


def _keeps_signature(fn: Callable) -> Callable[[Callable], Callable]:
    """functools.wraps(fn), also for a functools.partial: the wrapper takes the function's name,
    annotations and module (where Gradio resolves the annotations that mark gr.SelectData or
    gr.Request) and the partial's signature, without the arguments already bound."""
    if not isinstance(fn, functools.partial):
        return functools.wraps(fn)

    def decorate(wrapper: Callable) -> Callable:
        functools.update_wrapper(wrapper, fn.func)
        wrapper.__signature__ = inspect.signature(fn)
        return wrapper
    return decorate


@dataclass
class Lanes:
    """The app's lanes. On two cores: two light requests side by side, one heavy one beside them, and
    one live training run app-wide, which refuses a second caller at once instead of queueing it
    behind a run of up to two minutes."""

    light: Lane = field(default_factory=lambda: Lane("light", 2, 48, 30.0, "light"))
    heavy: Lane = field(default_factory=lambda: Lane("heavy", 1, 8, 30.0, "heavy"))
    training: Lane = field(default_factory=lambda: Lane("training", 1, 0, 0.0, "A live training run"))

    @property
    def threads(self) -> int:
        return sum(lane.threads for lane in (self.light, self.heavy, self.training))
