"""The model catalog as the app holds it: disk cache, background refresh, observed capabilities."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from routmy_tui.config import paths
from routmy_tui.core.catalog import CapabilityBadge, CatalogCache, ModelIndex, capabilities
from routmy_tui.core.jsonsafe import loads_bounded
from routmy_tui.core.types import ApiError, ModelInfo, Reply

if TYPE_CHECKING:
    from routmy_tui.core.client import RoutmyClient

log = logging.getLogger(__name__)

RECENT_LIMIT = 12
"""How many recently used models the picker remembers."""


def describe_age(fetched_at: float | None, now: float | None = None) -> str:
    """ "3 min ago"-style age of a fetch time (epoch seconds)."""
    if fetched_at is None:
        return "never"
    seconds = max(0.0, (time.time() if now is None else now) - fetched_at)
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    return f"{int(seconds // 86400)} days ago"


class CatalogService:
    """The catalog the picker shows, kept fresh and honest about its age.

    `load_cached()` fills it instantly from disk at start; `refresh(client)` fetches
    `/v1/models`, and on failure keeps what it had and says so in `status`. What replies
    showed a model can do (`observe`) and the recently used models are kept beside the
    cache as small JSON files.

    Args:
        cache_dir: Folder of `models.json`, `observed.json` and `recent.json`.
    """

    def __init__(self, cache_dir: Path) -> None:
        self.cache_dir = Path(cache_dir)
        self.cache = CatalogCache(self.cache_dir / "models.json")
        self.models: list[ModelInfo] = []
        self.by_id: dict[str, ModelInfo] = {}
        self.index = ModelIndex([])
        self.fetched_at: float | None = None
        self.from_cache = False
        self.last_error: ApiError | None = None
        self.refreshing = False
        observed = self._read_json("observed.json", {})
        self.observed: dict[str, dict[str, bool]] = {
            k: {c: v for c, v in caps.items() if isinstance(v, bool)}
            for k, caps in observed.items()
            if isinstance(caps, dict)
        }
        recent = self._read_json("recent.json", [])
        self.recent: list[str] = [r for r in recent if isinstance(r, str)][:RECENT_LIMIT]
        self.listeners: list[Callable[[CatalogService], None]] = []
        """Called (on the UI thread) whenever the list or its status changes."""

    # --- state ------------------------------------------------------------------------

    def _set_models(self, models: list[ModelInfo], fetched_at: float, from_cache: bool) -> None:
        self.models = models
        self.by_id = {m.id: m for m in models}
        self.index = ModelIndex(models)
        self.fetched_at = fetched_at
        self.from_cache = from_cache

    def _changed(self) -> None:
        for listener in list(self.listeners):
            listener(self)

    @property
    def status(self) -> str:
        """One line about the list: how many, how old, and whether the last refresh failed."""
        if self.refreshing and not self.models:
            return "loading the model list…"
        count = f"{len(self.models)} models"
        age = describe_age(self.fetched_at)
        text = f"{count} · fetched {age}" if self.models else "no model list yet"
        if self.refreshing:
            text += " · refreshing…"
        if self.last_error is not None:
            kept = "kept the cached list" if self.models else "no list"
            text += f" · refresh failed ({self.last_error.summary()}); {kept}"
        return text

    # --- loading ----------------------------------------------------------------------

    def load_cached(self) -> bool:
        """Fill the list from the disk cache; False when there is no usable cache."""
        cached = self.cache.load()
        if cached is None:
            return False
        models, fetched_at = cached
        self._set_models(models, fetched_at, from_cache=True)
        self._changed()
        return True

    async def refresh(self, client: RoutmyClient) -> ApiError | None:
        """Fetch the catalog; on success cache it, on failure keep the current list.

        Returns:
            The error, or None on success.
        """
        self.refreshing = True
        self._changed()
        try:
            models, body = await client.list_models()
        except ApiError as exc:
            self.refreshing = False
            self.last_error = exc
            self._changed()
            return exc
        except BaseException:
            self.refreshing = False
            raise
        now = time.time()
        self.refreshing = False
        self.last_error = None
        self._set_models(models, now, from_cache=False)
        self.cache.save(body, now)
        self._changed()
        return None

    # --- capabilities -----------------------------------------------------------------

    def badges(
        self, model: ModelInfo, overrides: Mapping[str, Mapping[str, bool]] | None = None
    ) -> dict[str, CapabilityBadge]:
        """Capability badges of a model, with where each came from."""
        user = (overrides or {}).get(model.id)
        return {
            str(k): v for k, v in capabilities(model, self.observed.get(model.id), user).items()
        }

    def observe(self, model_id: str, reply: Reply) -> bool:
        """Record what a reply showed the model can do; True when something new was learnt."""
        if not model_id:
            return False
        seen: dict[str, bool] = {}
        if reply.images:
            seen["image_out"] = True
        if reply.reasoning:
            seen["reasoning"] = True
        if reply.tool_calls:
            seen["tools"] = True
        known = self.observed.setdefault(model_id, {})
        new = {k: v for k, v in seen.items() if known.get(k) != v}
        if not new:
            if not known:
                del self.observed[model_id]
            return False
        known.update(new)
        self._write_json("observed.json", self.observed)
        return True

    def note_used(self, model_id: str) -> None:
        """Put a model at the top of the recently used list."""
        if not model_id:
            return
        self.recent = [model_id, *(m for m in self.recent if m != model_id)][:RECENT_LIMIT]
        self._write_json("recent.json", self.recent)

    # --- files ------------------------------------------------------------------------

    def _read_json(self, name: str, default: Any) -> Any:
        try:
            value = loads_bounded((self.cache_dir / name).read_text("utf-8"))
        except (OSError, ValueError):
            return default
        return value if isinstance(value, type(default)) else default

    def _write_json(self, name: str, value: Any) -> None:
        try:
            data = json.dumps(value, indent=1).encode("utf-8")
            paths.atomic_write(self.cache_dir / name, data, paths.PRIVATE_FILE_MODE)
        except OSError as exc:  # a lost note only costs a badge
            log.warning("could not write %s: %s", name, exc)
