"""The core, store and config packages never load Textual or Rich."""

from __future__ import annotations

import subprocess
import sys

import pytest

CHECK = """
import sys
# httpx's optional command-line entry point imports rich when it is installed; that is
# httpx's business, not ours, so keep it out of the check.
sys.modules['httpx._main'] = None
import routmy_tui.core.client, routmy_tui.core.catalog, routmy_tui.core.request
import routmy_tui.core.markdown_blocks, routmy_tui.core.secret
import routmy_tui.store.store, routmy_tui.store.export
import routmy_tui.config.settings, routmy_tui.config.themes, routmy_tui.config.paths
bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))
print(','.join(bad))
"""


@pytest.mark.parametrize("code", [CHECK])
def test_core_store_config_do_not_import_textual_or_rich(code: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
