"""Messages: adding, checkpointing replies, status, paths to a message, and exchanges."""

from __future__ import annotations

import time
import zlib
from typing import Any

from routmy_tui.core.exchange import Exchange
from routmy_tui.core.jsonsafe import loads_bounded
from routmy_tui.core.text import has_surrogates
from routmy_tui.core.types import ChatMessage, Reply
from routmy_tui.store.base import StoreBase, owner_alive
from routmy_tui.store.db import StoreError
from routmy_tui.store.records import StoredMessage, derive_title, mask_headers
from routmy_tui.store.rows import (
    dumps,
    dumps_in_pieces,
    kept_extra,
    message_extra,
    reply_extra,
    tool_calls_json,
    usage_json,
)

_PATH_SQL = """
WITH RECURSIVE up (id, depth) AS (
    SELECT id, 0 FROM messages WHERE id = ?
    UNION ALL
    SELECT m.parent_id, up.depth + 1 FROM messages m JOIN up ON m.id = up.id
    WHERE m.parent_id IS NOT NULL
)
SELECT messages.* FROM up JOIN messages ON messages.id = up.id ORDER BY up.depth DESC
"""


SURROGATE_NOTE = "lone surrogates (\\ud800-\\udfff) in the text were saved as U+FFFD"


def _extra_with_notes(reply: Reply) -> dict[str, Any]:
    """The reply's extra column, noting text that cannot be stored exactly."""
    extra = reply_extra(reply)
    texts = (reply.content, reply.reasoning, reply.refusal or "")
    if any(has_surrogates(text) for text in texts):
        notes = list(extra.get("notes") or [])
        if SURROGATE_NOTE not in notes:
            extra["notes"] = [*notes, SURROGATE_NOTE]
    return extra


