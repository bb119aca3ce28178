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
