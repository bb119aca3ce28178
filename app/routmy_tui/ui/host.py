"""What screens may ask of the app, as a protocol: screens never import the app module."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from routmy_tui.config.settings import Settings
    from routmy_tui.services.catalog_service import CatalogService
    from routmy_tui.services.container import Services
    from routmy_tui.ui.chat.items import Palette
    from routmy_tui.ui.history.session import Session


class AppHost(Protocol):
    """The app's side that screens use (`RoutmyApp` provides it)."""

    services: Services
    session: Session
    keymap: dict[str, str]

    @property
    def settings(self) -> Settings: ...

    @property
    def catalog(self) -> CatalogService: ...

    def palette(self) -> Palette: ...
    def connection_label(self) -> str: ...
    def ask_for_key(self) -> None: ...
    def refresh_models(self, quiet: bool = False) -> None: ...
    def start_catalog(self) -> None: ...
    def warm_up(self) -> None: ...
