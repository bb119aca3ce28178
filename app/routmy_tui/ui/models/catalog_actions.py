"""The app's side of the catalog: load the cache, refresh in the background, learn from replies."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from routmy_tui.core.text import make_safe

if TYPE_CHECKING:
    from routmy_tui.services.catalog_service import CatalogService
    from routmy_tui.services.container import Services

Notify = Callable[..., None]
RunWorker = Callable[[Callable[[], Coroutine[Any, Any, None]]], object]


class CatalogRefresher:
    """Keeps the catalog fresh and tells whoever listens when its models change.

    Args:
        services: Where the catalog and the client come from.
        notify: Shows a notice (the app's `notify`).
        run_worker: Runs a coroutine function in the background (one refresh at a time).
        on_change: Called with the catalog when its models changed.
    """

    def __init__(
        self,
        services: Services,
        notify: Notify,
        run_worker: RunWorker,
        on_change: Callable[[CatalogService], None],
    ) -> None:
        self.services = services
        self.notify = notify
        self.run_worker = run_worker
        self.on_change = on_change
        self._catalog: CatalogService | None = None

    @property
    def catalog(self) -> CatalogService:
        """The model catalog (the services make it on first use; this listens to it)."""
        catalog = self.services.catalog
        if self._catalog is not catalog:
            self._catalog = catalog
            catalog.listeners.append(self.on_change)
        return catalog

    def makes_pictures(self, model_id: str) -> bool:
        """Whether a model outputs pictures: the user's override, the catalog's modalities,
        what its replies showed, or the id ("image" in it), in that order."""
        overrides = self.services.settings.current.model_overrides
        catalog = self.services.catalog_if_made  # none yet: it knows no model
        model = catalog.by_id.get(model_id) if catalog is not None else None
        if catalog is None or model is None:
            return overrides.get(model_id, {}).get("image_out") is True
        badge = catalog.badges(model, overrides).get("image_out")
        return badge is not None and badge.value is True

    def start(self) -> None:
        """Show the cached list at once and fetch a fresh one in the background."""
        self.catalog.load_cached()
        self.refresh(quiet=True)

    def refresh(self, quiet: bool = False) -> None:
        """Fetch the catalog in the background; say how it went unless `quiet` and fine."""
        catalog = self.catalog

        async def refresh() -> None:
            from routmy_tui.services.catalog_service import describe_age

            error = await catalog.refresh(self.services.client)
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

        self.run_worker(refresh)
