"""The app's own Markdown export imports back: text, roles, tool rounds, status, pictures."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from routmy_tui.cli import main
from routmy_tui.core.types import ApiError, ChatMessage, Reply, ToolCall
from routmy_tui.services.container import DB_NAME
from routmy_tui.store import Store
from routmy_tui.store.export import export_text
from routmy_tui.store.export_files import pictures_dir_for, write_export
from routmy_tui.store.import_json import import_text
from routmy_tui.store.records import StoredMessage


def png(colour: str) -> str:
    out = io.BytesIO()
    Image.new("RGB", (12, 8), colour).save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


RED, BLUE = png("red"), png("blue")
REMOTE = "https://example.com/cat.jpg"
TRICKY = """Here is code:

```markdown
## User

not a new message
```

## Not a message heading, just a section

- a list
"""


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "db.sqlite") as opened:
        yield opened


def reply(store: Store, cid: str, parent: int, done: Reply, model: str = "demo/chat") -> int:
    mid = store.add_message(cid, parent, ChatMessage("assistant"), model=model, status="streaming")
    if done.status == "streaming":
        done.status = "complete"
    store.checkpoint_reply(mid, done)
    return mid


def conversation(store: Store) -> str:
    cid = store.create_conversation(
        "demo/tools", "Be terse.\n\nAnswer in English.", {"temperature": 0.3, "seed": 7}
    )
    u1 = store.add_message(cid, None, ChatMessage("user", "Two pictures", [RED, REMOTE]))
    a1 = reply(store, cid, u1, Reply(content=TRICKY, reasoning="Think.\n\nTwice.", images=[BLUE]))
    u2 = store.add_message(cid, a1, ChatMessage("user", "Order 123 and the weather?"))
    calls = [
        ToolCall("call_1", "get_order", '{"order_id": "123"}'),
        ToolCall("call_2", "get_weather", '{\n  "city": "Paris ```"\n}'),
    ]
    a2 = reply(store, cid, u2, Reply(tool_calls=calls, finish_reason="tool_calls"))
    store.update_message_meta(a2, {"dropped_calls": ["call_2"]})
    t1 = store.add_message(
        cid,
        a2,
        ChatMessage("tool", '{"status": "shipped"}', tool_call_id="call_1"),
        meta={"answered_by": "program"},
    )
    stopped = Reply(content="Start:\n\n```python\nprint(1)", status="stopped")
    a3 = reply(store, cid, t1, stopped)
    u3 = store.add_message(cid, a3, ChatMessage("user", "## Assistant\nis just text here"))
    failed = Reply(
        content="", status="error", error=ApiError("Slow down", status=429, error_id="e-1")
    )
    reply(store, cid, u3, failed)
    return cid


def same(message: StoredMessage) -> tuple[object, ...]:
    calls = [(c.id, c.name, c.arguments) for c in message.tool_calls]
    error = message.error.summary() if message.error else None
    return (
        message.role,
        (message.content or "").rstrip("\n"),  # a file cannot tell a final newline apart
        message.images,
        calls,
        message.tool_call_id,
        message.status,
        message.model,
        message.reasoning or "",
        message.extra.get("answered_by"),
        message.extra.get("dropped_calls"),
        error,
    )


def test_markdown_export_round_trips(store: Store, tmp_path: Path) -> None:
    cid = conversation(store)
    target = tmp_path / "out" / "my chat.md"
    target.parent.mkdir()
    write_export(store, cid, target, "md")
    assert len(list(pictures_dir_for(target).iterdir())) == 2

    new_id, skipped = import_text(store, target.read_text("utf-8"), target.parent)

    assert skipped == []
    original, imported = store.current_path(cid), store.current_path(new_id)
    assert [same(m) for m in imported] == [same(m) for m in original]
    before, after = store.get_conversation(cid), store.get_conversation(new_id)
    assert before is not None and after is not None
    assert after.title == before.title == "Two pictures"
    assert after.model == "demo/tools"
    assert after.system_prompt == "Be terse.\n\nAnswer in English."
    assert after.params == {"temperature": 0.3, "seed": 7}


def test_messages_that_leave_a_code_block_open_still_end_at_the_next_heading(
    store: Store, tmp_path: Path
) -> None:
    cid = store.create_conversation("demo/chat")
    u1 = store.add_message(cid, None, ChatMessage("user", "```\npasted half a block", [RED]))
    calls = [ToolCall("c1", "f", "{}")]
    a1 = reply(store, cid, u1, Reply(content="```py\nx = 1", tool_calls=calls, status="stopped"))
    u2 = store.add_message(cid, a1, ChatMessage("user", "next"))
    a2 = reply(store, cid, u2, Reply(content="~~~\nnever closed"))
    store.add_message(cid, a2, ChatMessage("user", "```\nlast\n```"))
    text = export_text(store, cid, "md")  # as printed: pictures inline as data URLs

    new_id, skipped = import_text(store, text, tmp_path)

    assert skipped == []
    original, imported = store.current_path(cid), store.current_path(new_id)
    assert [same(m) for m in imported] == [same(m) for m in original]


def test_compared_replies_and_missing_pictures_are_named_as_skipped(
    store: Store, tmp_path: Path
) -> None:
    cid = store.create_conversation("demo/chat")
    u1 = store.add_message(cid, None, ChatMessage("user", "Which is best?", [RED]))
    kept = reply(store, cid, u1, Reply(content="Model A says hi."), model="demo/a")
    other = store.add_message(cid, u1, ChatMessage("assistant"), model="demo/b", status="streaming")
    store.checkpoint_reply(other, Reply(content="Model B says hi.", status="complete"))
    store.update_message_meta(kept, {"compared": True})
    store.update_message_meta(other, {"compared": True})
    store.set_current_leaf(cid, kept)
    target = tmp_path / "cmp.md"
    write_export(store, cid, target, "md")
    for picture in pictures_dir_for(target).iterdir():
        picture.unlink()

    new_id, skipped = import_text(store, target.read_text("utf-8"), tmp_path)

    assert len(skipped) == 2
    assert "a picture of message 1 (cmp_files/routmy-" in skipped[0]
    assert "1 compared repl(ies)" in skipped[1]
    path = store.current_path(new_id)
    assert [(m.role, m.content, m.images) for m in path] == [
        ("user", "Which is best?", []),
        ("assistant", "Model A says hi.", []),
    ]
    assert "Model B" not in str([m.content for m in store.children(path[0].id, new_id)])


def test_a_link_outside_the_exports_folder_is_not_read(store: Store, tmp_path: Path) -> None:
    secret = tmp_path / "elsewhere" / "x.png"
    secret.parent.mkdir()
    secret.write_bytes(base64.b64decode(RED.split(",", 1)[1]))
    inside = tmp_path / "inside"
    inside.mkdir()
    text = "# Chat\n\n## User\n\nhi\n\n![image 1](../elsewhere/x.png)\n"
    new_id, skipped = import_text(store, text, inside)
    assert "outside the export's folder" in skipped[0]
    assert store.current_path(new_id)[0].images == []


def test_cli_imports_markdown_and_refuses_other_markdown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store.open(tmp_path / DB_NAME) as store:
        cid = conversation(store)
    target = tmp_path / "chat.md"
    assert main(["export", cid, "-o", str(target), "--data-dir", str(tmp_path)]) == 0
    assert main(["import", str(target), "--data-dir", str(tmp_path)]) == 0
    new_id = capsys.readouterr().out.strip()
    with Store.open(tmp_path / DB_NAME) as store:
        assert [same(m) for m in store.current_path(new_id)] == [
            same(m) for m in store.current_path(cid)
        ]
    notes = tmp_path / "notes.md"
    notes.write_text("# My notes\n\nSome text.\n\n## Ideas\n\n- one\n")
    assert main(["import", str(notes), "--data-dir", str(tmp_path)]) == 2
    assert "not a routmy-tui export" in capsys.readouterr().err
