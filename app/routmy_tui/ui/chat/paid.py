"""Asking once before a request that costs money (regenerate, replay), unless told not to."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App

from routmy_tui.services.container import UserSettings
from routmy_tui.ui.widgets.dialogs import PaidConfirmDialog

CONFIRM_SETTINGS = ("confirm_regenerate", "confirm_replay")
"""Settings that turn each question off (the settings screen lists them too)."""


def confirm_paid(
    app: App[Any],
    settings: UserSettings,
    setting: str,
    question: str,
    action: str,
    then: Callable[[], None],
) -> None:
    """Run `then` after a yes, or at once when `setting` is off; "don't ask again" saves it.

    Args:
        app: Shows the question.
        settings: The settings in force; the answer is written to the config file.
        setting: The boolean setting that says whether to ask ("confirm_regenerate").
        question: What is about to happen.
        action: The confirming button's label.
        then: Starts the request.
    """
    if not getattr(settings.current, setting):
        then()
        return

    def answered(answer: tuple[bool, bool] | None) -> None:
        if answer is None:
            return
        yes, never_again = answer
        if yes and never_again:
            try:
                settings.save({setting: False}, **{setting: False})
            except (OSError, ValueError) as exc:
                app.notify(f"Could not save the setting: {exc}", severity="error")
        if yes:
            then()

    app.push_screen(PaidConfirmDialog(question, action), answered)
