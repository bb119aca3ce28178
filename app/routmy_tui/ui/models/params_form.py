"""The parameters form as plain data: field text <-> ChatParams, with a message per bad field."""

from __future__ import annotations

import dataclasses
import json
import math
import re
from dataclasses import dataclass
from typing import Any

from routmy_tui.core.jsonsafe import loads_bounded
from routmy_tui.core.request import ChatParams

RESPONSE_FORMATS = ("off", "json_object", "json_schema")
REASONING_MODES = ("off", "minimal", "low", "medium", "high", "max_tokens")
TOOL_CHOICES = ("", "auto", "none", "required")
IMAGE_OUTPUTS = ("auto", "on", "off")
ASPECT_RATIOS = ("", "1:1", "16:9", "9:16", "4:3", "3:4", "4:5", "5:4", "21:9")
IMAGE_SIZES = ("", "1K", "2K", "4K")
_SCHEMA_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

FIELD_PARAM = {
    "temperature": "temperature",
    "top_p": "top_p",
    "max_tokens": "max_tokens",
    "max_output_tokens": "max_output_tokens",
    "stop": "stop",
    "response_format": "response_format",
    "reasoning": "reasoning",
    "tool_choice": "tool_choice",
}
"""Form field -> the request parameter a catalog's `supported_parameters` speaks for."""


@dataclass
class FormValues:
    """The parameters form as the user typed it (every text field is a string).

    Attributes:
        temperature: A number from 0 to 2, or empty.
        top_p: A number from 0 to 1, or empty.
        max_tokens: A positive whole number, or empty.
        max_output_tokens: A positive whole number, or empty.
        stop: One stop sequence per line; a line written as a JSON string ("\\n\\n")
            is decoded, so sequences with newlines can be given.
        response_format: "off", "json_object" or "json_schema".
        schema_name: Name of the JSON schema.
        schema: The JSON schema (a JSON object).
        schema_strict: Ask for strict schema adherence.
        reasoning: "off", an effort ("minimal" .. "high") or "max_tokens".
        reasoning_max_tokens: Budget when `reasoning` is "max_tokens".
        reasoning_exclude: Ask the server to leave the reasoning out of the reply.
        tool_choice: "" (not sent), "auto", "none", "required" or "keep" (a named function).
        metadata: A JSON object, or empty.
        extra: A JSON object merged into the body last, or empty.
        image_output: "auto" (asked of models that make pictures), "on" or "off".
        aspect_ratio: `image_config.aspect_ratio` ("" not sent).
        image_size: `image_config.image_size` ("" not sent).
    """

    temperature: str = ""
    top_p: str = ""
    max_tokens: str = ""
    max_output_tokens: str = ""
    stop: str = ""
    response_format: str = "off"
    schema_name: str = "response"
    schema: str = ""
    schema_strict: bool = True
    reasoning: str = "off"
    reasoning_max_tokens: str = ""
    reasoning_exclude: bool = False
    tool_choice: str = ""
    metadata: str = ""
    extra: str = ""
    image_output: str = "auto"
    aspect_ratio: str = ""
    image_size: str = ""


def _number(text: str, low: float, high: float) -> tuple[float | None, str | None]:
    text = text.strip()
    if not text:
        return None, None
    try:
        value = float(text)
    except ValueError:
        return None, f"not a number: {text!r}"
    if not math.isfinite(value) or not low <= value <= high:
        return None, f"must be from {low:g} to {high:g}"
    return value, None


def _count(text: str) -> tuple[int | None, str | None]:
    text = text.strip()
    if not text:
        return None, None
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        return None, f"not a whole number: {text!r}"
    if value < 1:
        return None, "must be 1 or more"
    return value, None


def _json_object(text: str) -> tuple[dict[str, Any] | None, str | None]:
    if not text.strip():
        return None, None
    try:
        value = loads_bounded(text)
    except json.JSONDecodeError as exc:
        return None, f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
    except RecursionError:
        return None, "invalid JSON: nested too deeply"
    if not isinstance(value, dict):
        return None, f"must be a JSON object {{...}}, not {type(value).__name__}"
    return value, None


def _stops(text: str) -> tuple[str | list[str] | None, str | None]:
    stops: list[str] = []
    for number, line in enumerate(text.split("\n"), 1):
        if not line:
            continue
        if len(line) >= 2 and line.startswith('"') and line.endswith('"'):
            try:
                decoded = loads_bounded(line)
            except json.JSONDecodeError:
                return None, f"line {number}: not a valid JSON string"
            if not isinstance(decoded, str) or not decoded:
                return None, f"line {number}: an empty stop sequence"
            line = decoded
        stops.append(line)
    if not stops:
        return None, None
    return (stops[0] if len(stops) == 1 else stops), None


