"""Settings: precedence, XDG, broken files, wrong types, secrets, saving."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import pytest

from routmy_tui.config import paths
from routmy_tui.config.settings import (
    Settings,
    load_settings,
    mask_key,
    save_config_values,
    settings_summary,
)

FAKE_KEY = "sk_test_fake_1234567890abcd"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """An isolated environment: HOME and XDG folders inside tmp_path."""
    return {
        "HOME": str(tmp_path / "home"),
        "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }


def write_config(env: dict[str, str], text: str) -> Path:
    path = Path(env["XDG_CONFIG_HOME"]) / "routmy-tui" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_any_file(env: dict[str, str]) -> None:
    s = load_settings(env=env)
    assert s.base_url == "https://api.rout.my/v1"
    assert s.api_key is None
    assert s.theme == "routmy-dark"
    assert s.read_timeout == 600.0
    assert s.problems == []
    assert s.config_path == Path(env["XDG_CONFIG_HOME"]) / "routmy-tui" / "config.toml"
    assert s.data_dir == Path(env["XDG_DATA_HOME"]) / "routmy-tui"
    assert s.cache_dir == Path(env["XDG_CACHE_HOME"]) / "routmy-tui"


def test_precedence_defaults_file_env_overrides(env: dict[str, str]) -> None:
    write_config(
        env,
        'base_url = "http://file.example/v1"\nmodel = "file/model"\ntheme = "routmy-light"\n'
        'api_key = "sk_file_key_000000000"\nmax_retries = 5\n',
    )
    from_file = load_settings(env=env)
    assert from_file.base_url == "http://file.example/v1"
    assert from_file.model == "file/model"
    assert from_file.api_key == "sk_file_key_000000000"
    assert from_file.max_retries == 5
    assert from_file.stream is True  # untouched default

    env2 = {**env, "ROUTMY_BASE_URL": "http://env.example/v1/", "ROUTMY_API_KEY": FAKE_KEY}
    from_env = load_settings(env=env2)
    assert from_env.base_url == "http://env.example/v1"  # trailing slash dropped
    assert from_env.api_key == FAKE_KEY
    assert from_env.model == "file/model"

    final = load_settings({"base_url": "http://cli.example/v1", "model": None, "demo": True}, env2)
    assert final.base_url == "http://cli.example/v1"
    assert final.model == "file/model"  # None overrides are skipped
    assert final.demo is True
    assert final.theme == "routmy-light"


def test_config_path_from_env_and_override(env: dict[str, str], tmp_path: Path) -> None:
    other = tmp_path / "elsewhere.toml"
    other.write_text('model = "env/file"\n')
    cli = tmp_path / "cli.toml"
    cli.write_text('model = "cli/file"\n')
    s = load_settings(env={**env, "ROUTMY_TUI_CONFIG": str(other)})
    assert (s.config_path, s.model) == (other, "env/file")
    s = load_settings({"config_path": str(cli)}, {**env, "ROUTMY_TUI_CONFIG": str(other)})
    assert (s.config_path, s.model) == (cli, "cli/file")


def test_data_dir_from_file_then_override(env: dict[str, str], tmp_path: Path) -> None:
    write_config(env, f'data_dir = "{tmp_path / "filedata"}"\n')
    assert load_settings(env=env).data_dir == tmp_path / "filedata"
    s = load_settings({"data_dir": tmp_path / "clidata"}, env)
    assert s.data_dir == tmp_path / "clidata"


def test_relative_folders_in_the_file_are_relative_to_the_file(env: dict[str, str]) -> None:
    path = write_config(env, 'data_dir = "mydata"\n')
    assert load_settings(env=env).data_dir == path.parent / "mydata"


def test_key_whitespace_is_stripped_and_empty_key_is_none(env: dict[str, str]) -> None:
    write_config(env, 'api_key = ""\n')
    assert load_settings(env=env).api_key is None
    s = load_settings(env={**env, "ROUTMY_API_KEY": f"  {FAKE_KEY}\n"})
    assert s.api_key == FAKE_KEY
    assert load_settings({"api_key": " "}, env).api_key is None


def test_tilde_in_paths_is_expanded(env: dict[str, str]) -> None:
    write_config(env, 'cache_dir = "~/mycache"\n')
    s = load_settings(env=env)
    assert "~" not in str(s.cache_dir)
    assert s.cache_dir.name == "mycache"


def test_broken_toml_gives_defaults_and_a_problem_with_file_and_line(env: dict[str, str]) -> None:
    path = write_config(env, 'theme = "routmy-light"\nmodel = \n')
    s = load_settings(env=env)
    assert s.theme == "routmy-dark"
    assert len(s.problems) == 1
    assert str(path) in s.problems[0]
    assert "line 2" in s.problems[0]


def test_broken_toml_never_echoes_an_unquoted_key(env: dict[str, str]) -> None:
    write_config(env, f"api_key = {FAKE_KEY}\n")
    s = load_settings(env=env)
    assert s.problems and "line 1" in s.problems[0]
    assert FAKE_KEY not in " ".join(s.problems)
    assert FAKE_KEY not in repr(s)


def test_broken_toml_at_end_of_document_still_names_a_line(env: dict[str, str]) -> None:
    write_config(env, 'a = 1\nb = "x"\nc = ')
    s = load_settings(env=env)
    assert "line 3" in s.problems[0]


def test_unreadable_config_is_a_problem_not_a_crash(env: dict[str, str]) -> None:
    path = write_config(env, "")
    path.unlink()
    path.mkdir()  # a folder where the file should be
    s = load_settings(env=env)
    assert len(s.problems) == 1 and str(path) in s.problems[0]


def test_wrong_types_are_ignored_with_a_problem_each(env: dict[str, str]) -> None:
    write_config(
        env,
        'stream = "yes"\nmax_retries = -1\nconnect_timeout = 2\nmodel = 42\n'
        "favourite_models = ['a/b', 3]\n"
        '[keymap]\nsend = "ctrl+s"\nquit = 5\n'
        '[model_overrides."x/y"]\nvision = true\ntools = "yes"\nflying = true\n',
    )
    s = load_settings(env=env)
    assert s.stream is True and s.max_retries == 3 and s.model is None
    assert s.connect_timeout == 2.0
    assert s.favourite_models == ["a/b"]
    assert s.keymap == {"send": "ctrl+s"}
    assert s.model_overrides == {"x/y": {"vision": True}}
    text = "\n".join(s.problems)
    for key in ("'stream'", "'max_retries'", "'model'", "'favourite_models'", "keymap.quit"):
        assert key in text
    assert "tools" in text and "flying" in text
    assert len(s.problems) == 7


def test_read_timeout_zero_or_false_means_none(env: dict[str, str]) -> None:
    write_config(env, "read_timeout = 0\n")
    assert load_settings(env=env).read_timeout is None
    write_config(env, "read_timeout = false\n")
    assert load_settings(env=env).read_timeout is None
    write_config(env, "read_timeout = 30\n")
    assert load_settings(env=env).read_timeout == 30.0


def test_unknown_keys_are_reported(env: dict[str, str]) -> None:
    write_config(env, 'colour = "red"\nconfig_path = "/x"\n')
    s = load_settings(env=env)
    assert "unknown setting 'colour'" in s.problems[0]
    assert "config_path" in s.problems[1]


def test_unknown_override_is_a_programming_error(env: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="nonsense"):
        load_settings({"nonsense": 1}, env)


def test_key_never_in_repr_str_problems_or_summary(env: dict[str, str]) -> None:
    write_config(env, f'api_key = "{FAKE_KEY}"\nbogus = "{FAKE_KEY}"\nstream = "{FAKE_KEY}"\n')
    s = load_settings(env=env)
    assert s.api_key == FAKE_KEY
    assert FAKE_KEY not in repr(s) and FAKE_KEY not in str(s)
    assert FAKE_KEY not in repr(s.problems)
    summary = settings_summary(s)
    assert FAKE_KEY not in repr(summary)
    assert summary["api_key"] == "set (sk_…abcd)"
    assert FAKE_KEY not in repr(s.with_changes(model="m"))


def test_mask_key_shapes() -> None:
    assert mask_key(None) == "not set"
    assert mask_key("") == "not set"
    assert mask_key("short") == "set"
    assert mask_key("abcdefghijklmnop") == "set (…mnop)"


def test_with_changes_returns_a_new_copy(env: dict[str, str]) -> None:
    s = load_settings(env=env)
    t = s.with_changes(model="a/b", api_key=FAKE_KEY)
    assert t.model == "a/b" and t.api_key == FAKE_KEY
    assert s.model is None and s.api_key is None
    with pytest.raises(TypeError):
        s.with_changes(nonsense=1)


def test_settings_built_directly_has_paths() -> None:
    s = Settings()
    assert s.config_path.name == "config.toml"
    assert isinstance(s.data_dir, Path)


def test_presets_and_tables_round_trip_through_toml(env: dict[str, str]) -> None:
    path = load_settings(env=env).config_path
    presets = {
        "precise": {"temperature": 0.1, "max_tokens": 2048, "extra": {"seed": 7}},
        "creative": {"temperature": 1.2, "stop": ["\n\n", "END"]},
    }
    save_config_values(
        path,
        {
            "presets": presets,
            "system_prompts": {"terse": "Answer briefly."},
            "model_overrides": {"x/y.z": {"vision": True}},
            "keymap": {"toggle-inspector": "f2"},
            "params": {"temperature": 0.7, "extra": {"provider": {"order": ["a"]}}},
            "favourite_models": ["a/b", "c/d"],
        },
    )
    s = load_settings(env=env)
    assert s.problems == []
    assert s.presets == presets
    assert s.system_prompts == {"terse": "Answer briefly."}
    assert s.model_overrides == {"x/y.z": {"vision": True}}
    assert s.keymap == {"toggle-inspector": "f2"}
    assert s.params["extra"] == {"provider": {"order": ["a"]}}
    assert s.favourite_models == ["a/b", "c/d"]


def test_save_merges_deletes_and_writes_0600(env: dict[str, str]) -> None:
    path = write_config(env, 'theme = "routmy-light"\n[keymap]\nsend = "enter"\nquit = "ctrl+q"\n')
    os.chmod(path, 0o644)
    save_config_values(
        path, {"api_key": FAKE_KEY, "theme": None, "keymap": {"send": "ctrl+s", "quit": None}}
    )
    data = tomllib.loads(path.read_text())
    assert data == {"api_key": FAKE_KEY, "keymap": {"send": "ctrl+s"}}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_save_creates_missing_file_and_private_folder(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "config.toml"
    save_config_values(path, {"model": "a/b", "data_dir": tmp_path / "d"})
    assert tomllib.loads(path.read_text()) == {"model": "a/b", "data_dir": str(tmp_path / "d")}
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_failing_save_leaves_old_file_intact(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_config(env, 'model = "old/model"\n')

    def fail_fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(paths.os, "fsync", fail_fsync)
    with pytest.raises(OSError):
        save_config_values(path, {"model": "new/model"})
    assert path.read_text() == 'model = "old/model"\n'
    assert sorted(os.listdir(path.parent)) == ["config.toml"]


def test_save_refuses_to_overwrite_a_broken_file(env: dict[str, str]) -> None:
    path = write_config(env, f"api_key = {FAKE_KEY}\n")
    with pytest.raises(ValueError) as info:
        save_config_values(path, {"model": "x"})
    assert "line 1" in str(info.value) and FAKE_KEY not in str(info.value)
    assert path.read_text() == f"api_key = {FAKE_KEY}\n"


def test_save_rejects_unserialisable_values_without_writing(env: dict[str, str]) -> None:
    path = write_config(env, 'model = "a"\n')
    with pytest.raises(ValueError):
        save_config_values(path, {"params": {"bad": object()}})
    assert path.read_text() == 'model = "a"\n'


def test_image_max_side_from_the_file_and_bad_values_are_reported(env: dict[str, str]) -> None:
    assert load_settings(env=env).image_max_side == 2048
    write_config(env, "image_max_side = 1024\n")
    assert load_settings(env=env).image_max_side == 1024
    write_config(env, "image_max_side = 10\n")
    settings = load_settings(env=env)
    assert settings.image_max_side == 2048
    assert any("image_max_side" in problem for problem in settings.problems)
