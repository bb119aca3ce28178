"""A response stream's raw lines, kept compactly: one compressed buffer once the stream ends."""

from __future__ import annotations

import struct
import zlib
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any, overload

__all__ = ["Packed", "StreamLine", "StreamLines", "odd_count"]

KEEP_OPEN = 2
"""Packed logs kept unpacked at once (the ones the inspector looked at last)."""
_HEADER = struct.Struct("<QQ")
"""Packed buffer header: number of lines, bytes of their UTF-8 text."""
_LEVEL = 1
"""zlib level: a stream log of SSE JSON shrinks about 15x at level 1, in a few ms per MB."""


@dataclass
class StreamLine:
    """One raw line of a response stream, as received.

    Attributes:
        t: Seconds since the request was sent.
        text: The line without its terminator.
        note: Why the line was odd ("not JSON", "comment", ...) or None.
    """

    t: float
    text: str
    note: str | None = None


class _Open:
    """A packed log unpacked: all its text in one string, with offsets and times."""

    __slots__ = ("offsets", "text", "times")

    def __init__(self, text: str, offsets: array[int], times: array[float]) -> None:
        self.text = text
        self.offsets = offsets
        self.times = times


_open_logs: list[StreamLines] = []
"""The packed logs unpacked lately, oldest first (at most `KEEP_OPEN`)."""


class StreamLines(Sequence[StreamLine]):
    """A list of `StreamLine` that packs itself into one compressed buffer on `compact`.

    While a stream arrives, lines are appended to a plain list of texts and an array of
    times (no object per line). `compact` (called when the stream ends) packs them into one
    zlib buffer: tens of thousands of lines of SSE JSON then cost a few hundred KB instead
    of tens of MB. Reading a packed line unpacks the buffer once and keeps it unpacked while
    it is one of the last `KEEP_OPEN` logs read. Lines appended after `compact` are kept
    unpacked until the next `compact`. Indexing returns a new `StreamLine` each time: change
    a note with `set_note`.
    """

    __slots__ = ("__weakref__", "_blob", "_notes", "_open", "_packed", "_texts", "_times")

    def __init__(self, lines: Iterable[StreamLine] = ()) -> None:
        self._packed = 0
        """Lines in the packed buffer (they come before `_texts`)."""
        self._blob = b""
        self._open: _Open | None = None
        self._texts: list[str] = []
        self._times: array[float] = array("d")
        self._notes: dict[int, str] = {}
        for line in lines:
            self.append(line)

    # --- writing ---------------------------------------------------------------------

    def append(self, line: StreamLine) -> None:
        """Add a line at the end."""
        if line.note is not None:
            self._notes[len(self)] = line.note
        self._texts.append(line.text)
        self._times.append(line.t)

    def set_note(self, index: int, note: str | None) -> None:
        """Set (or, with None, clear) the note of line `index`."""
        index = self._index(index)
        if note is None:
            self._notes.pop(index, None)
        else:
            self._notes[index] = note

    def compact(self) -> None:
        """Pack every line into the compressed buffer (call it when the stream has ended)."""
        if not self._texts:
            return
        texts, times = self._texts, self._times
        start = 0
        previous = None
        if self._packed:
            opened = self._unpack()
            texts = [opened.text, *texts]
            times = opened.times + times
            start = opened.offsets[-1]
            previous = opened.offsets
        self._adopt(_pack(texts, times, self._texts, start, previous))

    def pack(self) -> Packed | None:
        """The lines packed as `compact` packs them, without changing this log; None when
        there is nothing to pack or part of it is packed already (use `compact`).

        It only reads: another thread may run it (a long log takes 10-15 ms, which the
        event loop would otherwise spend in one step), as long as no line is appended
        meanwhile. `adopt` then puts the result in place, in the thread that owns the log.
        """
        if not self._texts or self._packed:
            return None
        return _pack(self._texts, self._times, self._texts, 0, None)

    def adopt(self, packed: Packed) -> bool:
        """Use what `pack` made; False (and nothing changed) when lines came since."""
        if self._packed or packed.count != len(self._texts):
            return False
        self._adopt(packed)
        return True

    def packed_form(self) -> tuple[bytes, dict[int, str]] | None:
        """The packed buffer and the notes by line, when every line is packed (None
        otherwise): what a store keeps of an ended stream, instead of encoding each line."""
        if self._texts or not self._packed:
            return None
        return self._blob, dict(self._notes)

    @classmethod
    def from_packed(cls, blob: bytes, notes: Mapping[int, str]) -> StreamLines:
        """The lines of `packed_form`'s buffer and notes, unpacked once to check them.

        Raises:
            ValueError: The buffer is not one `compact` made (damaged, cut short).
        """
        lines = cls()
        lines._blob = bytes(blob)
        try:
            opened = lines._unpacked()
        except (zlib.error, struct.error, UnicodeDecodeError, ValueError) as exc:
            raise ValueError(f"the stream log is damaged ({exc})") from exc
        count = len(opened.times)
        if len(opened.offsets) != count + 1 or opened.offsets[-1] != len(opened.text):
            raise ValueError("the stream log is damaged (its lines do not add up)")
        lines._packed = count
        lines._notes = {index: str(note) for index, note in notes.items() if 0 <= index < count}
        lines._keep(opened)  # read soon: the inspector shows it
        return lines

    def _adopt(self, packed: Packed) -> None:
        self._blob = packed.blob
        self._packed = packed.count
        self._texts = []
        self._times = array("d")
        self._forget()

    # --- reading ---------------------------------------------------------------------

    def __len__(self) -> int:
        return self._packed + len(self._texts)

    @overload
    def __getitem__(self, index: int) -> StreamLine: ...

    @overload
    def __getitem__(self, index: slice) -> list[StreamLine]: ...

    def __getitem__(self, index: int | slice) -> StreamLine | list[StreamLine]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        index = self._index(index)
        return StreamLine(self.time_of(index), self.text_of(index), self._notes.get(index))

    def text_of(self, index: int) -> str:
        """The text of line `index` (no `StreamLine` made)."""
        if index >= self._packed:
            return self._texts[index - self._packed]
        opened = self._unpack()
        offsets = opened.offsets
        return opened.text[offsets[index] : offsets[index + 1]]

    def time_of(self, index: int) -> float:
        """The time of line `index`."""
        if index >= self._packed:
            return self._times[index - self._packed]
        return self._unpack().times[index]

    def note_of(self, index: int) -> str | None:
        """The note of line `index`."""
        return self._notes.get(index)

    @property
    def notes(self) -> dict[int, str]:
        """The notes by line index (a copy)."""
        return dict(self._notes)

    def __iter__(self) -> Iterator[StreamLine]:
        notes = self._notes
        if self._packed:
            # One pass over every line (storing, exporting, copying) is not a reason to keep
            # the log unpacked: only reads by index (the inspector) keep it.
            opened = self._open or self._unpacked()
            text, offsets, times = opened.text, opened.offsets, opened.times
            for index in range(self._packed):
                yield StreamLine(
                    times[index], text[offsets[index] : offsets[index + 1]], notes.get(index)
                )
        for index, (t, text) in enumerate(zip(self._times, self._texts, strict=True)):
            yield StreamLine(t, text, notes.get(self._packed + index))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, StreamLines | list):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"StreamLines({len(self)} lines, {len(self._blob):,} bytes packed)"

    @property
    def packed_bytes(self) -> int:
        """Size of the compressed buffer."""
        return len(self._blob)

    # --- the packed buffer -------------------------------------------------------------

    def _index(self, index: int) -> int:
        size = len(self)
        if index < 0:
            index += size
        if not 0 <= index < size:
            raise IndexError("stream line index out of range")
        return index

    def _unpack(self) -> _Open:
        opened = self._open
        if opened is None:
            opened = self._unpacked()
            self._keep(opened)
        return opened

    def _unpacked(self) -> _Open:
        data = zlib.decompress(self._blob)
        count, size = _HEADER.unpack_from(data)
        at = _HEADER.size
        times: array[float] = array("d")
        times.frombytes(_unshuffle(data[at : at + 8 * count]))
        at += 8 * count
        offsets: array[int] = array("Q")
        offsets.frombytes(_unshuffle(data[at : at + 8 * (count + 1)]))
        at += 8 * (count + 1)
        text = data[at : at + size].decode("utf-8", "surrogatepass")
        return _Open(text, offsets, times)

    def _keep(self, opened: _Open) -> None:
        """Keep `opened` as this log's unpacked form; the oldest beyond `KEEP_OPEN` let go."""
        self._forget()
        self._open = opened
        _open_logs.append(self)
        while len(_open_logs) > KEEP_OPEN:
            _open_logs.pop(0)._open = None

    def _forget(self) -> None:
        self._open = None
        for index, log in enumerate(_open_logs):
            if log is self:
                del _open_logs[index]
                break

    def __getstate__(self) -> Any:
        return [[line.t, line.text, line.note] for line in self]

    def __setstate__(self, state: Any) -> None:
        self.__init__(StreamLine(t, text, note) for t, text, note in state)  # type: ignore[misc]


