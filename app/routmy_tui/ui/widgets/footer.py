"""Textual's Footer, rebuilt only when its keys change, the keys that matter first."""

from __future__ import annotations

import time
from collections.abc import Iterable
from difflib import SequenceMatcher
from typing import Any

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from routmy_tui.ui.commands import COMMANDS
from routmy_tui.ui.request_first import frames_held

__all__ = ["KeysFooter", "ranked"]

FIRST = ("stop", "cancel-edit", "leave-answering")
"""Shown only while they apply, and then the key the user needs first."""
CHAT_ORDER = (
    "help",
    "select-model",
    "toggle-inspector",
    "parameters",
    "conversations",
    "new-conversation",
    "retry",
    "system-prompt",
    "settings",
    "preview-request",
    "toggle-sidebar",
    "api-key",
    "quit",
)
"""The app's own keys after those of the focused widget, most wanted first."""


FOCUSED_ORDER = (
    "copy-message",
    "edit-message",
    "regenerate",
    "toggle-reasoning",
    "sibling-previous",
    "sibling-next",
)
"""The conversation's own keys, most wanted first."""


def _rank(index: int, command_id: str, where: str) -> tuple[int, int]:
    if command_id in FIRST:
        return 0, FIRST.index(command_id)
    if command_id in FOCUSED_ORDER:
        return 1, FOCUSED_ORDER.index(command_id) - len(FOCUSED_ORDER)
    if where not in ("app", "chat"):
        return 1, index  # the focused widget's or the dialog's keys, in the table's order
    if command_id in CHAT_ORDER:
        return 2, CHAT_ORDER.index(command_id)
    return 3, index


RANKS: dict[str, tuple[int, int]] = {}
for _index, _command in enumerate(COMMANDS):
    RANKS.setdefault(_command.action, _rank(_index, _command.id, _command.where))


def ranked(keys: Iterable[Widget]) -> list[Widget]:
    """The footer's keys sorted by importance; the command palette key stays last."""
    items = list(keys)

    def rank(position: int, widget: Widget) -> tuple[int, int, int]:
        if widget.has_class("-command-palette"):
            return 9, 0, position
        action = getattr(widget, "action", None)
        group, order = RANKS.get(action, (4, 0)) if isinstance(action, str) else (4, 0)
        return group, order, position

    return [widget for _, widget in sorted(enumerate(items), key=lambda p: rank(*p))]


def _spec(widget: Widget) -> tuple[Any, ...]:
    """What a footer key shows and does (two keys with equal specs look and act the same)."""
    if not isinstance(widget, FooterKey):
        return (id(widget),)
    return (
        widget.key,
        widget.key_display,
        widget.description,
        widget.action,
        widget._disabled,
        widget.tooltip,
        frozenset(widget.classes),
    )


TYPING = 0.5
"""Two inputs (keys, clicks, scrolls) this close together: the user is typing or scrolling."""
QUIET = 0.3
"""Seconds without input after which the user no longer counts as typing."""
JUST_DRAWN = 0.02
"""Seconds after an input during which a footer change goes out after that input's frame."""
MOST_DEFERRED = 1.0
"""Seconds a footer change waits at most for a pause in typing."""


