"""What the conversation view shows: one item per message, rendered to strips on demand."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rich.console import Console
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from routmy_tui.config.settings import DEFAULT_RENDER_LIMIT
from routmy_tui.core.image_items import MarkdownPictures
from routmy_tui.core.request import wants_json
from routmy_tui.core.text import make_safe
from routmy_tui.core.types import ApiError, Exchange, Reply
from routmy_tui.ui.chat.pictures import PictureLines, picture_sections
from routmy_tui.ui.chat.render import BLANK, MarkdownLines, render_strips

if TYPE_CHECKING:
    from routmy_tui.core.client import ChatRun

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
        if isinstance(item, AssistantItem) and item.reply.error is not None:
            return self.error
        return self.assistant_label


class Item:
    """Base of a conversation item: renders itself to strips at a width, caches by version."""

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

    def is_measured(self, width: int) -> bool:
        """Whether the height is current for this width (its lines may have been let go)."""
        return self._laid_version == self.version and self._laid_width == width

    @property
    def released(self) -> bool:
        """Whether the drawn lines were let go (see `release`)."""
        return self._released

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
        # A change not laid out yet counts: its drawing has not even started.
        return self.markdown.pending or not self.is_laid_out(self.laid_width)

    def _can_release(self) -> bool:
        return (
            self.live is None
            and self._reply.status != "streaming"
            and not self.markdown.pending
            and super()._can_release()
        )

    def _drop_lines(self) -> None:
        super()._drop_lines()
        self.markdown.release()

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
            # Once the reply has ended, its whole text is rendered once (link definitions
            # that came last, long blocks drawn in parts while they streamed).
            self.markdown.set_text(text, final=reply.status != "streaming")
            self.markdown.layout(console, width)
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
