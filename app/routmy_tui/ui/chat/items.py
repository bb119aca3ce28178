"""What the conversation view shows: one item per message, rendered to strips on demand."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rich.console import Console
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from routmy_tui.config.settings import DEFAULT_RENDER_LIMIT
from routmy_tui.core.text import make_safe
from routmy_tui.ui.chat.pictures import PictureLines, picture_sections
from routmy_tui.ui.chat.render import BLANK, MarkdownLines, render_strips

if TYPE_CHECKING:
    pass

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
BUSY_GAP = 1.0
"""Seconds between two status lines of a streaming reply past which the app was behind."""
PICTURE_ESTIMATE = 11
"""Lines a picture is guessed to take before it is measured."""


@dataclass
class Palette:
    """Rich styles taken from the current theme."""

    user_label: Style = field(default_factory=lambda: Style(color="cyan", bold=True))
    assistant_label: Style = field(default_factory=lambda: Style(color="magenta", bold=True))
    dim: Style = field(default_factory=lambda: Style(dim=True))
    reasoning: Style = field(default_factory=lambda: Style(dim=True, italic=True))
    error: Style = field(default_factory=lambda: Style(color="red", bold=True))
    warning: Style = field(default_factory=lambda: Style(color="yellow"))
    tool: Style = field(default_factory=lambda: Style(color="green"))
    selected: Style = field(default_factory=lambda: Style(color="yellow", bold=True))
    code_theme: str = "monokai"
    render_limit: int = DEFAULT_RENDER_LIMIT
    """Characters of a reply drawn at most (`Settings.render_limit`; 0: no limit)."""

    def gutter(self, item: Item) -> Style:
        """The colour of an item's bar."""
        if item.selected:
            return self.selected
        if isinstance(item, UserItem):
            return self.user_label
        if item.failed:
            return self.error
        return self.assistant_label


class Item:
    """Base of a conversation item: renders itself to strips at a width, caches by version."""

    @property
    def failed(self) -> bool:
        """Whether it ended in an error (its bar is drawn in the error colour)."""
        return False

    def __init__(self) -> None:
        self.version = 0
        self._laid_version = -1
        self._laid_width = -1
        self._height = 0
        self.selected = False
        self.message_id: int | None = None
        """The stored message shown (None without history)."""
        self.siblings: tuple[int, int] = (1, 1)
        """(position, count) among the stored versions of this message."""
        self.pictures: list[str] = []
        """URLs of the pictures shown in the item (as of its last layout)."""
        self._released = False
        """The drawn lines were let go (the height is kept); the next use draws them again."""
        self._args: tuple[Console, int, Palette] | None = None

    def picture_at(self, index: int) -> int | None:
        """Which picture (0-based) line `index` of the last layout draws, if any."""
        return None

    def prefetch_pictures(self) -> None:
        """Ask for the pictures of the last layout to be drawn (they are near the viewport)."""

    def sibling_marker(self) -> str:
        """The "‹ 2/3 ›" marker of a message with other versions ("" when it has none)."""
        position, count = self.siblings
        return f"‹ {position}/{count} ›" if count > 1 else ""

    def changed(self) -> None:
        """Mark the item as needing a new layout."""
        self.version += 1

    @property
    def laid_width(self) -> int:
        """The width of the last layout (-1 before the first)."""
        return self._laid_width

    def is_laid_out(self, width: int) -> bool:
        """Whether the cached lines are current for this width (and held)."""
        return (
            not self._released and self._laid_version == self.version and self._laid_width == width
        )

    def layout(self, console: Console, width: int, palette: Palette) -> int:
        """Render at `width` if needed; returns the height in lines."""
        if not self.is_laid_out(width):
            self._height = self._layout(console, width, palette)
            self._laid_version = self.version
            self._laid_width = width
            self._released = False
            self._args = (console, width, palette)
        return self._height

    def view(
        self, top: int, bottom: int, *, from_end: int | None = None, anchor: int | None = None
    ) -> None:
        """Say which of the item's lines the view shows (with margins): `top` to `bottom`,
        or the last `from_end` lines while it follows the end; `anchor` is the line at the
        top of the viewport, kept in place when lines above it are drawn (`take_shift`).
        Items that draw everything at once ignore it."""

    def reveal(self, console: Console, width: int) -> int:
        """Draw what the view shows (see `view`) of the content as last laid out;
        returns the height."""
        return self._height

    def take_shift(self) -> int:
        """How far the anchor line (see `view`) moved at the last layout, once."""
        return 0

    @property
    def missed(self) -> bool:
        """Whether a line not drawn yet was asked for (a layout is due)."""
        return False

    @property
    def unmeasured(self) -> bool:
        """Whether part of the height is a guess (see `measure_rest`)."""
        return False

    def measure_rest(self, deadline: float, anchor: int | None = None) -> bool:
        """Draw what has a guessed height, until `deadline`; once all is drawn, put the
        true height in at once (the anchor line's move: `take_shift`). True when done."""
        return True

    def is_measured(self, width: int) -> bool:
        """Whether the height is current for this width (its lines may have been let go)."""
        return self._laid_version == self.version and self._laid_width == width

    def measure(self, console: Console, width: int, palette: Palette) -> int:
        """The height at `width`: laid out only if not measured at it (lines let go stay let
        go: measuring never draws them again)."""
        if self.is_measured(width):
            return self._height
        return self.layout(console, width, palette)

    @property
    def released(self) -> bool:
        """Whether the drawn lines were let go (see `release`)."""
        return self._released

    @property
    def forgettable(self) -> bool:
        """Whether the item, its lines let go, holds nothing its stored message does not:
        dropped, it is made again from the message the same (so a long conversation keeps
        only the items near the viewport, not one per message scrolled past)."""
        return False

    def memo(self) -> object | None:
        """What a copy made again needs to be laid out as this one was without measuring
        again (a forgettable item's: see `recall`); None: nothing."""
        return None

    def recall(self, memo: object) -> None:
        """Take what `memo` of a forgotten copy of this item gave (made again from its
        message): its layout at that width then has the same height at once."""

    def release(self) -> bool:
        """Let go of the drawn lines, keeping the height (for an item far off screen).

        They are drawn again, the same, when the item is laid out or a line is asked for.

        Returns:
            Whether they were let go (not when the item is not laid out as it stands,
            streams, or shows pictures).
        """
        if self._released or self._laid_version != self.version or not self._can_release():
            return False
        self._drop_lines()
        self._released = True
        return True

    def _can_release(self) -> bool:
        return False

    def _drop_lines(self) -> None:
        pass

    def _restore(self) -> None:
        """Draw the lines let go again, as they were."""
        if self._released and self._args is not None:
            self.layout(*self._args)

    def _layout(self, console: Console, width: int, palette: Palette) -> int:
        raise NotImplementedError

    def line(self, index: int) -> Strip:
        """One line of the last layout."""
        raise NotImplementedError

    @property
    def pending(self) -> bool:
        """Part of the content is left to draw at the next layout (layouts are time-boxed)."""
        return False

    @property
    def height(self) -> int:
        """Lines of the last layout (its lines may have been let go since)."""
        return self._height

    @property
    def body_height(self) -> int:
        """Lines of the last layout that belong to the message (the rest is spacing)."""
        return self._height - 1

    def estimate_height(self, width: int) -> int:
        """A guess of the height without rendering."""
        return 3


