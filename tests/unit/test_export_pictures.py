"""Pictures in exports: deduplicated in the store, files beside Markdown, data URLs in JSON."""

from __future__ import annotations

import base64
import io
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from routmy_tui.core.types import ChatMessage, Reply
from routmy_tui.store import Store
from routmy_tui.store.export_files import pictures_dir_for, write_export
from routmy_tui.store.import_json import import_json


def png(colour: str) -> str:
    out = io.BytesIO()
    Image.new("RGB", (12, 8), colour).save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


RED, BLUE = png("red"), png("blue")
REMOTE = "https://example.com/cat.jpg"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "db.sqlite") as opened:
        yield opened


def conversation(store: Store) -> str:
    cid = store.create_conversation(model="demo/vision")
    first = store.add_message(cid, None, ChatMessage("user", "two pictures", [RED, REMOTE]))
    second = store.add_message(cid, first, ChatMessage("assistant", ""), model="demo/image")
    store.checkpoint_reply(second, Reply(content="here", images=[BLUE], status="complete"))
    third = store.add_message(cid, second, ChatMessage("user", "the red one again", [RED]))
    assert third
    return cid


def test_the_same_picture_is_stored_once(store: Store, tmp_path: Path) -> None:
    conversation(store)
    with sqlite3.connect(tmp_path / "db.sqlite") as conn:
        assert conn.execute("SELECT COUNT(*) FROM images").fetchone()[0] == 2  # red, blue
        assert conn.execute("SELECT COUNT(*) FROM message_images").fetchone()[0] == 4


def test_markdown_export_writes_the_pictures_beside_it_and_links_them(
    store: Store, tmp_path: Path
) -> None:
    cid = conversation(store)
    target = tmp_path / "out" / "my chat.md"
    target.parent.mkdir()
    done = write_export(store, cid, target, "md")
    folder = pictures_dir_for(target)
    files = sorted(folder.iterdir())
    assert len(files) == 2 and "2 picture(s)" in done  # red once, blue once
    text = target.read_text()
    assert "data:image" not in text
    for path in files:
        assert f"](my%20chat_files/{path.name})" in text
        assert Image.open(path).size == (12, 8)
    assert f"]({REMOTE})" in text  # remote pictures stay links


def test_json_export_carries_data_urls_and_import_restores_them(
    store: Store, tmp_path: Path
) -> None:
    cid = conversation(store)
    target = tmp_path / "chat.json"
    write_export(store, cid, target, "json")
    data = json.loads(target.read_text())
    urls = json.dumps(data)
    assert RED in urls and BLUE in urls
    copy = import_json(store, data)
    path = store.current_path(copy)
    assert path[0].images == [RED, REMOTE]
    assert path[1].images == [BLUE]
    assert path[2].images == [RED]
