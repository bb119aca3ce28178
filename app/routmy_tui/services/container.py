"""What the app is handed at start: settings, the API client, the history store, the catalog.

Built once by the composition root (`cli.py`); tests build their own. Each service is made on
first use, so that the first frame does not wait for httpx or SQLite, but nothing in the UI
ever makes one: the UI asks this object.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING, Any

from routmy_tui.config.settings import Settings, save_config_values
from routmy_tui.core.secret import Secret
from routmy_tui.store.db import StoreError

if TYPE_CHECKING:
    from routmy_tui.core.client import RoutmyClient
    from routmy_tui.services.catalog_service import CatalogService
    from routmy_tui.store import Store

__all__ = ["DB_NAME", "PURGE_AFTER", "Services", "UserSettings", "make_client"]

DB_NAME = "routmy.db"
"""The database file in the data folder."""
PURGE_AFTER = 24 * 3600.0
"""Seconds a deleted conversation can still be restored (until the next start after that)."""


def make_client(settings: Settings) -> RoutmyClient:
    """The API client for these settings (imports httpx: keep it off the first frame)."""
    from routmy_tui.core.client import RoutmyClient

    return RoutmyClient(
        settings.base_url,
        Secret(settings.api_key) if settings.api_key else None,
        connect_timeout=settings.connect_timeout,
        read_timeout=settings.read_timeout,
        max_retries=settings.max_retries,
    )


class UserSettings:
    """The settings in force; `Settings` is immutable, so a change makes a new value here.

    Args:
        settings: The settings built at start.
    """

    def __init__(self, settings: Settings) -> None:
        self.current = settings
        self.listeners: list[Callable[[Settings], None]] = []
        """Called with the new value after every change."""

    def change(self, **changes: Any) -> Settings:
        """Use changed settings from now on (nothing is written)."""
        self.current = self.current.with_changes(**changes)
        for listener in list(self.listeners):
            listener(self.current)
        return self.current

    def save(
        self, updates: Mapping[str, Any], replace: Collection[str] = (), /, **changes: Any
    ) -> Settings:
        """Write `updates` to the config file (atomically, 0600), then use `changes`.

        Tables named in `replace` are written whole (see `save_config_values`).

        Raises:
            OSError: The file could not be written (nothing changed).
            ValueError: The existing file is not valid TOML (it is left untouched).
        """
        save_config_values(self.current.config_path, updates, replace)
        return self.change(**changes)


class Services:
    """The app's long-lived services.

    Args:
        settings: The settings built at start.
        client: An API client to use instead of making one (tests, benchmarks).
    """

    def __init__(self, settings: Settings, client: RoutmyClient | None = None) -> None:
        self.settings = UserSettings(settings)
        self._client = client
        self._client_lock = threading.Lock()
        self._store: Store | None = None
        self._store_lock = threading.Lock()
        self.store_problem: str | None = None
        """Why the history is off (None while it works or was not opened yet)."""
        self._catalog: CatalogService | None = None
        self._created_store = False

    # --- the API client ------------------------------------------------------------------

    @property
    def client(self) -> RoutmyClient:
        """The API client (made on first use, or by `prepare_client` in the warm-up thread)."""
        with self._client_lock:
            if self._client is None:
                self._client = make_client(self.settings.current)
            return self._client

    def prepare(self) -> None:
        """Open the history and make the client now; safe from another thread (the warm-up
        runs it in its thread once the first screen is drawn). What cannot be made is left
        for the first use, which reports why.
        """
        self.store()
        with contextlib.suppress(Exception):
            self.client  # noqa: B018 - made under the lock

    def use_key(self, key: str) -> RoutmyClient | None:
        """Use `key` from now on; returns the old client, for the caller to close."""
        self.settings.change(api_key=key)
        client = make_client(self.settings.current)
        with self._client_lock:
            old, self._client = self._client, client
        return old

    # --- the history ---------------------------------------------------------------------

    @property
    def db_path(self) -> Any:
        """Where the history database is."""
        return self.settings.current.data_dir / DB_NAME

    def store(self) -> Store | None:
        """The open history, opened on first use; None when it cannot be (see `store_problem`).

        A store that cannot be opened (corrupt, from a newer version, unwritable) does not stop
        the app: the chat runs without history and says why.
        """
        with self._store_lock:
            return self._open_store()

    def _open_store(self) -> Store | None:
        if self._store is not None or self.store_problem is not None:
            return self._store
        from routmy_tui.store import Store

        existed = self.db_path.exists()
        try:
            store = Store.open(self.db_path)
        except StoreError as exc:
            self.store_problem = f"History is off: nothing will be saved. {exc}"
            return None
        try:
            store.recover_interrupted()
            store.purge_deleted(older_than=PURGE_AFTER)
        except StoreError as exc:
            store.close()
            self.store_problem = f"History is off: nothing will be saved. {exc}"
            return None
        self._store = store
        self._created_store = not existed
        return store

    def store_exists(self) -> bool:
        """Whether a history file exists that this run did not create (start-up will
        probably resume a conversation). A history this run opened created its file: a
        screen mounted after that (a new chat) must not take it for an old one (it hid the
        welcome, then showed it again a frame later)."""
        return bool(self.db_path.exists()) and not self._created_store

    # --- the catalog ---------------------------------------------------------------------

    @property
    def catalog(self) -> CatalogService:
        """The model catalog (made on first use)."""
        if self._catalog is None:
            from routmy_tui.services.catalog_service import CatalogService

            self._catalog = CatalogService(self.settings.current.cache_dir)
        return self._catalog

    @property
    def catalog_if_made(self) -> CatalogService | None:
        """The catalog if it was made already; asking never makes it (a send asks whether
        its model makes pictures: before the catalog loads, only the user's overrides know,
        and making it then loaded its modules, 8 ms, in front of the request)."""
        return self._catalog

    # --- closing --------------------------------------------------------------------------

    async def aclose(self) -> None:
        """Close the connection pool and the history."""
        if self._store is not None:
            self._store.close()
            self._store = None
        if self._client is not None:
            await self._client.aclose()
