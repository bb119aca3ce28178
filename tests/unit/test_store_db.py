"""Opening the database: migrations, private files, and refusing files we must not touch."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from routmy_tui.core.types import ChatMessage
from routmy_tui.store import Store, StoreError, db, open_database
from routmy_tui.store.schema import APPLICATION_ID, SCHEMA_VERSION


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_real_db(path: Path, messages: int = 300) -> None:
    with Store.open(path) as store:
        cid = store.create_conversation("m")
        parent = None
        for n in range(messages):
            parent = store.add_message(cid, parent, ChatMessage("user", f"message {n} " * 40))


def test_new_database_is_migrated_to_current_version(tmp_path: Path) -> None:
    conn = open_database(tmp_path / "db.sqlite")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert {"conversations", "messages", "exchanges", "images", "meta", "messages_fts"} <= tables
    conn.close()


def test_reopening_keeps_data_and_does_not_migrate_again(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    with Store.open(path) as store:
        cid = store.create_conversation("m")
    with Store.open(path) as store:
        assert store.get_conversation(cid) is not None


def test_empty_existing_file_becomes_a_database(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    path.touch()
    with Store.open(path) as store:
        assert store.list_conversations() == []


def test_folder_and_files_are_private(tmp_path: Path) -> None:
    folder = tmp_path / "a" / "data"
    old = os.umask(0o022)
    try:
        with Store.open(folder / "db.sqlite") as store:
            store.create_conversation("m")
            for name in ("db.sqlite", "db.sqlite-wal", "db.sqlite-shm"):
                assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600, name
    finally:
        os.umask(old)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_loose_permissions_on_existing_file_are_tightened(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    make_real_db(path, 1)
    os.chmod(path, 0o644)
    Store.open(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_newer_schema_is_refused_and_file_untouched(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    make_real_db(path, 3)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = DELETE")  # Make the header differ from what we'd write.
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = digest(path)
    with pytest.raises(StoreError, match="newer routmy-tui"):
        Store.open(path)
    assert digest(path) == before
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_random_bytes_file_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    path.write_bytes(os.urandom(8192))
    before = digest(path)
    with pytest.raises(StoreError, match="left untouched") as info:
        Store.open(path)
    assert str(path) in str(info.value)
    assert digest(path) == before
    assert not (tmp_path / "db.sqlite-wal").exists()


def test_truncated_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    make_real_db(path)
    data = path.read_bytes()
    assert len(data) > 8 * 4096
    path.write_bytes(data[: len(data) // 2])
    before = digest(path)
    with pytest.raises(StoreError, match="truncated"):
        Store.open(path)
    assert digest(path) == before


def test_damaged_header_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    make_real_db(path, 5)
    data = bytearray(path.read_bytes())
    data[16:18] = b"\x00\x03"  # An impossible page size.
    path.write_bytes(bytes(data))
    before = digest(path)
    with pytest.raises(StoreError, match="not a readable routmy-tui database"):
        Store.open(path)
    assert digest(path) == before


def test_foreign_sqlite_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (x)")
    before = digest(path)
    with pytest.raises(StoreError, match="another application"):
        Store.open(path)
    assert digest(path) == before


def test_unwritable_location_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot open"):
        Store.open(blocker / "db.sqlite")


def test_use_after_close_is_a_store_error(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "db.sqlite")
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.create_conversation("m")


def test_forward_migration_applies_once_and_keeps_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "db.sqlite"
    with Store.open(path) as store:
        cid = store.create_conversation("m")
    extra = ["CREATE TABLE tags (name TEXT)", "INSERT INTO tags VALUES ('migrated')"]
    monkeypatch.setattr(db, "MIGRATIONS", [*db.MIGRATIONS, extra])
    monkeypatch.setattr(db, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    for _ in range(2):  # The second open must not run it again.
        with Store.open(path) as store:
            assert store.get_conversation(cid) is not None
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
        assert conn.execute("SELECT name FROM tags").fetchall() == [("migrated",)]


def test_failing_migration_rolls_back_completely(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "db.sqlite"
    Store.open(path).close()
    broken = ["CREATE TABLE tags (name TEXT)", "THIS IS NOT SQL"]
    monkeypatch.setattr(db, "MIGRATIONS", [*db.MIGRATIONS, broken])
    monkeypatch.setattr(db, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(StoreError):
        Store.open(path)
    monkeypatch.undo()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        assert "tags" not in names