class KeysFooter(Footer):
    """Textual's `Footer`, changed only where the keys it would show change, the keys in
    order of importance (`ranked`: a narrow footer cuts the end).

    Textual's footer mounts a widget per key again on every change of focus or bindings:
    three times between the first frame and the first key handled, and on every send, each
    time tens of milliseconds on the UI thread, in front of the reply. Here a change that
    leaves the shown keys as they are costs a comparison, the changes of one frame make one
    update, and an update mounts only the keys that are new (Stop appearing is one key) and
    removes only those that went. Keys are made with their compact class already set (the
    footer never changes style), so mounting one styles it once.
    """

    # Textual's compact footer keeps every key's right margin, the palette key's too: that
    # key is docked right, so the margin left the last column showing whatever key lay
    # under it ("Ctrl+P palette+"). The palette key fills it with its own padding instead.
    DEFAULT_CSS = """
    KeysFooter.-compact FooterKey.-command-palette {
        margin-right: 0;
        padding-right: 1;
    }
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shown: tuple[Any, ...] | None = None
        self._due = False
        self._deferred_since: float | None = None

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._shown = self._keys()  # whatever rebuilt it, this is what it shows
        self._drop_stale_watchers()
        yield from self._wanted()

    def _wanted(self) -> list[Widget]:
        """The key widgets the footer should show now, in order, not mounted."""
        widgets = ranked(super().compose())
        if self.compact:
            for widget in widgets:
                if isinstance(widget, FooterKey):
                    # Its `compact` watcher adds this class on mount, which styles the key
                    # (and restyles it) a second time; set now, the watcher has nothing to do.
                    widget.add_class("-compact", update=False)
        return self._fitting(widgets)

    def _fitting(self, keys: list[Widget]) -> list[Widget]:
        """The keys that fit whole beside the palette key, in order: a key cut in half
        ("Ctr▏") helps nobody. The footer is as wide as the terminal."""
        room = self.app.size.width
        palette = [key for key in keys if key.has_class("-command-palette")]
        room -= sum(self._width(key) for key in palette)
        shown: list[Widget] = []
        for key in keys:
            if key in palette:
                continue
            if isinstance(key, FooterKey):
                room -= self._width(key)
                if room + self.compact < 0:  # the last key's margin may lie under the palette key
                    break
            shown.append(key)
        return shown + palette

    def _width(self, key: FooterKey | Widget) -> int:
        """Columns a key takes, as the footer's style sheet lays it out."""
        if not isinstance(key, FooterKey):
            return 0
        keys, words = cell_len(key.key_display), cell_len(key.description)
        if key.has_class("-command-palette"):  # a border, then padded at the right
            return 1 + keys + 1 + words + 1 if self.compact else 1 + keys + 2 + words + 2
        if self.compact:  # "Ctrl+K API key" and a margin
            return keys + (1 + words if words else 0) + 1
        return keys + 2 + (words + 1 if words else 0)

    def on_resize(self) -> None:
        if self._bindings_ready and self.is_attached and self._keys() != self._shown:
            self.bindings_changed(self.screen)

    def _drop_stale_watchers(self) -> None:
        """Forget the watchers of keys removed by the last rebuild.

        Each key binds `compact` to the footer; Textual drops a removed key's binding only
        when `compact` changes, which it never does here: every key removed (Stop, twice per
        reply; the keys of each focused widget) stayed alive for good.
        """
        watchers: dict[str, list[tuple[Any, Any]]] = getattr(self, "__watchers", {})
        for entries in watchers.values():
            entries[:] = [(node, callback) for node, callback in entries if node.is_attached]

    def bindings_changed(self, screen: Screen[Any]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        if not self._due:
            self._due = True
            self.call_after_refresh(self._rebuild)

    def _typing(self, now: float) -> bool:
        """Whether the user is typing or scrolling (two inputs close together, the last one
        recent): a change of keys lays the screen out again (10-20 ms of CPU, more on a
        loaded machine), which a key typed meanwhile would wait for."""
        input_at = float(getattr(self.app, "input_at", 0.0))
        before = float(getattr(self.app, "input_before", 0.0))
        return now - input_at < QUIET and input_at - before < TYPING

    async def _rebuild(self) -> None:
        """Show the keys as they are now. While the user types (a reply ended meanwhile), the
        change goes out after the frame of the next key (the one after it is tens of ms
        away), when typing pauses, or after `MOST_DEFERRED` at the latest."""
        now = time.monotonic()
        if self.is_attached and self._typing(now) and self._may_defer(now):
            if now - float(getattr(self.app, "input_at", 0.0)) < JUST_DRAWN:
                self.call_after_refresh(self._update)
            else:
                self.set_timer(JUST_DRAWN, self._rebuild)  # _due stays set meanwhile
            return
        await self._update()

    def _may_defer(self, now: float) -> bool:
        """Whether a change deferred since `_deferred_since` may wait longer."""
        since = self._deferred_since = self._deferred_since or now
        return now - since < MOST_DEFERRED

    async def _update(self) -> None:
        if self.is_attached and frames_held(self.app) and self._may_defer(time.monotonic()):
            # A request is on its way (`frames_held`): it is written first. The keys' first
            # build (11 ms) ran between a message sent at the first frame and its request
            # leaving, the connection waiting for the event loop meanwhile.
            self.set_timer(JUST_DRAWN, self._rebuild)  # _due stays set meanwhile
            return
        self._due = False
        self._deferred_since = None
        if not self.is_attached:
            return
        keys = self._keys()
        if keys == self._shown:
            return
        old = list(self.children)
        new = self._wanted()
        if not old or not all(isinstance(w, FooterKey) for w in [*old, *new]):
            await self.recompose()  # the first build, or binding groups (not used here)
            return
        self._shown = keys
        matcher = SequenceMatcher(None, [_spec(w) for w in old], [_spec(w) for w in new])
        gone: list[Widget] = []
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            gone += old[i1:i2]
            if j2 > j1:
                if i2 < len(old):
                    await self.mount_all(new[j1:j2], before=old[i2])
                else:
                    await self.mount_all(new[j1:j2])
        if gone:
            await self.remove_children(gone)
            self._drop_stale_watchers()

    def _keys(self) -> tuple[Any, ...]:
        """What the footer shows: each shown binding with its state and display, and the
        width they are fitted into."""
        palette = self.app.COMMAND_PALETTE_BINDING
        keys: list[Any] = [self.show_command_palette, self.app.size.width]
        for key, (_node, binding, enabled, tooltip) in self.screen.active_bindings.items():
            if binding.show or key == palette:
                shown = (binding.action, binding.description, binding.group, enabled, tooltip)
                keys.append((key, self.app.get_key_display(binding), *shown))
        return tuple(keys)
