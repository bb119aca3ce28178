"""Request building: conversation plus parameters -> the JSON body of a chat completion."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from routmy_tui.core.toolsets import wire_tools
from routmy_tui.core.types import ChatMessage

# Fields sent at the top level of the body when set, in this order.
_PARAM_FIELDS = (
    "temperature",
    "top_p",
    "max_tokens",
    "max_output_tokens",
    "stop",
    "response_format",
    "tools",
    "tool_choice",
    "reasoning",
    "modalities",
    "image_config",
    "metadata",
)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _tables(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, dict) for item in value)


_CHECKS: dict[str, tuple[Any, str]] = {
    "temperature": (_number, "a number"),
    "top_p": (_number, "a number"),
    "max_tokens": (_whole, "a whole number"),
    "max_output_tokens": (_whole, "a whole number"),
    "stop": (lambda v: isinstance(v, str) or _strings(v), "a string or a list of strings"),
    "response_format": (lambda v: isinstance(v, dict), "a table"),
    "tools": (_tables, "a list of tables"),
    "tool_choice": (lambda v: isinstance(v, str | dict), "a string or a table"),
    "reasoning": (lambda v: isinstance(v, dict), "a table"),
    "modalities": (_strings, "a list of strings"),
    "image_config": (lambda v: isinstance(v, dict), "a table"),
    "metadata": (lambda v: isinstance(v, dict), "a table"),
    "extra": (lambda v: isinstance(v, dict), "a table"),
}


def check_params(data: Mapping[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Keep the parameters whose values have a usable type.

    A config file, an imported conversation or an old database may hold anything
    (`extra = "x"`, `temperature = "hot"`); such values are left out instead of breaking
    the request builder or the parameters form.

    Args:
        data: Parameters by name; unknown names are kept (they become extra fields).

    Returns:
        (the usable parameters, [(name, what it should be) for each value left out]).
    """
    good: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for key, value in data.items():
        check = _CHECKS.get(key)
        if check is not None and value is not None and not check[0](value):
            problems.append((key, check[1]))
            continue
        good[key] = value
    return good, problems


@dataclass
class ChatParams:
    """Request parameters of a conversation; None means "not sent".

    Attributes:
        temperature: Sampling temperature.
        top_p: Nucleus sampling.
        max_tokens: Maximum generated tokens.
        max_output_tokens: The Gemini-style spelling of the same cap.
        stop: A stop sequence or a list of them.
        response_format: e.g. `{"type": "json_object"}`.
        tools: OpenAI-style function tools, as kept: an item may carry the local-only
            `command` and `auto_approve` keys, which are never sent.
        tool_choice: "auto", "none", "required" or a named function.
        reasoning: e.g. `{"effort": "high"}` or `{"max_tokens": 2000, "exclude": True}`.
        modalities: e.g. `["image", "text"]` for image-output models.
        image_config: e.g. `{"aspect_ratio": "16:9", "image_size": "1K"}`.
        metadata: Client metadata passed through.
        extra: Arbitrary fields merged into the body last (the escape hatch).
    """

    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    max_output_tokens: int | None = None
    stop: str | list[str] | None = None
    response_format: dict[str, Any] | None = None
    tools: list[dict[str, Any]] | None = None
    tool_choice: str | dict[str, Any] | None = None
    reasoning: dict[str, Any] | None = None
    modalities: list[str] | None = None
    image_config: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> ChatParams:
        """Build from a mapping (config file, store); unknown keys go to `extra`.

        Values of the wrong type (see `check_params`) are left out, never raised.
        """
        if not data:
            return cls()
        data, _ = check_params(data)
        known = {f.name for f in fields(cls)}
        kwargs: dict[str, Any] = {}
        extra: dict[str, Any] = dict(data.get("extra") or {})
        for key, value in data.items():
            if key == "extra":
                continue
            if key in known:
                kwargs[key] = value
            else:
                extra[key] = value
        return cls(**kwargs, extra=extra)

    def to_dict(self) -> dict[str, Any]:
        """The set fields as a plain dict (for storage and TOML)."""
        out: dict[str, Any] = {
            name: getattr(self, name) for name in _PARAM_FIELDS if getattr(self, name) is not None
        }
        if self.extra:
            out["extra"] = dict(self.extra)
        return out


IMAGE_OUTPUT_MODALITIES = ["image", "text"]
"""What an image-output model is asked for when the parameters do not say."""


def build_chat_body(
    model: str,
    messages: Iterable[ChatMessage],
    params: ChatParams | None = None,
    *,
    stream: bool = True,
    image_out: bool = False,
) -> dict[str, Any]:
    """The JSON body for `POST /chat/completions`.

    Args:
        model: Model id.
        messages: The conversation path, system message first when there is one.
        params: Parameters; `extra` is merged in last and wins over everything.
        stream: Ask for Server-Sent Events (and for usage in the stream).
        image_out: The model makes pictures (its catalog entry, or the user, says so):
            `modalities` defaults to image and text. Parameters that set `modalities`
            (text only, say) win.

    Returns:
        The body as a dict, keys in a stable, readable order.
    """
    params = params or ChatParams()
    body: dict[str, Any] = {
        "model": model,
        "messages": [message.to_wire() for message in messages],
    }
    if stream:
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
    for name in _PARAM_FIELDS:
        value = getattr(params, name)
        if name == "modalities" and value is None and image_out:
            value = list(IMAGE_OUTPUT_MODALITIES)
        if value is not None:
            body[name] = wire_tools(value) if name == "tools" else value
    body.update(params.extra)
    return body


def wants_json(body: dict[str, Any]) -> bool:
    """Whether a request body asks for JSON output (`response_format` json_object/json_schema)."""
    fmt = body.get("response_format")
    return isinstance(fmt, dict) and fmt.get("type") in {"json_object", "json_schema"}
