"""Read the app's own Markdown export back as its JSON export's data (pictures from files)."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from routmy_tui.core.image_items import sniff_base64_image
from routmy_tui.core.images import MAX_FILE_BYTES, human_size
from routmy_tui.core.jsonsafe import loads_bounded
from routmy_tui.store.export import EXPORT_FORMAT

__all__ = ["MarkdownImport", "is_markdown_export", "looks_like_markdown", "read_markdown_export"]

_HEADING = re.compile(
    r"^## (?:(?P<plain>User|System)"
    r"|Assistant(?: · (?P<model>.+))?"
    r"|Tool result(?: · (?P<name>[^(]*?))? \((?P<id>.*)\)"
    r"(?: · (?P<by>typed by hand|by its program|dropped))?)$"
)
_COMPARED = re.compile(r"^_Compared with (\d+) other model\(s\); the reply above was kept\._$")
_STATUS = re.compile(r"^_Reply (stopped|interrupted|error|streaming)(?:: (.*))?_$")
_CALL = re.compile(
    r"^\*\*Tool call\*\* `(?P<name>.*)` \((?P<id>.*?)\)(?P<dropped> · dropped \(not sent\))?$"
)
_IMAGE = re.compile(r"^!\[image (\d+)\]\((.*)\)$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_ERROR = re.compile(
    r"^(?:HTTP (?P<status>\d+)|(?P<kind>[a-z-]+)): (?P<message>.*?)(?: \(error_id (?P<id>.+)\))?$"
)
_BY = {"typed by hand": "typed", "by its program": "program", "dropped": "dropped"}
_REASONING_OPEN = "<details><summary>Reasoning</summary>"


@dataclass
class MarkdownImport:
    """A Markdown export read back.

    Attributes:
        data: The conversation in the JSON export's shape (for `import_json`).
        skipped: What could not be brought back, one short phrase each, for the screen.
    """

    data: dict[str, Any]
    skipped: list[str] = field(default_factory=list)


def looks_like_markdown(text: str) -> bool:
    """Whether a file's text is Markdown rather than JSON (it starts with a heading)."""
    return text.lstrip("\ufeff \t\r\n").startswith("#")


def is_markdown_export(text: str) -> bool:
    """Whether the text has the shape of this app's Markdown export (a title, message headings)."""
    lines = text.lstrip("\ufeff \t\r\n").splitlines()
    return (
        bool(lines)
        and lines[0].startswith("# ")
        and any(_HEADING.match(line) for line in lines[1:])
    )


def _opens(line: str) -> tuple[str, int] | None:
    """(fence character, length) when the line opens a fenced code block."""
    match = _FENCE.match(line)
    if match is None or (match.group(1)[0] == "`" and "`" in match.group(2)):
        return None
    return match.group(1)[0], len(match.group(1))


def _closes(line: str, fence: tuple[str, int]) -> bool:
    match = _FENCE.match(line)
    return (
        match is not None
        and match.group(1)[0] == fence[0]
        and len(match.group(1)) >= fence[1]
        and not match.group(2).strip()
    )


def _previous_text(lines: list[str], index: int) -> str:
    for line in reversed(lines[:index]):
        if line.strip():
            return line
    return ""


def _apart(lines: list[str], index: int) -> bool:
    """Whether a line stands alone, as the export writes its marks (blank lines around it)."""
    before = index == 0 or not lines[index - 1].strip()
    return before and (index + 1 == len(lines) or not lines[index + 1].strip())


def _boundaries(lines: list[str]) -> list[int]:
    """Indices of the lines that start a message (or the compared replies after one).

    A heading inside fenced code is the message's text. A message that left a fence open
    (a reply stopped in the middle of code, a pasted half block) ends at the next heading
    anyway: after its status note, or when the fence never closes as a code block would.
    """
    marks: list[int] = []
    fence: tuple[str, int] | None = None
    for index, line in enumerate(lines):
        is_mark = bool(_HEADING.match(line) or _COMPARED.match(line)) and _apart(lines, index)
        if fence is not None:
            if _closes(line, fence):
                fence = None
            elif is_mark and (
                _STATUS.match(_previous_text(lines, index)) or _left_open(lines, index, fence)
            ):
                fence = None
                marks.append(index)
            continue
        if is_mark:
            marks.append(index)
        else:
            fence = _opens(line)
    return marks


