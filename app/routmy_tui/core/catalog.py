"""The model catalog: parse `/v1/models`, work out capabilities, fuzzy-filter, cache on disk."""

from __future__ import annotations

import html
import json
import logging
import math
import re
from pathlib import Path
from typing import Any

from routmy_tui.core.catalog_caps import (
    CAPABILITIES,
    KNOWN_PARAMS,
    Capability,
    CapabilityBadge,
    Source,
    capabilities,
    unsupported_params,
)
from routmy_tui.core.catalog_match import Match, ModelIndex, filter_models
from routmy_tui.core.errors import error_from_body
from routmy_tui.core.files import atomic_write
from routmy_tui.core.jsonsafe import loads_bounded
from routmy_tui.core.text import make_safe, truncate_middle
from routmy_tui.core.types import ApiError, ModelInfo

__all__ = [
    "CAPABILITIES",
    "KNOWN_PARAMS",
    "Capability",
    "CapabilityBadge",
    "CatalogCache",
    "Match",
    "ModelIndex",
    "Source",
    "capabilities",
    "filter_models",
    "parse_model",
    "parse_models",
    "parse_models_text",
    "unsupported_params",
]

log = logging.getLogger(__name__)

_RAW_BODY_LIMIT = 20_000


# ---------------------------------------------------------------------------------------------
# Parsing


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, float) and value.is_integer() and value > 0:
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip()) or None
    return None


def _price(value: Any) -> float | None:
    """USD per token from a decimal string or number; negative means "varies" (None)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if isinstance(value, int | float) and math.isfinite(value) and value >= 0:
        return float(value)
    return None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _str_list(value: Any) -> list[str] | None:
    if not isinstance(value, list):
        return None
    return [item for item in value if isinstance(item, str)]


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _legacy_modalities(modality: Any) -> tuple[list[str] | None, list[str] | None]:
    """OpenRouter's older `architecture.modality`, e.g. "text+image->text"."""
    if not isinstance(modality, str) or "->" not in modality:
        return None, None
    left, _, right = modality.partition("->")
    return [m for m in left.split("+") if m], [m for m in right.split("+") if m]


def parse_model(item: Any) -> ModelInfo | None:
    """One catalog item -> `ModelInfo`; None when it has no usable string id.

    Every rich field is optional and type-checked: a field of the wrong type is left out,
    never guessed.
    """
    if not isinstance(item, dict):
        return None
    model_id = item.get("id")
    if not isinstance(model_id, str) or not model_id.strip():
        return None
    pricing = _dict(item.get("pricing"))
    arch = _dict(item.get("architecture"))
    top = _dict(item.get("top_provider"))
    inputs = _str_list(arch.get("input_modalities"))
    outputs = _str_list(arch.get("output_modalities"))
    if inputs is None and outputs is None:
        inputs, outputs = _legacy_modalities(arch.get("modality"))
    multiplier = item.get("token_multiplier")
    available = item.get("is_available")
    return ModelInfo(
        id=model_id.strip(),
        owned_by=_str(item.get("owned_by")),
        token_multiplier=_price(multiplier),
        is_available=available if isinstance(available, bool) else None,
        name=_str(item.get("name")),
        context_length=_int(item.get("context_length")) or _int(top.get("context_length")),
        prompt_price=_price(pricing.get("prompt")),
        completion_price=_price(pricing.get("completion")),
        input_modalities=inputs,
        output_modalities=outputs,
        supported_parameters=_str_list(item.get("supported_parameters")),
        max_completion_tokens=_int(top.get("max_completion_tokens")),
        raw=item,
    )


def _describe_text(text: str) -> str:
    stripped = text.lstrip("\ufeff \t\r\n")
    head = stripped[:300].lower()
    if head.startswith(("<!doctype", "<html", "<head", "<body", "<title", "<h1")) or (
        "<html" in head
    ):
        found = re.search(r"<title[^>]*>(.*?)</title>", stripped, re.I | re.S)
        title = " ".join(html.unescape(found.group(1)).split()) if found else ""
        title = truncate_middle(make_safe(title), 80)
        return f"an HTML page: '{title}'" if title else "an HTML page"
    if not stripped:
        return "an empty body"
    return f"text starting '{truncate_middle(make_safe(' '.join(stripped[:200].split())), 60)}'"


