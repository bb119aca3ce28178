"""Config mistakes are reported with the file and line, and the default is kept."""

from __future__ import annotations

from pathlib import Path

from routmy_tui.config.settings import load_settings
from routmy_tui.config.validate import find_line

CONFIG = """\
model = "demo/chat"
colour = "red"

[params]
temperature = 9
top_p = 0.5
max_tokens = 0

[keymap]
stop = "notakey+++"

[colours]
accent = "pink"
"""


def _load(tmp_path: Path, text: str) -> tuple[Path, list[str]]:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    settings = load_settings({"config_path": path}, env={"HOME": str(tmp_path)})
    return path, settings.problems


def test_each_problem_names_the_file_and_line(tmp_path: Path) -> None:
    path, problems = _load(tmp_path, CONFIG)
    assert f"{path}:2: unknown setting 'colour' ignored" in problems
    assert f"{path}:12: unknown section [colours] ignored" in problems
    assert f"{path}:5: setting 'params.temperature' should be a number from 0 to 2; ignored" in (
        problems
    )
    assert any(p.startswith(f"{path}:7: setting 'params.max_tokens'") for p in problems)
    assert len(problems) == 4


def test_out_of_range_parameters_keep_their_default(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG, encoding="utf-8")
    settings = load_settings({"config_path": path}, env={"HOME": str(tmp_path)})
    assert settings.params == {"top_p": 0.5}  # temperature 9 and max_tokens 0 dropped


def test_wrong_types_inside_tables_point_at_their_line(tmp_path: Path) -> None:
    path, problems = _load(tmp_path, '\n[keymap]\nsend = "ctrl+s"\nquit = 5\n')
    assert problems == [
        f"{path}:4: setting 'keymap.quit' should be a string, not an integer; ignored"
    ]


def test_find_line_reads_tables_quoted_keys_and_comments() -> None:
    text = (
        "# a comment\n"
        'theme = "x"\n'
        "[keymap]  # keys\n"
        '"stop" = "escape"\n'
        "  retry = 'ctrl+r'\n"
        "[params]\n"
        "stop = 1\n"
    )
    assert find_line(text, None, "theme") == 2
    assert find_line(text, "keymap", "stop") == 4
    assert find_line(text, "keymap", "retry") == 5
    assert find_line(text, "params", "stop") == 7
    assert find_line(text, None, "keymap") == 3
    assert find_line(text, "keymap", "missing") is None