def _left_open(lines: list[str], index: int, fence: tuple[str, int]) -> bool:
    """Whether a fence open at a heading was left open by its message, rather than holding
    the heading as text: it never closes, or a new fence of its kind opens first."""
    for line in lines[index + 1 :]:
        if _closes(line, fence):
            return False
        opened = _opens(line)
        if opened is not None and opened[0] == fence[0] and opened[1] >= fence[1]:
            return True
    return True


def _trim(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


class _Reader:
    """Reads one export; pictures are looked for in `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.skipped: list[str] = []

    def head(self, lines: list[str], data: dict[str, Any]) -> None:
        for line in lines:
            if line.startswith("# ") and "title" not in data:
                title = line[2:].strip()
                data["title"] = None if title == "Conversation" else title
            elif line.startswith("- Model: `") and line.endswith("`"):
                model = line[len("- Model: `") : -1]
                data["model"] = None if model == "unknown" else model
            elif line.startswith("- Parameters: `") and line.endswith("`"):
                try:
                    params = loads_bounded(line[len("- Parameters: `") : -1])
                except (ValueError, RecursionError):
                    params = None
                if isinstance(params, dict):
                    data["params"] = params
                else:
                    self.skipped.append("the parameters (not readable JSON)")

    def picture(self, link: str, where: str) -> str | None:
        """The picture a Markdown image points at, as a URL to store (None: skipped)."""
        if link.startswith(("data:image/", "https://", "http://")):
            return link
        if not link or link.startswith("#"):
            self.skipped.append(f"a picture of {where} (it was not readable when exported)")
            return None
        relative = Path(unquote(link))
        path = (self.folder / relative).resolve()
        if relative.is_absolute() or not path.is_relative_to(self.folder.resolve()):
            self.skipped.append(f"a picture of {where} ({link}: outside the export's folder)")
            return None
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                self.skipped.append(
                    f"a picture of {where} ({link}: over {human_size(MAX_FILE_BYTES)})"
                )
                return None
            raw = path.read_bytes()
        except OSError as exc:
            self.skipped.append(f"a picture of {where} ({link}: {exc.strerror or exc})")
            return None
        encoded = base64.b64encode(raw).decode("ascii")
        mime = sniff_base64_image(encoded[:64])
        if mime is None:
            self.skipped.append(f"a picture of {where} ({link}: not a PNG, JPEG, GIF or WebP)")
            return None
        return f"data:{mime};base64,{encoded}"

    def message(
        self, heading: str, body: list[str], where: str
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """(wire message, metadata item) of one exported message."""
        match = _HEADING.match(heading)
        assert match is not None
        meta: dict[str, Any] = {}
        if match.group("plain"):
            wire: dict[str, Any] = {"role": match.group("plain").lower()}
        elif heading.startswith("## Assistant"):
            wire = {"role": "assistant"}
            meta["status"] = "complete"
            if match.group("model"):
                meta["model"] = match.group("model")
        else:
            call_id = match.group("id")
            wire = {"role": "tool", "tool_call_id": None if call_id == "no id" else call_id}
            if match.group("by"):
                meta["answered_by"] = _BY[match.group("by")]
        meta["role"] = wire["role"]
        body = _trim(body)
        if body and body[0] == _REASONING_OPEN and "</details>" in body:
            end = body.index("</details>")
            meta["reasoning"] = "\n".join(_trim(body[1:end]))
            body = _trim(body[end + 1 :])
        if body and (status := _STATUS.match(body[-1])):
            meta["status"] = status.group(1)
            if status.group(2):
                meta["error"] = _error(status.group(2))
            body = _trim(body[:-1])
        calls, dropped, body = _tool_calls(body)
        if calls:
            wire["tool_calls"] = calls
        if dropped:
            meta["dropped_calls"] = dropped
        links, body = _image_links(body)
        images = [url for link in links if (url := self.picture(link, where)) is not None]
        if images:
            wire["images"] = [{"type": "image_url", "image_url": {"url": url}} for url in images]
        wire["content"] = "\n".join(body) if body else None
        return wire, meta


def _error(summary: str) -> dict[str, Any]:
    """An error as stored, from its one-line summary."""
    match = _ERROR.match(summary)
    if match is None:
        return {"message": summary, "kind": "http"}
    status = match.group("status")
    return {
        "message": match.group("message"),
        "status": int(status) if status else None,
        "kind": "http" if status else (match.group("kind") or "http").replace("-", "_"),
        "error_id": match.group("id"),
    }


def _tool_calls(body: list[str]) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """The tool calls at the end of a message's body, and the body without them."""
    calls: list[dict[str, Any]] = []
    dropped: list[str] = []
    while body:
        closing = _FENCE.match(body[-1])
        if closing is None or closing.group(2).strip():
            break
        opener = closing.group(1) + "json"
        starts = [i for i in range(len(body) - 1) if body[i] == opener]
        if not starts:
            break
        start = starts[-1]
        head = _previous_text(body, start)
        call = _CALL.match(head)
        if call is None or start < 2 or body[start - 2] != head:
            break
        call_id = "" if call.group("id") == "no id" else call.group("id")
        function = {"name": call.group("name"), "arguments": "\n".join(body[start + 1 : -1])}
        calls.insert(0, {"id": call_id, "type": "function", "function": function})
        if call.group("dropped") and call_id:
            dropped.insert(0, call_id)
        body = _trim(body[: start - 2])
    return calls, dropped, body


def _image_links(body: list[str]) -> tuple[list[str], list[str]]:
    """The exported pictures (`![image N](link)`, numbered from 1) ending a message's body."""
    found: list[tuple[int, str]] = []
    rest = body
    while rest and (match := _IMAGE.match(rest[-1])):
        number = int(match.group(1))
        if found and number != found[0][0] - 1:
            break
        found.insert(0, (number, match.group(2)))
        rest = _trim(rest[:-1])
        if number == 1:
            return [link for _, link in found], rest
    return [], body


def read_markdown_export(text: str, folder: Path) -> MarkdownImport:
    """Read the app's Markdown export back: roles, text, reasoning, tool calls and results,
    who answered them, reply status and pictures (read from the files beside it).

    Not in a Markdown export, so not brought back: usage, finish reasons, times, the other
    replies of a comparison (said in `skipped`), and text that cannot be told from the
    export's own marks (a message ending with a line exactly like one of them).

    Args:
        text: The Markdown.
        folder: Where the export's relative picture links start (its own folder).

    Raises:
        ValueError: The text is not a Markdown export of this app.
    """
    if not is_markdown_export(text):
        raise ValueError(
            "a Markdown file that is not a routmy-tui export (no '## User' or '## Assistant'"
            " sections); import takes the app's own JSON or Markdown export"
        )
    lines = text.lstrip("\ufeff").splitlines()
    marks = _boundaries(lines)
    if not marks:
        raise ValueError("the Markdown export holds no messages outside code blocks")
    reader = _Reader(folder)
    data: dict[str, Any] = {"format": EXPORT_FORMAT}
    reader.head(lines[: marks[0]], data)
    messages: list[dict[str, Any]] = []
    metadata: list[dict[str, Any]] = []
    ends = [*marks[1:], len(lines)]
    for start, end in zip(marks, ends, strict=True):
        heading = lines[start]
        if (compared := _COMPARED.match(heading)) is not None:
            reader.skipped.append(
                f"{compared.group(1)} compared repl(ies) beside message {len(messages)}"
                " (only the kept one is imported)"
            )
            continue
        body = lines[start + 1 : end]
        if heading == "## System" and not messages and "system_prompt" not in data:
            data["system_prompt"] = "\n".join(_trim(body)) or None
            continue
        wire, meta = reader.message(heading, body, f"message {len(messages) + 1}")
        messages.append(wire)
        metadata.append(meta)
    if not messages:
        raise ValueError("the Markdown export holds no messages")
    data["messages"] = messages
    data["metadata"] = metadata
    return MarkdownImport(data, reader.skipped)
