"""Textual's Linux driver, sized by the terminal it draws on, never by COLUMNS and LINES."""

from __future__ import annotations

import os
import sys

from textual import events
from textual.drivers.linux_driver import LinuxDriver
from textual.message import Message

__all__ = ["SizedDriver", "terminal_size"]


def terminal_size() -> tuple[int, int] | None:
    """The size of the terminal on stderr (where Textual draws), else stdout's or stdin's."""
    for stream in (sys.__stderr__, sys.__stdout__, sys.__stdin__):
        try:
            size = os.get_terminal_size(stream.fileno())  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            continue
        if size.columns > 0 and size.lines > 0:
            return size.columns, size.lines
    return None


class SizedDriver(LinuxDriver):
    """Textual asks `shutil.get_terminal_size`, which believes COLUMNS and LINES when they
    are set (an exported COLUMNS=80, or a test runner's: the app then drew 80 columns in a
    120-column terminal, and never followed a resize) and asks stdout, which may be a file
    while the screen is on stderr. This asks the terminal itself first."""

    def _get_terminal_size(self) -> tuple[int, int]:
        return terminal_size() or super()._get_terminal_size()

    def process_message(self, message: Message) -> None:
        # The input thread: stream reading waits from now until the input is drawn.
        if isinstance(message, events.InputEvent) and not isinstance(message, events.MouseMove):
            gate = getattr(self._app, "input_gate", None)
            if gate is not None:
                gate.input_sent()
        super().process_message(message)

    def write(self, data: str) -> None:
        super().write(data)
        gate = getattr(self._app, "input_gate", None)
        if gate is not None:
            gate.frame_written()  # input first: stream reading waits for this (InputGate)
