"""Theme files (plain data from config/) turned into Textual themes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.color import ColorParseError
from rich.style import Style
from textual.app import App
from textual.theme import Theme

from routmy_tui.config.themes import ThemeSpec
from routmy_tui.ui.chat.items import Palette


def to_textual_theme(spec: ThemeSpec) -> Theme:
    """A `textual.theme.Theme` from a theme file's data."""
    colors = spec.colors
    return Theme(
        name=spec.name,
        primary=colors.get("primary", "#4FB3A9"),
        secondary=colors.get("secondary"),
        accent=colors.get("accent"),
        foreground=colors.get("foreground"),
        background=colors.get("background"),
        surface=colors.get("surface"),
        panel=colors.get("panel"),
        warning=colors.get("warning"),
        error=colors.get("error"),
        success=colors.get("success"),
        dark=spec.dark,
        variables=dict(spec.variables),
    )


def start_with_theme(app: App[Any], name: str) -> None:
    """Choose the theme `name` (registered) for an app that has not started yet.

    Setting `App.theme` makes Textual queue a `refresh_css`: every style is parsed again
    from a fresh sheet (the first parse's cache is dropped) and re-applied, in front of the
    first frame (4-6 ms at start). Before the sheet is first read, its variables are all
    that depends on the theme, so they are set directly. The classes Textual's watcher
    sets are set too. A theme whose dark/light or ANSI choice differs from the current
    one also changes Textual's colour filters and the app's pseudo-classes: it is set
    the usual way.
    """
    old, new = app.current_theme, app.get_theme(name)
    if new is None or app.is_running or (new.dark, new.ansi) != (old.dark, old.ansi):
        app.theme = name
        return
    app.set_reactive(App.theme, name)
    app.set_class(False, f"-theme-{old.name}", update=False)
    app.set_class(True, f"-theme-{name}", update=False)
    app.stylesheet.set_variables(app.get_css_variables())


def palette_of(theme: Theme, variables: Mapping[str, str], render_limit: int) -> Palette:
    """The conversation's message styles from a theme and its variables; a bad colour in a
    theme file falls back to the default (it never stops the app)."""

    def colour(name: str, fallback: str) -> str:
        value = str(variables.get(name) or fallback)
        try:
            Style(color=value)
        except ColorParseError:
            return fallback
        return value

    return Palette(
        user_label=Style(color=colour("user-label", theme.primary), bold=True),
        assistant_label=Style(
            color=colour("assistant-label", theme.accent or "magenta"), bold=True
        ),
        dim=Style(color=colour("status-foreground", "grey62")),
        reasoning=Style(color=colour("reasoning-foreground", "grey50"), italic=True),
        error=Style(color=theme.error or "red", bold=True),
        warning=Style(color=theme.warning or "yellow"),
        tool=Style(color=theme.success or "green"),
        selected=Style(color=theme.warning or "yellow", bold=True, underline=True),
        code_theme=str(variables.get("code-theme") or "monokai"),
        render_limit=render_limit,
    )
