"""The UI-free packages never load Textual or Rich, nor import the UI."""

from __future__ import annotations

import ast
import pathlib
import subprocess
import sys

import routmy_tui

PACKAGE = pathlib.Path(routmy_tui.__file__).parent
UI_FREE = ("core", "store", "config", "services", "conversation")
"""Packages that anyone could use from a script: no Textual, no Rich, no `routmy_tui.ui`."""


def _modules() -> list[str]:
    names = []
    for folder in UI_FREE:
        for path in sorted((PACKAGE / folder).rglob("*.py")):
            parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
            names.append(".".join(parts).removesuffix(".__init__"))
    return names


def test_ui_free_packages_load_no_textual_or_rich() -> None:
    modules = _modules()
    assert len(modules) > 20  # the walk found the packages
    code = (
        "import sys, importlib\n"
        # httpx's command-line tool would import Rich: the core keeps it from loading
        # (routmy_tui/core/__init__.py), so nothing is left out of the check.
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_ui_free_packages_have_no_ui_import_statements() -> None:
    offenders = []
    for folder in UI_FREE:
        for path in (PACKAGE / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                for name in names:
                    if name.split(".")[0] in ("textual", "rich") or name.startswith(
                        "routmy_tui.ui"
                    ):
                        offenders.append(f"{path.relative_to(PACKAGE)}: {name}")
    assert offenders == []
