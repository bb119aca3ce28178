"""Where `RoutmyApp` replaces Textual: its driver, key labels, toasts, screenshots, crashes."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from textual.notifications import SeverityLevel

from routmy_tui.core.text import make_safe
from routmy_tui.ui.commands import key_label

if TYPE_CHECKING:
    from textual.app import App
    from textual.binding import Binding
    from textual.driver import Driver
    from textual.geometry import Size
    from textual.screen import Screen

    from routmy_tui.config.settings import Settings

    _AppBase = App[None]
else:
    _AppBase = object

__all__ = ["TextualHooksMixin", "with_breakpoints"]


def _from_textual() -> bool:
    """Whether the notice being shown was written by Textual itself (not by this app).

    The first caller outside the `notify` methods decides (a screen's `notify` forwards ours).
    """
    frame = sys._getframe(2)
    while frame is not None and frame.f_code.co_name == "notify":
        frame = frame.f_back  # type: ignore[assignment]
    module = frame.f_globals.get("__name__", "") if frame is not None else ""
    return str(module).split(".")[0] == "textual"


ScreenT = TypeVar("ScreenT", bound="Screen[Any]")


def with_breakpoints(screen: ScreenT, app: App[Any], size: Size) -> ScreenT:
    """`screen` with the breakpoint classes of `size` (`App.HORIZONTAL_BREAKPOINTS` and
    `VERTICAL_BREAKPOINTS`, or the screen's own), as Textual sets them on each resize.

    Textual sets them only on the screen's first resize, after its first frame: every
    style of the screen was then worked out again, and it was laid out again, in front of
    the first keys (3-4 ms). Set before it mounts, that resize changes nothing.
    """
    classes: set[str] = set()
    for dimension, own, apps in (
        (size.width, screen.HORIZONTAL_BREAKPOINTS, app.HORIZONTAL_BREAKPOINTS),
        (size.height, screen.VERTICAL_BREAKPOINTS, app.VERTICAL_BREAKPOINTS),
    ):
        breakpoints = (apps if own is None else own) or []
        reached = [(at, name) for at, name in breakpoints if dimension >= at]
        if reached:
            classes.add(max(reached)[1])
    if classes:
        screen.set_class(True, *classes, update=False)
    return screen


class TextualHooksMixin(_AppBase):
    """`RoutmyApp`'s replacements for Textual's own behaviour (an `App` to mypy; at run time a
    plain mixin before `App` in `RoutmyApp`'s bases, so `super()` reaches Textual's)."""

    if TYPE_CHECKING:

        @property
        def settings(self) -> Settings: ...

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver, but on Linux and macOS one sized by the terminal itself."""
        driver = super().get_driver_class()
        from textual.drivers.linux_driver import LinuxDriver

        if driver is LinuxDriver:
            from routmy_tui.ui.sized_driver import SizedDriver

            return SizedDriver
        return driver

    def get_key_display(self, binding: Binding) -> str:
        """Keys in the footer as help and the palette write them (`Ctrl+K`, not `^k`)."""
        return binding.key_display or key_label(binding.key)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Show a toast; our text is never parsed as markup nor passed to the terminal raw.

        Paths, model ids, titles and server messages are shown exactly as they are. Textual's
        own notices ("Saved screenshot to ...", "Press ctrl+q to quit") carry their markup,
        which is applied.
        """
        if _from_textual():
            super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)
            return
        super().notify(
            make_safe(message),
            title=make_safe(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def deliver_screenshot(
        self,
        filename: str | None = None,
        path: str | None = None,
        time_format: str | None = None,
    ) -> str | None:
        """Save a screenshot: to ~/Downloads when it exists, else to the data folder's
        `screenshots/` (made, 0700), so the palette's "Screenshot" never fails for want of
        a Downloads folder."""
        if path is None:
            downloads = Path.home() / "Downloads"
            if downloads.is_dir():
                path = str(downloads)
            else:
                folder = Path(self.settings.data_dir) / "screenshots"
                try:
                    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
                except OSError as exc:
                    self.notify(f"Could not save the screenshot: {exc}", severity="error")
                    return None
                path = str(folder)
        return super().deliver_screenshot(filename, path, time_format)

    def _fatal_error(self) -> None:
        """Report a crash without the local variables Textual shows by default.

        Locals can hold the API key (a config dict being saved, a header being built);
        the traceback itself is still printed in full when the app exits.
        """
        import rich
        from rich.segment import Segments
        from rich.traceback import Traceback

        self.bell()
        traceback = Traceback(show_locals=False, width=None, suppress=[rich])
        self._exit_renderables.append(
            Segments(self.console.render(traceback, self.console.options))
        )
        self._close_messages_no_wait()
