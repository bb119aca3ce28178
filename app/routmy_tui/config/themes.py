"""Themes as data: TOML files shipped with the package or dropped into the config folder."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import routmy_tui
from routmy_tui.config import paths
from routmy_tui.config.colors import is_color

COLOR_KEYS = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "warning",
    "error",
    "success",
)
"""Colour fields a theme file may set at top level (`primary` is required)."""

REQUIRED_VARIABLES = (
    "user-message-background",
    "assistant-message-background",
    "reasoning-foreground",
    "error-background",
    "status-foreground",
    "code-theme",
)
"""Variables the app's TCSS uses; user themes that lack some inherit them (see `load_themes`)."""

DEFAULT_THEME = "routmy-dark"
"""The theme used when none is chosen, or the chosen one is missing."""

_COLOR_VARIABLE_ENDS = ("-background", "-foreground", "-color", "-colour", "-label")
"""Variables with these name endings are colours (ours and Textual's own)."""

_LINE_RE = re.compile(r"\(at line (\d+), column \d+\)")


@dataclass
class ThemeSpec:
    """A theme as read from a file; the UI turns it into a `textual.theme.Theme`.

    Attributes:
        name: Theme name (what the config's `theme` setting refers to).
        dark: Whether it is a dark theme.
        colors: The colour fields that were set (see `COLOR_KEYS`).
        variables: Extra string variables, e.g. `user-message-background`, `code-theme`.
        source: The file it came from.
        problems: Variables that were left out, and why (the rest of the theme is used).
    """

    name: str
    dark: bool
    colors: dict[str, str]
    variables: dict[str, str] = field(default_factory=dict)
    source: Path = field(default_factory=Path)
    problems: list[str] = field(default_factory=list)


class ThemeError(ValueError):
    """A theme file that cannot be used; the message says why, without the path."""


def load_theme_file(path: Path) -> ThemeSpec:
    """Read and check one theme file.

    Args:
        path: A `.toml` theme file.

    Raises:
        ThemeError: The file is unreadable, not TOML, or not a valid theme.
    """
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8", errors="replace"))
    except OSError as exc:
        raise ThemeError(f"cannot be read ({exc.strerror or exc})") from None
    except tomllib.TOMLDecodeError as exc:
        found = _LINE_RE.search(str(exc))
        where = f"line {found.group(1)}" if found else "the end of the file"
        raise ThemeError(f"is not valid TOML ({str(exc).split(' (at ')[0]} at {where})") from None
    name = data.get("name", path.stem)
    if not isinstance(name, str) or not name.strip():
        raise ThemeError("'name' should be a non-empty string")
    dark = data.get("dark", True)
    if not isinstance(dark, bool):
        raise ThemeError("'dark' should be true or false")
    colors: dict[str, str] = {}
    for key in COLOR_KEYS:
        if key not in data:
            continue
        value = data[key]
        if not is_color(value):
            shown = repr(value)[:40] if isinstance(value, str) else type(value).__name__
            raise ThemeError(f"{key!r} is not a colour ({shown})")
        text = value.strip()
        # Textual's parser wants colour words in lower case ("Red" fails there).
        colors[key] = text if text.startswith("#") or "(" in text else text.lower()
    if "primary" not in colors:
        raise ThemeError("'primary' colour is missing")
    variables_raw = data.get("variables", {})
    if not isinstance(variables_raw, dict):
        raise ThemeError("[variables] should be a table")
    variables: dict[str, str] = {}
    problems: list[str] = []
    for key, value in variables_raw.items():
        if not isinstance(value, str):
            problems.append(f"variable {key!r} should be a string")
        elif key.endswith(_COLOR_VARIABLE_ENDS) and not is_color(value):
            # Drawn as a colour: a bad one would stop the app at start.
            problems.append(f"variable {key!r} is not a colour ({value[:40]!r})")
        else:
            variables[key] = value
    return ThemeSpec(
        name=name.strip(),
        dark=dark,
        colors=colors,
        variables=variables,
        source=path,
        problems=problems,
    )


def shipped_themes_dir() -> Path:
    """The folder of themes shipped with the app.

    A wheel carries them as `routmy_tui/themes/`; an editable install (source tree) has them at
    the repository's `themes/`. The first that exists wins; otherwise the wheel location.
    """
    package_dir = Path(routmy_tui.__file__).resolve().parent
    candidates = (package_dir / "themes", package_dir.parents[1] / "themes")
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return candidates[0]


def user_themes_dir(env: Mapping[str, str] | None = None) -> Path:
    """`<config_dir>/themes`, where users drop their own theme files."""
    return paths.config_dir(env) / "themes"


def theme_dirs(env: Mapping[str, str] | None = None) -> list[Path]:
    """Folders to load themes from, lowest priority first: shipped, then the user's."""
    return [shipped_themes_dir(), user_themes_dir(env)]


def load_themes(dirs: Iterable[Path]) -> tuple[dict[str, ThemeSpec], list[str]]:
    """Load every `*.toml` theme of the given folders.

    A theme from a later folder replaces one of the same name from an earlier folder, so user
    themes override shipped ones. Missing folders are fine. A theme that lacks some of
    `REQUIRED_VARIABLES` takes them from the shipped theme of the same darkness.

    Args:
        dirs: Folders, lowest priority first (see `theme_dirs`).

    Returns:
        (themes by name, one problem line per bad file, naming the file).
    """
    themes: dict[str, ThemeSpec] = {}
    first_seen: dict[str, ThemeSpec] = {}
    problems: list[str] = []
    for folder in dirs:
        try:
            files = sorted(p for p in folder.glob("*.toml") if p.is_file())
        except OSError:
            continue
        for path in files:
            try:
                spec = load_theme_file(path)
            except ThemeError as exc:
                problems.append(f"theme file {path} {exc}; skipped")
                continue
            if spec.problems:
                problems.append(f"theme file {path}: {'; '.join(spec.problems)}; those ignored")
            themes[spec.name] = spec
            first_seen.setdefault(spec.name, spec)
    _inherit_variables(themes, first_seen)
    return themes, problems


def resolve_theme(themes: Mapping[str, ThemeSpec], name: str | None) -> ThemeSpec | None:
    """The theme to use for a requested name.

    Args:
        themes: Loaded themes (see `load_themes`).
        name: The wanted theme (the `theme` setting).

    Returns:
        That theme, else `DEFAULT_THEME`, else any theme; None when there are none (the UI
        then keeps Textual's own theme).
    """
    if name and name in themes:
        return themes[name]
    if DEFAULT_THEME in themes:
        return themes[DEFAULT_THEME]
    return next(iter(themes.values()), None)


def _inherit_variables(themes: dict[str, ThemeSpec], first_seen: dict[str, ThemeSpec]) -> None:
    # Bases are the lowest-priority (shipped) versions, so an override of routmy-dark that
    # sets a few variables still gets the rest from the shipped routmy-dark.
    bases = {True: first_seen.get(DEFAULT_THEME), False: first_seen.get("routmy-light")}
    for spec in themes.values():
        base = bases[spec.dark] or bases[not spec.dark]
        if base is None or base is spec:
            continue
        for key in REQUIRED_VARIABLES:
            if key not in spec.variables and key in base.variables:
                spec.variables[key] = base.variables[key]
