"""The Store: conversations, drafts and settings kept in one SQLite file."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from types import TracebackType
from typing import Any

from routmy_tui.store.branches import BranchesMixin
from routmy_tui.store.db import open_database
from routmy_tui.store.messages import MessagesMixin
from routmy_tui.store.records import Conversation, ConversationSummary
from routmy_tui.store.rows import conversation_from_row, dumps
from routmy_tui.store.search import SearchMixin

_NEW_CHAT_DRAFT = "draft:new"
_UNSET: Any = object()


class Store(MessagesMixin, BranchesMixin, SearchMixin):
    """Everything routmy-tui keeps: conversations, message trees, exchanges, images, drafts.

    Safe to share between the UI thread and a worker thread (one connection behind a lock), and
    between processes (WAL, busy timeout, `BEGIN IMMEDIATE` writes). Every method raises
    `StoreError` on a storage failure. Use `Store.open(path)`, then `close()` (or `with`).
    """

    @classmethod
    def open(cls, path: Path) -> Store:
        """Open or create the database at `path` (see `open_database` for the checks made).

        Raises:
            StoreError: The file cannot be used; nothing was written to it.
        """
        return cls(open_database(Path(path)), Path(path))

    def close(self) -> None:
        """Close the connection (idempotent), once the jobs given to `later` have run."""
        self._stop_writer()
        with self._lock:
            self._forget_owner()
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # Conversations

    def create_conversation(
        self,
        model: str | None = None,
        system_prompt: str | None = None,
        params: dict[str, Any] | None = None,
        *,
        title: str | None = None,
    ) -> str:
        """Create an empty conversation and return its id.

        Args:
            model: Model for its replies.
            system_prompt: System prompt, or None.
            params: Request parameters (JSON-able).
            title: A chosen title (counts as renamed); otherwise the first user message names it.
        """
        conversation_id = uuid.uuid4().hex
        now = time.time()
        with self._write() as conn:
            conn.execute(
                "INSERT INTO conversations (id, title, title_custom, created_at, updated_at,"
                " model, system_prompt, params_json) VALUES (?,?,?,?,?,?,?,?)",
                (
                    conversation_id,
                    title or "",
                    int(bool(title)),
                    now,
                    now,
                    model,
                    system_prompt,
                    dumps(params or {}),
                ),
            )
        self._seen[conversation_id] = now
        return conversation_id

    def get_conversation(self, conversation_id: str) -> Conversation | None:
        """The conversation (even if deleted and not yet purged), or None."""
        with self._read() as conn:
            row = conn.execute(
                "SELECT * FROM conversations WHERE id = ?", (conversation_id,)
            ).fetchone()
        return conversation_from_row(row) if row else None

    def list_conversations(self, limit: int = 200, offset: int = 0) -> list[ConversationSummary]:
        """Conversations not deleted, most recently updated first.

        Args:
            limit: Most rows returned.
            offset: Rows skipped (for paging).
        """
        with self._read() as conn:
            rows = conn.execute(
                "SELECT c.id, c.title, c.model, c.created_at, c.updated_at,"
                " (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id)"
                " FROM conversations c WHERE c.deleted_at IS NULL"
                " ORDER BY c.updated_at DESC, c.rowid DESC LIMIT ? OFFSET ?",
                (limit, offset),
            ).fetchall()
        return [ConversationSummary(*row) for row in rows]

    def latest_conversation_id(self) -> str | None:
        """The most recently updated conversation not deleted, or None."""
        rows = self.list_conversations(limit=1)
        return rows[0].id if rows else None

    def rename_conversation(self, conversation_id: str, title: str) -> None:
        """Set the title; it is no longer derived from the first message. An empty title
        goes back to the derived one at the next first message."""
        title = " ".join(title.split())
        with self._write() as conn:
            conn.execute(
                "UPDATE conversations SET title = ?, title_custom = ? WHERE id = ?",
                (title, int(bool(title)), conversation_id),
            )

    def update_conversation_settings(
        self,
        conversation_id: str,
        *,
        model: str | None = _UNSET,
        system_prompt: str | None = _UNSET,
        params: dict[str, Any] = _UNSET,
    ) -> None:
        """Change the model, system prompt and/or parameters; omitted arguments stay as they are."""
        sets: list[str] = []
        args: list[Any] = []
        if model is not _UNSET:
            sets.append("model = ?")
            args.append(model)
        if system_prompt is not _UNSET:
            sets.append("system_prompt = ?")
            args.append(system_prompt)
        if params is not _UNSET:
            sets.append("params_json = ?")
            args.append(dumps(params or {}))
        if not sets:
            return
        with self._write() as conn:
            conn.execute(
                f"UPDATE conversations SET {', '.join(sets)} WHERE id = ?",
                (*args, conversation_id),
            )
            self._touch(conn, conversation_id, time.time())

    def delete_conversation(self, conversation_id: str) -> None:
        """Delete softly: hidden from the list and search until `restore_conversation` or purge."""
        with self._write() as conn:
            conn.execute(
                "UPDATE conversations SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL",
                (time.time(), conversation_id),
            )

    def restore_conversation(self, conversation_id: str) -> None:
        """Undo `delete_conversation` (if not purged yet)."""
        with self._write() as conn:
            conn.execute(
                "UPDATE conversations SET deleted_at = NULL WHERE id = ?", (conversation_id,)
            )

    def purge_deleted(self, older_than: float = 0.0) -> int:
        """Erase conversations deleted at least `older_than` seconds ago, and unused images.

        Returns:
            How many conversations were erased.
        """
        with self._write() as conn:
            cursor = conn.execute(
                "DELETE FROM conversations WHERE deleted_at IS NOT NULL AND deleted_at <= ?",
                (time.time() - older_than,),
            )
            count = int(cursor.rowcount)
            if count:
                conn.execute(
                    "DELETE FROM images WHERE hash NOT IN"
                    " (SELECT hash FROM message_images WHERE hash IS NOT NULL)"
                )
        return count

    # Drafts and meta

    def set_draft(self, conversation_id: str | None, text: str) -> None:
        """Keep the composer text of a conversation (None: the new, unsaved chat).

        Never waits for the store's thread (see `later`): no job given to it writes drafts.
        """
        with self._write(ordered=False) as conn:
            if conversation_id is None:
                self._set_meta(conn, _NEW_CHAT_DRAFT, text)
            else:
                conn.execute(
                    "UPDATE conversations SET draft = ? WHERE id = ?", (text, conversation_id)
                )

    def get_draft(self, conversation_id: str | None) -> str:
        """The kept composer text ("" when none)."""
        if conversation_id is None:
            return self.get_meta(_NEW_CHAT_DRAFT) or ""
        with self._read() as conn:
            row = conn.execute(
                "SELECT draft FROM conversations WHERE id = ?", (conversation_id,)
            ).fetchone()
        return str(row[0]) if row else ""

    def get_meta(self, key: str) -> str | None:
        """A stored value (e.g. "last_conversation_id"), or None."""
        with self._read() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def set_meta(self, key: str, value: str | None) -> None:
        """Store a value under `key` (None removes it)."""
        with self._write() as conn:
            self._set_meta(conn, key, value)

    @staticmethod
    def _set_meta(conn: Any, key: str, value: str | None) -> None:
        if value is None:
            conn.execute("DELETE FROM meta WHERE key = ?", (key,))
        else:
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def integrity_check(self) -> list[str]:
        """SQLite's full integrity check; ["ok"] when the file is sound (slow on big files)."""
        with self._read() as conn:
            return [str(row[0]) for row in conn.execute("PRAGMA integrity_check")]
