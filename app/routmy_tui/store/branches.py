"""Branches of the message tree: children, siblings ("2/3"), and which branch is on screen."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any, NamedTuple

from routmy_tui.store.base import StoreBase
from routmy_tui.store.db import StoreError
from routmy_tui.store.records import StoredMessage

_OUTLINE_SQL = """
WITH RECURSIVE up (id, depth) AS (
    SELECT id, 0 FROM messages WHERE id = ?
    UNION ALL
    SELECT m.parent_id, up.depth + 1 FROM messages m JOIN up ON m.id = up.id
    WHERE m.parent_id IS NOT NULL
)
SELECT m.id, m.role, coalesce(length(m.content), 0), m.tool_calls_json IS NOT NULL
FROM up JOIN messages m ON m.id = up.id ORDER BY up.depth DESC
"""

CHUNK = 500
"""Ids per query (under SQLite's bound-parameter limit)."""


class Outline(NamedTuple):
    """One message of a branch, listed without its content: where it is and a size to guess
    its height from before it is read.

    Attributes:
        id: Message id.
        role: Its role.
        chars: Characters of its text (its line breaks are not counted: that would read
            every text, twice the cost of the listing).
        calls: Whether it calls tools.
    """

    id: int
    role: str
    chars: int
    calls: bool


class BranchesMixin(StoreBase):
    """Branch methods of `Store`."""

    def branch_outline(self, conversation_id: str) -> list[Outline]:
        """The branch on screen (`current_path`) as outlines, first message first: cheap for a
        branch of any length (no text is read); `get_messages` reads the messages themselves."""
        with self._read() as conn:
            leaf = self._current_leaf(conn, conversation_id)
            if leaf is None:
                return []
            rows = conn.execute(_OUTLINE_SQL, (leaf,)).fetchall()
        return [Outline(r[0], r[1], r[2], bool(r[3])) for r in rows]

    def get_messages(self, ids: Sequence[int]) -> list[StoredMessage]:
        """The messages with these ids, in the order given (unknown ids are left out)."""
        found: dict[int, StoredMessage] = {}
        with self._read() as conn:
            for start in range(0, len(ids), CHUNK):
                chunk = list(ids[start : start + CHUNK])
                marks = ",".join("?" * len(chunk))
                rows = conn.execute(f"SELECT * FROM messages WHERE id IN ({marks})", chunk)
                for message in self._messages(conn, rows.fetchall()):
                    found[message.id] = message
        return [found[i] for i in ids if i in found]

    def children(self, parent_id: int | None, conversation_id: str) -> list[StoredMessage]:
        """Messages whose parent is `parent_id` (None: the first messages), oldest first."""
        with self._read() as conn:
            return self._messages(conn, self._child_rows(conn, parent_id, conversation_id))

    def _child_rows(
        self, conn: sqlite3.Connection, parent_id: int | None, conversation_id: str
    ) -> list[sqlite3.Row]:
        if parent_id is None:
            return conn.execute(
                "SELECT * FROM messages WHERE conversation_id = ? AND parent_id IS NULL"
                " ORDER BY id",
                (conversation_id,),
            ).fetchall()
        return conn.execute(
            "SELECT * FROM messages WHERE parent_id = ? ORDER BY id", (parent_id,)
        ).fetchall()

    def _sibling_ids(self, conn: sqlite3.Connection, message_id: int) -> list[int]:
        row = conn.execute(
            "SELECT conversation_id, parent_id FROM messages WHERE id = ?", (message_id,)
        ).fetchone()
        if row is None:
            raise StoreError(f"no message {message_id}")
        if row[1] is None:
            query = "SELECT id FROM messages WHERE conversation_id = ? AND parent_id IS NULL"
            args: tuple[Any, ...] = (row[0],)
        else:
            query, args = "SELECT id FROM messages WHERE parent_id = ?", (row[1],)
        return [r[0] for r in conn.execute(query + " ORDER BY id", args)]

    def sibling_position(self, message_id: int) -> tuple[int, int]:
        """Where a message stands among its siblings, for a "2/3" indicator.

        Returns:
            (position counted from 1, number of siblings including itself).

        Raises:
            StoreError: No such message.
        """
        with self._read() as conn:
            ids = self._sibling_ids(conn, message_id)
            return ids.index(message_id) + 1, len(ids)

    def sibling_positions(self, messages: Sequence[StoredMessage]) -> dict[int, tuple[int, int]]:
        """`sibling_position` of every message given, in a few queries (one per 500 parents).

        Args:
            messages: Messages of one conversation (a whole `current_path`, or part of it).

        Returns:
            Message id -> (position counted from 1, number of siblings).
        """
        if not messages:
            return {}
        conversation_id = messages[0].conversation_id
        parents = sorted({m.parent_id for m in messages if m.parent_id is not None})
        groups: dict[int | None, list[int]] = {}
        with self._read() as conn:
            if any(m.parent_id is None for m in messages):
                groups[None] = [
                    r[0]
                    for r in conn.execute(
                        "SELECT id FROM messages WHERE conversation_id = ? AND parent_id IS NULL"
                        " ORDER BY id",
                        (conversation_id,),
                    )
                ]
            for start in range(0, len(parents), CHUNK):
                chunk = parents[start : start + CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = conn.execute(
                    f"SELECT parent_id, id FROM messages WHERE parent_id IN ({marks})"
                    " ORDER BY parent_id, id",
                    chunk,
                )
                for parent_id, message_id in rows:
                    groups.setdefault(parent_id, []).append(message_id)
        out: dict[int, tuple[int, int]] = {}
        for message in messages:
            ids = groups.get(message.parent_id, [])
            if message.id in ids:
                out[message.id] = (ids.index(message.id) + 1, len(ids))
        return out

    def deepest_leaf(self, message_id: int) -> int:
        """The end of the branch below `message_id`, following the newest child at each step."""
        with self._read() as conn:
            current = message_id
            while True:
                row = conn.execute(
                    "SELECT max(id) FROM messages WHERE parent_id = ?", (current,)
                ).fetchone()
                if row is None or row[0] is None:
                    return current
                current = int(row[0])

    def set_current_leaf(self, conversation_id: str, message_id: int | None) -> None:
        """Choose the branch on screen by its last message (None: an empty conversation).

        Raises:
            StoreError: The message is not in this conversation.
        """
        with self._write() as conn:
            if message_id is not None:
                row = conn.execute(
                    "SELECT conversation_id FROM messages WHERE id = ?", (message_id,)
                ).fetchone()
                if row is None or row[0] != conversation_id:
                    raise StoreError(
                        f"message {message_id} is not in conversation {conversation_id}"
                    )
            conn.execute(
                "UPDATE conversations SET current_leaf_id = ? WHERE id = ?",
                (message_id, conversation_id),
            )

    def select_branch(self, message_id: int) -> int:
        """Put a message on screen (e.g. a search hit): its branch, down to the deepest leaf,
        becomes the conversation's current branch.

        Returns:
            The new current leaf id.

        Raises:
            StoreError: No such message.
        """
        with self._write() as conn:
            row = conn.execute(
                "SELECT conversation_id FROM messages WHERE id = ?", (message_id,)
            ).fetchone()
            if row is None:
                raise StoreError(f"no message {message_id}")
            leaf = self.deepest_leaf(message_id)
            self.set_current_leaf(row[0], leaf)
            return leaf

    def switch_sibling(self, message_id: int, offset: int) -> int:
        """Show the sibling `offset` steps away (-1 previous, +1 next, clamped at the ends).

        The branch switches to that sibling's deepest leaf, which becomes the current leaf.

        Returns:
            The new current leaf id.
        """
        with self._write() as conn:
            ids = self._sibling_ids(conn, message_id)
            index = min(max(ids.index(message_id) + offset, 0), len(ids) - 1)
            leaf = self.deepest_leaf(ids[index])
            conversation_id = conn.execute(
                "SELECT conversation_id FROM messages WHERE id = ?", (message_id,)
            ).fetchone()[0]
            self.set_current_leaf(conversation_id, leaf)
            return leaf
