"""Themes: shipped files, user overrides, bad files reported once each."""

from __future__ import annotations

from pathlib import Path

import pytest

from routmy_tui.config.colors import is_color
from routmy_tui.config.themes import (
    COLOR_KEYS,
    DEFAULT_THEME,
    REQUIRED_VARIABLES,
    load_theme_file,
    load_themes,
    resolve_theme,
    shipped_themes_dir,
    theme_dirs,
    user_themes_dir,
)

SHIPPED = ("routmy-dark", "routmy-light", "routmy-contrast")


def test_shipped_themes_load_with_every_colour_and_required_variable() -> None:
    themes, problems = load_themes([shipped_themes_dir()])
    assert problems == []
    assert set(SHIPPED) <= set(themes)
    assert DEFAULT_THEME in themes
    for name in SHIPPED:
        spec = themes[name]
        assert set(spec.colors) == set(COLOR_KEYS), name
        for key in REQUIRED_VARIABLES:
            # Checked on the file itself, not after inheritance from another theme.
            assert key in load_theme_file(spec.source).variables, (name, key)
        assert spec.source.parent == shipped_themes_dir()
    assert themes["routmy-dark"].dark and themes["routmy-contrast"].dark
    assert not themes["routmy-light"].dark


def test_code_themes_are_pygments_styles() -> None:
    from pygments.styles import get_all_styles

    themes, _ = load_themes([shipped_themes_dir()])
    styles = set(get_all_styles())
    for name in SHIPPED:
        assert themes[name].variables["code-theme"] in styles


def test_theme_dirs_puts_user_folder_last(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    dirs = theme_dirs(env)
    assert dirs[0] == shipped_themes_dir()
    assert dirs[-1] == user_themes_dir(env) == tmp_path / "cfg" / "routmy-tui" / "themes"


def test_user_theme_overrides_shipped_and_inherits_missing_variables(tmp_path: Path) -> None:
    (tmp_path / "mine.toml").write_text(
        'name = "routmy-dark"\ndark = true\nprimary = "#ff0000"\nbackground = "black"\n'
        '[variables]\nuser-message-background = "#111111"\n'
    )
    themes, problems = load_themes([shipped_themes_dir(), tmp_path])
    assert problems == []
    spec = themes["routmy-dark"]
    assert spec.colors == {"primary": "#ff0000", "background": "black"}
    assert spec.source == tmp_path / "mine.toml"
    assert spec.variables["user-message-background"] == "#111111"
    # The rest come from the shipped routmy-dark it replaced.
    shipped = load_theme_file(shipped_themes_dir() / "routmy-dark.toml")
    for key in REQUIRED_VARIABLES:
        if key != "user-message-background":
            assert spec.variables[key] == shipped.variables[key]


def test_new_user_theme_inherits_from_shipped_theme_of_same_darkness(tmp_path: Path) -> None:
    (tmp_path / "sunny.toml").write_text('name = "sunny"\ndark = false\nprimary = "gold"\n')
    themes, _ = load_themes([shipped_themes_dir(), tmp_path])
    assert themes["sunny"].variables["code-theme"] == themes["routmy-light"].variables["code-theme"]


def test_name_defaults_to_file_stem(tmp_path: Path) -> None:
    (tmp_path / "plain.toml").write_text('primary = "#abc"\n')
    themes, problems = load_themes([tmp_path])
    assert problems == [] and themes["plain"].dark is True


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('primary = "#12"\n', "'primary' is not a colour"),
        ('primary = "notacolour"\n', "'primary' is not a colour"),
        ("primary = 3\n", "'primary' is not a colour"),
        ('background = "#000"\n', "'primary' colour is missing"),
        ('primary = "#000"\ndark = "yes"\n', "'dark'"),
        ('primary = "#000"\nname = ""\n', "'name'"),
        ('primary = "#000"\nvariables = 1\n', "[variables]"),
        ('primary = "#000\n', "not valid TOML"),
    ],
)
def test_bad_theme_file_is_skipped_and_reported(tmp_path: Path, text: str, reason: str) -> None:
    (tmp_path / "bad.toml").write_text(text)
    (tmp_path / "good.toml").write_text('primary = "teal"\n')
    themes, problems = load_themes([tmp_path])
    assert list(themes) == ["good"]
    assert len(problems) == 1
    assert str(tmp_path / "bad.toml") in problems[0]
    assert reason in problems[0]


def test_a_bad_variable_is_reported_and_the_rest_of_the_theme_kept(tmp_path: Path) -> None:
    (tmp_path / "odd.toml").write_text('primary = "#000"\n[variables]\ncode-theme = 1\n')
    themes, problems = load_themes([tmp_path])
    assert themes["odd"].colors["primary"] == "#000"
    assert len(problems) == 1 and "'code-theme' should be a string" in problems[0]


def test_several_bad_files_one_problem_each_and_missing_dirs_are_fine(tmp_path: Path) -> None:
    for i in range(3):
        (tmp_path / f"bad{i}.toml").write_text('primary = "#zzz"\nsecondary = "nope"\n[[[\n')
    (tmp_path / "notes.txt").write_text("not a theme")
    themes, problems = load_themes([tmp_path / "missing", tmp_path])
    assert themes == {}
    assert len(problems) == 3
    assert "line 3" in problems[0]


@pytest.mark.parametrize(
    "value", ["#abc", "#ABCD", "#a1b2c3", "#a1b2c3d4", "teal", "Red", "rgb(1, 2, 3)", "ansi_red"]
)
def test_colour_values_accepted(value: str) -> None:
    assert is_color(value)


@pytest.mark.parametrize("value", ["#ab", "#abcde", "teall", "", "rgb(", 12, None])
def test_colour_values_rejected(value: object) -> None:
    assert not is_color(value)


def test_shipped_and_user_themes_convert_to_textual_themes(tmp_path: Path) -> None:
    # Only tests may import Textual; this checks the colour strings we accept are ones the
    # UI's conversion (`textual.theme.Theme`) can use.
    from textual.color import Color
    from textual.theme import Theme

    (tmp_path / "words.toml").write_text(
        'name = "words"\nprimary = "Teal"\nbackground = "rgb(10, 20, 30)"\nerror = "ansi_red"\n'
    )
    themes, problems = load_themes([shipped_themes_dir(), tmp_path])
    assert problems == []
    assert themes["words"].colors["primary"] == "teal"
    for spec in themes.values():
        theme = Theme(name=spec.name, dark=spec.dark, variables=spec.variables, **spec.colors)
        generated = theme.to_color_system().generate()
        assert generated["primary"]
        # Colour variables must parse too (the app adds `variables` on top of the generated set).
        for key in REQUIRED_VARIABLES:
            if key != "code-theme":
                Color.parse(spec.variables[key])


def test_resolve_theme_falls_back() -> None:
    themes, _ = load_themes([shipped_themes_dir()])
    assert resolve_theme(themes, "routmy-light") is themes["routmy-light"]
    assert resolve_theme(themes, "gone") is themes[DEFAULT_THEME]
    assert resolve_theme(themes, None) is themes[DEFAULT_THEME]
    only = {"x": themes["routmy-light"]}
    assert resolve_theme(only, "gone") is themes["routmy-light"]
    assert resolve_theme({}, "x") is None
