"""Following the end of a view while text arrives: only the user's scrolling stops it."""

from __future__ import annotations

from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollTo


class FollowsEnd(ScrollView):
    """What stops a view following its end: the wheel up and the scroll bar (the view's keys
    say so themselves). A view moved up by its content getting shorter keeps following.

    Used by the conversation view and the compare columns.
    """

    follow: bool

    def on_mouse_scroll_up(self) -> None:
        """The wheel up: the following stops."""
        self.follow = False

    def on_scroll_up(self) -> None:
        """A click on the scroll bar above its thumb: the following stops."""
        self.follow = False

    def on_scroll_to(self, message: ScrollTo) -> None:
        """The scroll bar's thumb dragged: the following stops above the end."""
        self.follow = message.y is not None and message.y >= self.max_scroll_y - 0.5


class ScrollKeysMixin(FollowsEnd):
    """The conversation view's Home, End, Page Up and Page Down, and what they do to the
    following."""

    def _lay_out_top(self) -> None:
        raise NotImplementedError

    def _relayout(self, stream: bool = False) -> None:
        raise NotImplementedError

    def schedule_layout(self) -> None:
        raise NotImplementedError

    def action_scroll_home(self) -> None:
        """Jump to the first message (no animation: heights are measured on the way)."""
        self.follow = False
        self._lay_out_top()
        self.scroll_to(y=0, animate=False, immediate=True)
        # Laying out the top can move the end up to where the view was (following again).
        self.follow = False
        self.schedule_layout()

    def action_scroll_end(self) -> None:
        """Jump to the newest message and follow it again."""
        self.follow = True
        self._relayout()

    def action_page_up(self) -> None:
        """One screen up (nothing, and still following, when it all fits on screen)."""
        if self.max_scroll_y <= 0:
            return  # a reply that then outgrows the screen is still followed
        self.follow = False
        y = self.scroll_y - self.scrollable_content_region.height
        self.scroll_to(y=y, animate=False, immediate=True)
        self.follow = False  # (a shorter end may have reached the view meanwhile)

    def action_page_down(self) -> None:
        """One screen down."""
        self.scroll_to(y=self.scroll_y + self.scrollable_content_region.height, animate=False)
