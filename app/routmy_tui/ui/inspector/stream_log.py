"""The raw SSE log: a line-API list that filters and draws only what is on screen."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from routmy_tui.core.stream_lines import StreamLine, StreamLines
from routmy_tui.core.text import make_safe
from routmy_tui.core.wire_text import stream_gist

TIME_WIDTH = 10
"""Cells of the `+  0.123s ` time column."""
GIST_WIDTH = 26
"""Cells of the column saying what a line carries (`content "Hel"`, `finish stop`)."""
PREFIX_WIDTH = TIME_WIDTH + GIST_WIDTH


class StreamLogView(ScrollView, can_focus=True):
    """Every raw stream line with its time offset, one screen line each (no wrapping).

    The view keeps a reference to the exchange's own list and an index list of the lines
    that match the filter, so opening a log of tens of thousands of lines costs one pass
    over their lengths, and each frame renders only the rows in view. Long lines scroll
    sideways and only their visible slice is styled.
    """

    DEFAULT_CSS = """
    StreamLogView {
        height: 1fr;
        scrollbar-size-vertical: 1;
        scrollbar-size-horizontal: 1;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines: Sequence[StreamLine] = []
        self.filter = ""
        self._shown: list[int] | None = None
        """Indices of matching lines, or None when there is no filter (all lines)."""
        self._seen = 0
        self._widest = 0
        self._gists: dict[int, str] = {}
        """Gists of the lines drawn so far (parsed once, only when on screen)."""
        self.time_style = Style(dim=True)
        self.comment_style = Style(color="cyan", italic=True)
        self.odd_style = Style(color="red", bold=True)
        self.done_style = Style(color="green", bold=True)
        self.meta_style = Style(color="yellow")

    # --- keys: a log of 20,000 lines jumps, it does not glide (the animation took ~1 s) --

    def action_page_down(self) -> None:
        self.scroll_page_down(animate=False)

    def action_page_up(self) -> None:
        self.scroll_page_up(animate=False)

    def action_scroll_home(self) -> None:
        self.scroll_home(animate=False)

    def action_scroll_end(self) -> None:
        self.scroll_end(animate=False)

    # --- content -------------------------------------------------------------------

    @property
    def shown_count(self) -> int:
        """How many lines match the filter."""
        return len(self.lines) if self._shown is None else len(self._shown)

    def set_lines(self, lines: Sequence[StreamLine]) -> None:
        """Show another log (kept by reference: it may keep growing, or be packed)."""
        self.lines = lines
        self._seen = 0
        self._widest = 0
        self._gists = {}
        self._shown = None if not self.filter else []
        self.sync()
        self.scroll_to(0, 0, animate=False, immediate=True)

    def set_filter(self, text: str) -> None:
        """Show only lines containing `text` (any case) in their text or note."""
        self.filter = text.strip()
        self._shown = None if not self.filter else []
        self._seen = 0
        self._widest = 0
        self.sync()
        self.scroll_to(0, 0, animate=False, immediate=True)

    def sync(self) -> None:
        """Take in lines appended since the last call; follow the end if it was in view."""
        lines = self.lines
        new = range(self._seen, len(lines))
        if not new and self._seen:
            return
        at_end = self.scroll_y >= self.max_scroll_y - 0.5
        needle = self.filter.casefold()
        widest = self._widest
        text_of, note_of = _readers(lines)
        if self._shown is None:
            for index in new:
                widest = max(widest, len(text_of(index)) + len(note_of(index) or "") + 4)
        else:
            shown = self._shown
            for index in new:
                text, note = text_of(index), note_of(index)
                if needle in text.casefold() or (note is not None and needle in note.casefold()):
                    shown.append(index)
                    widest = max(widest, len(text) + len(note or "") + 4)
        self._seen = len(lines)
        self._widest = widest
        self.virtual_size = Size(PREFIX_WIDTH + widest, self.shown_count)
        if at_end and self._seen and new.start:
            self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)
        self.refresh()

    # --- drawing -------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        """One row: the time column and the visible slice of the line, coloured by kind."""
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        row = scroll_y + y
        base = self.rich_style
        if row >= self.shown_count or width <= 0:
            return Strip.blank(width, base)
        index = row if self._shown is None else self._shown[row]
        line = self.lines[index]
        # Only the part that can be on screen is styled (a data URL line can be megabytes).
        start = max(0, scroll_x - PREFIX_WIDTH)
        text = make_safe(line.text[start : start + width + PREFIX_WIDTH])
        style = self._style_of(line)
        segments = []
        if scroll_x < PREFIX_WIDTH:
            gist = self._gists.get(index)
            if gist is None:
                gist = self._gists[index] = make_safe(stream_gist(line.text))
            prefix = f"+{line.t:7.3f}s {gist[: GIST_WIDTH - 1]:<{GIST_WIDTH}}"
            segments.append(Segment(prefix[scroll_x:], base + self.time_style))
        segments.append(Segment(text, base + style if style else base))
        if line.note and line.note != "comment":
            segments.append(Segment(f"  ⚠ {make_safe(line.note)}", base + self.odd_style))
        return Strip(segments).crop_extend(0, width, base)

    def _style_of(self, line: StreamLine) -> Style | None:
        if line.note == "comment" or line.text.startswith(":"):
            return self.comment_style
        if line.note:
            return self.odd_style
        text = line.text
        if text.startswith("data:") and text[5:].strip() == "[DONE]":
            return self.done_style
        if not text.startswith("data:"):
            return self.meta_style
        return None

    def plain_line(self, row: int) -> str:
        """The text of a shown row as drawn at scroll 0 (for tests and copying)."""
        index = row if self._shown is None else self._shown[row]
        line = self.lines[index]
        note = f"  ⚠ {line.note}" if line.note and line.note != "comment" else ""
        return f"+{line.t:7.3f}s {make_safe(line.text)}{note}"


def _readers(
    lines: Sequence[StreamLine],
) -> tuple[Callable[[int], str], Callable[[int], str | None]]:
    """Functions giving a line's text and note (a packed log makes no `StreamLine` for it)."""
    if isinstance(lines, StreamLines):
        return lines.text_of, lines.note_of
    return (lambda index: lines[index].text), (lambda index: lines[index].note)
