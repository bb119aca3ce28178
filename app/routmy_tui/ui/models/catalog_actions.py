"""The app's side of the catalog: load the cache, refresh in the background, learn from replies."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from textual.app import SystemCommand

from routmy_tui.core.text import make_safe

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel
    from textual.screen import Screen

    from routmy_tui.core.client import RoutmyClient
    from routmy_tui.services.catalog_service import CatalogService
    from routmy_tui.services.container import Services
    from routmy_tui.ui.chat.controller import ReplyEnded


class CatalogAppMixin:
    """Mixed into `RoutmyApp`: owns `catalog` and its background refresh."""

    _catalog: CatalogService | None = None

    if TYPE_CHECKING:

        @property
        def client(self) -> RoutmyClient: ...

        services: Services
        screen_stack: list[Screen[Any]]

        def notify(
            self,
            message: str,
            *,
            title: str = "",
            severity: SeverityLevel = "information",
            timeout: float | None = None,
            markup: bool = True,
        ) -> None: ...

    @property
    def catalog(self) -> CatalogService:
        """The model catalog (the services make it on first use; the app listens to it)."""
        catalog = self.services.catalog
        if self._catalog is not catalog:
            self._catalog = catalog
            catalog.listeners.append(self._catalog_changed)
        return catalog

    def makes_pictures(self, model_id: str) -> bool:
        """Whether a model outputs pictures: the user's override, the catalog's modalities,
        what its replies showed, or the id ("image" in it), in that order."""
        overrides = self.services.settings.current.model_overrides
        model = self.catalog.by_id.get(model_id)
        if model is None:
            return overrides.get(model_id, {}).get("image_out") is True
        badge = self.catalog.badges(model, overrides).get("image_out")
        return badge is not None and badge.value is True

    def start_catalog(self) -> None:
        """Show the cached list at once and fetch a fresh one in the background."""
        self.catalog.load_cached()
        self.refresh_models(quiet=True)

    def refresh_models(self, quiet: bool = False) -> None:
        """Fetch the catalog in the background; say how it went unless `quiet` and fine."""
        catalog = self.catalog

        async def refresh() -> None:
            from routmy_tui.services.catalog_service import describe_age

            error = await catalog.refresh(self.client)
            if error is not None:
                kept = (
                    f"using the cached list from {describe_age(catalog.fetched_at)}"
                    if catalog.models
                    else "no model list"
                )
                self.notify(
                    f"Could not refresh models: {make_safe(error.summary())}; {kept}.",
                    title="Models",
                    severity="warning",
                    timeout=8,
                )
            elif not quiet:
                self.notify(f"{len(catalog.models)} models loaded.", title="Models")

        app: Any = self  # the App's own run_worker; the mixin only declares what it uses
        app.run_worker(refresh, group="catalog", exclusive=True, exit_on_error=False)

    def _catalog_changed(self, catalog: CatalogService) -> None:
        from routmy_tui.ui.chat.chat_screen import ChatScreen

        for screen in self.screen_stack:
            if isinstance(screen, ChatScreen) and screen.controller is not None:
                screen.controller.models = catalog.by_id

    def on_reply_ended(self, event: ReplyEnded) -> None:
        """Learn capabilities from what a reply contained (images, reasoning, tool calls)."""
        self.catalog.observe(event.item.model, event.item.reply)


def settings_commands(screen: Screen[Any]) -> Iterable[SystemCommand]:
    """Palette commands of the model, parameters and system prompt (exact names matter)."""
    from routmy_tui.ui.chat.chat_screen import ChatScreen

    if not isinstance(screen, ChatScreen):
        return
    yield SystemCommand(
        "Select model", "Pick the model of this conversation (F3)", screen.action_select_model
    )
    yield SystemCommand(
        "Refresh models", "Fetch the model list again", screen.action_refresh_models
    )
    yield SystemCommand(
        "Parameters", "Request parameters of this conversation (F4)", screen.action_parameters
    )
    yield SystemCommand(
        "System prompt", "The system prompt of this conversation (F5)", screen.action_system_prompt
    )
    yield SystemCommand(
        "Preview request",
        "The exact JSON body the next request will carry (Ctrl+G)",
        screen.action_preview_request,
    )
