"""Freed memory is given back to the system where the C library can (glibc)."""

from __future__ import annotations

import platform
import sys

from routmy_tui.core.heap import give_back


def test_give_back_where_glibc_is() -> None:
    glibc = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
    # Freed blocks in the middle of the heap: glibc gives them back only when asked.
    blocks = [bytearray(4096) for _ in range(2000)]
    del blocks[::2]
    assert give_back() is glibc
    assert give_back() is glibc  # looked up once, asked again
