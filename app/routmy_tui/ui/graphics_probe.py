"""Ask the terminal what pictures it can draw, in a thread at start-up; imports no Textual."""

from __future__ import annotations

__all__ = ["probe"]


def probe() -> tuple[int, int]:
    """Let textual-image ask the terminal what it can draw (Kitty, Sixel) and its cell size
    in pixels, which it keeps for the app; returns the cell size.

    textual-image asks when `textual_image.renderable` is first imported, by writing to the
    terminal and reading the answer from stdin: this must happen before Textual owns stdin.
    It runs in a thread while the app's modules load, so it must import nothing the main
    thread may be importing at the same time: two threads importing one package's modules
    from different ends can deadlock on Python's import locks (`_DeadlockError`; seen about
    once in twenty starts when this thread imported `textual.strip`). textual-image's
    renderables need only Rich and Pillow: `cli.main` imports Rich's modules before this
    thread starts, and the main thread imports no Pillow at start.
    """
    import textual_image.renderable  # noqa: F401  (asks the terminal at import)
    from textual_image._terminal import get_cell_size

    size = get_cell_size()
    return size.width, size.height
