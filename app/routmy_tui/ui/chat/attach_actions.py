"""Chat screen actions for pictures: attach, ask before sending to a blind model, open, save."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from routmy_tui.core.images import (
    ImageError,
    PreparedImage,
    is_remote_url,
    parse_local_path,
    prepare_file,
)
from routmy_tui.core.text import make_safe, truncate_middle
from routmy_tui.ui.chat.attachments import AttachDialog, AttachmentBar
from routmy_tui.ui.chat.composer import Composer
from routmy_tui.ui.chat.picture_actions import PictureChosen

if TYPE_CHECKING:
    from textual.app import App

    from routmy_tui.conversation import Conversation
    from routmy_tui.ui.chat.conversation_view import ConversationView
    from routmy_tui.ui.host import AppHost


class AttachActions:
    """Mixed into `ChatScreen`."""

    conversation: Conversation

    if TYPE_CHECKING:

        @property
        def routmy(self) -> AppHost: ...

        app: App[Any]

        def query_one(self, selector: Any, expect_type: Any = None) -> Any: ...
        def notify(self, message: str, **kwargs: Any) -> None: ...

    _pictures_ok_for: str | None = None
    """The model the user agreed to send pictures to although its catalog says it is blind."""
    _saved_pictures: dict[str, Path] | None = None

    # --- attaching --------------------------------------------------------------------

    def action_attach_image(self) -> None:
        """Ask for a picture file or URL and attach it to the draft."""

        def chosen(text: str | None) -> None:
            if text:
                self.attach(text)

        self.app.push_screen(AttachDialog(), chosen)

    def attach(self, text: str) -> None:
        """Attach a file (prepared off the UI thread) or an https URL (sent as is)."""
        text = text.strip()
        bar: AttachmentBar = self.query_one(AttachmentBar)
        if is_remote_url(text):
            name = text.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0] or text
            bar.add(PreparedImage(url=text, name=truncate_middle(name, 40)))
            return
        path = parse_local_path(text)
        if path is None:
            self.notify(f"Not a file path or an https URL: {text}", severity="error")
            return
        self.notify(f"Attaching {path.name}…", timeout=2)
        # Read now: a limit changed in Settings applies to the next picture attached.
        max_side = self.routmy.settings.image_max_side
        max_bytes = self.routmy.settings.image_max_mb * 1024 * 1024

        def prepare() -> None:
            try:
                picture = prepare_file(path, max_side=max_side, max_bytes=max_bytes)
            except ImageError as exc:
                self.app.call_from_thread(
                    self.notify, f"Not attached: {exc}", title="Picture", severity="error"
                )
                return
            self.app.call_from_thread(bar.add, picture)

        self.app.run_worker(prepare, thread=True, group="attach", exit_on_error=False)

    def on_composer_paths_pasted(self, event: Composer.PathsPasted) -> None:
        """Picture files pasted or dropped on the composer become attachments."""
        for path in event.paths:
            self.attach(str(path))

    def attached_urls(self) -> list[str]:
        """The pictures the next message carries."""
        bar: AttachmentBar = self.query_one(AttachmentBar)
        return bar.urls()

    def clear_attachments(self) -> None:
        """The message went: its pictures leave the draft."""
        self.query_one(AttachmentBar).clear()

    def pictures_welcome(self, then: Callable[[], None]) -> bool:
        """Whether pictures can go to the model now; if its catalog says it cannot see them,
        ask, and run `then` after a yes."""
        model_id = self.conversation.settings.model
        app = self.routmy
        info = app.catalog.by_id.get(model_id)
        if info is None or self._pictures_ok_for == model_id:
            return True
        badge = app.catalog.badges(info, app.settings.model_overrides).get("vision")
        if badge is None or badge.value:
            return True
        from routmy_tui.ui.widgets.dialogs import ConfirmDialog

        def answered(yes: bool | None) -> None:
            if yes:
                self._pictures_ok_for = model_id
                then()

        self.app.push_screen(
            ConfirmDialog(
                f"{make_safe(model_id)} takes no pictures (says the {badge.source}). "
                "Send them anyway?",
                "Send",
            ),
            answered,
        )
        return False

    # --- pictures in the conversation ---------------------------------------------------

    @property
    def saved_pictures(self) -> dict[str, Path]:
        """Where pictures were saved in this session (by URL)."""
        if self._saved_pictures is None:
            self._saved_pictures = {}
        return self._saved_pictures

    def _spare_dir(self) -> Path:
        return Path(self.routmy.settings.data_dir) / "images"

    def on_picture_chosen(self, event: PictureChosen) -> None:
        """Show a picture full screen."""
        from routmy_tui.ui.chat.picture_viewer import PictureScreen

        screen = PictureScreen(event.urls, event.index, self._spare_dir())
        screen.saved = self.saved_pictures
        self.app.push_screen(screen)

    def _picture(self) -> str | None:
        from routmy_tui.ui.chat.conversation_view import ConversationView

        view: ConversationView = self.query_one(ConversationView)
        items = view.items
        if view.selected is not None and items[view.selected].pictures:
            return items[view.selected].pictures[0]
        for item in reversed(items):
            if item.pictures:
                return item.pictures[-1]
        self.notify("No picture in this conversation yet.")
        return None

    def action_open_picture(self) -> None:
        """Open the selected message's picture (else the newest) full screen."""
        from routmy_tui.ui.chat.conversation_view import ConversationView

        self.query_one(ConversationView).action_open_picture()

    def action_save_image(self) -> None:
        """Save the selected message's picture (else the newest) to a file."""
        from routmy_tui.ui.chat.picture_viewer import ask_to_save

        url = self._picture()
        if url is not None:
            ask_to_save(self.app, url, self.saved_pictures)

    def action_copy_image_path(self) -> None:
        """Copy the saved path of the selected message's picture (else the newest)."""
        from routmy_tui.ui.chat.picture_viewer import copy_picture_path

        url = self._picture()
        if url is not None:
            copy_picture_path(self.app, url, self._spare_dir(), self.saved_pictures)
