"""One model of the catalog, as parsed from `/v1/models` (everything but the id optional)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ModelInfo:
    """One model of the catalog; everything but the id is optional.

    Attributes:
        id: `provider/model-id`.
        owned_by: Owner, when sent.
        token_multiplier: rout.my quota factor.
        is_available: False when listed but locked for this key.
        name: Display name (OpenRouter-style catalogs).
        context_length: Context window in tokens.
        prompt_price: USD per prompt token.
        completion_price: USD per completion token.
        input_modalities: e.g. ["text", "image"].
        output_modalities: e.g. ["text", "image"].
        supported_parameters: Request fields the model accepts.
        max_completion_tokens: Output cap.
        raw: The item as received.
    """

    id: str
    owned_by: str | None = None
    token_multiplier: float | None = None
    is_available: bool | None = None
    name: str | None = None
    context_length: int | None = None
    prompt_price: float | None = None
    completion_price: float | None = None
    input_modalities: list[str] | None = None
    output_modalities: list[str] | None = None
    supported_parameters: list[str] | None = None
    max_completion_tokens: int | None = None
    raw: dict[str, Any] = field(default_factory=dict)
