"""The store's connection, its lock and transactions, and image storage shared by its parts."""

from __future__ import annotations

import base64
import os
import sqlite3
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from routmy_tui.store.db import StoreError
from routmy_tui.store.records import StoredMessage, image_hash, split_data_url
from routmy_tui.store.rows import message_from_row

_OPEN_TOKENS: set[str] = set()
"""Tokens of the stores open in this process (to tell a live reply from an orphaned one)."""


def owner_alive(owner: str | None) -> bool:
    """Whether the store that wrote a "streaming" reply may still be receiving it.

    `owner` is "pid:token". Another process counts as alive while its pid exists; in this
    process, while the store with that token is open.
    """
    pid_text, _, token = (owner or "").partition(":")
    if not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return token in _OPEN_TOKENS
    if sys.platform == "win32":
        return False  # os.kill would terminate it; treat it as gone.
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # Exists, owned by someone else.
    return not _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    """Whether a process has died but not been reaped yet (it will never write again)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            # The state follows the command name, which is in parentheses and may hold spaces.
            return stat.read().rpartition(")")[2].split()[:1] == ["Z"]
    except OSError:
        return False


class StoreBase:
    """One connection guarded by a lock, so a worker thread may share the store.

    Long writes may be handed to the store's own thread (`later`): they run one at a time in
    the order given, and every other call of the store from another thread waits for them
    first (drafts aside, which no such write touches), so the store is read and written in
    the order the calls were made. `close()` waits for them too.

    Args:
        conn: An open connection from `open_database`.
        path: The database file.

    Attributes:
        path: The database file.
        owner: "pid:token" written on replies this store is streaming.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path
        self._lock = threading.RLock()
        self._depth = 0  # Nested writes join the outer transaction.
        self._token = uuid.uuid4().hex
        self.owner = f"{os.getpid()}:{self._token}"
        _OPEN_TOKENS.add(self._token)
        # Each conversation's `updated_at` as this store last wrote or loaded it, and those
        # found changed by someone else since (another window on the same database).
        self._seen: dict[str, float] = {}
        self._elsewhere: set[str] = set()
        self._writer: ThreadPoolExecutor | None = None
        self._later_lock = threading.Lock()
        self._writer_ident: int | None = None
        self._last_later: Future[None] | None = None

    # --- the store's own thread ------------------------------------------------------------

    def later(self, job: Callable[[], None]) -> Future[None]:
        """Run `job` (calls of this store) on the store's own thread, after those given before.

        The thread is not a daemon: a process that exits with jobs waiting runs them first.

        Returns:
            Its future (the job's exception, if any, is in it).
        """
        with self._later_lock:
            if self._writer is None:
                self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="routmy-store")
            future = self._writer.submit(self._run_later, job)
            self._last_later = future
            return future

    def _run_later(self, job: Callable[[], None]) -> None:
        self._writer_ident = threading.get_ident()
        job()

    @property
    def writing_later(self) -> bool:
        """Whether jobs given to `later` are still waiting or running."""
        future = self._last_later
        return future is not None and not future.done()

    def flush(self) -> None:
        """Wait until the jobs given to `later` have run (at once from the store's thread)."""
        future = self._last_later
        if future is None or future.done() or threading.get_ident() == self._writer_ident:
            return
        if getattr(self._lock, "_is_owned", lambda: False)():
            return  # inside this thread's transaction: waiting could never end
        try:
            future.result()
        except Exception:  # the job's own caller reports it
            return

    def _stop_writer(self) -> None:
        self.flush()
        with self._later_lock:
            writer, self._writer = self._writer, None
        if writer is not None:
            writer.shutdown(wait=threading.get_ident() != self._writer_ident)

    def _forget_owner(self) -> None:
        _OPEN_TOKENS.discard(self._token)

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """The connection, for reads (each statement sees a consistent snapshot), once the
        store's thread has done what it was given."""
        self.flush()
        with self._lock:
            try:
                yield self._conn
            except sqlite3.ProgrammingError as exc:
                raise StoreError(f"the store is closed ({exc})") from exc
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"database error in {self.path}: {exc}") from exc

    @contextmanager
    def _write(self, ordered: bool = True) -> Iterator[sqlite3.Connection]:
        """The connection inside a `BEGIN IMMEDIATE` transaction, committed on success; once
        the store's thread has done what it was given (unless not `ordered`).

        IMMEDIATE takes the write lock up front (waiting up to the busy timeout), so two
        processes never fail half-way through a transaction on a lock upgrade.
        """
        if ordered:
            self.flush()
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self._conn
                finally:
                    self._depth -= 1
                return
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.ProgrammingError as exc:
                raise StoreError(f"the store is closed ({exc})") from exc
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"cannot write to {self.path}: {exc}") from exc
            self._depth = 1
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException as exc:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise StoreError(f"database error in {self.path}: {exc}") from exc
                if isinstance(exc, (UnicodeError, OverflowError, MemoryError)):
                    # Values SQLite cannot take (text it cannot encode, a blob past its size
                    # limit): the write is refused like any other, never a crash.
                    raise StoreError(f"could not write to {self.path}: {exc}") from exc
                raise
            finally:
                self._depth = 0

    def _touch(self, conn: sqlite3.Connection, conversation_id: str, now: float) -> None:
        """Mark a conversation changed by this store at `now` (call inside a write).

        If its `updated_at` is not what this store last wrote or loaded, another writer
        changed it meanwhile: `changed_elsewhere` will say so once.
        """
        row = conn.execute(
            "SELECT updated_at FROM conversations WHERE id = ?", (conversation_id,)
        ).fetchone()
        seen = self._seen.get(conversation_id)
        if row is not None and seen is not None and row[0] != seen:
            self._elsewhere.add(conversation_id)
        conn.execute("UPDATE conversations SET updated_at = ? WHERE id = ?", (now, conversation_id))
        self._seen[conversation_id] = now

    def _loaded(self, conversation_id: str, updated_at: float) -> None:
        """The conversation as loaded now is the version this store builds on."""
        self._seen[conversation_id] = updated_at
        self._elsewhere.discard(conversation_id)

    def _current_leaf(self, conn: sqlite3.Connection, conversation_id: str) -> int | None:
        """The conversation's current leaf (None: no such conversation, or it is empty);
        reading it counts as loading the conversation (`_loaded`)."""
        row = conn.execute(
            "SELECT current_leaf_id, updated_at FROM conversations WHERE id = ?",
            (conversation_id,),
        ).fetchone()
        if row is None:
            return None
        self._loaded(conversation_id, row[1])
        return None if row[0] is None else int(row[0])

    def changed_elsewhere(self, conversation_id: str) -> bool:
        """Whether another writer changed the conversation since this store last did or
        loaded it (true once per detection). Two windows replying in one conversation each
        add their own branch; the last writer's becomes the current one."""
        if conversation_id in self._elsewhere:
            self._elsewhere.discard(conversation_id)
            return True
        return False

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group several store calls into one transaction: all of them are kept, or none.

        Example: `with store.transaction(): ...add_message(...) several times...`
        """
        with self._write():
            yield

    def _store_images(self, conn: sqlite3.Connection, message_id: int, urls: list[str]) -> None:
        """Make the message's images exactly `urls`, storing data URL bytes once per hash.

        Positions already stored with the same URL are kept, so a checkpoint during streaming
        only pays for pictures that arrived since the last one.
        """
        existing = {
            row[0]: (row[1], row[2])
            for row in conn.execute(
                "SELECT position, hash, url FROM message_images WHERE message_id = ?",
                (message_id,),
            )
        }
        conn.execute(
            "DELETE FROM message_images WHERE message_id = ? AND position >= ?",
            (message_id, len(urls)),
        )
        now = time.time()
        for position, url in enumerate(urls):
            parsed = split_data_url(url)
            if parsed is None:
                row: tuple[str | None, str | None] = (None, url)
            else:
                mime, data = parsed
                digest = image_hash(data)
                row = (digest, None)
                if existing.get(position) == row:
                    continue
                conn.execute(
                    "INSERT OR IGNORE INTO images (hash, mime, data, created_at) VALUES (?,?,?,?)",
                    (digest, mime, data, now),
                )
            if existing.get(position) != row:
                conn.execute(
                    "INSERT OR REPLACE INTO message_images (message_id, position, hash, url) "
                    "VALUES (?,?,?,?)",
                    (message_id, position, *row),
                )

    def _load_images(self, conn: sqlite3.Connection, ids: list[int]) -> dict[int, list[str]]:
        """Image URLs of each message in `ids`, in order."""
        out: dict[int, list[str]] = {}
        for start in range(0, len(ids), 500):  # Stay under SQLite's bound-parameter limit.
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = conn.execute(
                "SELECT mi.message_id, mi.url, i.mime, i.data FROM message_images mi "
                "LEFT JOIN images i ON i.hash = mi.hash "
                f"WHERE mi.message_id IN ({marks}) ORDER BY mi.message_id, mi.position",
                chunk,
            )
            for message_id, url, mime, data in rows:
                if url is None:
                    if data is None:
                        continue  # Dangling hash: the image was purged; skip rather than fail.
                    url = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
                out.setdefault(message_id, []).append(url)
        return out

    def _messages(self, conn: sqlite3.Connection, rows: list[sqlite3.Row]) -> list[StoredMessage]:
        """Rows of the messages table as messages, with their images."""
        images = self._load_images(conn, [row["id"] for row in rows])
        return [message_from_row(row, images.get(row["id"], [])) for row in rows]
