"""`routmy-tui export` and `routmy-tui import`: round trips through main() and the command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from routmy_tui.cli import main
from routmy_tui.cli_store import DB_NAME
from routmy_tui.core.exchange import Exchange
from routmy_tui.core.types import ChatMessage, Reply
from routmy_tui.store import Store
from tests.conftest import FAKE_KEY


def _seed(data: Path) -> str:
    with Store.open(data / DB_NAME) as store:
        conversation = store.create_conversation("demo/chat", "Be kind.", {"temperature": 0.5})
        user = store.add_message(conversation, None, ChatMessage("user", "What is a **fox**?"))
        reply = store.add_message(
            conversation, user, ChatMessage("assistant", ""), status="streaming"
        )
        store.checkpoint_reply(reply, Reply(content="A small canid.", status="stopped"))
        store.save_exchange(
            reply,
            Exchange(
                method="POST",
                url="http://127.0.0.1/v1/chat/completions",
                request_headers={"Authorization": f"Bearer {FAKE_KEY}"},
                request_body={"model": "demo/chat"},
            ),
        )
    return conversation


def test_export_json_then_import_round_trip(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conversation = _seed(tmp_path)
    out = tmp_path / "fox.json"
    assert (
        main(
            [
                "export",
                conversation[:6],
                "--format",
                "json",
                "-o",
                str(out),
                "--data-dir",
                str(tmp_path),
            ]
        )
        == 0
    )
    text = out.read_text()
    assert FAKE_KEY not in text and "Bearer" not in text
    data = json.loads(text)
    assert data["messages"] == [
        {"role": "system", "content": "Be kind."},
        {"role": "user", "content": "What is a **fox**?"},
        {"role": "assistant", "content": "A small canid."},
    ]
    assert data["metadata"][2]["status"] == "stopped"
    assert main(["import", str(out), "--data-dir", str(tmp_path)]) == 0
    new_id = capsys.readouterr().out.strip()
    assert new_id and new_id != conversation
    with Store.open(tmp_path / DB_NAME) as store:
        path = store.current_path(new_id)
        assert [(m.role, m.content, m.status) for m in path] == [
            ("user", "What is a **fox**?", "complete"),
            ("assistant", "A small canid.", "stopped"),
        ]
        imported = store.get_conversation(new_id)
        assert imported is not None
        assert imported.system_prompt == "Be kind." and imported.params == {"temperature": 0.5}


def test_export_markdown_to_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    conversation = _seed(tmp_path)
    assert main(["export", conversation, "--format", "md", "--data-dir", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    assert "## User" in text and "What is a **fox**?" in text and "A small canid." in text
    assert FAKE_KEY not in text


def test_unknown_id_and_bad_file_fail_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _seed(tmp_path)
    assert main(["export", "zzzz", "--data-dir", str(tmp_path)]) == 2
    assert "matches no conversation" in capsys.readouterr().err
    bad = tmp_path / "bad.json"
    bad.write_text('{"messages": [{"role": "wizard"}]}')
    assert main(["import", str(bad), "--data-dir", str(tmp_path)]) == 2
    assert "role must be one of" in capsys.readouterr().err
    text = tmp_path / "notes.txt"
    text.write_text("hello\n")
    assert main(["import", str(text), "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        "routmy-tui import: not a JSON export (Expecting value at line 1 column 1); "
        "import takes the app's own JSON or Markdown export"
    )
    markdown = tmp_path / "export.md"
    markdown.write_text("# A conversation\n\n## User\n\nhi\n")
    assert main(["import", str(markdown), "--data-dir", str(tmp_path)]) == 0  # its own export
    markdown.write_text("# Notes\n\nhi\n")
    assert main(["import", str(markdown), "--data-dir", str(tmp_path)]) == 2
    assert "not a routmy-tui export" in capsys.readouterr().err


def test_the_installed_command_exports_and_imports(tmp_path: Path) -> None:
    command = Path(sys.executable).parent / "routmy-tui"
    conversation = _seed(tmp_path)
    out = tmp_path / "out.json"
    subprocess.run(
        [
            str(command),
            "export",
            conversation,
            "--format",
            "json",
            "-o",
            str(out),
            "--data-dir",
            str(tmp_path),
        ],
        check=True,
        timeout=60,
    )
    done = subprocess.run(
        [str(command), "import", str(out), "--data-dir", str(tmp_path)],
        check=True,
        timeout=60,
        capture_output=True,
        text=True,
    )
    with Store.open(tmp_path / DB_NAME) as store:
        assert len(store.current_path(done.stdout.strip())) == 2


def test_markdown_export_to_a_terminal_cannot_drive_it(tmp_path: Path) -> None:
    """Printed to a terminal, server text shows its escapes as visible stand-ins."""
    import os
    import pty

    with Store.open(tmp_path / DB_NAME) as store:
        conversation = store.create_conversation("demo/chat", None, {})
        user = store.add_message(conversation, None, ChatMessage("user", "hi"))
        hostile = "evil \x1b]52;c;ZWNobyBwd25lZA==\x1b\\ \x1b]0;title\x07 \x9b2J done"
        store.add_message(conversation, user, ChatMessage("assistant", hostile))
    leader, follower = pty.openpty()
    proc = subprocess.run(
        [sys.executable, "-m", "routmy_tui", "export", "last", "--data-dir", str(tmp_path)],
        stdout=follower,
        stderr=subprocess.PIPE,
        timeout=60,
        check=False,
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert proc.returncode == 0, proc.stderr
    text = shown.decode()
    assert "evil" in text and "done" in text
    assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text
    assert "␛]52;c;" in text
