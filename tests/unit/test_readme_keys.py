"""The README's key tables are the command table's (regenerate with help_screen.keys_markdown)."""

from __future__ import annotations

import pathlib

import routmy_tui

ROOT = pathlib.Path(routmy_tui.__file__).parent.parent.parent


def test_readme_key_tables_match_the_command_table() -> None:
    from routmy_tui.ui.settings.help_screen import keys_markdown

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("<!-- keys:start -->\n") + len("<!-- keys:start -->\n")
    end = readme.index("<!-- keys:end -->")
    assert readme[start:end] == keys_markdown()
