"""Branches of the message tree: children, siblings ("2/3"), and which branch is on screen."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from routmy_tui.store.base import StoreBase
from routmy_tui.store.db import StoreError
from routmy_tui.store.records import StoredMessage


class BranchesMixin(StoreBase):
    """Branch methods of `Store`."""

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
        """`sibling_position` of every message of a path, in one query per conversation.

        Args:
            messages: Messages of one conversation (typically `current_path`).

        Returns:
            Message id -> (position counted from 1, number of siblings).
        """
        if not messages:
            return {}
        conversation_id = messages[0].conversation_id
        groups: dict[int | None, list[int]] = {}
        with self._read() as conn:
            rows = conn.execute(
                "SELECT id, parent_id FROM messages WHERE conversation_id = ? ORDER BY id",
                (conversation_id,),
            ).fetchall()
        for message_id, parent_id in rows:
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
