"""The chat screen: header, conversation, composer, footer."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Static

from routmy_tui.conversation import Conversation, InvalidRequest, UnansweredCalls
from routmy_tui.conversation.events import BranchReplaced, Event, SettingsChanged
from routmy_tui.core.text import make_safe
from routmy_tui.ui.chat.answer_bar import AnswerBar
from routmy_tui.ui.chat.attach_actions import AttachActions
from routmy_tui.ui.chat.attachments import AttachmentBar
from routmy_tui.ui.chat.chat_actions import ConversationActions
from routmy_tui.ui.chat.composer import Composer
from routmy_tui.ui.chat.controller import ChatController
from routmy_tui.ui.chat.conversation_view import ConversationView
from routmy_tui.ui.chat.header import AppHeader
from routmy_tui.ui.chat.message_actions import MessageActions
from routmy_tui.ui.chat.reply_worker import ReplyEnded
from routmy_tui.ui.chat.status_lines import StatusLinesMixin
from routmy_tui.ui.chat.tool_actions import ToolActions
from routmy_tui.ui.chat.tool_answers import ToolAnswers
from routmy_tui.ui.commands import bindings_for
from routmy_tui.ui.compare.actions import CompareActions
from routmy_tui.ui.host import AppHost
from routmy_tui.ui.models.conversation_settings import ConversationSettingsMixin
from routmy_tui.ui.widgets.footer import KeysFooter

if TYPE_CHECKING:
    from routmy_tui.ui.history.sidebar import ConversationSidebar

SLIM = 80
"""Under this many columns an open inspector takes the whole width (half is too little)."""


class ChatScreen(
    StatusLinesMixin,
    ToolActions,
    MessageActions,
    AttachActions,
    ConversationActions,
    ConversationSettingsMixin,
    CompareActions,
    Screen[None],
):
    """Where the user talks to a model."""

    # Its style sheet, chat_screen.tcss, is loaded by the app (see RoutmyApp.CSS_PATH).

    BINDINGS = bindings_for("chat")

    def __init__(self, conversation: Conversation) -> None:
        super().__init__()
        self.conversation = conversation
        self.controller: ChatController | None = None
        self.answers: ToolAnswers | None = None
        self.history_started = False
        """Whether the history was opened and the welcome shown or hidden for it (tests wait)."""
        self._warned_no_key = False

    @property
    def routmy(self) -> AppHost:
        """The app, typed (screens do not import the app module)."""
        return cast(AppHost, self.app)

    def compose(self) -> ComposeResult:
        yield AppHeader(id="header")
        # Side panels (conversation list on the left, wire inspector on the right) are
        # mounted into #main beside #chat-column by the features that own them.
        with Horizontal(id="main"):
            with Vertical(id="chat-column"):
                yield Static(self._welcome_text(), id="welcome", markup=False)
                yield ConversationView(id="conversation")
                yield Static("", id="active-settings", markup=False, classes="-empty")
                yield AnswerBar(id="answer-bar")
                yield AttachmentBar(id="attachments")
                yield Composer(id="composer")
        yield KeysFooter(compact=True)

    def on_mount(self) -> None:
        view = self.query_one(ConversationView)
        app = self.routmy
        view.set_palette(app.palette())
        self.controller = ChatController(
            view, lambda: app.services.client, self.conversation, app.services.store
        )
        self.answers = ToolAnswers(
            self.controller,
            self.query_one(Composer),
            self.query_one(AnswerBar),
            self.notify,
            run_program=self._answer_with_program,
        )
        self.conversation.subscribe(self._conversation_event)
        # The catalog loads right after the first frame and hands its models to the
        # controller then (RoutmyApp._catalog_changed).
        self._update_header()
        self._show_active_settings()
        self.query_one(Composer).focus()
        self.set_interval(0.1, self.controller.tick)
        resuming = app.session.resume_last and app.services.store_exists()
        if resuming:
            # The last conversation comes back a moment after the first frame: no welcome flash.
            self.query_one("#welcome").display = False
        app.session.attach(self)
        self.call_after_refresh(self._start_history)

    def on_unmount(self) -> None:
        self.conversation.unsubscribe(self._conversation_event)

    def on_resize(self, event: events.Resize) -> None:
        slim = event.size.width < SLIM
        if slim == self.has_class("-slim"):
            return
        self.set_class(slim, "-slim")
        focused = self.focused
        inspecting = self.query_one("#main").has_class("-inspecting")
        hidden = focused is not None and any(n.id == "chat-column" for n in focused.ancestors)
        if slim and inspecting and hidden:
            # The chat column is hidden now: what had the focus there must not keep it.
            from routmy_tui.ui.inspector.inspector import Inspector, focus_tabs

            focus_tabs(self.query_one("#inspector", Inspector))

    def _start_history(self) -> None:
        """Open the history, resume the last conversation, start saving drafts."""
        session = self.routmy.session
        store = session.store
        if session.problem:
            self.notify(session.problem, title="History", severity="error", timeout=20)
        # The user may have typed or sent before this ran: never overwrite that.
        started = self.conversation.id is not None or bool(self.conversation.turns)
        started = started or bool(self.query_one(Composer).text)
        resumed = False
        if store is not None and not started:
            resumed, draft = session.resume()
            self._set_draft(draft)
        welcome = self.query_one("#welcome")
        if not resumed and not started and not welcome.display:
            # Set only when hidden: setting it again lays the whole screen out once more,
            # just after the first frame, where a message sent at once waits for it.
            welcome.display = True
        self.set_interval(0.5, self.save_draft)
        self.refresh_header()
        self.history_changed()
        # With a conversation to resume, the warm-up waits until it is painted.
        self.call_after_refresh(self.routmy.warm_up)
        self.history_started = True

    def _conversation_event(self, event: Event) -> None:
        if isinstance(event, SettingsChanged):
            self._update_header()
            self._show_active_settings()
        elif isinstance(event, BranchReplaced):
            self.query_one("#welcome").display = not self.conversation.turns
            if self.answers is not None:
                self.answers.finish()

    def history_changed(self) -> None:
        """Something stored changed: the title in the header and the sidebar's list."""
        headers = self.query(AppHeader)
        if not headers:  # the app is closing: a reply stored on the store's thread said so
            return
        header = headers.first()
        header.conversation = self.routmy.session.title()
        header.model = self.conversation.settings.model
        # Found by name: the sidebar's module (and the browser's) loads when one is opened.
        for sidebar in self.query("ConversationSidebar"):
            cast("ConversationSidebar", sidebar).reload()

    def _set_draft(self, text: str) -> None:
        composer = self.query_one(Composer)
        composer.text = text
        composer.move_cursor(composer.document.end)

    def save_draft(self) -> None:
        """Keep the composer text of the conversation on screen (called twice a second)."""
        composers = self.query(Composer)
        if not composers:
            return  # Closing: the widgets are gone.
        text = composers.first().text
        controller = self.controller
        if controller is not None and controller.edit_index is not None and not text.strip():
            controller.edit_index = None  # Emptying the composer gives up the edit.
            self.refresh_bindings()
        self.routmy.session.save_draft(text)

    @on(Composer.PageConversation)
    def page_conversation(self, event: Composer.PageConversation) -> None:
        """PageUp/PageDown from a draft that fits its box: the conversation moves."""
        view = self.query_one(ConversationView)
        if event.down:
            view.action_page_down()
        else:
            view.action_page_up()

    @on(Composer.Submitted)
    def send_message(self, event: Composer.Submitted) -> None:
        """Send the draft (text, pictures or both); the composer is cleared only once the
        message is on screen."""
        assert self.controller is not None
        if not event.text.strip() and not self.attached_urls():
            return  # nothing to send
        if self.controller.busy:
            self.notify("A reply is still on its way: Escape stops it.", severity="warning")
            return
        if not self.conversation.settings.model:
            # Pick first, then send what was typed (the draft stays if the picker is closed).
            self.action_select_model(then=lambda: self.send_message(event))
            return
        app = self.routmy
        settings = app.settings
        if not settings.demo and not settings.api_key and not self._warned_no_key:
            # Local servers often need no key, so this is said once, not enforced.
            self._warned_no_key = True
            self.notify(
                "No API key is set: this request goes without one. Ctrl+K adds a key.",
                severity="warning",
            )
        if self.answers is not None and self.answers.active:
            if not event.text.strip():
                self.notify("A tool's answer is text: type it first.", severity="warning")
                return
            self.answers.submit(event.text)
            return
        images = self.attached_urls()
        if images and not self.pictures_welcome(lambda: self.send_message(event)):
            return  # asked first: the model's catalog entry says it takes no pictures
        if self.compare_models:
            if self.start_compare(event.text, images):
                event.composer.clear()
                self.clear_attachments()
            return
        try:
            self.controller.send(event.text, images)
        except UnansweredCalls as exc:
            self._ask_about_pending(exc, event)
            return
        except InvalidRequest as exc:
            # Nothing was sent and the draft stays where it is.
            self.notify(str(exc), title="Not sent", severity="warning", timeout=10)
            return
        self.query_one("#welcome").display = False
        event.composer.clear()
        self.clear_attachments()

    @on(ReplyEnded)
    def reply_ended(self, event: ReplyEnded) -> None:
        """Say on screen when a reply did not complete."""
        reply = event.item.reply
        if reply.status == "error" and reply.error is not None:
            self.notify(make_safe(reply.error.summary()), title="Reply failed", severity="error")
        elif self.answers is not None and self.conversation.pending_calls():
            # The model asked for tools: the composer answers them now.
            self.answers.begin()
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Escape is only ours while a reply is running or a message is being edited."""
        if action == "stop":
            return self.controller is not None and self.controller.busy
        if action == "cancel_edit":
            controller = self.controller
            if controller is None or controller.busy:
                return False
            return controller.edit_index is not None
        if action == "leave_answering":
            return self.answers is not None and self.answers.active
        return True

    def action_show_all(self) -> None:
        """Draw in full the blocks of the selected (or newest) reply cut short for size."""
        self.query_one(ConversationView).action_show_all()

    def action_stop(self) -> None:
        """Stop the reply and keep what arrived."""
        if self.controller is not None and self.controller.stop():
            self.notify("Stopped. What arrived is kept.")

    def action_retry(self) -> None:
        """Ask again for the last reply."""
        if self.controller is not None and not self.controller.retry():
            self.notify("Nothing to retry.")

    def action_new_chat(self) -> None:
        """Start an empty conversation with the user's default settings."""
        if self.controller is None:
            return
        self.save_draft()
        self.controller.stop()
        draft = self.routmy.session.new_conversation()
        self._set_draft(draft)
        self.query_one("#welcome").display = True
        self.query_one(Composer).focus()

    def action_enter_key(self) -> None:
        """Ask for an API key."""
        self.routmy.ask_for_key()

    def action_toggle_inspector(self) -> None:
        """Show or hide the wire inspector (mounted into #main on first use)."""
        from routmy_tui.ui.inspector.inspector import toggle_inspector

        toggle_inspector(self)

    def action_wire(self, how: str, kind: str) -> None:
        """Copy (`how` "copy") or save ("save") one form of the inspected exchange."""
        from routmy_tui.ui.inspector import wire_actions

        if how == "copy":
            wire_actions.copy_export(self, kind)  # type: ignore[arg-type]
        else:
            wire_actions.save_export_dialog(self, kind or None)  # type: ignore[arg-type]

    def action_replay(self, external: bool = False) -> None:
        """Edit the inspected reply's request and send it again (in `$EDITOR` if `external`)."""
        from routmy_tui.ui.inspector import wire_actions

        wire_actions.replay(self, external)

    @on(ConversationView.Selected)
    def inspect_selected(self, event: ConversationView.Selected) -> None:
        """The inspector, when open, follows the selected reply at once (it also polls)."""
        for panel in self.query("#inspector"):
            panel.poll()  # type: ignore[attr-defined]

    def action_copy_message(self) -> None:
        """Copy the selected message as Markdown source (OSC 52 and a 0600 file)."""
        from routmy_tui.ui.chat.copy_actions import copy_message

        copy_message(self)

    def action_copy_conversation(self) -> None:
        """Copy the conversation as Markdown (OSC 52 and a 0600 file)."""
        from routmy_tui.store.db import StoreError
        from routmy_tui.store.export import export_markdown
        from routmy_tui.ui.chat.copy_actions import copy_conversation

        session = self.routmy.session
        markdown = None
        if session.store is not None and session.conversation_id is not None:
            try:
                markdown = export_markdown(session.store, session.conversation_id)
            except StoreError:
                markdown = None  # fall back to what is on screen
        copy_conversation(self, markdown)

    def action_focus_composer(self) -> None:
        """Put the cursor in the composer."""
        self.query_one(Composer).focus()
