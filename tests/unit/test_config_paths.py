"""Config paths: XDG folders and private, atomic writes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from routmy_tui.config import paths


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_xdg_variables_are_honoured(tmp_path: Path) -> None:
    env = {
        "HOME": str(tmp_path / "home"),
        "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    assert paths.config_dir(env) == tmp_path / "cfg" / "routmy-tui"
    assert paths.data_dir(env) == tmp_path / "data" / "routmy-tui"
    assert paths.cache_dir(env) == tmp_path / "cache" / "routmy-tui"


def test_home_fallbacks_without_xdg(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path)}
    assert paths.config_dir(env) == tmp_path / ".config" / "routmy-tui"
    assert paths.data_dir(env) == tmp_path / ".local" / "share" / "routmy-tui"
    assert paths.cache_dir(env) == tmp_path / ".cache" / "routmy-tui"


def test_relative_xdg_value_is_ignored(tmp_path: Path) -> None:
    # The XDG spec: relative paths are invalid and must be ignored.
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": "relative/cfg", "XDG_DATA_HOME": ""}
    assert paths.config_dir(env) == tmp_path / ".config" / "routmy-tui"
    assert paths.data_dir(env) == tmp_path / ".local" / "share" / "routmy-tui"


def test_ensure_private_dir_creates_parents_0700(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        target = paths.ensure_private_dir(tmp_path / "a" / "b" / "c")
    finally:
        os.umask(old)
    assert target.is_dir()
    for folder in (tmp_path / "a", tmp_path / "a" / "b", target):
        assert _mode(folder) == 0o700
    paths.ensure_private_dir(target)  # idempotent


def test_ensure_private_dir_leaves_existing_folders_alone(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    paths.ensure_private_dir(folder)
    assert _mode(folder) == 0o755


def test_atomic_write_creates_private_file_and_folder(tmp_path: Path) -> None:
    target = tmp_path / "new" / "config.toml"
    paths.atomic_write(target, b"x = 1\n")
    assert target.read_bytes() == b"x = 1\n"
    assert _mode(target) == 0o600
    assert _mode(target.parent) == 0o700
    assert os.listdir(target.parent) == ["config.toml"]


def test_atomic_write_replaces_and_applies_mode(tmp_path: Path) -> None:
    target = tmp_path / "f.json"
    target.write_bytes(b"old")
    os.chmod(target, 0o644)
    paths.atomic_write(target, b"new", mode=0o640)
    assert target.read_bytes() == b"new"
    assert _mode(target) == 0o640


def test_failed_atomic_write_keeps_old_file_and_cleans_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "w"  # a folder of its own: tmp_path also holds the fixture's HOME
    folder.mkdir()
    target = folder / "config.toml"
    target.write_bytes(b"old = true\n")

    def boom(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(paths.os, "replace", boom)
    with pytest.raises(OSError):
        paths.atomic_write(target, b"new = true\n")
    assert target.read_bytes() == b"old = true\n"
    assert os.listdir(folder) == ["config.toml"]
