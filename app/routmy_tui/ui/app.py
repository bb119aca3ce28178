"""The Textual application: themes, keys, the command palette and the screens."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from routmy_tui.config.settings import Settings, at_line, locate
from routmy_tui.config.themes import load_themes, resolve_theme, theme_dirs
from routmy_tui.conversation import ChatSettings, Conversation
from routmy_tui.core.request import ChatParams
from routmy_tui.core.secret import Secret
from routmy_tui.services.container import Services
from routmy_tui.ui.chat.chat_screen import ChatScreen
from routmy_tui.ui.chat.items import Palette
from routmy_tui.ui.chat.live_stream import InputGate
from routmy_tui.ui.commands import bindings_for, check_keymap, palette_commands
from routmy_tui.ui.history.session import Session
from routmy_tui.ui.models.catalog_actions import CatalogRefresher
from routmy_tui.ui.palette import CommandsProvider
from routmy_tui.ui.textual_hooks import TextualHooksMixin, with_breakpoints
from routmy_tui.ui.themes import palette_of, start_with_theme, to_textual_theme
from routmy_tui.ui.warm_up import WARM_UP_FALLBACK, WarmUpMixin
from routmy_tui.ui.widgets.type_ahead import take_early_key

if TYPE_CHECKING:
    from routmy_tui.core.client import RoutmyClient
    from routmy_tui.services.catalog_service import CatalogService
    from routmy_tui.ui.chat.reply_worker import ReplyEnded


def default_chat_settings(settings: Settings) -> ChatSettings:
    """What a new chat starts with: the user's defaults from the config file."""
    return ChatSettings(
        model=settings.model or ("demo/chat" if settings.demo else ""),
        system_prompt=settings.system_prompt,
        params=ChatParams.from_dict(settings.params),
        stream=settings.stream,
    )


