"""What the Settings screen relies on: key strings checked, fields checked, tables replaced."""

from __future__ import annotations

import stat
import tomllib
from pathlib import Path

from routmy_tui.config.settings import load_settings, save_config_values
from routmy_tui.ui.commands import key_clash, key_problem, normalize_keys
from routmy_tui.ui.settings.settings_screen import check_field, params_summary


def test_keys_as_help_writes_them_become_textual_keys() -> None:
    assert normalize_keys("Ctrl+K") == "ctrl+k"
    assert normalize_keys("Esc F1 q") == "escape,f1,q"
    assert normalize_keys(" f6 , ctrl+c ") == "f6,ctrl+c"
    assert normalize_keys("G") == "G"  # a capital letter is its own key
    assert key_problem(normalize_keys("notakey+++")) is not None
    assert key_problem(normalize_keys("Ctrl+Shift+Tab")) is None


def test_a_key_another_command_answers_there_is_refused() -> None:
    assert "New conversation" in (key_clash("toggle-inspector", "ctrl+n", {}) or "")
    assert "Edit message" in (key_clash("regenerate", "e", {}) or "")
    assert "Quit" in (key_clash("picker-close", "ctrl+q", {}) or "")  # everywhere
    assert key_clash("stop", "escape,ctrl+c", {}) is None  # shared by default with Cancel edit
    assert "Toggle inspector" in (key_clash("regenerate", "f2", {}) or "")  # inside the chat
    assert key_clash("inspector-copy-curl", "g", {}) is None  # the focus is in one or the other
    # A remapped command frees its old key.
    assert key_clash("select-model", "f2", {"toggle-inspector": "f12"}) is None
    assert "text boxes keep F6" in (key_clash("toggle-inspector", "f6", {}) or "")


def test_fields_refuse_what_the_config_would_refuse() -> None:
    assert check_field("image_max_side", " 1024 ") == (1024, None)
    assert (
        check_field("image_max_side", "9")[1] == "must be a whole number of pixels from 64 to 8192"
    )
    assert "is not a whole number of MB" in (check_field("image_max_mb", "1.5")[1] or "")
    assert check_field("model", "two words")[1] == "a model id has no spaces"
    assert check_field("model", "") == ("", None)
    assert params_summary({}) == "none set: each model's own"
    assert params_summary({"temperature": 0.5}) == "temperature 0.5"


def test_a_replaced_table_loses_old_entries_and_unknown_keys_stay(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        'mystery = 5\n[params]\ntemperature = 9\ntop_p = 0.5\n[mystery_table]\nx = "kept"\n'
    )
    save_config_values(path, {"params": {"max_tokens": 100}}, replace=("params",))
    data = tomllib.loads(path.read_text())
    assert data == {"mystery": 5, "params": {"max_tokens": 100}, "mystery_table": {"x": "kept"}}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    save_config_values(path, {"params": {"top_p": 0.9}})  # merged, as before
    assert tomllib.loads(path.read_text())["params"] == {"max_tokens": 100, "top_p": 0.9}


def test_image_max_mb_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    env = {"ROUTMY_TUI_CONFIG": str(path), "XDG_CONFIG_HOME": str(tmp_path)}
    assert load_settings(env=env).image_max_mb == 40
    path.write_text("image_max_mb = 5\n")
    assert load_settings(env=env).image_max_mb == 5
    path.write_text("image_max_mb = 0\n")
    settings = load_settings(env=env)
    assert settings.image_max_mb == 40
    assert any("image_max_mb" in problem and "1 to 200" in problem for problem in settings.problems)
