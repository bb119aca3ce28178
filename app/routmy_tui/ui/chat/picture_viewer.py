"""A picture full screen, drawn the best way the terminal can; save it, copy its path."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Static

from routmy_tui.core.files import ensure_private_dir
from routmy_tui.core.images import (
    ImageError,
    decode_url,
    human_size,
    is_remote_url,
    load_picture,
    picture_from_bytes,
)
from routmy_tui.core.picture_files import fetch_picture, picture_file_name, save_picture
from routmy_tui.core.text import make_safe, truncate_middle

if TYPE_CHECKING:
    from PIL import Image


def viewer_image_class() -> type[Widget]:
    """textual-image's widget for the terminal: Kitty or Sixel where it has them, else
    half-cell blocks (always inside tmux, and without a terminal, as in tests)."""
    from routmy_tui.ui.graphics_probe import textual_image_renderables

    renderables = textual_image_renderables()  # before the widgets: they read its choice
    from textual_image.widget import HalfcellImage
    from textual_image.widget import Image as Best

    if os.environ.get("TMUX") or renderables.Image is renderables.UnicodeImage:
        return HalfcellImage
    from routmy_tui.ui.chat.kitty import KITTY

    if KITTY.enabled:  # textual-image's Kitty widget writes from its render path
        from routmy_tui.ui.chat.kitty_viewer import KittyPicture

        return KittyPicture
    return Best


def default_save_folder() -> Path:
    """~/Pictures when it exists, else the home folder."""
    pictures = Path.home() / "Pictures"
    return pictures if pictures.is_dir() else Path.home()


class PictureScreen(ModalScreen[None]):
    """One picture of a message, as large as the screen allows.

    Args:
        urls: The message's pictures.
        index: The one shown first.
        spare_dir: Where "Copy image path" saves a picture that was not saved yet.
    """

    DEFAULT_CSS = """
    PictureScreen {
        align: center middle;
        background: $background 85%;
    }
    PictureScreen > Vertical {
        width: 96%;
        height: 94%;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    PictureScreen #picture-title, PictureScreen #picture-help {
        height: 1;
        width: 100%;
    }
    PictureScreen #picture-help {
        color: $text-muted;
    }
    PictureScreen Center {
        height: 1fr;
    }
    PictureScreen #picture {
        width: auto;
        height: 1fr;
    }
    PictureScreen #picture-note {
        height: auto;
        margin: 2;
    }
    """

    BINDINGS = [
        Binding("escape,q", "close", "Close", id="picture-close"),
        Binding("left,h", "step(-1)", "Previous", id="picture-previous"),
        Binding("right,l", "step(1)", "Next", id="picture-next"),
        Binding("s", "save", "Save image", id="picture-save"),
        Binding("c", "copy_path", "Copy image path", id="picture-copy-path"),
    ]

    def __init__(self, urls: list[str], index: int, spare_dir: Path) -> None:
        super().__init__()
        self.urls = urls
        self.index = max(0, min(index, len(urls) - 1))
        self.spare_dir = spare_dir
        self.saved: dict[str, Path] = {}
        """Where each picture was saved (by URL), for "Copy image path"."""
        self.image: Image.Image | None = None

    @property
    def url(self) -> str:
        """The picture shown."""
        return self.urls[self.index]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("", id="picture-title", markup=False)
            with Center():
                yield viewer_image_class()(id="picture")
            yield Static("", id="picture-note", markup=False)
            yield Static(
                "s save · c copy path · ←/→ other pictures · Escape close",
                id="picture-help",
                markup=False,
            )

    def on_mount(self) -> None:
        self._show()

    def _show(self) -> None:
        count = f"picture {self.index + 1} of {len(self.urls)}"
        self.query_one("#picture-title", Static).update(f"{count} · loading…")
        self.query_one("#picture-note", Static).update("")
        self._load(self.url)

    @work(thread=True, exclusive=True, group="picture")
    def _load(self, url: str) -> None:
        """Decode in a thread; the UI gets the picture (or the reason) when it is ready."""
        try:
            if is_remote_url(url):
                data = fetch_picture(url)
                image, size = picture_from_bytes(data), len(data)
            else:
                image, size = load_picture(url), len(decode_url(url).data)
        except ImageError as exc:
            self.app.call_from_thread(self._shown, url, None, str(exc))
            return
        self.app.call_from_thread(self._shown, url, image, human_size(size))

    def _shown(self, url: str, image: Image.Image | None, facts: str) -> None:
        if url != self.url:
            return  # the user moved on
        self.image = image
        widget: Any = self.query_one("#picture")
        count = f"picture {self.index + 1} of {len(self.urls)}"
        title = self.query_one("#picture-title", Static)
        note = self.query_one("#picture-note", Static)
        if image is None:
            widget.image = None
            title.update(count)
            note.update(make_safe(f"This picture cannot be shown: {facts}"))
            return
        widget.image = image
        title.update(f"{count} · {image.width}×{image.height} · {facts}")

    def action_close(self) -> None:
        """Back to the conversation."""
        self.dismiss(None)

    def action_step(self, offset: int) -> None:
        """Show the previous or next picture of the message."""
        index = self.index + offset
        if 0 <= index < len(self.urls) and index != self.index:
            self.index = index
            self._show()

    def action_save(self) -> None:
        """Ask where to save the picture (a safe default name; never overwrites unasked)."""
        ask_to_save(self.app, self.url, self.saved)

    def action_copy_path(self) -> None:
        """Put the saved picture's path on the clipboard (saving a copy first if needed)."""
        copy_picture_path(self.app, self.url, self.spare_dir, self.saved)


