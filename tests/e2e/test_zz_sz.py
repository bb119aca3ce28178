import os
from pathlib import Path
from tests.e2e.tmux import Tmux, app_command
def test_size(isolated_env: Path) -> None:
    for extra in ["", "-u PYTEST_CURRENT_TEST -u TEXTUAL_SNAPSHOT_TEMPDIR -u PYTEST_VERSION"]:
        s = Tmux("routmy-e2e-sz")
        cmd = app_command("--demo --tools examples").replace("env ", f"env {extra} ", 1)
        s.start(cmd, height=50)
        try:
            s.wait_for("active: 2 tools")
            import time; time.sleep(1); scr = s.screen()
            print("WIDTH", repr(extra), sorted({len(l.rstrip()) for l in scr.split(chr(10))})[-1], s.run("show-environment").count("\n"))
        finally:
            s.run("kill-server")
