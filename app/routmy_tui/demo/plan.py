"""From a chat request body to a reply plan: the tokens, calls and pictures to send."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from routmy_tui.demo import images, replies, tools
from routmy_tui.demo.catalog import MODELS, SLOW_TPS, DemoModel
from routmy_tui.demo.faults import ESCAPE_TEXT, Faults, parse_faults

ODD_TEXT = "Odd framing: café ✓ naïve 日本語\u2028line separator.\n\n"
"""Multi-byte text `fault:odd` puts first, so writes can be cut inside characters."""


class RequestError(Exception):
    """The request is invalid; answered with `status` and a rout.my error body."""

    def __init__(self, status: int, message: str, kind: str = "invalid_request_error") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.kind = kind


@dataclass
class ToolCallPlan:
    """A tool call to stream: id, function name and argument fragments."""

    id: str
    name: str
    fragments: list[str]


@dataclass
class Plan:
    """Everything one chat completion will send."""

    model: DemoModel
    faults: Faults
    prompt_tokens: int
    tps: float
    ttft: float
    include_usage: bool = False
    reasoning: list[str] = field(default_factory=list)
    content: list[str] = field(default_factory=list)
    tool_calls: list[ToolCallPlan] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    finish_reason: str = "stop"
    id: str = field(default_factory=lambda: f"gen-demo-{uuid.uuid4().hex[:20]}")
    created: int = field(default_factory=lambda: int(time.time()))

    def completion_tokens(self) -> int:
        """Content and reasoning deltas, plus tool-argument fragments and one per image."""
        call = sum(len(c.fragments) for c in self.tool_calls)
        return len(self.reasoning) + len(self.content) + call + len(self.images)

    def usage(self) -> dict[str, Any]:
        """The `usage` object."""
        completion = self.completion_tokens()
        prompt_price, completion_price = self.model.prices()
        cost = self.prompt_tokens * prompt_price + completion * completion_price
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": completion,
            "total_tokens": self.prompt_tokens + completion,
            "cost": round(cost * self.model.multiplier, 10),
            "prompt_tokens_details": {"cached_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": len(self.reasoning)},
        }

    def message(self) -> dict[str, Any]:
        """The assistant `message` of a non-streamed completion."""
        content = "".join(self.content)
        message: dict[str, Any] = {
            "role": "assistant",
            "content": content if content or not self.tool_calls else None,
        }
        if self.reasoning:
            message["reasoning"] = "".join(self.reasoning)
        if self.tool_calls:
            message["tool_calls"] = [
                {
                    "id": call.id,
                    "type": "function",
                    "function": {"name": call.name, "arguments": "".join(call.fragments)},
                }
                for call in self.tool_calls
            ]
        if self.images:
            message["images"] = [
                {"type": "image_url", "image_url": {"url": u}} for u in self.images
            ]
        return message

    def completion(self) -> dict[str, Any]:
        """The whole non-streamed `chat.completion` body."""
        return {
            "id": self.id,
            "object": "chat.completion",
            "created": self.created,
            "model": self.model.id,
            "provider": "Demo",
            "choices": [
                {
                    "index": 0,
                    "message": self.message(),
                    "finish_reason": self.finish_reason,
                    "native_finish_reason": self.finish_reason,
                }
            ],
            "usage": self.usage(),
        }


def text_of(content: Any) -> str:
    """The text of a message's content (a string or an array of parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(
            str(p.get("text", ""))
            for p in content
            if isinstance(p, dict) and p.get("type") == "text"
        )
    return ""


def last_user_text(messages: list[Any]) -> str:
    """The text of the last user message ("" when there is none)."""
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            return text_of(message.get("content"))
    return ""


def _last_user_images(messages: list[Any]) -> list[str]:
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            if not isinstance(content, list):
                return []
            return [
                str((p.get("image_url") or {}).get("url", ""))
                for p in content
                if isinstance(p, dict) and p.get("type") == "image_url"
            ]
    return []


def _number(body: dict[str, Any], key: str, default: float | None) -> float | None:
    value = body.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise RequestError(400, f"{key} must be a non-negative number")
    return float(value)


def validate(body: Any) -> tuple[DemoModel, list[Any]]:
    """Check a chat body like rout.my does.

    Returns:
        The model and the messages.

    Raises:
        RequestError: 400 for a bad body, 404 for an unknown model, 403 for a locked one.
    """
    if not isinstance(body, dict):
        raise RequestError(400, "Request body must be a JSON object")
    model_id = body.get("model")
    if not model_id or not isinstance(model_id, str):
        raise RequestError(400, "Model is required")
    model = MODELS.get(model_id)
    if model is None:
        raise RequestError(404, f"Model '{model_id}' not found", "not_found_error")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise RequestError(400, "Messages are required")
    if not all(isinstance(m, dict) and isinstance(m.get("role"), str) for m in messages):
        raise RequestError(400, "Each message needs a role")
    if not model.available:
        raise RequestError(
            403, f"Model '{model_id}' is not available for this key", "permission_error"
        )
    return model, messages


