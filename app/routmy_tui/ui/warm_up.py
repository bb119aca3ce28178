"""The app's work after its first frame: the warm-up thread, then the model catalog."""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import events

from routmy_tui.ui.chat.chat_screen import ChatScreen

if TYPE_CHECKING:
    from routmy_tui.services.container import Services

__all__ = ["CATALOG_RETRY", "WARM_UP_FALLBACK", "WarmUpMixin"]

WARM_UP_FALLBACK = 1.0
"""Seconds after mount when the warm-up starts if the chat screen has not asked for it."""
CATALOG_RETRY = 0.5
"""Seconds between checks whether the replies that hold back the warm-up (the renderers'
sample, the catalog's load) ended."""


class WarmUpMixin:
    """`RoutmyApp`'s warm-up: started once the first screens are drawn, held back while a
    reply streams (a message sent at the first frame comes first)."""

    services: Services
    _warmed: bool
    _catalog_started: bool
    _after_first_frame: Callable[[], None] | None

    if TYPE_CHECKING:
        screen_stack: list[Any]

        def start_catalog(self) -> None: ...

    @property
    def _app(self) -> Any:
        """This mixin as the Textual app it is part of (timers, threads)."""
        return self

    def warm_up(self) -> None:
        """Once the first screens are drawn: start the demo backend, and import the client
        and the renderers in a thread (the UI stays live), then load the model catalog.

        The chat screen calls this once its history is on screen; it runs once."""
        if self._warmed:
            return
        self._warmed = True
        if not gc.isenabled():
            # The command line turned the collector off for start-up (`cli.main`). What
            # start-up made lives as long as the app: frozen, it is never scanned again.
            gc.freeze()
            gc.enable()
        if self._after_first_frame is not None:
            self._after_first_frame()
        self._warm_when_idle()

    def _warm_when_idle(self) -> None:
        """Start the warm-up thread, once no reply streams: a message sent at the first
        frame comes first (its reply loads the renderers itself; the warm-up's sample and
        the catalog's fetch would only compete with it)."""
        if self._replying():
            self._app.set_timer(CATALOG_RETRY, self._warm_when_idle)
            return
        threading.Thread(target=self._warm_imports, name="routmy-warm-up", daemon=True).start()

    def _warm_imports(self) -> None:
        """Runs in a thread: what the first send and the first reply would otherwise import."""
        try:
            # The client first: a message sent at once needs it before anything else.
            self.services.prepare()
            from routmy_tui.ui.chat.render import warm_up

            warm_up()  # a private console: the app's is not shared across threads
        finally:
            # Queued for the app's loop, not waited for: `call_from_thread` blocked this
            # thread until the loop ran it, and an app that closed meanwhile left its
            # coroutine never awaited (a RuntimeWarning). A closed app drops the message.
            with contextlib.suppress(RuntimeError):  # the app's loop may already be closed
                self._app.post_message(events.Callback(callback=self._catalog_when_idle))

    def _catalog_when_idle(self) -> None:
        """Load the catalog, once no reply streams.

        A message sent at the first frame comes first: the catalog's fetch, parsing and
        saving would run beside its reply. The model picker does not wait (it asks for the
        catalog itself)."""
        if self._catalog_started:
            return
        if self._replying():
            self._app.set_timer(CATALOG_RETRY, self._catalog_when_idle)
            return
        self.start_catalog()

    def _replying(self) -> bool:
        """Whether a reply streams on a chat screen (compared replies count)."""
        return any(
            isinstance(screen, ChatScreen) and screen.controller is not None
            and screen.controller.busy
            for screen in self.screen_stack
        )  # fmt: skip
