"""Opening the database: private files, corruption and version checks, WAL, migrations."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import struct
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from routmy_tui.core.files import ensure_private_dir
from routmy_tui.core.text import has_surrogates, replace_surrogates
from routmy_tui.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

BUSY_TIMEOUT_MS = 5000
"""How long a writer waits for another connection's lock before giving up."""

_SQLITE_MAGIC = b"SQLite format 3\x00"


class StoreError(Exception):
    """A storage failure, with a message fit to show the user as it is."""


def _clean(parameters: Any) -> Any:
    """Parameters with lone surrogates replaced: SQLite takes only UTF-8, which cannot hold them."""
    if (
        isinstance(parameters, Sequence)
        and not isinstance(parameters, str)
        and any(isinstance(p, str) and has_surrogates(p) for p in parameters)
    ):
        return [replace_surrogates(p) if isinstance(p, str) else p for p in parameters]
    return parameters


class SafeConnection(sqlite3.Connection):
    """A connection whose text parameters never fail to encode.

    Text from a server or a file may hold a lone surrogate (JSON allows "\\ud800"); binding it
    would raise UnicodeEncodeError in the middle of a checkpoint. Each one is stored as U+FFFD.
    JSON columns escape them first (`rows.dumps`), so those keep them exactly.
    """

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        """`sqlite3.Connection.execute` with lone surrogates replaced in the parameters."""
        return super().execute(sql, _clean(parameters))

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> sqlite3.Cursor:
        """`sqlite3.Connection.executemany` with lone surrogates replaced in the parameters."""
        return super().executemany(sql, (_clean(row) for row in parameters))


def _untouched(path: Path, why: str) -> StoreError:
    return StoreError(
        f"{path} is not a readable routmy-tui database ({why}); it was left untouched. "
        "Move it aside to start with a new one."
    )


def _check_header(path: Path) -> None:
    """Refuse a non-empty file that is not SQLite, or is shorter than its header says.

    Only reads the file. A database cut short (a failed copy, a full disk) reads fine until
    the missing pages are needed, so its declared size is compared with the real one now.
    """
    size = path.stat().st_size
    if size == 0:
        return  # SQLite treats an empty file as a new, empty database.
    with path.open("rb") as handle:
        header = handle.read(100)
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        raise _untouched(path, "not an SQLite database file")
    page_size = struct.unpack(">H", header[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    change_counter, page_count = struct.unpack(">II", header[24:32])
    version_valid_for = struct.unpack(">I", header[92:96])[0]
    wal = path.with_name(path.name + "-wal")
    wal_has_frames = wal.exists() and wal.stat().st_size > 0
    # The in-header size is only meaningful when it was written by a SQLite that keeps it; an
    # unfinished checkpoint can leave a short file whose pages are still in the WAL.
    if (
        change_counter == version_valid_for
        and page_count
        and not wal_has_frames
        and size < page_count * page_size
    ):
        raise _untouched(
            path, f"the file is truncated: {size} bytes, {page_count * page_size} expected"
        )


def _create_private(path: Path) -> None:
    """Create the folder (0700) and an empty database file (0600) if they are missing.

    SQLite gives the -wal and -shm files the mode of the database file, so they are 0600 too.
    """
    ensure_private_dir(path.parent)  # Every folder it creates is 0700, parents included.
    if not path.exists():
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _check_writable(path: Path) -> None:
    """Refuse, saying so, a database SQLite could read but never write (nor journal beside)."""
    folder = path.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        where = f"the folder {folder} is read-only"
    elif not os.access(path, os.R_OK | os.W_OK):
        where = f"{path} is read-only"
    else:
        return
    raise StoreError(
        f"cannot use the history at {path}: {where} (the database needs to write beside "
        "itself). The file was left untouched; make it writable, or choose another folder "
        "with --data-dir."
    )


def _inspect(conn: sqlite3.Connection, path: Path) -> int:
    """Read the schema version and check the file is ours, without writing anything."""
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
        objects = int(conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        raise _untouched(path, str(exc)) from exc
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path} was written by a newer routmy-tui (schema version {version}; this version "
            f"knows up to {SCHEMA_VERSION}). Upgrade routmy-tui to open it; the file was left "
            "untouched."
        )
    if (version == 0 and objects) or (version > 0 and app_id != APPLICATION_ID):
        raise _untouched(path, "it is an SQLite database of another application")
    return version


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Apply the missing migrations in one write transaction (safe if two processes race)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Re-read under the write lock: another process may have migrated meanwhile.
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise StoreError(f"{path} was upgraded by a newer routmy-tui while opening it")
        for number in range(version, SCHEMA_VERSION):
            for statement in MIGRATIONS[number]:
                conn.execute(statement)
        if version < SCHEMA_VERSION:
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def open_database(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) the database at `path`, migrated to the current schema.

    The folder is created 0700 and the file 0600. Before anything is written, the file is checked:
    a file that is not a SQLite database, is truncated, belongs to another application, or was
    written by a newer schema version is refused with a StoreError and left byte for byte as it was.

    The connection is in autocommit mode (`isolation_level=None`; callers use `BEGIN IMMEDIATE`
    for writes), in WAL mode, with a busy timeout, foreign keys on, `synchronous=NORMAL` and
    `sqlite3.Row` rows. It may be used from other threads if the caller serialises access.

    Args:
        path: The database file.

    Returns:
        The open connection.

    Raises:
        StoreError: The file cannot be used; the message says why and what to do.
    """
    path = Path(path)
    try:
        _create_private(path)
        _check_header(path)
        _check_writable(path)
        conn = sqlite3.connect(
            path,
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,
            check_same_thread=False,
            factory=SafeConnection,
        )
    except OSError as exc:
        raise StoreError(f"cannot open the database {path}: {exc.strerror or exc}") from exc
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open the database {path}: {exc}") from exc
    try:
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _inspect(conn, path)
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StoreError(f"cannot put the database {path} in WAL mode (got {mode!r})")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        _migrate(conn, path)
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)  # Tighten a database another tool left readable by others.
    except OSError as exc:
        conn.close()
        raise StoreError(f"cannot secure the database {path}: {exc.strerror or exc}") from exc
    except StoreError:
        conn.close()
        raise
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StoreError(f"cannot open the database {path}: {exc}") from exc
    return conn