def build_plan(body: dict[str, Any], tps: float, ttft: float) -> Plan:
    """Decide the reply to a valid chat body (this may draw a picture: run it off the loop).

    Args:
        body: The request body (already passed `validate`).
        tps: Default tokens per second.
        ttft: Default delay before the first token.

    Returns:
        The plan.

    Raises:
        RequestError: Invalid parameters.
    """
    model, messages = validate(body)
    prompt = last_user_text(messages)
    faults = parse_faults(prompt)
    if model.id == "demo/flaky":
        faults.inband = True  # always fails part-way: compare shows one failing column
    words = sum(len(text_of(m.get("content")).split()) for m in messages)
    stream_options = body.get("stream_options")
    default_tps = SLOW_TPS if model.id == "demo/slow" else tps
    plan = Plan(
        model=model,
        faults=faults,
        prompt_tokens=words + 4 * len(messages),
        tps=_number(body, "demo_tps", default_tps) or 0.0,
        ttft=ttft,
        include_usage=isinstance(stream_options, dict)
        and stream_options.get("include_usage") is True,
    )
    demo_tokens = _number(body, "demo_tokens", None)
    try:
        functions = tools.choose_functions(body, model.id, prompt)
    except tools.ToolChoiceError as exc:
        raise RequestError(400, str(exc)) from exc
    reasoning = body.get("reasoning")
    if model.id == "demo/reasoning" and not (
        isinstance(reasoning, dict) and reasoning.get("exclude")
    ):
        plan.reasoning = replies.reasoning_tokens(prompt)
    modalities = body.get("modalities")
    last_role = messages[-1].get("role")
    if functions:
        for function in functions:
            arguments = json.dumps(tools.object_for(function.get("parameters"), prompt))
            plan.tool_calls.append(
                ToolCallPlan(
                    tools.call_id(prompt, function["name"]),
                    function["name"],
                    tools.split_arguments(arguments),
                )
            )
        plan.finish_reason = "tool_calls"
    elif model.id == "demo/image" or (isinstance(modalities, list) and "image" in modalities):
        plan.content, plan.images = _picture(body, prompt)
    elif last_role == "tool":
        plan.content = replies.tokenize(tools.tool_answer(messages))
    elif _json_mode(body):
        plan.content = replies.tokenize(_json_reply(body, prompt))
    else:
        plan.content = _text_reply(model, prompt, messages, demo_tokens)
    if faults.escape:
        plan.content = replies.tokenize(f"Escapes: {ESCAPE_TEXT}\n\n") + plan.content
    if faults.odd:
        plan.content = replies.tokenize(ODD_TEXT) + plan.content
    _apply_limits(plan, body)
    return plan


def _text_reply(
    model: DemoModel, prompt: str, messages: list[Any], demo_tokens: float | None
) -> list[str]:
    count = int(demo_tokens) if demo_tokens is not None else None
    extra = 6 if model.id == "demo/slow" else 0
    tokens = replies.reply_tokens(prompt, count=count, extra_sections=extra)
    attached = _last_user_images(messages)
    if attached and count is None:
        if model.id == "demo/vision":
            # A vision model answers about the pictures, not with the usual sample reply.
            lines = [f"I see {len(attached)} image(s):", ""]
            lines += [f"{i}. {images.describe_image(u)}" for i, u in enumerate(attached, 1)]
            lines += ["", "(The demo measures pictures; it does not understand them.)"]
            return replies.tokenize("\n".join(lines))
        else:
            lines = [
                f"({len(attached)} image(s) attached; {model.id} cannot see them: try demo/vision)"
            ]
        tokens = replies.tokenize("\n".join(lines) + "\n\n") + tokens
    return tokens


def _picture(body: dict[str, Any], prompt: str) -> tuple[list[str], list[str]]:
    raw_config = body.get("image_config")
    config: dict[str, Any] = raw_config if isinstance(raw_config, dict) else {}
    aspect = str(config.get("aspect_ratio", "1:1"))
    size = str(config.get("image_size", "1K"))
    (rw, rh), (dw, dh) = images.dims_for(aspect, size)
    png = images.draw_png(prompt, dw, dh)
    text = (
        f"Here is a picture for *{replies.quote_prompt(prompt)}*: {aspect}, {size} "
        f"(requested {rw}x{rh} pixels, drawn at {dw}x{dh}).\n"
    )
    return replies.tokenize(text), [images.png_data_url(png)]


def _json_mode(body: dict[str, Any]) -> bool:
    fmt = body.get("response_format")
    return isinstance(fmt, dict) and fmt.get("type") in {"json_object", "json_schema"}


def _json_reply(body: dict[str, Any], prompt: str) -> str:
    fmt = body["response_format"]
    schema = (fmt.get("json_schema") or {}).get("schema") if fmt["type"] == "json_schema" else None
    value = tools.object_for(schema, prompt) if isinstance(schema, dict) else {}
    if not value:
        rng_items = replies.reasoning_tokens(prompt)[:3]
        value = {
            "prompt": replies.quote_prompt(prompt),
            "answer": "This is a demo JSON reply.",
            "items": [t.strip() for t in rng_items],
            "count": len(rng_items),
            "ok": True,
        }
    return json.dumps(value, indent=2, ensure_ascii=False)


def _apply_limits(plan: Plan, body: dict[str, Any]) -> None:
    """Honour `stop` sequences and `max_tokens` / `max_output_tokens` on the content."""
    stop = body.get("stop")
    stops = [stop] if isinstance(stop, str) else stop if isinstance(stop, list) else []
    text = "".join(plan.content)
    cuts = [text.find(s) for s in stops if isinstance(s, str) and s and s in text]
    if cuts:
        plan.content = replies.tokenize(text[: min(cuts)])
    limit = body.get("max_tokens", body.get("max_output_tokens"))
    if isinstance(limit, int) and not isinstance(limit, bool) and 0 < limit < len(plan.content):
        plan.content = plan.content[:limit]
        if plan.finish_reason == "stop":
            plan.finish_reason = "length"