def ask_to_save(app: App[Any], url: str, saved: dict[str, Path]) -> None:
    """Ask where to save a picture; an existing file is replaced only after a yes.

    Args:
        app: The app (for dialogs and messages).
        url: The picture.
        saved: Where pictures were saved; updated on success.
    """
    from routmy_tui.ui.widgets.dialogs import PathDialog

    if is_remote_url(url):
        app.copy_to_clipboard(url)
        app.notify("A remote picture: its URL was copied instead.", severity="warning")
        return
    try:
        default = default_save_folder() / picture_file_name(url)
    except ImageError as exc:
        app.notify(f"Cannot save: {exc}", severity="error")
        return

    def chosen(path: str | None) -> None:
        if path:
            _save_to(app, url, Path(path).expanduser(), saved)

    app.push_screen(PathDialog("Save image", "File to write:", str(default)), chosen)


def _save_to(
    app: App[Any], url: str, target: Path, saved: dict[str, Path], overwrite: bool = False
) -> None:
    from routmy_tui.ui.widgets.dialogs import ConfirmDialog

    try:
        if target.is_dir():
            target = target / picture_file_name(url)
        written = save_picture(url, target, overwrite=overwrite)
    except FileExistsError:

        def answered(yes: bool | None) -> None:
            if yes:
                _save_to(app, url, target, saved, overwrite=True)
            else:
                app.notify("Not saved: the existing file was left as it was.")

        app.push_screen(ConfirmDialog(f"{target} already exists. Replace it?", "Replace"), answered)
        return
    except (OSError, ImageError) as exc:
        app.notify(f"Could not save: {exc}", severity="error")
        return
    saved[url] = written
    app.notify(f"Saved to {written}")


def copy_picture_path(app: App[Any], url: str, spare_dir: Path, saved: dict[str, Path]) -> None:
    """Copy where a picture is saved; one not saved yet is first saved into `spare_dir`."""
    if is_remote_url(url):
        app.copy_to_clipboard(url)
        app.notify("Copied the picture's URL.")
        return
    path = saved.get(url)
    if path is None or not path.exists():
        try:
            ensure_private_dir(spare_dir)  # 0700, like every folder the app makes
            path = spare_dir / picture_file_name(url)
            if not path.exists():  # same name, same bytes: an earlier copy will do
                save_picture(url, path)
        except (OSError, ImageError) as exc:
            app.notify(f"Could not save a copy: {exc}", severity="error")
            return
        saved[url] = path
    app.copy_to_clipboard(str(path))
    app.notify(f"Copied {truncate_middle(str(path), 70)}")
