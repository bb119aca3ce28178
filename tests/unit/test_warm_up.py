"""The warm-up draws its whole sample, code blocks included (their lexers are then ready)."""

from __future__ import annotations

import subprocess
import sys


def test_warm_up_prepares_the_lexers_of_code_blocks() -> None:
    # A fresh interpreter: lexers prepared by other tests must not count.
    code = (
        "from routmy_tui.ui.chat.render import warm_up\n"
        "warm_up()\n"
        "import sys\n"
        "from pygments.lexers.python import PythonLexer\n"
        "print('_tokens' in vars(PythonLexer), 'pygments.lexers.special' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True"]


def test_markdown_loaded_beside_a_reply_imports_none_of_the_apps_modules() -> None:
    """`load_markdown_in_background` runs while the main thread may import the app's
    modules (the first words need `code_markdown`): its thread must import only Rich's
    Markdown and its libraries (two threads importing one package from different ends can
    deadlock on Python's import locks)."""
    code = (
        "import sys\n"
        "from routmy_tui.ui.chat import render\n"
        "before = set(sys.modules)\n"
        "render.load_markdown_in_background()\n"
        "render._loading.join()\n"
        "new = set(sys.modules) - before\n"
        "print('rich.markdown' in new, 'markdown_it' in new,"
        " sorted(m for m in new if m.split('.')[0] in ('routmy_tui', 'textual')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True", "[]"]
