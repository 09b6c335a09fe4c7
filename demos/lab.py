"""What the app owns and hands to each tab's build(lab): its models, its lanes and its background work.

Nothing here is global: `app.build_app()` makes one Lab, a test makes its own from tiny models, and a
tab reads only what it is given. Handlers get their models bound when the tab is built
(functools.partial), so a request never looks a model up by name.
"""
from __future__ import annotations

import functools
import threading
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import gen_core
from demos.lanes import Lanes
from gen_core.hub import LoadError


class Models:
    """Models by registered name, each loaded once (or given by a test). A name whose model failed
    holds the LoadError that says why, so its tab explains itself in place and the others work; a
    failed model is not tried again per request."""

    def __init__(self, outcomes: Mapping[str, gen_core.HubModel | LoadError]):
        self._outcomes = dict(outcomes)

    @classmethod
    def load(cls, names: Iterable[str]) -> Models:
        """Each model once. A missing or broken file is its LoadError; any other exception is a bug in the
        code, not in the files: its traceback goes to the log and its tab says it is a code error."""
        outcomes: dict[str, gen_core.HubModel | LoadError] = {}
        for name in dict.fromkeys(names):
            try:
                outcomes[name] = gen_core.load(name)
            except LoadError as error:
                outcomes[name] = error
            except Exception as error:   # noqa: BLE001 - one model's bug must not stop the app
                traceback.print_exc()
                outcomes[name] = LoadError(f"A code error, not a missing or broken file, stopped {name!r} from loading: "
                                           f"{type(error).__name__}: {error}. The server's log has the traceback.")
        return cls(outcomes)

    def __getitem__(self, name: str) -> gen_core.HubModel:
        """The model, or its LoadError raised (also for a name this app did not load)."""
        outcome = self._outcomes.get(name)
        if outcome is None:
            raise LoadError(f"{name!r} is not among the models this app loaded: {', '.join(self._outcomes) or 'none'}.")
        if isinstance(outcome, LoadError):
            raise outcome.with_traceback(None)
        return outcome

    def ready(self, names: Iterable[str]) -> list[str]:
        """The names among `names` whose models loaded, in the order given."""
        return [name for name in names if name in self._outcomes and not isinstance(self._outcomes[name], LoadError)]

    def failed(self, names: Iterable[str]) -> dict[str, LoadError]:
        """{name: its LoadError} for the names among `names` that did not load."""
        errors = {}
        for name in names:
            try:
                self[name]
            except LoadError as error:
                errors[name] = error
        return errors


@dataclass
class Lab:
    """One app's models and lanes, and the work its tabs ask to run once they are built (warming a
    cache): start() runs it on one thread, so a test that builds a tab alone starts nothing."""

    models: Models
    lanes: Lanes = field(default_factory=Lanes)
    background: list[Callable[[], None]] = field(default_factory=list)
    first_views: list[tuple[Callable[[], Any], list]] = field(default_factory=list)

    def on_first_view(self, compute: Callable[[], Any], outputs: list) -> None:
        """Fill `outputs` with `compute()` when a page loads (hosting.blocks wires it), computed at the first
        page load and kept for the next ones: a tab's first pictures cost nothing at start-up, so start-up
        does not grow with the tabs."""
        cached = functools.cache(compute)

        def first_view() -> Any:   # one name for every such event (the hostile-input test lists them)
            return cached()
        self.first_views.append((first_view, outputs))

    def start(self) -> threading.Thread | None:
        """Run the background work in order on one thread. Not a daemon: exiting while it runs torch code
        would abort the interpreter, so exit waits for it (seconds)."""
        if not self.background:
            return None
        jobs = list(self.background)

        def run_jobs() -> None:
            for job in jobs:
                job()

        thread = threading.Thread(target=run_jobs, name="lab-warm-up")
        thread.start()
        return thread
