"""Tool calling for the demo backend: which tool to call, plausible arguments, answers."""

from __future__ import annotations

import json
import re
from typing import Any

from routmy_tui.demo.replies import quote_prompt, seed_for

_STRING_HINTS: list[tuple[str, str]] = [
    ("email", "ada@example.com"),
    ("city", "Paris"),
    ("country", "France"),
    ("location", "Paris, France"),
    ("date", "2025-01-15"),
    ("time", "12:30"),
    ("url", "https://example.com/"),
    ("lang", "en"),
    ("unit", "celsius"),
    ("currency", "EUR"),
    ("query", "demo search"),
    ("name", "Ada Lovelace"),
    ("title", "A demo title"),
    ("path", "/tmp/demo.txt"),
    ("status", "shipped"),
]


class ToolChoiceError(ValueError):
    """The request's tool_choice names a function that is not among the tools."""


def offered_functions(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The `function` objects of the request's tools (well-formed ones only)."""
    tools = body.get("tools")
    if not isinstance(tools, list):
        return []
    out = []
    for tool in tools:
        function = tool.get("function") if isinstance(tool, dict) else None
        if isinstance(function, dict) and isinstance(function.get("name"), str):
            out.append(function)
    return out


def _mentioned(function: dict[str, Any], prompt: str) -> bool:
    """Whether the prompt names the function, or a word of its name ("order" for get_order)."""
    name = str(function["name"]).lower()
    text = prompt.lower()
    words = [w for w in re.split(r"[_\-]+", name) if len(w) > 2 and w not in _VERBS]
    return name in text or any(re.search(rf"\b{re.escape(w)}", text) for w in words)


_VERBS = frozenset({"get", "set", "list", "fetch", "find", "search", "lookup", "the"})


def choose_functions(body: dict[str, Any], model: str, prompt: str) -> list[dict[str, Any]]:
    """The functions the demo model calls now (several: parallel calls), or [] for an answer.

    Calls happen when the last message is from the user, tools are offered and either
    tool_choice forces it ("required" or a named function) or it is "auto"/absent and the
    model is demo/tools, the prompt says "use tool", or the prompt is about an offered
    function (any demo model, as a real model would). Which ones: every offered function
    the prompt mentions ("order 123 and the weather in Paris" calls get_order and
    get_weather in parallel), else the first one; "parallel" in the prompt calls the first
    two.

    Raises:
        ToolChoiceError: tool_choice names a function that was not offered.
    """
    functions = offered_functions(body)
    messages = body.get("messages") or []
    if not functions or not isinstance(messages[-1], dict) or messages[-1].get("role") != "user":
        return []
    choice = body.get("tool_choice", "auto")
    if choice == "none":
        return []
    if isinstance(choice, dict):
        wanted = (choice.get("function") or {}).get("name")
        for function in functions:
            if function["name"] == wanted:
                return [function]
        raise ToolChoiceError(f"tool_choice names an unknown function: {wanted!r}")
    mentioned = [f for f in functions if _mentioned(f, prompt)]
    asked = choice == "required" or model == "demo/tools" or "use tool" in prompt.lower()
    if not asked and not mentioned:
        # Like a real model: tools it was offered are called when the prompt is about them.
        return []
    if "parallel" in prompt.lower():
        return functions[:2]
    return mentioned or functions[:1]


def _number_in(prompt: str) -> str | None:
    match = re.search(r"\d+", prompt)
    return match.group(0) if match else None


def value_for(name: str, schema: Any, prompt: str, depth: int = 0) -> Any:
    """A plausible value for a JSON-schema property.

    Args:
        name: The property name (guides strings: "city" gets a city, "order_id" a number
            taken from the prompt when it has one).
        schema: The property's schema.
        prompt: The user's text.
        depth: Nesting depth (objects deeper than 4 levels become empty).

    Returns:
        A JSON-compatible value matching the schema's type as far as it is known.
    """
    if not isinstance(schema, dict):
        return "demo"
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if kind is None:
        kind = "object" if "properties" in schema else "array" if "items" in schema else "string"
    lname = name.lower()
    if kind == "integer":
        number = _number_in(prompt)
        return int(number) if number and lname.endswith("id") else 3
    if kind == "number":
        return 21.5
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    if kind == "array":
        return [value_for(name.rstrip("s"), schema.get("items", {}), prompt, depth + 1)]
    if kind == "object":
        return object_for(schema, prompt, depth + 1)
    if lname.endswith("id") or lname in {"number", "code"}:
        return _number_in(prompt) or f"A-{seed_for(prompt) % 9000 + 1000}"
    for hint, value in _STRING_HINTS:
        if hint in lname:
            return value
    return quote_prompt(prompt, 40)


def object_for(schema: Any, prompt: str, depth: int = 0) -> dict[str, Any]:
    """A plausible object for an object schema (every declared property filled)."""
    if not isinstance(schema, dict) or depth > 4:
        return {}
    props = schema.get("properties")
    if not isinstance(props, dict):
        return {}
    return {key: value_for(key, sub, prompt, depth) for key, sub in props.items()}


def split_arguments(text: str, pieces: int = 5) -> list[str]:
    """Cut an arguments string into fragments as a streaming server would."""
    size = max(1, -(-len(text) // pieces))
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def call_id(prompt: str, name: str) -> str:
    """A deterministic tool call id."""
    return f"call_demo_{seed_for(prompt + name) % 16**10:010x}"


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text"
        )
    return "" if content is None else json.dumps(content)


def tool_answer(messages: list[Any]) -> str:
    """The Markdown answer after tool results: quotes each result of the last tool turn.

    Args:
        messages: The request's messages; the trailing `role: tool` ones are answered.

    Returns:
        Markdown text.
    """
    names: dict[str, str] = {}
    for message in messages:
        if isinstance(message, dict) and isinstance(message.get("tool_calls"), list):
            for call in message["tool_calls"]:
                if isinstance(call, dict):
                    function = call.get("function") or {}
                    names[str(call.get("id"))] = str(function.get("name", "the tool"))
    results = []
    for message in reversed(messages):
        if not isinstance(message, dict) or message.get("role") != "tool":
            break
        results.append(message)
    parts = ["## Tool results", "", f"I received {len(results)} tool result(s)."]
    for message in reversed(results):
        name = names.get(str(message.get("tool_call_id")), "the tool")
        text = _text_of(message.get("content"))
        parts += ["", f"The tool `{name}` returned:", ""]
        try:
            value = json.loads(text)
        except ValueError:
            parts.append("> " + quote_prompt(text, 200))
            continue
        parts += ["```json", json.dumps(value, indent=2, ensure_ascii=False), "```"]
        if isinstance(value, dict):
            parts.append("")
            parts += [
                f"- **{key}**: {json.dumps(val, ensure_ascii=False)}" for key, val in value.items()
            ]
    parts += ["", "That is everything the tools told me."]
    return "\n".join(parts) + "\n"
