"""Textual's Linux driver, sized by the terminal it draws on, never by COLUMNS and LINES."""

from __future__ import annotations

import os
import sys

from textual.drivers.linux_driver import LinuxDriver

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
