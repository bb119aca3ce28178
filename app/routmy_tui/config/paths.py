"""Where routmy-tui keeps its files (XDG on Linux), and private, atomic file writes."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from routmy_tui.core.files import (
    PRIVATE_DIR_MODE,
    PRIVATE_FILE_MODE,
    atomic_write,
    ensure_private_dir,
)

__all__ = [
    "APP_NAME",
    "PRIVATE_DIR_MODE",
    "PRIVATE_FILE_MODE",
    "atomic_write",
    "cache_dir",
    "config_dir",
    "data_dir",
    "ensure_private_dir",
]

APP_NAME = "routmy-tui"
"""The folder name used under each base directory."""


def _home(env: Mapping[str, str]) -> Path:
    home = env.get("HOME")
    return Path(home) if home else Path.home()


def _base_dir(env: Mapping[str, str] | None, variable: str, fallback: str, kind: str) -> Path:
    """Resolve one XDG base directory and append the app's folder.

    The XDG spec says a relative value must be ignored, so only absolute ones count.
    platformdirs also honours XDG on Linux, but only reads `os.environ`; computing it here
    lets tests (and the CLI) pass their own environment. On Windows, where XDG means
    nothing, platformdirs gives the native folder.
    """
    env = os.environ if env is None else env
    value = env.get(variable, "")
    if value and os.path.isabs(value):
        return Path(value) / APP_NAME
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import platformdirs

        getter = {
            "config": platformdirs.user_config_dir,
            "data": platformdirs.user_data_dir,
            "cache": platformdirs.user_cache_dir,
        }[kind]
        return Path(getter(APP_NAME, appauthor=False))
    return _home(env) / fallback / APP_NAME


def config_dir(env: Mapping[str, str] | None = None) -> Path:
    """The configuration folder: `$XDG_CONFIG_HOME/routmy-tui`, else `~/.config/routmy-tui`.

    Args:
        env: Environment to read (defaults to `os.environ`).
    """
    return _base_dir(env, "XDG_CONFIG_HOME", ".config", "config")


def data_dir(env: Mapping[str, str] | None = None) -> Path:
    """The data folder (database, images): `$XDG_DATA_HOME/routmy-tui`, else `~/.local/share/…`.

    Args:
        env: Environment to read (defaults to `os.environ`).
    """
    return _base_dir(env, "XDG_DATA_HOME", os.path.join(".local", "share"), "data")


def cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """The cache folder (model catalog): `$XDG_CACHE_HOME/routmy-tui`, else `~/.cache/routmy-tui`.

    Args:
        env: Environment to read (defaults to `os.environ`).
    """
    return _base_dir(env, "XDG_CACHE_HOME", ".cache", "cache")
