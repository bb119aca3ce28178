"""Keys typed while a dialog is still opening go to its text box, not nowhere."""

from __future__ import annotations

from textual import events
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, TextArea


def take_early_key(screen: Screen[object], event: events.Key) -> bool:
    """Give a printable key that reached a just-opened dialog before any of its widgets had the
    focus to the text box the dialog focuses first; whether it was taken.

    A fast typist's "F3, t, o" arrives in one read: the letters reach the dialog before it
    has focused its query box, and Textual would drop them.
    """
    if not isinstance(screen, ModalScreen) or screen.focused is not None:
        return False
    if not event.is_printable or not event.character:
        return False
    # The widget the dialog focuses first: its AUTO_FOCUS selector, else the first in order.
    selector = screen.AUTO_FOCUS
    chain = screen.focus_chain
    if selector and selector != "*":
        target = next(iter(screen.query(selector)), None)
    else:
        target = chain[0] if chain else None
    if isinstance(target, Input):
        target.focus()
        target.insert_text_at_cursor(event.character)
    elif isinstance(target, TextArea) and not target.read_only:
        target.focus()
        target.insert(event.character)
    else:
        return False
    event.stop()
    return True