class RoutmyApp(TextualHooksMixin, WarmUpMixin, App[None]):
    """routmy-tui."""

    TITLE = "routmy-tui"
    # The chat screen is the default screen, and Textual reads no CSS_PATH of a default
    # screen: its style sheet is the app's to load.
    CSS_PATH = ["app.tcss", "chat/chat_screen.tcss"]
    ENABLE_COMMAND_PALETTE = True
    # Every screen gets one class of each: style sheets fit small terminals with them
    # (80x24 is "-narrow -low", 60x15 "-narrow -short").
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (90, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (20, "-low"), (30, "-tall")]
    COMMANDS = {CommandsProvider}

    BINDINGS = [
        *bindings_for("app"),
        Binding("ctrl+c", "help_quit", show=False, system=True),
    ]

    input_at = 0.0
    """Monotonic time of the last key, click or scroll (streaming replies let it go first)."""
    input_before = 0.0
    """Monotonic time of the input before that one (close together: the user is typing)."""

    async def on_event(self, event: events.Event) -> None:
        """Note when input comes, then handle the event as Textual does."""
        if isinstance(event, events.InputEvent) and not event.is_forwarded:
            self.input_before, self.input_at = self.input_at, time.monotonic()
            await super().on_event(event)
            # Handed on now (a key to the focused widget, the rest to the screen): stream
            # reading waits until that is handled and drawn.
            if not isinstance(event, events.MouseMove):
                handler = self.focused if isinstance(event, events.Key) else None
                self.input_gate.input_came(handler or self.screen)
            return
        await super().on_event(event)

    def __init__(
        self,
        services: Services | Settings,
        client: RoutmyClient | None = None,
        *,
        after_first_frame: Callable[[], None] | None = None,
    ) -> None:
        super().__init__()
        if isinstance(services, Settings):
            # Tests and scripts may hand plain settings; the command line hands the services
            # it built (cli.py is the composition root).
            services = Services(services, client)
        self.services = services
        self._after_first_frame = after_first_frame
        self.input_gate = InputGate()
        """Closed from an input's arrival to its frame: stream workers wait at it."""
        self._warmed = False
        self._catalog_started = False
        self._theme_ready = False
        self.theme_problems: list[str] = []
        self.keymap: dict[str, str] = {}
        """The config's keymap entries in force (bad ones are reported and left out)."""
        self.catalog_refresher = CatalogRefresher(
            services,
            self.notify,
            lambda work: self.run_worker(
                work,  # type: ignore[arg-type]
                group="catalog",
                exclusive=True,
                exit_on_error=False,
            ),
            self._catalog_changed,
        )
        defaults = default_chat_settings(services.settings.current)
        self.conversation = Conversation(defaults, defaults)
        """The conversation on screen: the one owner of its messages and settings."""
        self.conversation.makes_pictures = self.makes_pictures
        self.session = Session(
            self.conversation,
            services.store,
            lambda: services.store_problem,
            resume_last=services.settings.current.resume_last,
        )
        """The conversation history (a store that cannot open leaves it off, and says so)."""
        services.settings.listeners.append(self._settings_changed)
        # The theme is chosen before the style sheet is first read, so the styles are
        # parsed and applied with its colours once (`start_with_theme`). Chosen at mount
        # (as it was), it made Textual parse every style again and restyle and lay out
        # every widget, in front of the first keys.
        self._load_themes()
        self._theme_ready = True

    @property
    def settings(self) -> Settings:
        """The settings in force (immutable; `services.settings` makes changed values)."""
        return self.services.settings.current

    @property
    def client(self) -> RoutmyClient:
        """The API client, made on first use (normally right after the first frame)."""
        return self.services.client

    @property
    def catalog(self) -> CatalogService:
        """The model catalog."""
        return self.catalog_refresher.catalog

    def makes_pictures(self, model_id: str) -> bool:
        """Whether a model outputs pictures (see `CatalogRefresher.makes_pictures`)."""
        return self.catalog_refresher.makes_pictures(model_id)

    def start_catalog(self) -> None:
        """Show the cached model list at once and fetch a fresh one in the background."""
        if not self._catalog_started:
            self._catalog_started = True
            self.catalog_refresher.start()

    def refresh_models(self, quiet: bool = False) -> None:
        """Fetch the catalog in the background; say how it went unless `quiet` and fine."""
        self.catalog_refresher.refresh(quiet)

    def _catalog_changed(self, catalog: CatalogService) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, ChatScreen) and screen.controller is not None:
                screen.controller.models = catalog.by_id

    def on_key(self, event: events.Key) -> None:
        """A letter that reached a dialog before its text box had the focus goes into it."""
        take_early_key(self.screen, event)

    def on_reply_ended(self, event: ReplyEnded) -> None:
        """Learn capabilities from what a reply contained (images, reasoning, tool calls)."""
        self.catalog.observe(event.item.model, event.item.reply)

    # --- start-up ---------------------------------------------------------------------

    def get_default_screen(self) -> Screen[Any]:
        """Start on the chat screen (with its size's breakpoint classes: `with_breakpoints`)."""
        return with_breakpoints(ChatScreen(self.conversation), self, self.size)

    def on_mount(self) -> None:
        """Apply the keymap, then report config problems (the theme's too)."""
        # Nothing is made in a thread before the first frame. The history opens on this
        # thread just after it (`ChatScreen._start_history`), the client (httpx) in the
        # warm-up, or when a message sent at once needs it. A thread making both from the
        # start (as it was) cost more than it saved: it and the app's start took turns with
        # the interpreter every millisecond (some 550 switches before a message sent at the
        # first frame left), and that request left about 40 ms later.
        self.keymap, keymap_problems = check_keymap(self.settings.keymap)
        if self.keymap:
            self.set_keymap(self.keymap)
        path = self.settings.config_path
        problems = [*self.settings.problems, *self.theme_problems]
        problems += [
            at_line(path, locate(path, "keymap", binding_id), f"[keymap] {binding_id}: {problem}")
            for binding_id, problem in keymap_problems
        ]
        if problems:
            # One notice for all of them: each names its file and line.
            self.notify(
                "The default is kept for each of these:\n" + "\n".join(f"• {p}" for p in problems),
                title="Config",
                severity="warning",
                timeout=8 + 2 * len(problems),
            )
        # The chat screen starts the warm-up once its history is painted; this is a fallback.
        self.set_timer(WARM_UP_FALLBACK, self.warm_up)

    def _settings_changed(self, settings: Settings) -> None:
        """A setting changed (the Settings screen, a dialog): use it at once.

        New chats start from the new defaults; the keymap is checked and rebinds live; the
        theme, picture limits and confirmations are read where they are used.
        """
        self.conversation.defaults = default_chat_settings(settings)
        for screen in self.screen_stack:
            if isinstance(screen, ChatScreen):
                screen.defaults_changed()
        keymap, _problems = check_keymap(settings.keymap)
        if keymap != self.keymap:
            self.keymap = keymap
            self.set_keymap(keymap)

    def action_show_settings(self) -> None:
        """The Settings screen (F9): defaults, theme, keys, picture limits, confirmations."""
        from routmy_tui.ui.settings.settings_screen import SettingsScreen

        if not any(isinstance(screen, SettingsScreen) for screen in self.screen_stack):
            self.push_screen(SettingsScreen())

    def _load_themes(self) -> None:
        specs, problems = load_themes(theme_dirs())
        self.theme_problems = problems
        for spec in specs.values():
            self.register_theme(to_textual_theme(spec))
        wanted = self.settings.theme
        if wanted in self.available_themes:  # ours, a user's, or one of Textual's own
            start_with_theme(self, wanted)
            return
        fallback = resolve_theme(specs, wanted)
        if fallback is not None:
            path = self.settings.config_path
            self.theme_problems.append(
                at_line(
                    path,
                    locate(path, None, "theme"),
                    f"theme {wanted!r} not found; using {fallback.name}",
                )
            )
            start_with_theme(self, fallback.name)

    def palette(self) -> Palette:
        """Message styles from the current theme's variables."""
        return palette_of(self.current_theme, self.theme_variables, self.settings.render_limit)

    def watch_theme(self, theme: str) -> None:
        """Re-colour the conversation when the theme changes; a theme the user picks is saved."""
        for screen in self.screen_stack:
            if isinstance(screen, ChatScreen) and screen.is_mounted:
                from routmy_tui.ui.chat.conversation_view import ConversationView

                screen.query_one(ConversationView).set_palette(self.palette())
        if self._theme_ready and theme != self.settings.theme:
            try:
                self.services.settings.save({"theme": theme}, theme=theme)
            except (OSError, ValueError) as exc:
                self.notify(f"Could not save the theme: {exc}", severity="error")

    def connection_label(self) -> str:
        """Where requests go, and whether history is kept, for the header."""
        label = self._connection_place()
        return label if self.services.store_problem is None else f"{label} · history off"

    def _connection_place(self) -> str:
        """Where requests go."""
        host = urlsplit(self.settings.base_url).netloc or self.settings.base_url
        if self.settings.demo:
            return "demo backend (offline)"
        key = "key set" if self.settings.api_key else "no key"
        return f"{host} · {key}"

    # --- key ----------------------------------------------------------------------------

    def ask_for_key(self) -> None:
        """Ask for a key, save it to the config file (0600) and use it at once."""

        def done(key: Secret | None) -> None:
            if not key:
                return
            saved = True
            try:
                self.services.settings.save({"api_key": key.reveal()})
            except (OSError, ValueError) as exc:
                # The key is still used for this session; only saving failed.
                reason = exc.strerror if isinstance(exc, OSError) else str(exc)
                self.notify(
                    f"Could not save the key: {reason}. It is used until you quit.",
                    severity="error",
                )
                saved = False
            old = self.services.use_key(key.reveal())
            if old is not None:
                self.call_later(old.aclose)
            for screen in self.screen_stack:
                if isinstance(screen, ChatScreen) and screen.controller is not None:
                    screen.refresh_welcome()
                    screen.refresh_header()
            if saved:
                self.notify(f"Key saved to {self.settings.config_path}")

        from routmy_tui.ui.settings.key_dialog import KeyDialog

        self.push_screen(KeyDialog(str(self.settings.config_path)), done)

    # --- palette --------------------------------------------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Our commands first (the titles are part of the interface), then Textual's."""
        wheres = ["app"]
        if isinstance(screen, ChatScreen):
            wheres += ["chat", "conversation", "inspector"]
        for command in palette_commands(wheres):
            owner: App[None] | Screen[Any] = self if command.where == "app" else screen
            yield SystemCommand(
                # Sync, like every palette callback: the action runs right after.
                command.title,
                command.help,
                partial(self.call_later, owner.run_action, command.action),
            )
        yield from super().get_system_commands(screen)

    def action_show_help(self) -> None:
        """Every key of the app, by screen (F1)."""
        from routmy_tui.ui.settings.help_screen import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.keymap))

    def action_show_help_panel(self) -> None:
        """Textual's "Keys" command opens our help: the app's own keys first."""
        self.action_show_help()

    async def on_unmount(self) -> None:
        """Keep the draft, close the connection pool and the history."""
        for screen in self.screen_stack:
            if isinstance(screen, ChatScreen) and screen.is_mounted:
                screen.save_draft()
        await self.services.aclose()
