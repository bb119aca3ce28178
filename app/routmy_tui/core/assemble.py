"""Assemble streamed chunks (or a whole response) into a Reply, tolerating every odd shape."""

from __future__ import annotations

import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from routmy_tui.core.errors import error_from_body
from routmy_tui.core.text import truncate_middle
from routmy_tui.core.types import ApiError, Reply, ToolCall, Usage

__all__ = ["ReplyAssembler", "ReplyDelta"]

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


_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def sniff_base64_image(b64: str) -> str | None:
    """The MIME type of base64 image data, from the magic bytes of its decoded head.

    Returns:
        "image/png", "image/jpeg", "image/gif", "image/webp", or None when the text is
        not base64 or not one of those formats.
    """
    head = "".join(b64[:128].split())[:32].replace("-", "+").replace("_", "/")
    head = head[: len(head) // 4 * 4]
    try:
        raw = binascii.a2b_base64(head, strict_mode=True)
    except (binascii.Error, ValueError):
        return None
    for magic, mime in _MAGIC:
        if raw.startswith(magic):
            return mime
    if raw[:4] == b"RIFF" and raw[8:12] == b"WEBP":
        return "image/webp"
    return None


def image_url_of(item: Any) -> tuple[str | None, str]:
    """Normalise one image item to a URL string (a data URL or an http(s) URL).

    Accepts `{"type":"image_url","image_url":{"url":..}}`, `image_url` as a bare string,
    `{"url":..}`, `{"b64_json":..}`, Anthropic's `{"source":{"data","media_type"}}`, and bare
    strings. Raw base64 becomes a data URL typed by its magic bytes; a data URL with no MIME
    type gets one the same way.

    Returns:
        (url, "") or (None, why the item was skipped).
    """
    value: Any = item
    if isinstance(item, dict):
        value = item.get("image_url")
        if value is None:
            value = item.get("url")
        if isinstance(value, dict):
            value = value.get("url") or value.get("b64_json")
        if value is None:
            value = item.get("b64_json")
        source = item.get("source")
        if value is None and isinstance(source, dict) and isinstance(source.get("data"), str):
            mime = source.get("media_type") or sniff_base64_image(source["data"])
            if isinstance(mime, str) and mime:
                return f"data:{mime};base64,{source['data']}", ""
    if not isinstance(value, str) or not value.strip():
        return None, f"unknown shape {_short(item)}"
    value = value.strip()
    lower = value[:8].lower()
    if lower.startswith(("https://", "http://")):
        return value, ""
    if lower.startswith("data:"):
        header, comma, payload = value.partition(",")
        if not comma:
            return None, "a data URL without data"
        mime = header[5:].split(";", 1)[0].strip()
        if not mime and ";base64" in header.lower():
            sniffed = sniff_base64_image(payload)
            if sniffed:
                return f"data:{sniffed};base64,{payload}", ""
        return value, ""
    sniffed = sniff_base64_image(value)
    if sniffed is None:
        return None, f"not a URL nor image data: {truncate_middle(value, 40)!r}"
    if any(c.isspace() for c in value[:200]) or "\n" in value:
        value = "".join(value.split())
    return f"data:{sniffed};base64,{value}", ""


Note = Callable[[str], None]


class _ToolCalls:
    """Assembles `delta.tool_calls[]` fragments into the reply's live list of calls.

    The rule for which call a fragment extends, built for the shapes seen in the wild:
    - with an `index`, the call last started at that index; without one, the call with
      the same id, else the last call;
    - a fragment with a new non-empty id *and* a name starts a new call (several calls at
      index 0, or no index at all), unless it repeats the current call's name while that
      call's arguments are still incomplete JSON;
    - a new id without a name continues the current call (servers that mint an id per
      fragment);
    - a name different from the current call's name starts a new call.
    `id`, `type` and `name` keep their first non-empty value; arguments concatenate.
    """

    __slots__ = ("_by_id", "_by_index", "_index", "_last", "_pieces", "calls")

    def __init__(self, calls: list[ToolCall]) -> None:
        self.calls = calls
        self._by_index: dict[int, ToolCall] = {}
        self._by_id: dict[str, ToolCall] = {}
        self._index: dict[int, int | None] = {}  # id(call) -> wire index, for ordering
        self._last: ToolCall | None = None
        # Argument fragments not yet joined, per call: `str +=` on an attribute copies the
        # whole string each time, which is quadratic for long arguments.
        self._pieces: dict[int, tuple[ToolCall, list[str]]] = {}

    def feed(self, fragments: Any, note: Note) -> bool:
        """Apply one delta's `tool_calls`; returns whether any call changed."""
        if isinstance(fragments, dict):
            fragments = [fragments]
        elif not isinstance(fragments, list):
            note(f"ignored `tool_calls` of unknown shape: {_short(fragments)}")
            return False
        changed = False
        for frag in fragments:
            if not isinstance(frag, dict):
                note(f"ignored a tool call fragment of unknown shape: {_short(frag)}")
                continue
            function = frag.get("function")
            if not isinstance(function, dict):
                function = {}
            index = frag.get("index")
            if isinstance(index, str) and index.isdigit():
                index = int(index)
            elif not isinstance(index, int) or isinstance(index, bool):
                index = None
            call_id = frag.get("id")
            call_id = (
                call_id if isinstance(call_id, str) else "" if call_id is None else str(call_id)
            )
            name = function.get("name")
            name = name if isinstance(name, str) else ""
            args = function.get("arguments")
            if args is not None and not isinstance(args, str):
                args = json.dumps(args, ensure_ascii=False)
            call = self._target(index, call_id, name)
            if call is None:
                call = ToolCall()
                kind = frag.get("type")
                if isinstance(kind, str) and kind:
                    call.type = kind
                self.calls.append(call)
                self._index[id(call)] = index
                if index is not None:
                    self._by_index[index] = call
            if call_id and not call.id:
                call.id = call_id
                self._by_id[call_id] = call
            if name and not call.name:
                call.name = name
            if args:
                entry = self._pieces.get(id(call))
                if entry is None:
                    self._pieces[id(call)] = (call, [args])
                else:
                    entry[1].append(args)
            self._last = call
            changed = True
        return changed

    def _target(self, index: int | None, call_id: str, name: str) -> ToolCall | None:
        if index is None:
            current = self._by_id.get(call_id) if call_id else None
            if current is None:
                current = self._last
        else:
            current = self._by_index.get(index)
        if current is None:
            return None
        if call_id and current.id and call_id != current.id:
            if name and not (name == current.name and _incomplete(self._joined(current))):
                return None
        elif name and current.name and name != current.name:
            return None
        return current

    def _joined(self, call: ToolCall) -> str:
        entry = self._pieces.get(id(call))
        if entry is not None and entry[1]:
            call.arguments += "".join(entry[1])
            entry[1].clear()
        return call.arguments

    def flush(self) -> None:
        """Join the argument fragments received so far into each call's `arguments`."""
        for call, pieces in self._pieces.values():
            if pieces:
                call.arguments += "".join(pieces)
                pieces.clear()

    def finish(self) -> None:
        """Drop empty calls and order the rest by wire index (creation order breaks ties)."""
        self.flush()
        calls = [c for c in self.calls if c.id or c.name or c.arguments]
        indexes = [self._index.get(id(c)) for c in calls]
        if all(i is not None for i in indexes):
            order = sorted(range(len(calls)), key=lambda k: indexes[k] or 0)
            calls = [calls[k] for k in order]
        self.calls[:] = calls


def _incomplete(arguments: str) -> bool:
    """Whether tool arguments received so far are not yet a whole JSON value."""
    if not arguments.strip():
        return True
    try:
        json.loads(arguments)
    except ValueError:
        return True
    return False


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
        self._reasoning: list[str] = []
        self._tools = _ToolCalls(self._reply.tool_calls)
        # Streamed reasoning items by (type, index): the stored item, its text field and
        # text fragments not yet joined into it (joined on read, to stay linear).
        self._details: dict[tuple[str, int], tuple[dict[str, Any], str, list[str]]] = {}
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
        for item, key, pending in self._details.values():
            if pending:
                item[key] = str(item.get(key) or "") + "".join(pending)
                pending.clear()
        if self._content:
            self._reply.content += "".join(self._content)
            self._content.clear()
        if self._reasoning:
            self._reply.reasoning += "".join(self._reasoning)
            self._reasoning.clear()

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
            chunk = json.loads(data)
        except ValueError:
            self.note(f"skipped data that is not JSON: {truncate_middle(data.strip(), 80)!r}")
            return None
        return self.feed_chunk(chunk)

    def _event_error(self, data: str) -> ReplyDelta:
        try:
            body = json.loads(data)
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
            self.note(f"skipped a chunk that is not an object: {_short(chunk)}")
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
                self.note(f"ignored `choices` that is not a list: {_short(choices)}")
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
                reasoning = self._delta_reasoning(delta)
                if delta.get("tool_calls"):
                    tools_changed = self._tools.feed(delta["tool_calls"], self.note)
                if "images" in delta:
                    images = (images or []) + self._images(delta["images"])
                refusal = _text(delta.get("refusal"))
                if refusal:
                    reply.refusal = (reply.refusal or "") + refusal
            elif delta is not None:
                self.note(f"ignored a `delta` that is not an object: {_short(delta)}")
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
                self.note(f"ignored a choice that is not an object: {_short(choice)}")
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
            self.note(f"ignored `content` of unknown shape: {_short(parts)}")
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
                self.note(f"ignored a content part of unknown shape: {_short(part)}")
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

    def _delta_reasoning(self, delta: dict[str, Any]) -> str:
        """Thinking text of a delta; `reasoning_details` supply it only when no string came."""
        text = _text(delta.get("reasoning")) or _text(delta.get("reasoning_content")) or ""
        details = delta.get("reasoning_details")
        if details:
            from_details = self._merge_details(details)
            if not text:
                text = from_details
        if text:
            self._reasoning.append(text)
        return text

    def _merge_details(self, details: Any) -> str:
        """Collect `reasoning_details` items, merging fragments of one item by (type, index)."""
        if not isinstance(details, list):
            details = [details]
        shown: list[str] = []
        stored = self._reply.reasoning_details
        for item in details:
            if not isinstance(item, dict):
                self.note(f"ignored a reasoning detail of unknown shape: {_short(item)}")
                continue
            kind = str(item.get("type", ""))
            key = "summary" if kind == "reasoning.summary" else "text"
            piece = item.get(key)
            if isinstance(piece, str) and kind != "reasoning.encrypted":
                shown.append(piece)
            index = item.get("index")
            if not isinstance(index, int) or kind == "reasoning.encrypted":
                stored.append(dict(item))
                continue
            entry = self._details.get((kind, index))
            if entry is None:
                copy = dict(item)
                self._details[(kind, index)] = (copy, key, [])
                stored.append(copy)
                continue
            previous, _, pending = entry
            for name, value in item.items():
                if name == key and isinstance(value, str):
                    pending.append(value)
                elif value is not None and previous.get(name) is None:
                    previous[name] = value
        return "".join(shown)

    def feed_response(self, body: Any) -> None:
        """Take a whole non-streamed `chat.completion` body.

        Raises:
            ApiError: kind "in_band" (status 200) for a body with an `error` and no
                choices, or with `choices: null`; kind "protocol" for anything else
                without usable choices.
        """
        if not isinstance(body, dict):
            raise ApiError(
                f"The reply was not a JSON object: {_short(body)}",
                kind="protocol",
                raw_body=_dump(body),
            )
        choices = body.get("choices")
        if not choices or not isinstance(choices, list):
            error = error_from_body(body, 200, kind="in_band")
            if error is None and "choices" in body and choices is None:
                error = ApiError(
                    "The server answered 200 with `choices: null`", status=200, kind="in_band"
                )
            if error is None:
                error = ApiError("The reply has no choices", kind="protocol", raw_body=_dump(body))
            else:
                error.status = 200
                error.raw_body = _dump(body)
            raise error
        choice = self._choice0(choices)
        if choice is None or not isinstance(choice.get("message", choice.get("delta", {})), dict):
            raise ApiError(
                "The reply has no usable first choice", kind="protocol", raw_body=_dump(body)
            )
        message = choice.get("message")
        if message is None:
            message = choice.get("delta") or {}
        if isinstance(choice.get("text"), str) and "content" not in message:
            message = {**message, "content": choice["text"]}  # legacy completions shape
        calls = message.get("tool_calls")
        if isinstance(calls, list):
            message = {k: v for k, v in message.items() if k != "tool_calls"}
            self._reply.tool_calls.extend(self._whole_calls(calls))
        self.feed_chunk({**body, "choices": [{**choice, "index": 0, "delta": message}]})
        finish = choice.get("finish_reason")
        if finish == "" and self._reply.finish_reason is None:
            self._reply.finish_reason = ""  # a provider's raw word, kept as sent
        self.done = self.finished = True

    def _whole_calls(self, calls: list[Any]) -> list[ToolCall]:
        out = []
        for item in calls:
            if not isinstance(item, dict):
                self.note(f"ignored a tool call of unknown shape: {_short(item)}")
                continue
            function = item.get("function")
            function = function if isinstance(function, dict) else {}
            arguments = function.get("arguments")
            if arguments is not None and not isinstance(arguments, str):
                arguments = json.dumps(arguments, ensure_ascii=False)
            out.append(
                ToolCall(
                    id=str(item.get("id") or ""),
                    name=str(function.get("name") or ""),
                    arguments=arguments or "",
                    type=str(item.get("type") or "function"),
                )
            )
        return out

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


def _short(value: Any) -> str:
    return truncate_middle(_dump(value), 80)


def _dump(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)
