"""The conversation view's side of pictures: redraw when they are ready, open them."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.segment import Segment
from textual import events
from textual.message import Message
from textual.strip import Strip

from routmy_tui.ui.chat.kitty import KITTY
from routmy_tui.ui.chat.pictures import PICTURES

PREFETCH_SCREENS = 2
"""Screens above and below the viewport whose pictures are drawn ahead of need."""

if TYPE_CHECKING:
    from routmy_tui.ui.chat.item_list import ItemList
    from routmy_tui.ui.chat.items import Item


@dataclass
class PicturesReady(Message):
    """A picture was decoded ("size") or drawn ("drawn") in the worker thread."""

    what: str
    url: str


@dataclass
class PictureChosen(Message):
    """The user asked to open a picture full screen.

    Attributes:
        urls: The pictures of the message.
        index: The one to show first.
    """

    urls: list[str]
    index: int


class PictureViewMixin:
    """Mixed into `ConversationView`."""

    if TYPE_CHECKING:
        items: ItemList
        selected: int | None
        _offsets: list[int]
        scroll_y: float
        scrollable_content_region: Any

        @property
        def item_width(self) -> int: ...

        def post_message(self, message: Message) -> bool: ...
        def item_changed(self, item: Item) -> None: ...
        def refresh(self, *args: Any, **kwargs: Any) -> Any: ...
        def notify(self, message: str, **kwargs: Any) -> None: ...

    _kitty_paint = False
    """Whether the last paint drew pictures as Kitty placeholders."""

    def on_mount(self) -> None:
        PICTURES.listen(self._picture_news)
        view: Any = self
        view.app.app_resume_signal.subscribe(self, self._resumed)

    def on_unmount(self) -> None:
        PICTURES.unlisten(self._picture_news)
        if KITTY.enabled:
            self._write(KITTY.deletions())  # the terminal frees the pictures sent
            KITTY.forget_sent()

    def _write(self, data: str) -> None:
        """Write to the terminal through Textual's driver (its writer thread keeps the
        order with the frames)."""
        driver = getattr(getattr(self, "app", None), "_driver", None)
        if data and driver is not None:
            driver.write(data)

    def _resumed(self, app: Any) -> None:
        """Back from a suspension (an editor ran): the terminal may have let the pictures
        go; send them again as they are drawn."""
        if KITTY.enabled:
            KITTY.forget_sent()
            self.refresh()

    def kitty_paint(self) -> bool:
        """At the start of a paint: whether pictures are painted as Kitty placeholders
        (only on the top screen, nothing selected, colours drawn as they are); a change
        redraws every line."""
        view: Any = self
        kitty = (
            KITTY.enabled
            and view.screen is view.app.screen
            and view.text_selection is None
            and view.app.console.color_system == "truecolor"  # else the id colour is lost
        )
        if kitty != self._kitty_paint:
            self._kitty_paint = kitty
            view._styles_cache.clear()  # lines drawn the other way must not be reused
        return kitty

    def _picture_news(self, what: str, url: str) -> None:
        """From the worker thread: hand over to the UI (post_message is thread-safe)."""
        self.post_message(PicturesReady(what, url))

    _repaint_pending = False

    def on_pictures_ready(self, event: PicturesReady) -> None:
        """A picture's size is known: lay out the items showing it; drawn: repaint if it
        is on screen (once per frame however many pictures were drawn meanwhile)."""
        event.stop()
        if event.what == "size":
            for _, item in self.items.made_items():  # one not made shows no picture yet
                if event.url in item.pictures:
                    self.item_changed(item)
            return
        if KITTY.enabled:
            KITTY.send_ready(self._write)  # between two frames, before any shows it
        if not self._repaint_pending and any(
            event.url in item.pictures for item in self._items_within(0)
        ):
            self._repaint_pending = True
            view: Any = self
            view.set_timer(1 / 60, self._repaint)

    def _items_within(self, screens: int) -> list[Item]:
        """The items on screen and `screens` screens above and below it, of those made
        (one not made yet shows no picture; making it here would keep it)."""
        height = self.scrollable_content_region.height
        top = int(self.scroll_y) - screens * height
        bottom = int(self.scroll_y) + (screens + 1) * height
        offsets = self._offsets
        first = max(0, bisect_right(offsets, max(0, top)) - 1)
        last = min(len(self.items), len(offsets) - 1, bisect_right(offsets, bottom))
        items = self.items
        return [items[index] for index in range(first, last) if items.is_made(index)]

    def prefetch_pictures(self) -> None:
        """Have the pictures near the viewport drawn in the worker before they scroll in
        (paging never shows a placeholder where the worker had time to draw)."""
        width = self.item_width
        for item in self._items_within(PREFETCH_SCREENS):
            if item.pictures and item.is_measured(width):
                item.prefetch_pictures()

    def _repaint(self) -> None:
        self._repaint_pending = False
        self.refresh()

    def action_open_picture(self) -> None:
        """Open the first picture of the selected message (else of the newest with one)."""
        index = self.selected
        if index is None or not self.items[index].pictures:
            index = next(
                (i for i in range(len(self.items) - 1, -1, -1) if self.items[i].pictures), None
            )
        if index is None:
            self.notify("No picture in this conversation yet.")
            return
        self.post_message(PictureChosen(list(self.items[index].pictures), 0))

    def on_click(self, event: events.Click) -> None:
        """A click on a picture opens it."""
        number = int(self.scroll_y) + event.y
        index = bisect_right(self._offsets, number) - 1
        if not 0 <= index < len(self.items):
            return
        item = self.items[index]
        picture = item.picture_at(number - self._offsets[index])
        if picture is not None:
            self.post_message(PictureChosen(list(item.pictures), picture))


def for_hit_test(line: Strip) -> Strip:
    """`line` as Textual reads selection offsets from it: each run of picture cells is one
    segment (never painted).

    Textual finds the character under the pointer from the segments' lengths and the
    offsets on them, not from their colours; a picture line has a segment per colour, and
    putting offsets on a segment makes a new style, so a picture line cost three times a
    line of text. Segments that carry meta (links, clicks) are kept as they are.
    """
    segments: list[Segment] = []
    merged = False
    for segment in line:
        text, style, control = segment
        if (
            segments
            and not control
            and text
            and not text.strip("▀")
            and (style is None or not style.meta)
            and segments[-1].text[-1:] == "▀"
            and not segments[-1].control
            and (segments[-1].style is None or not segments[-1].style.meta)
        ):
            segments[-1] = Segment(segments[-1].text + text, segments[-1].style)
            merged = True
        else:
            segments.append(segment)
    return Strip(segments, line.cell_length) if merged else line