Section = list[Strip] | MarkdownLines | PictureLines
"""Part of an item: fixed strips, growing Markdown, or a picture drawn when ready."""


class SectionItem(Item):
    """An item made of sections: lists of strips, growing Markdown, pictures."""

    def __init__(self) -> None:
        super().__init__()
        self._sections: list[Section] = []

    def line(self, index: int) -> Strip:
        self._restore()
        for section in self._sections:
            size = len(section) if isinstance(section, list) else section.height
            if index < size:
                return section[index] if isinstance(section, list) else section.line(index)
            index -= size
        return BLANK

    def _total(self) -> int:
        return sum(len(s) if isinstance(s, list) else s.height for s in self._sections)

    def picture_at(self, index: int) -> int | None:
        self._restore()
        for section in self._sections:
            size = len(section) if isinstance(section, list) else section.height
            if index < size:
                return section.number - 1 if isinstance(section, PictureLines) else None
            index -= size
        return None

    def _can_release(self) -> bool:
        return not self.pictures

    def prefetch_pictures(self) -> None:
        for section in self._sections:
            if isinstance(section, PictureLines):
                section.prefetch()

    def _drop_lines(self) -> None:
        self._sections = []

    def _pictures(
        self, console: Console, width: int, palette: Palette, urls: list[str]
    ) -> list[Section]:
        """Sections drawing `urls` (each laid out at `width`), a blank line before each."""
        self.pictures = list(urls)
        out: list[Section] = []
        for section in picture_sections(urls, palette.tool, palette.error):
            section.layout(console, width)
            out += [[BLANK], section]
        return out


def _label(
    console: Console,
    text: str,
    style: Style,
    width: int,
    extra: str = "",
    extra_style: Style | None = None,
) -> Strip:
    label = Text(no_wrap=True, overflow="ellipsis")
    label.append(text.strip(), style=style)
    if extra:
        label.append("  " + make_safe(extra), style=extra_style or Style(dim=True))
    return render_strips(console, label, width)[0]


class UserItem(SectionItem):
    """A message the user sent."""

    def __init__(self, text: str, images: list[str] | None = None) -> None:
        super().__init__()
        self.text = text
        self.images = images or []

    def _layout(self, console: Console, width: int, palette: Palette) -> int:
        body = Text(make_safe(self.text))
        label_style = palette.selected if self.selected else palette.user_label
        self._sections = [
            [_label(console, " you", label_style, width, self.sibling_marker())],
            render_strips(console, body, width) if self.text else [],  # pictures alone
        ]
        self._sections += self._pictures(console, width, palette, self.images)
        self._sections.append([BLANK])
        return self._total()

    @property
    def forgettable(self) -> bool:
        return self._released and not self.selected

    def estimate_height(self, width: int) -> int:
        width = max(10, width)
        pictures = PICTURE_ESTIMATE * len(self.images)
        return 3 + pictures + sum(len(line) // width + 1 for line in self.text.split("\n"))


class ToolResultItem(UserItem):
    """The answer given to a tool call (a `tool` message)."""

    def __init__(self, text: str, call_id: str, answered_by: str = "") -> None:
        super().__init__(text)
        self.call_id = call_id
        self.answered_by = answered_by

    def _layout(self, console: Console, width: int, palette: Palette) -> int:
        label_style = palette.selected if self.selected else palette.tool
        extra = f"for {self.call_id or '(no id)'}"
        if self.answered_by:
            extra += f" · {self.answered_by}"
        self._sections = [
            [_label(console, " tool result", label_style, width, extra)],
            render_strips(console, Text(make_safe(self.text)), width),
            [BLANK],
        ]
        return self._total()