def parse_form(
    values: FormValues, base: ChatParams | None = None
) -> tuple[ChatParams, dict[str, str]]:
    """Turn the form into parameters; fields that did not parse are reported, not guessed.

    Args:
        values: What the form holds.
        base: Parameters the form does not show (tools, modalities, image config) are
            taken from here.

    Returns:
        The parameters (bad fields left unset) and an error message per bad field name.
    """
    errors: dict[str, str] = {}
    base = base or ChatParams()

    def keep(name: str, result: tuple[Any, str | None]) -> Any:
        value, problem = result
        if problem:
            errors[name] = problem
        return value

    params = ChatParams(
        tools=base.tools,
        modalities=keep("image_output", _modalities(values.image_output, base.modalities)),
        image_config=keep("image_config", _image_config(values, base.image_config)),
        temperature=keep("temperature", _number(values.temperature, 0.0, 2.0)),
        top_p=keep("top_p", _number(values.top_p, 0.0, 1.0)),
        max_tokens=keep("max_tokens", _count(values.max_tokens)),
        max_output_tokens=keep("max_output_tokens", _count(values.max_output_tokens)),
        stop=keep("stop", _stops(values.stop)),
        metadata=keep("metadata", _json_object(values.metadata)),
        extra=keep("extra", _json_object(values.extra)) or {},
    )
    fmt = values.response_format
    if fmt == "json_object":
        params.response_format = {"type": "json_object"}
    elif fmt == "json_schema":
        schema = keep("schema", _json_object(values.schema))
        if schema is None and "schema" not in errors:
            errors["schema"] = "a JSON schema object is needed"
        name = values.schema_name.strip()
        if not _SCHEMA_NAME_RE.match(name):
            errors["schema_name"] = "1-64 letters, digits, _ or -"
        if schema is not None and "schema_name" not in errors:
            params.response_format = {
                "type": "json_schema",
                "json_schema": {"name": name, "strict": values.schema_strict, "schema": schema},
            }
    elif fmt != "off":
        errors["response_format"] = f"unknown format {fmt!r}"

    reasoning: dict[str, Any] = {}
    mode = values.reasoning
    if mode == "max_tokens":
        budget = keep("reasoning_max_tokens", _count(values.reasoning_max_tokens))
        if budget is None and "reasoning_max_tokens" not in errors:
            errors["reasoning_max_tokens"] = "a token budget is needed"
        if budget is not None:
            reasoning["max_tokens"] = budget
    elif mode in REASONING_MODES and mode != "off":
        reasoning["effort"] = mode
    elif mode != "off":
        errors["reasoning"] = f"unknown reasoning setting {mode!r}"
    if values.reasoning_exclude:
        reasoning["exclude"] = True
    params.reasoning = reasoning or None

    if values.tool_choice == "keep":
        params.tool_choice = base.tool_choice
    elif values.tool_choice in TOOL_CHOICES:
        params.tool_choice = values.tool_choice or None
    else:
        errors["tool_choice"] = f"unknown tool choice {values.tool_choice!r}"
    return params, errors


def _modalities(choice: str, base: list[str] | None) -> tuple[list[str] | None, str | None]:
    if choice == "auto":
        return None, None
    if choice == "on":
        return (list(base) if base and "image" in base else ["image", "text"]), None
    if choice == "off":
        return ["text"], None
    return None, f"unknown image output setting {choice!r}"


def _image_config(
    values: FormValues, base: dict[str, Any] | None
) -> tuple[dict[str, Any] | None, str | None]:
    config = {k: v for k, v in (base or {}).items() if k not in ("aspect_ratio", "image_size")}
    if values.aspect_ratio not in ASPECT_RATIOS:
        return None, f"unknown aspect ratio {values.aspect_ratio!r}"
    if values.image_size not in IMAGE_SIZES:
        return None, f"unknown image size {values.image_size!r}"
    if values.aspect_ratio:
        config["aspect_ratio"] = values.aspect_ratio
    if values.image_size:
        config["image_size"] = values.image_size
    return (config or None), None


def _num_text(value: float | int | None) -> str:
    if value is None:
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)


def _stop_text(stop: str | list[str] | None) -> str:
    items = [stop] if isinstance(stop, str) else list(stop or [])
    lines = []
    for item in items:
        plain = item and "\n" not in item and not (item.startswith('"') and item.endswith('"'))
        lines.append(item if plain else json.dumps(item, ensure_ascii=False))
    return "\n".join(lines)


def form_from_params(params: ChatParams) -> FormValues:
    """The form showing `params` (inverse of `parse_form` for what the form can show)."""
    values = FormValues(
        temperature=_num_text(params.temperature),
        top_p=_num_text(params.top_p),
        max_tokens=_num_text(params.max_tokens),
        max_output_tokens=_num_text(params.max_output_tokens),
        stop=_stop_text(params.stop),
        metadata=json.dumps(params.metadata, indent=2) if params.metadata else "",
        extra=json.dumps(params.extra, indent=2) if params.extra else "",
    )
    fmt = params.response_format or {}
    if fmt.get("type") == "json_object":
        values.response_format = "json_object"
    elif fmt.get("type") == "json_schema":
        raw_spec = fmt.get("json_schema")
        spec: dict[str, Any] = raw_spec if isinstance(raw_spec, dict) else {}
        values.response_format = "json_schema"
        values.schema_name = str(spec.get("name") or "response")
        values.schema_strict = spec.get("strict") is not False
        schema = spec.get("schema")
        values.schema = json.dumps(schema, indent=2) if schema is not None else ""
    reasoning = params.reasoning or {}
    if isinstance(reasoning.get("max_tokens"), int):
        values.reasoning = "max_tokens"
        values.reasoning_max_tokens = str(reasoning["max_tokens"])
    elif reasoning.get("effort") in REASONING_MODES:
        values.reasoning = str(reasoning["effort"])
    values.reasoning_exclude = reasoning.get("exclude") is True
    modalities = params.modalities
    if modalities is not None:
        values.image_output = "on" if "image" in modalities else "off"
    config = params.image_config or {}
    if config.get("aspect_ratio") in ASPECT_RATIOS:
        values.aspect_ratio = str(config["aspect_ratio"])
    if config.get("image_size") in IMAGE_SIZES:
        values.image_size = str(config["image_size"])
    choice = params.tool_choice
    if isinstance(choice, str) and choice in TOOL_CHOICES:
        values.tool_choice = choice
    elif choice is not None:
        values.tool_choice = "keep"
    return values


def replace(values: FormValues, **changes: Any) -> FormValues:
    """A copy of the form with some fields changed."""
    return dataclasses.replace(values, **changes)
