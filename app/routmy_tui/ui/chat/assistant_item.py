"""A reply in the conversation: reasoning, Markdown, tool calls, pictures, error, status."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rich.console import Console
from rich.text import Text
from textual.strip import Strip

from routmy_tui.core.exchange import Exchange
from routmy_tui.core.image_items import MarkdownPictures
from routmy_tui.core.request import wants_json
from routmy_tui.core.text import make_safe
from routmy_tui.core.types import ApiError, Reply
from routmy_tui.ui.chat.items import (
    BUSY_GAP,
    PICTURE_ESTIMATE,
    SPINNER,
    Palette,
    Section,
    SectionItem,
    _label,
)
from routmy_tui.ui.chat.markdown_lines import Window
from routmy_tui.ui.chat.render import BLANK, MarkdownLines, render_strips

if TYPE_CHECKING:
    from routmy_tui.core.client import ChatRun


@dataclass
class RunInfo:
    """Live facts about a reply while it is on its way."""

    started: float = field(default_factory=time.monotonic)
    began: float = field(default_factory=time.monotonic)
    """When the first try left (`started` is reset for each retry)."""
    first_token: float | None = None
    ended: float | None = None
    deltas: int = 0
    attempt: int = 1
    retry_note: str = ""
    last_activity: float = field(default_factory=time.monotonic)


class AssistantItem(SectionItem):
    """A reply: reasoning, Markdown content, tool calls, images, error and a status line."""

    @property
    def failed(self) -> bool:
        """Whether the reply ended in an error."""
        return self.reply.error is not None

    def __init__(self, model: str, reply: Reply | None = None, code_theme: str = "monokai") -> None:
        super().__init__()
        self.model = model
        self._reply = reply or Reply()
        self.live: ChatRun | None = None
        """The run still assembling this reply, if any."""
        self.exchange: Exchange | None = None
        self.markdown = MarkdownLines(code_theme)
        self.inline_pictures = MarkdownPictures()
        """Data-URL pictures taken out of the text, scanning only what each update added."""
        self.reasoning_open = False
        self.run = RunInfo()
        self.multiplier: float | None = None
        self.spinner = 0
        self._status_at = 0.0
        self._caught_up = 0.0
        self._window: tuple[int, int, int | None, int | None] | None = None
        """What the view shows of the item (see `view`); None: all of it."""
        self._markdown_at = 0
        """The item's line where the Markdown starts (as of the last layout)."""
        self._shift = 0
        if reply is not None:
            text = self.inline_pictures.split(reply.content)[0]
            self.markdown.set_text(text, final=reply.status != "streaming")

    @property
    def reply(self) -> Reply:
        """The reply as it stands (read from the live run while it streams)."""
        return self.live.reply if self.live is not None else self._reply

    @reply.setter
    def reply(self, value: Reply) -> None:
        self._reply = value

    @property
    def json_mode(self) -> bool:
        """Whether the request asked for JSON output (the reply is then shown as JSON)."""
        return self.exchange is not None and wants_json(self.exchange.request_body)

    @property
    def pending(self) -> bool:
        # A change not laid out yet counts: its drawing has not even started. Lines let go
        # (far off screen) do not: nothing is left to draw until they come near again.
        return self.markdown.pending or not self.is_measured(self.laid_width)

    def _can_release(self) -> bool:
        return (
            self.live is None
            and self._reply.status != "streaming"
            and not self.markdown.pending
            and not self.markdown.unmeasured
            and super()._can_release()
        )

    # --- drawing only what the view shows ------------------------------------------------

    def view(
        self, top: int, bottom: int, *, from_end: int | None = None, anchor: int | None = None
    ) -> None:
        self._window = (top, bottom, from_end, anchor)
        self._shift = 0  # a move is told about the anchor given here, not an older one

    def _markdown_window(self) -> Window | None:
        if self._window is None:
            return None
        top, bottom, from_end, anchor = self._window
        at = self._markdown_at
        return Window(
            top - at, bottom - at, from_end, None if anchor is None or anchor < at else anchor - at
        )

    def take_shift(self) -> int:
        shift, self._shift = self._shift, 0
        return shift

    @property
    def missed(self) -> bool:
        return self.markdown.missed

    @property
    def unmeasured(self) -> bool:
        # Not while it streams: its blocks are measured once it has ended.
        markdown = self.markdown
        return (
            markdown.unmeasured and not self.active and any(s is markdown for s in self._sections)
        )

    def layout(self, console: Console, width: int, palette: Palette) -> int:
        if self.is_laid_out(width) and any(s is self.markdown for s in self._sections):
            # Laid out as it stands: draw what the view shows now, if not drawn yet.
            self.reveal(console, width)
        return super().layout(console, width, palette)

    def reveal(self, console: Console, width: int) -> int:
        """Draw what the view shows of the text laid out last (no new text is taken);
        returns the height."""
        markdown = self.markdown
        if any(s is markdown for s in self._sections):
            markdown.window = self._markdown_window()
            old = markdown.height
            if markdown.reveal(console, width):
                self._shift += markdown.shift
                if markdown.height != old:
                    self._height = self._total()
        return self._height

    def measure_rest(self, deadline: float, anchor: int | None = None) -> bool:
        markdown = self.markdown
        if not self.unmeasured:
            return True
        if not markdown.measure(deadline):
            return False
        at = self._markdown_at
        markdown.commit(None if anchor is None or anchor < at else anchor - at)
        self._shift += markdown.shift
        self._height = self._total()
        return True

    def _drop_lines(self) -> None:
        super()._drop_lines()
        self.markdown.release()

    def memo(self) -> object | None:
        return self.markdown.kept_heights() if self.released else None

    def recall(self, memo: object) -> None:
        if isinstance(memo, tuple):
            self.markdown.recall_heights(memo)

    @property
    def capped(self) -> bool:
        """Whether part of the reply is not drawn for a size cap that `show_all` lifts."""
        return self.markdown.capped

    def show_all(self) -> bool:
        """Draw the blocks left short by the size cap in full; False if there were none."""
        if not self.markdown.capped:
            return False
        self.markdown.expanded = True
        self.changed()
        return True

    @property
    def active(self) -> bool:
        """Whether the reply is still on its way."""
        return self.reply.status == "streaming"

    def _layout(self, console: Console, width: int, palette: Palette) -> int:
        reply = self.reply
        self.markdown.code_theme = palette.code_theme
        label_style = palette.selected if self.selected else palette.assistant_label
        sections: list[Section] = [
            [
                _label(
                    console,
                    " assistant",
                    label_style,
                    width,
                    f"{self.model}  {self.sibling_marker()}".rstrip(),
                )
            ]
        ]
        if reply.reasoning:
            sections.append(self._reasoning(console, width, palette))
            if reply.content or reply.refusal:
                sections.append([BLANK])
        if reply.refusal:
            sections.append(
                render_strips(
                    console,
                    Text("Refused: " + make_safe(reply.refusal), style=palette.warning),
                    width,
                )
            )
        urls = list(reply.images)
        if reply.content and reply.status != "streaming" and self.json_mode:
            from routmy_tui.ui.inspector.json_view import (
                json_reply_strips,  # rich.syntax: off start-up
            )

            sections.append(
                json_reply_strips(
                    console,
                    width,
                    reply.content,
                    reply.finish_reason,
                    code_theme=palette.code_theme,
                    warning=palette.warning,
                    error=palette.error,
                )
            )
        elif reply.content:
            text, inline = self.inline_pictures.split(reply.content)
            urls += [url for url in inline if url not in urls]
            self.markdown.set_limit(palette.render_limit or sys.maxsize)
            # Once the reply has ended, its whole text is split again (link definitions
            # that came last, long blocks drawn in parts while they streamed): what the
            # view shows is drawn now, the rest in the background (`measure_rest`).
            self.markdown.set_text(text, final=reply.status != "streaming")
            self._markdown_at = sum(len(s) if isinstance(s, list) else s.height for s in sections)
            self.markdown.window = self._markdown_window()
            self.markdown.layout(console, width)
            self._shift += self.markdown.shift
            sections.append(self.markdown)
        if reply.tool_calls:
            sections.append(self._tool_calls(console, width, palette))
        sections += self._pictures(console, width, palette, urls)
        if reply.error is not None:
            sections.append(self._error(console, width, palette, reply.error))
        sections.append(
            render_strips(console, Text(make_safe(self.status_text()), style=palette.dim), width)
        )
        sections.append([BLANK])
        self._sections = sections
        return self._total()

    def _reasoning(self, console: Console, width: int, palette: Palette) -> list[Strip]:
        reasoning = self.reply.reasoning
        words = len(reasoning.split())
        if not self.reasoning_open:
            head = Text(f"▸ Thinking ({words} words) — t to expand", style=palette.reasoning)
            return render_strips(console, head, width)
        text = Text("▾ Thinking — t to collapse\n", style=palette.reasoning)
        text.append(make_safe(reasoning.strip()), style=palette.reasoning)
        return render_strips(console, text, width)

    def _tool_calls(self, console: Console, width: int, palette: Palette) -> list[Strip]:
        from routmy_tui.ui.chat.tool_calls_view import tool_call_strips  # rich.syntax: lazy

        reply = self.reply
        streaming = reply.status == "streaming"
        return tool_call_strips(console, width, reply.tool_calls, streaming, palette)

    def _error(
        self, console: Console, width: int, palette: Palette, error: ApiError
    ) -> list[Strip]:
        text = Text()
        text.append("✖ " + make_safe(error.summary()), style=palette.error)
        hint = "ctrl+r to retry"
        if error.status == 401:
            hint = "ctrl+k to enter a key · " + hint
        elif error.status == 403:
            # Retrying a model locked for this key fails the same way: offer another model.
            hint = "f3 to pick another model"
        elif error.status == 404:
            hint = "check the model id (f3 picks another) · " + hint
        text.append(f"\n  {hint}", style=palette.dim)
        return render_strips(console, text, width)

    def status_text(self) -> str:
        """The line under the reply: waiting time, speed, then usage and finish."""
        reply = self.reply
        run = self.run
        now = time.monotonic()
        if reply.status == "streaming":
            spin = SPINNER[self.spinner % len(SPINNER)]
            if run.retry_note:
                return f"{spin} {run.retry_note}"
            if run.first_token is None:
                return f"{spin} waiting {now - run.started:.1f}s"
            speed = run.deltas / max(1e-6, now - run.first_token)
            # A long gap since the last status line means the app itself was busy (nothing
            # was read meanwhile): silence counts from when it caught up, not before.
            if self._status_at and now - self._status_at > BUSY_GAP:
                self._caught_up = now
            self._status_at = now
            silent = now - max(run.last_activity, self._caught_up)
            text = f"{spin} streaming · {run.deltas} tokens · {speed:.0f} tok/s"
            if silent >= 3:
                text += f" · server silent {silent:.0f}s"
            return text
        parts: list[str] = []
        if reply.status != "complete":
            parts.append(reply.status)
        usage = reply.usage
        if usage is not None and usage.total_tokens is not None:
            parts.append(
                f"{usage.total_tokens} tokens "
                f"({usage.prompt_tokens} in, {usage.completion_tokens} out)"
            )
            quota = usage.quota_cost(self.multiplier)
            if quota is not None and self.multiplier != 1:
                parts.append(f"quota {quota:g} (×{self.multiplier:g})")
            if usage.cost is not None:
                parts.append(f"cost {usage.cost:g}")
        if reply.finish_reason:
            parts.append(f"finish: {make_safe(reply.finish_reason)}")
        if run.first_token is not None:
            parts.append(f"first token {run.first_token - run.started:.2f}s")
        if run.attempt > 1:
            parts.append(f"{run.attempt} tries")
        if run.ended is not None:
            parts.append(f"total {run.ended - run.began:.2f}s")
            streamed = run.ended - (run.first_token or run.ended)
            if run.deltas > 1 and streamed >= 0.05:
                parts.append(f"{run.deltas / streamed:.0f} tok/s")
        return " · ".join(parts)

    def estimate_height(self, width: int) -> int:
        pictures = PICTURE_ESTIMATE * len(self._reply.images)
        return 3 + pictures + self.markdown.estimate_height(width)
