"""Theme files (plain data from config/) turned into Textual themes."""

from __future__ import annotations

from collections.abc import Mapping

from rich.color import ColorParseError
from rich.style import Style
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
