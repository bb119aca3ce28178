"""Tool sets on disk: saved sets in the config folder, the shipped `examples`, files by path."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from routmy_tui.config import paths
from routmy_tui.core.toolsets import FunctionTool, ToolSetError, parse_tools, to_params

__all__ = [
    "SET_NAME_RE",
    "SHIPPED",
    "load_tool_set",
    "load_tools_arg",
    "read_tools_file",
    "save_tool_set",
    "saved_sets",
    "sets_dir",
]

SET_NAME_RE = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
"""Names of saved sets (they become file names)."""

SHIPPED_DIR = Path(__file__).parent / "shipped_tools"
SHIPPED = ("examples",)
"""Sets that come with the package."""


def sets_dir(env: Mapping[str, str] | None = None) -> Path:
    """Where saved tool sets live: `<config folder>/tools/NAME.json` (or `.toml`)."""
    return paths.config_dir(env) / "tools"


def saved_sets(folder: Path | None = None) -> list[str]:
    """Names of the sets that can be picked: the shipped ones, then the user's, sorted."""
    folder = sets_dir() if folder is None else folder
    names: set[str] = set()
    try:
        for path in folder.iterdir():
            if path.suffix in (".json", ".toml") and SET_NAME_RE.match(path.stem):
                names.add(path.stem)
    except OSError:
        pass
    return [*SHIPPED, *sorted(names - set(SHIPPED))]


def read_tools_file(path: Path, *, trusted: bool = False) -> tuple[list[FunctionTool], list[str]]:
    """Read a tool set file (`.toml` as TOML, anything else as JSON).

    Args:
        path: The file.
        trusted: Keep `auto_approve` (sets the user saved in the config folder). A file from
            elsewhere could otherwise run its programs without asking.

    Returns:
        The tools, and notes for the user (e.g. an `auto_approve` that was ignored).

    Raises:
        ToolSetError: The file cannot be read or used (the message names it, with line and
            column when the problem is inside).
    """
    try:
        text = path.read_bytes().decode("utf-8", errors="replace")
    except OSError as exc:
        raise ToolSetError(f"cannot read it ({exc.strerror or exc})", source=str(path)) from None
    tools = parse_tools(text, toml=path.suffix.lower() == ".toml", source=str(path))
    notes: list[str] = []
    if not trusted and any(t.auto_approve for t in tools):
        names = ", ".join(t.name for t in tools if t.auto_approve)
        notes.append(
            f"auto_approve ignored for {names}: only sets saved in {sets_dir()} run programs"
            " without asking"
        )
        tools = [replace(t, auto_approve=False) for t in tools]
    return tools, notes


def load_tool_set(name: str, folder: Path | None = None) -> list[FunctionTool]:
    """A saved set by name (the user's file wins over a shipped set of the same name).

    Raises:
        ToolSetError: No such set, or it does not check out.
    """
    if not SET_NAME_RE.match(name):
        raise ToolSetError(f"{name!r} is not a tool set name (letters, digits, _ and -)")
    folder = sets_dir() if folder is None else folder
    for suffix in (".json", ".toml"):
        path = folder / f"{name}{suffix}"
        if path.is_file():
            return read_tools_file(path, trusted=True)[0]
    if name in SHIPPED:
        return read_tools_file(SHIPPED_DIR / f"{name}.json", trusted=True)[0]
    known = ", ".join(saved_sets(folder))
    raise ToolSetError(f"no tool set named {name!r} (known: {known})")


def save_tool_set(name: str, tools: Sequence[FunctionTool], folder: Path | None = None) -> Path:
    """Write a set as `<folder>/NAME.json` (the OpenAI `tools` array, local keys included).

    Raises:
        ToolSetError: A bad name.
        OSError: The file could not be written (an old file stays intact).
    """
    if not SET_NAME_RE.match(name):
        raise ToolSetError(f"{name!r} is not a tool set name (letters, digits, _ and -)")
    folder = sets_dir() if folder is None else folder
    paths.ensure_private_dir(folder)
    target = folder / f"{name}.json"
    text = json.dumps(to_params(tools), indent=2, ensure_ascii=False) + "\n"
    paths.atomic_write(target, text.encode("utf-8"), paths.PRIVATE_FILE_MODE)
    return target


def load_tools_arg(arg: str, folder: Path | None = None) -> tuple[list[FunctionTool], list[str]]:
    """What `--tools FILE|NAME` names: a file when it looks like a path, else a saved set.

    Returns:
        The tools and notes for the user.

    Raises:
        ToolSetError: The file or set cannot be used.
    """
    path = Path(arg).expanduser()
    if SET_NAME_RE.match(arg) and not path.is_file():
        return load_tool_set(arg, folder), []
    return read_tools_file(path)
