"""The one settings object: defaults < config file < environment < command line."""

from __future__ import annotations

import copy
import dataclasses
import os
import re
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

from routmy_tui.config import paths
from routmy_tui.config.config_edit import edit_in_place
from routmy_tui.config.validate import (
    FILE_FIELDS,
    MISSING,
    check_value,
    find_line,
    locate_problem,
    redact,
)

DEFAULT_BASE_URL = "https://api.rout.my/v1"
DEFAULT_RENDER_LIMIT = 1_000_000
"""Characters of one reply drawn by default (see `Settings.render_limit`)."""


def _default_config_path() -> Path:
    return paths.config_dir() / "config.toml"


def _default_data_dir() -> Path:
    return paths.data_dir()


def _default_cache_dir() -> Path:
    return paths.cache_dir()


@dataclass(frozen=True)
class Settings:
    """Everything the app can be told, built once at start (see `load_settings`).

    Immutable: a change makes a new value with `with_changes` (the app holds the value in
    force in `services.container.UserSettings`). The API key is kept out of `repr`/`str`;
    use `settings_summary` for anything shown on screen.
    """

    base_url: str = DEFAULT_BASE_URL
    """API base URL, up to and including `/v1` (`ROUTMY_BASE_URL`, `--base-url`)."""

    api_key: str | None = field(default=None, repr=False)
    """The secret key (`ROUTMY_API_KEY` or config `api_key`). Never shown, never logged."""

    model: str | None = None
    """Default model id (`--model` or config `model`); None lets the user pick."""

    demo: bool = False
    """Run against the built-in demo backend (`--demo`)."""

    config_path: Path = field(default_factory=_default_config_path)
    """The config file: `--config`, else `ROUTMY_TUI_CONFIG`, else `<config_dir>/config.toml`."""

    data_dir: Path = field(default_factory=_default_data_dir)
    """Where the database and saved images live (`--data-dir`, config `data_dir`)."""

    cache_dir: Path = field(default_factory=_default_cache_dir)
    """Where the model catalog is cached."""

    theme: str = "routmy-dark"
    """Name of the theme to start with."""

    resume_last: bool = True
    """Start in the last conversation instead of a new one."""

    stream: bool = True
    """Ask for streamed replies."""

    max_retries: int = 3
    """Automatic retries of retryable failures (429, 5xx, network)."""

    connect_timeout: float = 10.0
    """Seconds to wait for a connection."""

    read_timeout: float | None = 600.0
    """Seconds of server silence before giving up; None waits forever. Long on purpose:
    reasoning and image models can be silent for minutes. In the file, 0 or false means None."""

    keymap: dict[str, str] = field(default_factory=dict)
    """Binding id -> keys, e.g. `{"send": "enter", "toggle-inspector": "f2"}`."""

    params: dict[str, Any] = field(default_factory=dict)
    """Default request parameters (temperature, max_tokens, ... and `extra` fields)."""

    presets: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Named parameter presets (`[presets.NAME]` tables)."""

    system_prompt: str = ""
    """System prompt of new conversations."""

    system_prompts: dict[str, str] = field(default_factory=dict)
    """Saved system prompts by name."""

    favourite_models: list[str] = field(default_factory=list)
    """Model ids pinned to the top of the picker, in this order."""

    model_overrides: dict[str, dict[str, bool]] = field(default_factory=dict)
    """Per-model capability overrides, e.g. `{"x/y": {"vision": True}}`."""

    image_max_side: int = 2048
    """Longest side, in pixels, of an attached picture: bigger ones are scaled down before
    they are sent (config `image_max_side`, from 64 to 8192)."""

    image_max_mb: int = 40
    """Largest picture file, in MB, that can be attached: bigger ones are refused before they
    are read (config `image_max_mb`, from 1 to 200)."""

    render_limit: int = DEFAULT_RENDER_LIMIT
    """Characters of one reply drawn on screen at most (1,000,000 by default); past it the
    reply stops being drawn, live or not, and says so. The whole reply is still received,
    stored, exported and shown in the inspector. Raise it to see huge replies (drawing is
    then slower); 0 means no limit."""
    confirm_regenerate: bool = True
    """Ask before regenerating a reply (a new paid request); "don't ask again" turns it off."""

    confirm_replay: bool = True
    """Ask before sending a replayed request."""

    problems: list[str] = field(default_factory=list)
    """Non-fatal problems met while loading (bad TOML, wrong types), to show on screen."""

    def with_changes(self, **changes: Any) -> Settings:
        """A copy with some fields replaced (`dataclasses.replace`)."""
        return dataclasses.replace(self, **changes)


FIELD_NAMES = frozenset(f.name for f in dataclasses.fields(Settings))
_PATH_FIELDS = frozenset({"config_path", "data_dir", "cache_dir"})
_LINE_RE = re.compile(r"\(at line (\d+), column (\d+)\)")
_KEY_IN_TEXT_RE = re.compile(r"""api_key\s*=\s*["']?([^"'\s]+)""")


def mask_key(key: str | None) -> str:
    """Describe a key without revealing it: `set (sk_…1234)` or `not set`.

    Only the last 4 characters are shown, and only for keys long enough that 4 characters
    give nothing useful away.
    """
    if not key:
        return "not set"
    if len(key) < 12:
        return "set"
    prefix = "sk_" if key.startswith("sk_") else ""
    return f"set ({prefix}…{key[-4:]})"


def settings_summary(settings: Settings) -> dict[str, Any]:
    """Every setting in a form safe to show: the key is masked, paths are strings."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(settings):
        value = getattr(settings, f.name)
        if f.name == "api_key":
            out["api_key"] = mask_key(value)
        elif isinstance(value, Path):
            out[f.name] = str(value)
        elif isinstance(value, dict | list):
            out[f.name] = _copy(value)
        else:
            out[f.name] = value
    return out


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _describe_toml_error(path: Path, exc: tomllib.TOMLDecodeError, text: str) -> str:
    message = str(exc)
    found = _LINE_RE.search(message)
    if found:
        where = f"line {found.group(1)}, column {found.group(2)}"
        reason = message[: found.start()].strip()
    else:
        where = f"line {text.count(chr(10)) + 1} (end of file)"
        reason = message.split(" (at ")[0].strip()
    return f"config file {path} is not valid TOML ({reason} at {where}); using defaults"


def _read_config(path: Path, secrets: list[str]) -> tuple[dict[str, Any], list[str], str]:
    """Read the config file; a missing file is no problem, a broken one is reported.

    Returns:
        (the values, problems, the file's text for finding lines).
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}, [], ""
    except OSError as exc:
        problem = f"config file {path} could not be read ({exc.strerror or exc}); using defaults"
        return {}, [problem], ""
    text = raw.decode("utf-8", errors="replace")
    try:
        return tomllib.loads(text), [], text
    except tomllib.TOMLDecodeError as exc:
        # A key written without quotes breaks the file; it must not reach the error text.
        secrets = secrets + _KEY_IN_TEXT_RE.findall(text)
        return {}, [redact(_describe_toml_error(path, exc, text), secrets)], text


def at_line(path: Path, line: int | None, problem: str) -> str:
    """A problem with where it is: `FILE:LINE: problem` (or `problem in FILE`)."""
    return f"{path}:{line}: {problem}" if line is not None else f"{problem} in {path}"


def locate(path: Path, table: str | None, key: str | None) -> int | None:
    """The line of a key in the config file (None when not found or unreadable)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return find_line(text, table, key)


def _as_path(value: Any) -> Path:
    return Path(os.path.expanduser(str(value)))


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Build the settings: defaults < config file < environment < overrides.

    Never raises for a bad config file: what could not be used is listed in `problems`.

    Args:
        overrides: Values from the command line, by field name; None values are skipped,
            so the CLI can pass every option as parsed.
        env: Environment to read (defaults to `os.environ`).

    Raises:
        ValueError: An override names no setting (a programming error).
    """
    env = os.environ if env is None else env
    overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
    unknown = sorted(set(overrides) - FIELD_NAMES)
    if unknown:
        raise ValueError(f"unknown setting(s) in overrides: {', '.join(unknown)}")

    values: dict[str, Any] = {}
    problems: list[str] = []
    secrets = [s for s in (env.get("ROUTMY_API_KEY"), overrides.get("api_key")) if s]

    if "config_path" in overrides:
        config_path = _as_path(overrides["config_path"])
    elif env.get("ROUTMY_TUI_CONFIG"):
        config_path = _as_path(env["ROUTMY_TUI_CONFIG"])
    else:
        config_path = paths.config_dir(env) / "config.toml"
    values["config_path"] = config_path
    values["data_dir"] = paths.data_dir(env)
    values["cache_dir"] = paths.cache_dir(env)

    data, read_problems, text = _read_config(config_path, secrets)
    problems.extend(read_problems)
    if isinstance(data.get("api_key"), str):
        secrets.append(data["api_key"])
    for key, value in data.items():
        line = find_line(text, None, key)
        if key not in FILE_FIELDS:
            if key == "config_path":
                problem = "setting 'config_path' cannot be set in the config file; ignored"
            elif isinstance(value, dict):
                problem = f"unknown section [{key}] ignored"
            else:
                problem = f"unknown setting {key!r} ignored"
            problems.append(at_line(config_path, line, problem))
            continue
        checked, key_problems = check_value(key, value)
        problems.extend(at_line(config_path, locate_problem(text, key, p), p) for p in key_problems)
        if checked is MISSING:
            continue
        if key in _PATH_FIELDS:
            # Relative folders in the file are relative to the file, not to where we started.
            checked = config_path.parent / _as_path(checked)
        values[key] = checked

    env_key = env.get("ROUTMY_API_KEY", "").strip()
    if env_key:
        values["api_key"] = env_key
    if env.get("ROUTMY_BASE_URL"):
        values["base_url"] = env["ROUTMY_BASE_URL"]

    values.update(overrides)
    for key in _PATH_FIELDS:
        values[key] = _as_path(values[key])
    if isinstance(values.get("api_key"), str):
        # Pasted keys often carry a newline or spaces; an empty key is no key.
        values["api_key"] = values["api_key"].strip() or None
    if isinstance(values.get("base_url"), str):
        values["base_url"] = values["base_url"].strip().rstrip("/") or DEFAULT_BASE_URL
    values["problems"] = [redact(p, secrets) for p in problems]
    return Settings(**values)


def _strip_none(value: Any) -> Any:
    """TOML cannot hold None: drop such entries from nested tables and lists."""
    if isinstance(value, Mapping):
        return {str(k): _strip_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_strip_none(v) for v in value if v is not None]
    if isinstance(value, Path):
        return str(value)
    return value


def _merge(target: dict[str, Any], updates: Mapping[str, Any]) -> None:
    for key, value in updates.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = _strip_none(value)


def save_config_values(
    path: Path, updates: Mapping[str, Any], replace: Collection[str] = ()
) -> None:
    """Change some values of the config file and write it back atomically, mode 0600.

    Tables are merged key by key (`{"keymap": {"send": "ctrl+s"}}` changes one binding);
    a None value deletes its key at any depth (`{"presets": {"fast": None}}`). Comments
    and layout are kept where the change can be made line by line (top-level values and
    entries of plain tables, see `config_edit`); otherwise the TOML is written anew.

    Args:
        path: The config file (created, with its folder, if missing).
        updates: Top-level keys to set; values must be TOML-serialisable.
        replace: Top-level tables of `updates` written whole instead of merged (an entry
            the new table lacks is removed).

    Raises:
        ValueError: The existing file is not valid TOML (it is left untouched, so nothing
            the user wrote is lost), or a value cannot be written as TOML.
        OSError: The file could not be read or written; the old file stays intact.
    """
    path = Path(path)
    current: dict[str, Any] = {}
    try:
        text = path.read_bytes().decode("utf-8", errors="replace")
    except FileNotFoundError:
        text = None
    if text is not None:
        try:
            current = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            secrets = _KEY_IN_TEXT_RE.findall(text)
            raise ValueError(
                redact(_describe_toml_error(path, exc, text), secrets).replace(
                    "; using defaults", "; fix it before saving settings"
                )
            ) from None
    before = copy.deepcopy(current)
    for key in replace:
        if key in updates:
            current.pop(key, None)
    _merge(current, updates)
    try:
        encoded = tomli_w.dumps(current).encode("utf-8")
    except TypeError as exc:
        # The message names the type only, never the value.
        raise ValueError(f"cannot write settings as TOML: {exc}") from None
    if text is not None:
        # The user's comments and layout stay when the change can be made line by line.
        edited = edit_in_place(text, before, updates, replace, current)
        if edited is not None:
            encoded = edited.encode("utf-8")
    paths.atomic_write(path, encoded, paths.PRIVATE_FILE_MODE)
