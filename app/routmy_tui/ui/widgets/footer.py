"""Textual's Footer, rebuilt only when the keys it shows change."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer

__all__ = ["KeysFooter"]


class KeysFooter(Footer):
    """Textual's `Footer`, rebuilt only when the keys it would show change.

    Textual's footer mounts a widget per key again on every change of focus or bindings:
    three times between the first frame and the first key handled, and on every send, each
    time tens of milliseconds on the UI thread, in front of the reply. Here a change that
    leaves the shown keys as they are costs a comparison, and the changes of one frame make
    one rebuild.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shown: tuple[Any, ...] | None = None
        self._due = False

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._shown = self._keys()  # whatever rebuilt it, this is what it shows
        yield from super().compose()

    def bindings_changed(self, screen: Screen[Any]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        if not self._due:
            self._due = True
            self.call_after_refresh(self._rebuild)

    async def _rebuild(self) -> None:
        self._due = False
        if self.is_attached and self._keys() != self._shown:
            await self.recompose()

    def _keys(self) -> tuple[Any, ...]:
        """What the footer shows: each shown binding with its state and display."""
        palette = self.app.COMMAND_PALETTE_BINDING
        keys: list[Any] = [self.show_command_palette]
        for key, (_node, binding, enabled, tooltip) in self.screen.active_bindings.items():
            if binding.show or key == palette:
                shown = (binding.action, binding.description, binding.group, enabled, tooltip)
                keys.append((key, self.app.get_key_display(binding), *shown))
        return tuple(keys)
