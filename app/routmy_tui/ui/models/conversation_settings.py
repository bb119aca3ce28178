"""Chat-screen actions for the conversation's model, parameters and system prompt."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from routmy_tui.core.request import ChatParams
from routmy_tui.core.text import make_safe

if TYPE_CHECKING:
    from textual.app import App

    from routmy_tui.conversation import Conversation
    from routmy_tui.ui.chat.controller import ChatController
    from routmy_tui.ui.host import AppHost


def pick_model(app: App[Any], current: str, picked: Callable[[str | None], None]) -> None:
    """Open the model picker at `current`; `picked` gets the chosen id (None: cancelled).

    Favourites starred in the picker are saved to the config file.
    """
    from routmy_tui.ui.models.model_picker import ModelPicker, PickerState

    host = cast("AppHost", app)
    host.start_catalog()  # it may still wait for the first reply to end
    settings = host.settings

    def save_favourites(favourites: list[str]) -> None:
        try:
            host.services.settings.save(
                {"favourite_models": favourites}, favourite_models=list(favourites)
            )
        except (OSError, ValueError) as exc:
            app.notify(f"Could not save favourites: {exc}", severity="error")

    state = PickerState(
        current=current,
        favourites=list(settings.favourite_models),
        overrides=settings.model_overrides,
    )
    picker = ModelPicker(
        host.catalog,
        state,
        on_favourite=save_favourites,
        on_refresh=lambda: host.refresh_models(quiet=False),
    )
    app.push_screen(picker, picked)


class ConversationSettingsMixin:
    """Actions of `ChatScreen` that change what the next request carries."""

    conversation: Conversation
    controller: ChatController | None

    if TYPE_CHECKING:

        @property
        def routmy(self) -> AppHost: ...

        app: App[Any]

        def notify(self, message: str, **kwargs: Any) -> None: ...
        def _update_header(self) -> None: ...
        def query_one(self, selector: Any, expect_type: Any = None) -> Any: ...

    def set_model(self, model_id: str) -> None:
        """Use `model_id` for the rest of this conversation."""
        app = self.routmy
        self.conversation.change_settings("model", model=model_id)
        app.catalog.note_used(model_id)
        if self.controller is not None:
            self.controller.models = app.catalog.by_id
        self._update_header()
        model = app.catalog.by_id.get(model_id)
        if model is None and app.catalog.models:
            self.notify(f"{make_safe(model_id)} is not in the catalog; it is sent as typed.")
        elif model is not None and model.is_available is False:
            self.notify(
                f"{make_safe(model_id)} is locked for this key: requests will answer 403.",
                severity="warning",
            )

    def action_select_model(self, then: Callable[[], None] | None = None) -> None:
        """Open the model picker; `then` runs after a model was picked."""

        def picked(model_id: str | None) -> None:
            if model_id:
                self.set_model(model_id)
                if then is not None:
                    then()

        pick_model(self.app, self.conversation.settings.model, picked)

    def action_refresh_models(self) -> None:
        """Fetch the catalog again."""
        self.routmy.refresh_models(quiet=False)

    def action_parameters(self) -> None:
        """Edit this conversation's request parameters."""
        from routmy_tui.ui.models.params_screen import ParamsScreen

        app = self.routmy
        model = app.catalog.by_id.get(self.conversation.settings.model)

        def done(params: ChatParams | None) -> None:
            if params is not None:
                self.conversation.change_settings("params", params=params)

        self.app.push_screen(
            ParamsScreen(self.conversation.settings.params, app.services.settings, model), done
        )

    def action_system_prompt(self) -> None:
        """Edit this conversation's system prompt."""
        from routmy_tui.ui.models.system_prompt import SystemPromptScreen

        app = self.routmy

        def done(prompt: str | None) -> None:
            if prompt is not None:
                self.conversation.change_settings("system_prompt", system_prompt=prompt)

        self.app.push_screen(
            SystemPromptScreen(self.conversation.settings.system_prompt, app.services.settings),
            done,
        )

    def action_preview_request(self) -> None:
        """Show the exact body the next request would carry (the draft included)."""
        from routmy_tui.ui.inspector.request_preview import RequestPreview

        draft = ""
        try:
            draft = self.query_one("#composer").text
        except Exception:  # the composer may not be mounted yet
            draft = ""
        body = self.conversation.preview(draft)
        self.app.push_screen(RequestPreview(body, with_draft=bool(draft.strip())))