def _not_json(text: str) -> ApiError:
    return ApiError(
        f"the model list was not JSON (got {_describe_text(text)})",
        kind="protocol",
        raw_body=text[:_RAW_BODY_LIMIT],
    )


def parse_models_text(raw: bytes | str) -> list[ModelInfo]:
    """Parse a `/v1/models` body given as bytes or text (which may be an HTML page).

    Raises:
        ApiError: kind "protocol" when the body is not a JSON model list.
    """
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    try:
        body = loads_bounded(text.lstrip("\ufeff"))
    except (json.JSONDecodeError, RecursionError):
        raise _not_json(text) from None
    if isinstance(body, str):
        raise _not_json(text)
    return parse_models(body)


def parse_models(body: Any) -> list[ModelInfo]:
    """Parse a decoded `/v1/models` body: `{"data": [...]}` or a bare list.

    Items without a string id are skipped, as are repeated ids (the first is kept). Text or
    bytes are handed to `parse_models_text` (the client passes the body text on when it was
    not JSON).

    Raises:
        ApiError: kind "protocol" when the body is not a model list (an HTML page, an object
            without `data`...); an error object inside the body is raised as that error.
    """
    if isinstance(body, bytes | str):
        return parse_models_text(body)
    if isinstance(body, dict):
        items = body.get("data")
        if not isinstance(items, list):
            err = error_from_body(body, kind="in_band")
            if err is not None:
                raise err
            raise ApiError(
                "the model list had no `data` array",
                kind="protocol",
                raw_body=json.dumps(body)[:_RAW_BODY_LIMIT],
            )
    elif isinstance(body, list):
        items = body
    else:
        raise ApiError(
            f"the model list was not a list (got {type(body).__name__})",
            kind="protocol",
            raw_body=repr(body)[:_RAW_BODY_LIMIT],
        )
    models: list[ModelInfo] = []
    seen: set[str] = set()
    for item in items:
        model = parse_model(item)
        if model is not None and model.id not in seen:
            seen.add(model.id)
            models.append(model)
    return models


# ---------------------------------------------------------------------------------------------
# Disk cache


class CatalogCache:
    """The raw `/v1/models` body on disk, with the time it was fetched.

    The raw body is kept (not parsed models) so that a newer parser can read more from it.
    """

    VERSION = 1

    def __init__(self, path: Path) -> None:
        """Args:
        path: The cache file, e.g. `<cache_dir>/models.json`.
        """
        self.path = Path(path)

    def load(self) -> tuple[list[ModelInfo], float] | None:
        """The cached models and their fetch time (epoch seconds).

        Returns:
            None when the cache is missing, unreadable, corrupt or of another version;
            never raises.
        """
        try:
            data = loads_bounded(self.path.read_bytes())
            if not isinstance(data, dict) or data.get("version") != self.VERSION:
                return None
            fetched_at = data.get("fetched_at")
            if isinstance(fetched_at, bool) or not isinstance(fetched_at, int | float):
                return None
            return parse_models(data.get("body")), float(fetched_at)
        except (OSError, ValueError, ApiError, RecursionError):
            return None

    def save(self, body: Any, fetched_at: float) -> None:
        """Store a body atomically, mode 0600. Failures are logged, never raised: a cache
        that cannot be written only costs a refetch next time."""
        try:
            data = json.dumps(
                {"version": self.VERSION, "fetched_at": fetched_at, "body": body},
                ensure_ascii=False,
                separators=(",", ":"),
            ).encode("utf-8")
            atomic_write(self.path, data)
        except (OSError, TypeError, ValueError) as exc:
            log.warning("could not write the model cache %s: %s", self.path, exc)
