"""Model capabilities (vision, image output, tools, reasoning) and where each was learnt."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from routmy_tui.core.types import ModelInfo

__all__ = [
    "CAPABILITIES",
    "KNOWN_PARAMS",
    "Capability",
    "CapabilityBadge",
    "Source",
    "capabilities",
    "unsupported_params",
]

Capability = Literal["vision", "image_out", "tools", "reasoning"]
"""What a model can do beyond text chat."""

Source = Literal["catalog", "id", "seen", "user"]
"""Where a capability badge came from: catalog fields, the id heuristic, an earlier
response, or the user's override."""

CAPABILITIES: tuple[Capability, ...] = ("vision", "image_out", "tools", "reasoning")


@dataclass(frozen=True)
class CapabilityBadge:
    """A capability and the evidence for it.

    Attributes:
        capability: Which capability.
        value: Whether the model has it (False only from explicit evidence).
        source: Where the evidence came from.
    """

    capability: Capability
    value: bool
    source: Source


# The id heuristic: deliberately small. It looks at the model part of the id (after "/", so
# an owner such as "mistralai" says nothing about its models), only ever suggests a
# capability (never denies one), and is the weakest evidence of all.
_NOT_CHAT_RE = re.compile(r"embed|tts|whisper|transcribe|moderation|rerank")
_IMAGE_OUT_RE = re.compile(r"image|dall-e|flux")
_VISION_RE = re.compile(
    r"gpt-4o|gpt-4\.1|gpt-5|gemini|claude-[34]|claude-(?:sonnet|opus|haiku)|llava|pixtral"
    r"|qwen[0-9.]*-vl|vision|-vl(?![a-z])"
)
_REASONING_RE = re.compile(
    r"^o[134](?:-|$)|(?:^|-)r1(?![0-9a-z])|reasoning|reasoner|thinking|gpt-5"
)
_TOOLS_RE = re.compile(
    r"^gpt-|^o[134](?:-|$)|claude|gemini|mistral|mixtral|qwen|llama-3\.[1-9]|llama-4"
)
_REASONING_PARAMS = ("reasoning", "include_reasoning", "reasoning_effort")


def _from_id(model_id: str) -> dict[str, bool]:
    text = model_id.lower().rpartition("/")[2]
    found: dict[str, bool] = {}
    image_out = bool(_IMAGE_OUT_RE.search(text))
    if image_out:
        found["image_out"] = True
    if _NOT_CHAT_RE.search(text):
        return found
    if _VISION_RE.search(text):
        found["vision"] = True
    if _REASONING_RE.search(text):
        found["reasoning"] = True
    if not image_out and _TOOLS_RE.search(text):
        found["tools"] = True
    return found


def _from_catalog(model: ModelInfo) -> dict[str, bool]:
    found: dict[str, bool] = {}
    if model.input_modalities is not None:
        found["vision"] = "image" in model.input_modalities
    if model.output_modalities is not None:
        found["image_out"] = "image" in model.output_modalities
    params = model.supported_parameters
    if params:  # an empty list says nothing
        found["tools"] = "tools" in params
        found["reasoning"] = any(p in params for p in _REASONING_PARAMS)
    return found


def capabilities(
    model: ModelInfo,
    observed: Mapping[str, bool] | None = None,
    overrides: Mapping[str, bool] | None = None,
) -> dict[Capability, CapabilityBadge]:
    """What the model can do, each with where that was learnt.

    Precedence: the user's override > catalog fields (modalities, supported parameters) >
    what earlier responses showed > a small heuristic on the id. Only capabilities with some
    evidence get a badge.

    Args:
        model: The model.
        observed: Capabilities seen in earlier responses, e.g. `{"tools": True}`.
        overrides: The user's per-model overrides (config `model_overrides`).

    Returns:
        Badges in `CAPABILITIES` order.
    """
    layers: list[tuple[Source, Mapping[str, bool]]] = [
        ("user", overrides or {}),
        ("catalog", _from_catalog(model)),
        ("seen", observed or {}),
        ("id", _from_id(model.id)),
    ]
    badges: dict[Capability, CapabilityBadge] = {}
    for capability in CAPABILITIES:
        for source, evidence in layers:
            value = evidence.get(capability)
            if isinstance(value, bool):
                badges[capability] = CapabilityBadge(capability, value, source)
                break
    return badges


KNOWN_PARAMS = frozenset(
    {
        "temperature",
        "top_p",
        "top_k",
        "min_p",
        "max_tokens",
        "max_output_tokens",
        "stop",
        "seed",
        "frequency_penalty",
        "presence_penalty",
        "repetition_penalty",
        "logit_bias",
        "logprobs",
        "top_logprobs",
        "response_format",
        "tools",
        "tool_choice",
        "reasoning",
        "reasoning_effort",
    }
)
"""Request parameters a catalog's `supported_parameters` can speak for."""

_PARAM_ALIASES: dict[str, tuple[str, ...]] = {
    "max_output_tokens": ("max_tokens",),
    "reasoning": ("include_reasoning", "reasoning_effort"),
    "reasoning_effort": ("reasoning", "include_reasoning"),
    "response_format": ("structured_outputs",),
}


def unsupported_params(model: ModelInfo) -> set[str] | None:
    """Known request parameters the model's catalog entry does not list.

    Returns:
        The names, or None when the catalog says nothing (no or an empty
        `supported_parameters`: then nothing can be ruled out).
    """
    supported = model.supported_parameters
    if not supported:
        return None
    have = set(supported)
    return {
        name
        for name in KNOWN_PARAMS
        if name not in have and not any(alias in have for alias in _PARAM_ALIASES.get(name, ()))
    }