class MessagesMixin(StoreBase):
    """Message methods of `Store`."""

    def add_message(
        self,
        conversation_id: str,
        parent_id: int | None,
        message: ChatMessage,
        *,
        status: str = "complete",
        model: str | None = None,
        meta: dict[str, Any] | None = None,
    ) -> int:
        """Store a message as a child of `parent_id` and make it the conversation's current leaf.

        Call it for the user's message before the request leaves, and for the reply (status
        "streaming") when it starts. To regenerate a reply, add the new one with the old reply's
        parent; to edit a message, add the edited one with the old one's parent. The old branch
        stays. The first user message names the conversation unless it was renamed.

        Args:
            conversation_id: The conversation.
            parent_id: The previous message on the branch, None to start at the root.
            message: The message (its images are stored once per content hash).
            status: Reply status ("streaming" for a reply about to arrive).
            model: The model that wrote (or will write) an assistant message.
            meta: Details of the message that are not sent (who answered a tool call, when).

        Returns:
            The new message id.

        Raises:
            StoreError: Unknown conversation, or a parent from another conversation.
        """
        now = time.time()
        with self._write() as conn:
            conv = conn.execute(
                "SELECT title_custom, title FROM conversations WHERE id = ?", (conversation_id,)
            ).fetchone()
            if conv is None:
                raise StoreError(f"no conversation {conversation_id}")
            # The first user message ever stored names the conversation (stable across branches).
            names_it = message.role == "user" and not conv[0] and not conv[1]
            if parent_id is not None:
                parent = conn.execute(
                    "SELECT conversation_id FROM messages WHERE id = ?", (parent_id,)
                ).fetchone()
                if parent is None or parent[0] != conversation_id:
                    raise StoreError(
                        f"message {parent_id} is not in conversation {conversation_id}"
                    )
            cursor = conn.execute(
                "INSERT INTO messages (conversation_id, parent_id, role, content, tool_calls_json,"
                " tool_call_id, reasoning_details_json, status, model, owner, created_at,"
                " updated_at, extra_json)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    conversation_id,
                    parent_id,
                    message.role,
                    message.content,
                    tool_calls_json(message.tool_calls),
                    message.tool_call_id,
                    dumps(message.reasoning_details),
                    status,
                    model,
                    self.owner if status == "streaming" else None,
                    now,
                    now,
                    dumps({**(meta or {}), **message_extra(message)} or None),
                ),
            )
            message_id = int(cursor.lastrowid or 0)
            if message.images:
                self._store_images(conn, message_id, message.images)
            self._touch(conn, conversation_id, now)
            conn.execute(
                "UPDATE conversations SET current_leaf_id = ? WHERE id = ?",
                (message_id, conversation_id),
            )
            if names_it:
                conn.execute(
                    "UPDATE conversations SET title = ? WHERE id = ?",
                    (derive_title(message), conversation_id),
                )
        return message_id

    def checkpoint_reply(self, message_id: int, reply: Reply) -> None:
        """Save the reply as it stands: text, reasoning, tool calls, images, usage, status, error.

        One short transaction; cheap enough to call about once a second while streaming, and
        once more when the reply ends with its final status.

        Args:
            message_id: The assistant message created for this reply.
            reply: The reply assembled so far.

        Raises:
            StoreError: No such message.
        """
        now = time.time()
        with self._write() as conn:
            row = conn.execute(
                "SELECT conversation_id, extra_json FROM messages WHERE id = ?", (message_id,)
            ).fetchone()
            if row is None:
                raise StoreError(f"no message {message_id}")
            extra = {**kept_extra(row[1]), **_extra_with_notes(reply)}
            content = reply.content if (reply.content or not reply.tool_calls) else None
            conn.execute(
                "UPDATE messages SET content = ?, reasoning = ?, tool_calls_json = ?,"
                " reasoning_details_json = ?, status = ?, error_json = ?,"
                " model = coalesce(?, model), usage_json = ?, finish_reason = ?, extra_json = ?,"
                " owner = ?, updated_at = ? WHERE id = ?",
                (
                    content,
                    reply.reasoning,
                    tool_calls_json(reply.tool_calls),
                    dumps(reply.reasoning_details or None),
                    reply.status,
                    dumps(reply.error.to_dict()) if reply.error else None,
                    reply.model,
                    usage_json(reply.usage),
                    reply.finish_reason,
                    dumps(extra or None),
                    self.owner,
                    now,
                    message_id,
                ),
            )
            self._store_images(conn, message_id, reply.images)
            self._touch(conn, row[0], now)

    def update_message_meta(self, message_id: int, changes: dict[str, Any]) -> None:
        """Merge `changes` into a message's stored details (e.g. which tool calls were dropped).

        Raises:
            StoreError: No such message.
        """
        with self._write() as conn:
            row = conn.execute(
                "SELECT extra_json FROM messages WHERE id = ?", (message_id,)
            ).fetchone()
            if row is None:
                raise StoreError(f"no message {message_id}")
            try:
                extra = loads_bounded(row[0]) if row[0] else {}
            except ValueError:
                extra = {}  # A damaged column is replaced rather than block the change.
            if not isinstance(extra, dict):
                extra = {}
            extra.update(changes)
            conn.execute(
                "UPDATE messages SET extra_json = ? WHERE id = ?", (dumps(extra), message_id)
            )

    def set_message_status(self, message_id: int, status: str) -> None:
        """Change only the status of a message (e.g. "stopped" when the user pressed Escape)."""
        with self._write() as conn:
            conn.execute(
                "UPDATE messages SET status = ?, updated_at = ? WHERE id = ?",
                (status, time.time(), message_id),
            )

    def recover_interrupted(self) -> int:
        """Mark orphaned "streaming" replies as "interrupted"; call at start.

        A reply stays "streaming" when the process receiving it died mid-reply; what was
        checkpointed is kept. Replies still being received by another live instance (another
        process, or another open Store in this one) are left alone.

        Returns:
            How many replies were marked.
        """
        with self._write() as conn:
            rows = conn.execute(
                "SELECT id, owner FROM messages WHERE status = 'streaming'"
            ).fetchall()
            orphans = [(row[0],) for row in rows if not owner_alive(row[1])]
            conn.executemany(
                "UPDATE messages SET status = 'interrupted' WHERE id = ? AND status = 'streaming'",
                orphans,
            )
            return len(orphans)

    def get_message(self, message_id: int) -> StoredMessage | None:
        """The message with this id, or None."""
        with self._read() as conn:
            rows = conn.execute("SELECT * FROM messages WHERE id = ?", (message_id,)).fetchall()
            return self._messages(conn, rows)[0] if rows else None

    def path_to(self, message_id: int) -> list[StoredMessage]:
        """The branch from the first message down to `message_id` (empty if unknown).

        This is exactly what is sent (after the system prompt) when replying after that message.
        """
        with self._read() as conn:
            return self._messages(conn, conn.execute(_PATH_SQL, (message_id,)).fetchall())

    def current_path(self, conversation_id: str) -> list[StoredMessage]:
        """The branch on screen: the path to the conversation's current leaf."""
        with self._read() as conn:
            leaf = self._current_leaf(conn, conversation_id)
            if leaf is None:
                return []
            return self._messages(conn, conn.execute(_PATH_SQL, (leaf,)).fetchall())

    def path_length(self, conversation_id: str, at_most: int) -> int:
        """How many messages the current branch holds, counting no further than `at_most`.

        Cheap even for a branch of 200,000 messages: only ids are walked, and the walk stops
        at `at_most`.
        """
        with self._read() as conn:
            row = conn.execute(
                "SELECT current_leaf_id FROM conversations WHERE id = ?", (conversation_id,)
            ).fetchone()
            if row is None or row[0] is None:
                return 0
            counted = conn.execute(
                "WITH RECURSIVE up (id) AS (SELECT ? UNION ALL SELECT m.parent_id FROM messages m"
                " JOIN up ON m.id = up.id WHERE m.parent_id IS NOT NULL)"
                " SELECT count(*) FROM (SELECT id FROM up LIMIT ?)",
                (row[0], at_most),
            ).fetchone()
            return int(counted[0])

    def save_exchange(self, message_id: int, exchange: Exchange) -> None:
        """Record what went over the wire for a reply (replacing an earlier record).

        Secret headers are masked again here, whatever the caller did. Stored zlib-compressed:
        raw stream logs are large and repetitive; an ended stream's log is kept as the
        buffer it is already packed into (`Exchange.to_dict(packed=True)`).
        """
        data = exchange.to_dict(packed=True)
        data["request_headers"] = mask_headers(dict(data["request_headers"]))
        data["response_headers"] = mask_headers(dict(data["response_headers"]))
        text = dumps_in_pieces(data, "stream_lines")
        blob = zlib.compress(text.encode("utf-8"), 6)
        with self._write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO exchanges (message_id, data) VALUES (?, ?)",
                (message_id, blob),
            )

    def get_exchange(self, message_id: int) -> Exchange | None:
        """The recorded exchange of a reply, or None when there is none."""
        with self._read() as conn:
            row = conn.execute(
                "SELECT data FROM exchanges WHERE message_id = ?", (message_id,)
            ).fetchone()
        if row is None:
            return None
        try:
            data = loads_bounded(zlib.decompress(row[0]).decode("utf-8"))
            return Exchange.from_dict(data)
        except (zlib.error, UnicodeDecodeError, ValueError) as exc:
            raise StoreError(f"the exchange of message {message_id} is damaged: {exc}") from exc
