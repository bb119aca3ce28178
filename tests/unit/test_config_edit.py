"""Saving settings keeps the user's comments, layout and unknown keys where it can."""

from __future__ import annotations

import stat
import tomllib
from pathlib import Path

import pytest

from routmy_tui.config.settings import save_config_values

MINE = """\
# my notes on this file
model = "a/b"  # the usual one
mystery = 5

[keymap]
# keys I like
stop = "escape"

[params]
temperature = 0.7
top_p = 0.5

[mystery_table]
x = "kept"
"""


@pytest.fixture
def path(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(MINE, encoding="utf-8")
    return path


def test_values_and_table_entries_change_line_by_line(path: Path) -> None:
    save_config_values(
        path,
        {
            "model": "c/d",
            "confirm_regenerate": False,
            "keymap": {"send": "ctrl+s", "stop": None},
            "params": {"max_tokens": 5},
            "system_prompts": {"pirate": 'Say "arr".\nAlways.'},
        },
        replace=("params",),
    )
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# my notes on this file\n")
    assert 'model = "c/d"  # the usual one\n' in text
    assert "# keys I like\n" in text and 'send = "ctrl+s"' in text and "stop" not in text
    assert tomllib.loads(text) == {
        "model": "c/d",
        "mystery": 5,
        "confirm_regenerate": False,
        "keymap": {"send": "ctrl+s"},
        "params": {"max_tokens": 5},
        "mystery_table": {"x": "kept"},
        "system_prompts": {"pirate": 'Say "arr".\nAlways.'},
    }
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_what_cannot_be_edited_in_place_is_written_anew_and_nothing_is_lost(
    path: Path,
) -> None:
    save_config_values(path, {"presets": {"fast": {"temperature": 1.0}}})  # a table in a table
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["presets"] == {"fast": {"temperature": 1.0}}
    assert data["mystery"] == 5 and data["mystery_table"] == {"x": "kept"}
    assert data["keymap"] == {"stop": "escape"} and data["model"] == "a/b"


def test_a_hash_inside_a_value_is_not_taken_for_a_comment(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('system_prompt = "use # for headings"\nmodel = "x"\n', encoding="utf-8")
    save_config_values(path, {"system_prompt": "plain"})
    assert path.read_text(encoding="utf-8") == 'system_prompt = "plain"\nmodel = "x"\n'


def test_dotted_keys_and_multi_line_values_fall_back_safely(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('keymap.stop = "escape"\nfavourite_models = [\n  "a",\n]\n')
    save_config_values(path, {"keymap": {"send": "f6"}, "favourite_models": ["b"]})
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data == {"keymap": {"stop": "escape", "send": "f6"}, "favourite_models": ["b"]}
