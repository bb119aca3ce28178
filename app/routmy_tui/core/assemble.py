"""Assemble streamed chunks (or a whole response) into a Reply, tolerating every odd shape."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from routmy_tui.core.errors import error_from_body
from routmy_tui.core.image_items import image_url_of, sniff_base64_image
from routmy_tui.core.json_preview import dump_json, short_json
from routmy_tui.core.jsonsafe import loads_bounded
from routmy_tui.core.reasoning import ReasoningAssembler
from routmy_tui.core.text import truncate_middle
from routmy_tui.core.toolcalls import ToolCallAssembler, whole_tool_calls
from routmy_tui.core.types import ApiError, Reply, Usage

# image_url_of and sniff_base64_image are re-exported: callers import them from here.
__all__ = ["ReplyAssembler", "ReplyDelta", "image_url_of", "sniff_base64_image"]

_MAX_NOTES = 50


@dataclass(slots=True)
class ReplyDelta:
    """What one chunk added to the reply.

    Attributes:
        content: Visible text added.
        reasoning: Thinking text added.
        images: Image URLs added by this chunk.
        tool_calls_changed: A tool call was created or extended.
        usage: Usage carried by this chunk.
        finish_reason: The finish reason, on the chunk that first carried one.
        error: An in-band error carried by this chunk.
    """

    content: str = ""
    reasoning: str = ""
    images: list[str] = field(default_factory=list)
    tool_calls_changed: bool = False
    usage: Usage | None = None
    finish_reason: str | None = None
    error: ApiError | None = None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


class ReplyAssembler:
    """Builds a Reply from SSE events or decoded chunks, one at a time.

    Only choice 0 is assembled. Odd inputs are skipped with a note in `reply.notes`, never
    raised. Content and reasoning are kept as lists of pieces and joined when `reply` is
    read, so a 20,000-token reply costs linear time.

    Attributes:
        done: `[DONE]` was seen.
        finished: A finish reason was seen for choice 0.
        last_note: The note made by the latest `feed_event`/`feed_chunk` call (set even
            when the note itself was a repeat and not added again), else None: lets a
            caller tag the raw line that caused it.
    """

    def __init__(self) -> None:
        """Start an empty reply in status "streaming"."""
        self._reply = Reply()
        self._content: list[str] = []
        self._tools = ToolCallAssembler(self._reply.tool_calls)
        self._thinking = ReasoningAssembler(self._reply)
        self._noted: set[str] = set()
        self._need_meta = True
        self._stand_in_error = False  # reply.error is a stand-in for finish_reason "error"
        self.done = False
        self.finished = False
        self.last_note: str | None = None

    @property
    def reply(self) -> Reply:
        """The live Reply being built (status stays "streaming" until `finish`)."""
        self._flush()
        return self._reply

    @property
    def notes(self) -> list[str]:
        """Odd inputs noted so far (cheap: does not join the text pieces)."""
        return self._reply.notes

    def _flush(self) -> None:
        self._tools.flush()
        self._thinking.flush()
        if self._content:
            self._reply.content += "".join(self._content)
            self._content.clear()

    def note(self, text: str) -> None:
        """Record an odd input once (identical notes are kept once, at most 50 in all)."""
        self.last_note = text
        if text in self._noted:
            return
        notes = self._reply.notes
        if len(notes) < _MAX_NOTES:
            notes.append(text)
        elif len(notes) == _MAX_NOTES:
            notes.append("(further notes left out)")
        self._noted.add(text)

    def note_error(self, error: ApiError) -> None:
        """Record an error on the reply (the first one stays; later ones become notes)."""
        if error is self._reply.error:
            return
        if self._reply.error is None or self._stand_in_error:
            self._stand_in_error = False
            self._reply.error = error
        else:
            self.note(f"another error: {error.summary()}")

    def is_stream_finished(self) -> bool:
        """Whether `[DONE]` or a finish reason was seen."""
        return self.done or self.finished

    def feed_event(self, event: Any) -> ReplyDelta | None:
        """Take one SSE event (an `SSEEvent`).

        Returns:
            The delta, or None for `[DONE]`, pings, empty or non-JSON data (noted).
        """
        self.last_note = None
        data: str = event.data
        if not data:
            return None
        kind: str = event.event
        if data[0] != "{":
            stripped = data.strip()
            if stripped == "[DONE]":
                self.done = True
                return None
            if not stripped:
                return None
        if kind and kind != "message":
            if kind == "error":
                return self._event_error(data)
            if kind == "ping":
                return None
        try:
            chunk = loads_bounded(data)
        except ValueError:
            self.note(f"skipped data that is not JSON: {truncate_middle(data.strip(), 80)!r}")
            return None
        return self.feed_chunk(chunk)

    def _event_error(self, data: str) -> ReplyDelta:
        try:
            body = loads_bounded(data)
        except ValueError:
            body = None
        error = error_from_body(body, kind="in_band") or error_from_body(
            {"error": body if isinstance(body, dict) else data}, kind="in_band"
        )
        if error is None:
            error = ApiError(truncate_middle(data.strip(), 300), kind="in_band")
        error.raw_body = data
        self.note_error(error)
        return ReplyDelta(error=error)

    def feed_chunk(self, chunk: Any) -> ReplyDelta | None:
        """Take one decoded JSON chunk of any shape.

        Returns:
            What the chunk added, or None when it added nothing (or was not an object).
        """
        self.last_note = None
        if not isinstance(chunk, dict):
            self.note(f"skipped a chunk that is not an object: {short_json(chunk)}")
            return None
        reply = self._reply
        if self._need_meta:
            self._meta(chunk)
        content = reasoning = ""
        images: list[str] | None = None
        tools_changed = False
        finish: str | None = None
        error: ApiError | None = None
        choices = chunk.get("choices")
        choice = None
        if choices:
            if isinstance(choices, list):
                choice = self._choice0(choices)
            else:
                self.note(f"ignored `choices` that is not a list: {short_json(choices)}")
        if choice is not None:
            delta = choice.get("delta")
            if delta is None:
                delta = choice.get("message")
            if isinstance(delta, dict):
                value = delta.get("content")
                if value.__class__ is str:
                    if value:
                        content = value
                        self._content.append(value)
                elif value is not None:
                    content, images = self._parts(value)
                reasoning = self._thinking.feed(delta, self.note)
                if delta.get("tool_calls"):
                    tools_changed = self._tools.feed(delta["tool_calls"], self.note)
                if "images" in delta:
                    images = (images or []) + self._images(delta["images"])
                refusal = _text(delta.get("refusal"))
                if refusal:
                    reply.refusal = (reply.refusal or "") + refusal
            elif delta is not None:
                self.note(f"ignored a `delta` that is not an object: {short_json(delta)}")
            reason = choice.get("finish_reason")
            if reason and isinstance(reason, str) and reply.finish_reason is None:
                reply.finish_reason = finish = reason
                self.finished = True
            native = choice.get("native_finish_reason")
            if native and isinstance(native, str) and reply.native_finish_reason is None:
                reply.native_finish_reason = native
        usage = None
        if chunk.get("usage") is not None:
            usage = Usage.from_wire(chunk["usage"])
            if usage is not None:
                reply.usage = usage
        if chunk.get("error") is not None:
            error = error_from_body(chunk, kind="in_band")
            if error is not None:
                error.raw_body = json.dumps(chunk, ensure_ascii=False)
                self.note_error(error)
        if finish == "error" and error is None and reply.error is None:
            # No error object came (yet): say so rather than let the reply look complete.
            error = ApiError("The provider ended the reply with an error", kind="in_band")
            self.note_error(error)
            self._stand_in_error = True
        if not (content or reasoning or images or tools_changed or usage or finish or error):
            return None
        return ReplyDelta(content, reasoning, images or [], tools_changed, usage, finish, error)

    def _meta(self, chunk: dict[str, Any]) -> None:
        reply = self._reply
        if reply.id is None:
            reply.id = _text(chunk.get("id"))
        if reply.model is None:
            reply.model = _text(chunk.get("model"))
        if reply.provider is None:
            reply.provider = _text(chunk.get("provider"))
        self._need_meta = reply.id is None or reply.model is None or reply.provider is None

    def _choice0(self, choices: list[Any]) -> dict[str, Any] | None:
        found = None
        for position, choice in enumerate(choices):
            if not isinstance(choice, dict):
                self.note(f"ignored a choice that is not an object: {short_json(choice)}")
                continue
            index = choice.get("index", position)
            if index == 0 or (index is None and position == 0):
                if found is None:
                    found = choice
            else:
                self.note(f"ignored choice {index!r}: only the first choice is shown")
        return found

    def _parts(self, parts: Any) -> tuple[str, list[str]]:
        """Content given as an array of parts: text parts join the text, image parts the images."""
        if not isinstance(parts, list):
            self.note(f"ignored `content` of unknown shape: {short_json(parts)}")
            return "", []
        texts: list[str] = []
        images: list[str] = []
        for part in parts:
            if isinstance(part, str):
                texts.append(part)
            elif isinstance(part, dict) and ("image_url" in part or part.get("type") == "image"):
                images.extend(self._images([part]))
            elif isinstance(part, dict) and isinstance(part.get("text"), str):
                texts.append(part["text"])
            else:
                self.note(f"ignored a content part of unknown shape: {short_json(part)}")
        text = "".join(texts)
        if text:
            self._content.append(text)
        return text, images

    def _images(self, items: Any) -> list[str]:
        if not isinstance(items, list):
            items = [items]
        added: list[str] = []
        for item in items:
            url, problem = image_url_of(item)
            if url is None:
                self.note(f"skipped an image: {problem}")
            else:
                added.append(url)
        self._reply.images.extend(added)
        return added

    def feed_response(self, body: Any) -> None:
        """Take a whole non-streamed `chat.completion` body.

        Raises:
            ApiError: kind "in_band" (status 200) for a body with an `error` and no
                choices, or with `choices: null`; kind "protocol" for anything else
                without usable choices.
        """
        if not isinstance(body, dict):
            raise ApiError(
                f"The reply was not a JSON object: {short_json(body)}",
                kind="protocol",
                raw_body=dump_json(body),
            )
        choices = body.get("choices")
        if not choices or not isinstance(choices, list):
            error = error_from_body(body, 200, kind="in_band")
            if error is None and "choices" in body and choices is None:
                error = ApiError(
                    "The server answered 200 with `choices: null`", status=200, kind="in_band"
                )
            if error is None:
                error = ApiError(
                    "The reply has no choices", kind="protocol", raw_body=dump_json(body)
                )
            else:
                error.status = 200
                error.raw_body = dump_json(body)
            raise error
        choice = self._choice0(choices)
        if choice is None or not isinstance(choice.get("message", choice.get("delta", {})), dict):
            raise ApiError(
                "The reply has no usable first choice", kind="protocol", raw_body=dump_json(body)
            )
        message = choice.get("message")
        if message is None:
            message = choice.get("delta") or {}
        if isinstance(choice.get("text"), str) and "content" not in message:
            message = {**message, "content": choice["text"]}  # legacy completions shape
        calls = message.get("tool_calls")
        if isinstance(calls, list):
            message = {k: v for k, v in message.items() if k != "tool_calls"}
            self._reply.tool_calls.extend(whole_tool_calls(calls, self.note))
        self.feed_chunk({**body, "choices": [{**choice, "index": 0, "delta": message}]})
        finish = choice.get("finish_reason")
        if finish == "" and self._reply.finish_reason is None:
            self._reply.finish_reason = ""  # a provider's raw word, kept as sent
        self.done = self.finished = True

    def finish(self, status: str = "complete") -> Reply:
        """Finalise and return the reply.

        Args:
            status: "complete", "stopped", "interrupted" or "error".

        Returns:
            The reply, with tool calls in order and empty fragments dropped.
        """
        self._flush()
        self._tools.finish()
        reply = self._reply
        if status in ("complete", "stopped", "interrupted", "error"):
            reply.status = status  # type: ignore[assignment]
        else:
            self.note(f"unknown status {status!r} treated as 'complete'")
            reply.status = "complete"
        return reply
