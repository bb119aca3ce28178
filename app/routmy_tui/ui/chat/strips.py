"""Rich renderables to Textual strips at a fixed width."""

from __future__ import annotations

from rich.console import Console, RenderableType
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

BLANK = Strip.blank(0)


def render_strips(
    console: Console, renderable: RenderableType, width: int, style: Style | None = None
) -> list[Strip]:
    """Render anything Rich can render into strips of exactly `width` cells."""
    options = console.options.update(width=width, min_width=width, max_width=width, highlight=False)
    lines = console.render_lines(renderable, options, style=style, pad=True, new_lines=False)
    return [Strip(line, width) for line in lines]


def text_strips(console: Console, text: Text, width: int) -> list[Strip]:
    """Wrap a `Text` to `width`."""
    return render_strips(console, text, width)


def is_blank(strip: Strip) -> bool:
    """Whether a line shows nothing: only spaces, and no background (code padding has one)."""
    for segment in strip:
        if segment.text.strip():
            return False
        style = segment.style
        if style is not None and (style.bgcolor is not None or style.reverse):
            return False
    return True
