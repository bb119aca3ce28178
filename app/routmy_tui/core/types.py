"""Wire types: messages, tool calls, usage, assembled replies and recorded exchanges."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from routmy_tui.core.jsonsafe import JsonTooDeep, loads_bounded
from routmy_tui.core.model_info import ModelInfo
from routmy_tui.core.stream_lines import StreamLine, StreamLines
from routmy_tui.core.text import json_error
from routmy_tui.core.usage import Usage

__all__ = [
    "IMAGE_REF",
    "JSON",
    "KNOWN_FINISH_REASONS",
    "ApiError",
    "ChatMessage",
    "ModelInfo",
    "Reply",
    "ReplyStatus",
    "StreamLine",
    "StreamLines",
    "ToolCall",
    "Usage",
]

JSON = Any
"""A decoded JSON value."""

ReplyStatus = Literal["streaming", "complete", "stopped", "interrupted", "error"]
"""Lifecycle of an assistant reply, as stored and shown."""


@dataclass
class ToolCall:
    """One function call requested by the model.

    Attributes:
        id: The call id the answer must quote (may be empty on odd servers).
        name: Function name.
        arguments: The raw JSON text of the arguments, exactly as sent.
        type: Always "function" today.
    """

    id: str = ""
    name: str = ""
    arguments: str = ""
    type: str = "function"

    def parsed_arguments(self) -> tuple[JSON, str | None]:
        """Parse the arguments.

        Returns:
            (value, None) when the text is valid JSON (empty text counts as `{}`),
            else (None, a short description of the error).
        """
        if not self.arguments.strip():
            return {}, None
        try:
            return loads_bounded(self.arguments), None
        except JsonTooDeep as exc:
            return None, f"not shown as JSON: {exc.msg} (kept as text)"
        except json.JSONDecodeError as exc:
            return None, f"invalid JSON: {json_error(exc)}"

    def to_wire(self) -> dict[str, Any]:
        """The OpenAI `tool_calls[]` item for this call."""
        return {
            "id": self.id,
            "type": self.type or "function",
            "function": {"name": self.name, "arguments": self.arguments},
        }


@dataclass
class ChatMessage:
    """One message of a conversation, as sent to the API.

    Attributes:
        role: "system", "user", "assistant" or "tool".
        content: The text (None for an assistant turn that only calls tools).
        images: Image URLs (data URLs or https URLs): attachments on a user turn,
            generated pictures on an assistant turn.
        tool_calls: Calls made by an assistant turn.
        tool_call_id: On a "tool" turn, the call it answers.
        reasoning_details: Opaque reasoning items to pass back unchanged.
        name: The optional participant name of the turn.
        parts: The content parts exactly as a source sent them (an imported conversation),
            with each image part's URL replaced by `IMAGE_REF` + its index in `images`; sent
            back in place of the parts built from `content` and `images`.
        extra: Other keys of the wire message, sent back as they came.
    """

    role: str
    content: str | None = None
    images: list[str] = field(default_factory=list)
    tool_calls: list[ToolCall] = field(default_factory=list)
    tool_call_id: str | None = None
    reasoning_details: list[JSON] | None = None
    name: str | None = None
    parts: list[dict[str, Any]] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_wire(self) -> dict[str, Any]:
        """The message as a JSON object for the request body.

        Text parts come before image parts; a message without images sends a plain string.
        """
        out: dict[str, Any] = {"role": self.role}
        if self.parts is not None:
            out["content"] = [self._part(part) for part in self.parts]
        elif self.images and self.role == "user":
            parts: list[dict[str, Any]] = []
            if self.content:
                parts.append({"type": "text", "text": self.content})
            for url in self.images:
                parts.append({"type": "image_url", "image_url": {"url": url}})
            out["content"] = parts
        else:
            out["content"] = self.content
        if self.name is not None:
            out["name"] = self.name
        if self.tool_calls:
            out["tool_calls"] = [call.to_wire() for call in self.tool_calls]
        if self.tool_call_id is not None:
            out["tool_call_id"] = self.tool_call_id
        if self.reasoning_details:
            out["reasoning_details"] = self.reasoning_details
        for key, value in self.extra.items():
            out.setdefault(key, value)
        return out

    def _part(self, part: dict[str, Any]) -> dict[str, Any]:
        """A kept content part with its image reference resolved to the image URL."""
        image = part.get("image_url")
        if part.get("type") != "image_url" or not isinstance(image, dict):
            return part
        ref = image.get("url")
        if isinstance(ref, str) and ref.startswith(IMAGE_REF):
            index = int(ref[len(IMAGE_REF) :])
            if 0 <= index < len(self.images):
                return {**part, "image_url": {**image, "url": self.images[index]}}
        return part


IMAGE_REF = "routmy-image:"
"""Stands for `images[N]` in a kept content part (`ChatMessage.parts`): the picture is stored
once, not inside the parts."""

KNOWN_FINISH_REASONS = frozenset({"stop", "length", "tool_calls", "content_filter", "error"})


@dataclass
class Reply:
    """An assistant reply assembled from a stream or a whole response.

    Attributes:
        content: The visible text.
        reasoning: Thinking text, shown apart.
        reasoning_details: Reasoning items to pass back on a tool round trip.
        refusal: A refusal message, when the model refused.
        tool_calls: Assembled function calls.
        images: Image URLs (data or https) the model produced.
        usage: The last usage seen.
        finish_reason: As the server sent it (unknown words are kept as they are).
        native_finish_reason: The provider's own word, when sent.
        model: Model that answered, when sent.
        id: Completion id, when sent.
        provider: Upstream provider, when sent.
        status: Where the reply stands.
        error: What went wrong, for status "error" or "interrupted".
        notes: Odd inputs that were skipped (non-JSON data, unknown image items...).
    """

    content: str = ""
    reasoning: str = ""
    reasoning_details: list[JSON] = field(default_factory=list)
    refusal: str | None = None
    tool_calls: list[ToolCall] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    usage: Usage | None = None
    finish_reason: str | None = None
    native_finish_reason: str | None = None
    model: str | None = None
    id: str | None = None
    provider: str | None = None
    status: ReplyStatus = "streaming"
    error: ApiError | None = None
    notes: list[str] = field(default_factory=list)

    def to_message(self) -> ChatMessage:
        """The assistant turn to send back in the next request."""
        return ChatMessage(
            role="assistant",
            content=self.content if (self.content or not self.tool_calls) else None,
            tool_calls=list(self.tool_calls),
            reasoning_details=list(self.reasoning_details) or None,
        )

    def to_response_json(self) -> dict[str, Any]:
        """The equivalent non-streamed `chat.completion` object (for the inspector)."""
        message: dict[str, Any] = {"role": "assistant", "content": self.content or None}
        if self.reasoning:
            message["reasoning"] = self.reasoning
        if self.reasoning_details:
            message["reasoning_details"] = self.reasoning_details
        if self.refusal:
            message["refusal"] = self.refusal
        if self.tool_calls:
            message["tool_calls"] = [call.to_wire() for call in self.tool_calls]
        if self.images:
            message["images"] = [
                {"type": "image_url", "image_url": {"url": url}} for url in self.images
            ]
        choice: dict[str, Any] = {
            "index": 0,
            "message": message,
            "finish_reason": self.finish_reason,
        }
        if self.native_finish_reason is not None:
            choice["native_finish_reason"] = self.native_finish_reason
        out: dict[str, Any] = {
            "id": self.id,
            "object": "chat.completion",
            "model": self.model,
            "choices": [choice],
        }
        if self.provider:
            out["provider"] = self.provider
        if self.usage is not None:
            out["usage"] = self.usage.raw
        if self.error is not None:
            out["error"] = {"message": self.error.message, "code": self.error.code}
        return out


class ApiError(Exception):
    """Any failure of a request, in one shape.

    Attributes:
        message: The best human message found.
        status: HTTP status, when there was a response.
        kind: "http", "network", "timeout", "in_band" (an error inside a 200 stream),
            "protocol" (a response we could not understand) or "config".
        error_id: rout.my's `error_id`, when sent.
        code: The body's `code` (a reason phrase or a number), as text.
        retryable: Whether trying again may help (408, 429, 5xx, network, timeout).
        retry_after: Seconds the server asked us to wait, when it said.
        raw_body: The response body as text, for the inspector.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        kind: str = "http",
        error_id: str | None = None,
        code: str | None = None,
        retryable: bool = False,
        retry_after: float | None = None,
        raw_body: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.kind = kind
        self.error_id = error_id
        self.code = code
        self.retryable = retryable
        self.retry_after = retry_after
        self.raw_body = raw_body

    def summary(self) -> str:
        """One line for the screen: status, message and error id."""
        head = f"HTTP {self.status}" if self.status else self.kind.replace("_", "-")
        text = f"{head}: {self.message}"
        if self.error_id:
            text += f" (error_id {self.error_id})"
        return text

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able form, for storage."""
        return {
            "message": self.message,
            "status": self.status,
            "kind": self.kind,
            "error_id": self.error_id,
            "code": self.code,
            "retryable": self.retryable,
            "retry_after": self.retry_after,
            "raw_body": self.raw_body,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ApiError:
        """Inverse of `to_dict`."""
        return cls(
            str(data.get("message", "")),
            status=data.get("status"),
            kind=str(data.get("kind", "http")),
            error_id=data.get("error_id"),
            code=data.get("code"),
            retryable=bool(data.get("retryable", False)),
            retry_after=data.get("retry_after"),
            raw_body=data.get("raw_body"),
        )

    def __repr__(self) -> str:
        return f"ApiError({self.summary()!r})"