@dataclass(frozen=True)
class Packed:
    """A log's lines packed by `StreamLines.pack`: the buffer and how many lines it holds."""

    blob: bytes
    count: int


def _pack(
    texts: Sequence[str],
    times: array[float],
    new_texts: Sequence[str],
    start: int,
    previous: array[int] | None,
) -> Packed:
    """`texts` and `times` in one zlib buffer; `new_texts` are the lines not packed before,
    after `previous` offsets (ending at `start`) when some were."""
    offsets = array("Q", previous if previous is not None else [0])
    offsets.extend(accumulate(map(len, new_texts), initial=start))
    del offsets[-len(new_texts) - 1]  # `initial` repeats the last offset
    data = "".join(texts).encode("utf-8", "surrogatepass")
    packer = zlib.compressobj(_LEVEL)
    parts = [
        packer.compress(_HEADER.pack(len(times), len(data))),
        packer.compress(_shuffle(times.tobytes())),
        packer.compress(_shuffle(offsets.tobytes())),
        packer.compress(data),
        packer.flush(),
    ]
    return Packed(b"".join(parts), len(times))


def _shuffle(data: bytes) -> bytes:
    """The bytes of 8-byte numbers grouped by place (high bytes together compress well)."""
    return b"".join(data[place::8] for place in range(8))


def _unshuffle(data: bytes) -> bytes:
    count = len(data) // 8
    out = bytearray(len(data))
    for place in range(8):
        out[place::8] = data[place * count : (place + 1) * count]
    return bytes(out)


def odd_count(lines: Sequence[StreamLine]) -> int:
    """How many lines carry a note other than "comment" (something was odd about them)."""
    if isinstance(lines, StreamLines):
        return sum(1 for note in lines.notes.values() if note and note != "comment")
    return sum(1 for line in lines if line.note and line.note != "comment")
