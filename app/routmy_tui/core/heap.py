"""Freed memory given back to the system: glibc's allocator keeps freed pages unless asked."""

from __future__ import annotations

import sys
from collections.abc import Callable

_trim: Callable[[int], int] | None = None
_looked_up = False


def give_back() -> bool:
    """Hand the heap's free pages back to the system (glibc's `malloc_trim`).

    A long reply leaves its freed memory spread over pages that still hold a few live
    objects; glibc returns only the top of the heap by itself, so the process's resident
    size keeps what a reply once needed. `malloc_trim` releases every free page. It walks
    the heap (a few ms for ~100 MB): call it when the user is idle.

    Returns:
        Whether the allocator was asked (False without glibc, e.g. macOS or musl).
    """
    global _trim, _looked_up
    if not _looked_up:
        _looked_up = True
        if sys.platform.startswith("linux"):
            import ctypes  # here: its import is 1.5-2 ms of start-up, needed only now

            try:
                _trim = ctypes.CDLL("libc.so.6").malloc_trim
            except (OSError, AttributeError):
                _trim = None
    if _trim is None:
        return False
    _trim(0)
    return True
