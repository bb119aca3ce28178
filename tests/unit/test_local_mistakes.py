"""Local mistakes never stop the app: bad config values and theme variables, private files."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from routmy_tui.cli import main
from routmy_tui.cli_store import DB_NAME
from routmy_tui.config.settings import load_settings
from routmy_tui.config.themes import load_themes
from routmy_tui.core.request import ChatParams, build_chat_body
from routmy_tui.core.types import ChatMessage, Reply, ToolCall
from routmy_tui.store import Store, StoreError
from routmy_tui.store import db as store_db

DEEP = "[" * 1000 + "]" * 1000


@pytest.mark.parametrize("extra", ['"x"', '["a", "b"]', "3"])
def test_params_of_the_wrong_type_are_reported_and_skipped(tmp_path: Path, extra: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[params]\nextra = {extra}\ntemperature = "hot"\nmax_tokens = 50\n')
    settings = load_settings({"config_path": str(config)})
    assert settings.params == {"max_tokens": 50}
    assert any("'params.extra' should be a table" in p for p in settings.problems)
    assert any("'params.temperature' should be a number" in p for p in settings.problems)
    body = build_chat_body("m", [ChatMessage("user", "hi")], ChatParams.from_dict(settings.params))
    assert body["max_tokens"] == 50


def test_params_from_a_store_or_an_import_never_break_the_request() -> None:
    params = ChatParams.from_dict({"extra": "x", "stop": [1], "tools": "no", "top_p": 0.5})
    body = build_chat_body("m", [ChatMessage("user", "hi")], params)
    assert body["top_p"] == 0.5
    assert "stop" not in body and "tools" not in body


def test_a_theme_variable_that_is_not_a_colour_is_skipped_not_the_theme(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text(
        'name = "bad"\nprimary = "#112233"\n[variables]\n'
        'user-label = "notacolor"\nuser-message-background = 3\ncode-theme = "dracula"\n'
    )
    themes, problems = load_themes([tmp_path])
    assert themes["bad"].colors["primary"] == "#112233"
    assert themes["bad"].variables["code-theme"] == "dracula"
    assert "user-label" not in themes["bad"].variables
    assert len(problems) == 1  # one line for the file, naming both
    assert "'user-label' is not a colour" in problems[0]
    assert "'user-message-background' should be a string" in problems[0]


def test_a_new_data_folder_and_its_parents_are_private(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        with Store.open(tmp_path / "a" / "b" / DB_NAME):
            pass
    finally:
        os.umask(old)
    for folder in (tmp_path / "a", tmp_path / "a" / "b"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "a" / "b" / DB_NAME).stat().st_mode) == 0o600


def test_a_read_only_folder_is_described_as_such(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Store.open(tmp_path / DB_NAME):
        pass
    before = (tmp_path / DB_NAME).read_bytes()
    real_access = os.access
    # What the OS answers for a read-only folder (tests run as root, where chmod cannot show it).
    monkeypatch.setattr(
        store_db.os,
        "access",
        lambda path, mode: False if Path(path) == tmp_path else real_access(path, mode),
    )
    with pytest.raises(StoreError) as caught:
        Store.open(tmp_path / DB_NAME)
    message = str(caught.value)
    assert "read-only" in message and "left untouched" in message
    assert "not a readable" not in message
    assert (tmp_path / DB_NAME).read_bytes() == before


def _seed(data: Path) -> str:
    with Store.open(data / DB_NAME) as store:
        conversation = store.create_conversation("demo/chat", None, {})
        user = store.add_message(conversation, None, ChatMessage("user", "hi \ud800"))
        reply = store.add_message(conversation, user, ChatMessage("assistant", ""))
        store.checkpoint_reply(
            reply,
            Reply(content="x", tool_calls=[ToolCall("c", "f", DEEP)], status="complete"),
        )
    return conversation


@pytest.mark.parametrize("fmt", ["md", "json"])
def test_export_to_a_file_is_private_and_takes_any_text(tmp_path: Path, fmt: str) -> None:
    _seed(tmp_path)
    out = tmp_path / "out" / f"export.{fmt}"
    old = os.umask(0o022)
    try:
        status = main(
            ["export", "last", "--format", fmt, "-o", str(out), "--data-dir", str(tmp_path)]
        )
    finally:
        os.umask(old)
    assert status == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    text = out.read_text("utf-8")
    if fmt == "json":
        data = json.loads(text)
        assert data["messages"][0]["content"] == "hi \ufffd"  # the store kept U+FFFD
        assert data["messages"][1]["tool_calls"][0]["function"]["arguments"] == DEEP


def test_importing_deep_json_fails_cleanly_and_deep_arguments_import(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deep_file = tmp_path / "deep.json"
    deep_file.write_text('{"messages": ' + DEEP + "}")
    assert main(["import", str(deep_file), "--data-dir", str(tmp_path)]) == 2
    assert "nested deeper than" in capsys.readouterr().err
    call = {"id": "c", "type": "function", "function": {"name": "f", "arguments": DEEP}}
    good = [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": None, "tool_calls": [call]},
    ]
    good_file = tmp_path / "good.json"
    good_file.write_text(json.dumps(good))
    assert main(["import", str(good_file), "--data-dir", str(tmp_path)]) == 0
    with Store.open(tmp_path / DB_NAME) as store:
        conversation = store.latest_conversation_id()
        assert conversation is not None
        stored = store.current_path(conversation)[1].tool_calls[0]
    assert stored.arguments == DEEP
    assert stored.parsed_arguments()[0] is None


def test_command_line_errors_quoting_stored_titles_are_harmless(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store.open(tmp_path / DB_NAME) as store:
        conversation = store.create_conversation("m")
        store.rename_conversation(conversation, "title \x1b]52;c;ZWNobw==\x07 \u202eevil")
    assert main(["export", "nope", "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "recent conversations" in err and "title ␛]52;c;ZWNobw==␇" in err
    assert "\x1b" not in err and "\x07" not in err and "\u202e" not in err
