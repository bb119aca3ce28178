"""Attaching pictures: chips above the composer, the path prompt with completion and preview."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Button, Input, Label, Static

from routmy_tui.core.images import ImageError, PreparedImage, is_remote_url, parse_local_path
from routmy_tui.core.picture_files import IMAGE_SUFFIXES, thumbnail_file
from routmy_tui.core.text import make_safe, truncate_middle

if TYPE_CHECKING:
    from PIL import Image


class AttachmentBar(Horizontal):
    """The pictures attached to the draft, as chips; a chip's ✕ (or Enter on it) removes it."""

    DEFAULT_CSS = """
    AttachmentBar {
        height: auto;
        margin: 0 1;
        display: none;
    }
    AttachmentBar.-has-pictures {
        display: block;
    }
    AttachmentBar Button {
        margin-right: 1;
        min-width: 0;
    }
    """

    @dataclass
    class Changed(Message):
        """Pictures were attached or removed."""

        bar: AttachmentBar

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.attachments: list[PreparedImage] = []

    def urls(self) -> list[str]:
        """What the next message sends, in order."""
        return [picture.url for picture in self.attachments]

    def add(self, picture: PreparedImage) -> None:
        """Attach a picture (the same picture twice is attached once)."""
        if any(p.url == picture.url for p in self.attachments):
            return
        self.attachments.append(picture)
        self._rebuild()

    def remove_at(self, index: int) -> None:
        """Drop one attachment."""
        if 0 <= index < len(self.attachments):
            del self.attachments[index]
            self._rebuild()

    def clear(self) -> None:
        """Drop every attachment (after sending)."""
        if self.attachments:
            self.attachments.clear()
            self._rebuild()

    def _rebuild(self) -> None:
        self.remove_children()
        chips = []
        for index, picture in enumerate(self.attachments):
            chip = Button(
                f"▣ {make_safe(truncate_middle(picture.label(), 60))} ✕",
                id=f"chip-{index}",
                classes="chip",
                compact=True,
            )
            chip.tooltip = "Remove this picture"
            chips.append(chip)
        self.mount_all(chips)
        self.set_class(bool(self.attachments), "-has-pictures")
        self.post_message(self.Changed(self))

    @on(Button.Pressed, ".chip")
    def _chip_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.remove_at(int((event.button.id or "chip-0").removeprefix("chip-")))


class PathSuggester(Suggester):
    """Completes a file path from the folder it is in (folders and pictures first)."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        """The first entry of the typed folder that starts with the typed name."""
        if not value or is_remote_url(value) or value.startswith(("'", '"', "file:")):
            return None
        expanded = os.path.expanduser(value)
        folder, _, start = expanded.rpartition(os.sep)
        base = Path(folder or os.sep) if expanded.startswith(os.sep) else Path(folder or ".")
        try:
            names = sorted(os.listdir(base))
        except OSError:
            return None
        ranked = sorted(
            (n for n in names if n.startswith(start) and n != start and not n.startswith(".")),
            key=lambda n: (not (base / n).is_dir(), Path(n).suffix.lower() not in IMAGE_SUFFIXES),
        )
        if not ranked:
            return None
        name = ranked[0]
        tail = name[len(start) :] + (os.sep if (base / name).is_dir() else "")
        return value + tail


class AttachDialog(ModalScreen[str | None]):
    """Asks for a picture file (or an https URL), completing paths and previewing pictures."""

    DEFAULT_CSS = """
    AttachDialog {
        align: center middle;
    }
    AttachDialog > Vertical {
        width: 84;
        max-width: 100%;
        height: auto;
        max-height: 90%;
        padding: 1 2;
        border: thick $primary;
        background: $surface;
    }
    AttachDialog Label {
        width: 100%;
        margin-bottom: 1;
    }
    AttachDialog #attach-facts {
        height: 1;
        color: $text-muted;
    }
    AttachDialog #attach-preview {
        width: auto;
        height: 12;
    }
    AttachDialog.-short > Vertical {
        padding: 0 1;
    }
    AttachDialog.-short Label {
        margin-bottom: 0;
    }
    AttachDialog.-short #attach-preview {
        height: 4;
    }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="cancel-attach"),
        Binding("tab", "complete", "Complete", id="complete-path", priority=True),
    ]

    def compose(self) -> ComposeResult:
        from routmy_tui.ui.chat.picture_viewer import viewer_image_class

        with Vertical():
            yield Label("Attach image", markup=False)
            yield Label(
                "A picture file (Tab completes the path), or an https:// URL sent as is:",
                markup=False,
            )
            yield Input(
                str(Path.cwd()) + os.sep,
                id="attach-path",
                suggester=PathSuggester(),
            )
            yield Static("", id="attach-facts", markup=False)
            preview = viewer_image_class()(id="attach-preview")
            preview.display = False
            yield preview
            yield Label("Enter attaches · Tab completes · Escape cancels", markup=False)

    def action_complete(self) -> None:
        """Take the suggested completion (Tab)."""
        field = self.query_one("#attach-path", Input)
        field.action_end()
        field.action_cursor_right()  # at the end, this takes the suggestion shown in grey

    @on(Input.Changed, "#attach-path")
    def _typed(self, event: Input.Changed) -> None:
        self._preview(event.value)

    @work(thread=True, exclusive=True, group="attach-preview")
    def _preview(self, text: str) -> None:
        """Describe (and show small) what the typed path points at, off the UI thread."""
        text = text.strip()
        if is_remote_url(text):
            self.app.call_from_thread(self._show, None, "a URL: sent as is, not downloaded")
            return
        path = parse_local_path(text)
        if path is None or not path.is_file():
            self.app.call_from_thread(self._show, None, "")
            return
        try:
            image, facts = thumbnail_file(path)
        except ImageError as exc:
            self.app.call_from_thread(self._show, None, f"✖ {exc}")
            return
        self.app.call_from_thread(self._show, image, facts)

    def _show(self, image: Image.Image | None, facts: str) -> None:
        self.query_one("#attach-facts", Static).update(make_safe(facts))
        preview: Any = self.query_one("#attach-preview")
        preview.image = image
        preview.display = image is not None

    @on(Input.Submitted, "#attach-path")
    def _submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if value:
            self.dismiss(value)

    def action_cancel(self) -> None:
        """Close without attaching."""
        self.dismiss(None)
