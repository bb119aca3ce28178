"""The demo backend's model catalog, as `GET /v1/models` lists it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

CREATED = 1_700_000_000
_DEFAULT_PRICE = (0.0000005, 0.0000015)


@dataclass(frozen=True)
class DemoModel:
    """One demo model.

    Attributes:
        id: The model id.
        multiplier: `token_multiplier`.
        available: `is_available` (False: chat requests answer 403).
        rich: OpenRouter-style extra fields, merged into the listing item.
    """

    id: str
    multiplier: float = 1.0
    available: bool = True
    rich: dict[str, Any] | None = None

    def to_wire(self) -> dict[str, Any]:
        """The `/v1/models` item."""
        item: dict[str, Any] = {
            "id": self.id,
            "object": "model",
            "created": CREATED,
            "owned_by": "demo",
            "token_multiplier": self.multiplier,
            "is_available": self.available,
        }
        if self.rich:
            item.update(self.rich)
        return item

    def prices(self) -> tuple[float, float]:
        """USD per prompt token and per completion token (for `usage.cost`)."""
        pricing = (self.rich or {}).get("pricing")
        if isinstance(pricing, dict):
            return float(pricing["prompt"]), float(pricing["completion"])
        return _DEFAULT_PRICE


_CHAT_PARAMS = [
    "temperature",
    "top_p",
    "max_tokens",
    "stop",
    "response_format",
    "tools",
    "tool_choice",
    "reasoning",
]

MODELS: dict[str, DemoModel] = {
    m.id: m
    for m in [
        DemoModel(
            "demo/chat",
            rich={
                "name": "Demo: Chat",
                "context_length": 32768,
                "pricing": {"prompt": "0.0000005", "completion": "0.0000015"},
                "architecture": {"input_modalities": ["text"], "output_modalities": ["text"]},
                "supported_parameters": _CHAT_PARAMS,
                "top_provider": {"max_completion_tokens": 8192},
            },
        ),
        DemoModel("demo/reasoning", multiplier=2.0),
        DemoModel(
            "demo/vision",
            rich={
                "name": "Demo: Vision",
                "context_length": 65536,
                "pricing": {"prompt": "0.000001", "completion": "0.000003"},
                "architecture": {
                    "input_modalities": ["text", "image"],
                    "output_modalities": ["text"],
                },
                "supported_parameters": ["temperature", "max_tokens"],
                "top_provider": {"max_completion_tokens": 4096},
            },
        ),
        DemoModel(
            "demo/tools",
            rich={
                "name": "Demo: Tools",
                "supported_parameters": ["tools", "tool_choice", "temperature", "max_tokens"],
            },
        ),
        DemoModel(
            "demo/image",
            multiplier=1.5,
            rich={
                "name": "Demo: Image",
                "context_length": None,
                "pricing": {"prompt": "0.000002", "completion": "0.00003"},
                "architecture": {
                    "input_modalities": ["text"],
                    "output_modalities": ["image", "text"],
                },
                "supported_parameters": ["max_tokens"],
                "top_provider": {"max_completion_tokens": None},
            },
        ),
        DemoModel("demo/slow", multiplier=0.5),
        DemoModel("demo/flaky", rich={"name": "Demo: Flaky (fails mid-reply)"}),
        DemoModel("demo/locked", multiplier=3.0, available=False),
    ]
}
"""Every demo model by id, in listing order."""

SLOW_TPS = 8.0
"""Tokens per second of demo/slow when the request does not set `demo_tps`."""


def models_payload() -> dict[str, Any]:
    """The whole `/v1/models` response body."""
    return {"object": "list", "data": [m.to_wire() for m in MODELS.values()]}
