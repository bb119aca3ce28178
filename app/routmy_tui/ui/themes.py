"""Theme files (plain data from config/) turned into Textual themes."""

from __future__ import annotations

from textual.theme import Theme

from routmy_tui.config.themes import ThemeSpec


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
