"""Private folders and atomic writes: what config, the catalog cache and exports all need."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def ensure_private_dir(path: Path) -> Path:
    """Create a folder (and any missing parents) readable by its owner only.

    Folders this call creates get mode 0700 whatever the umask. Folders that already exist
    are left as they are: they may be the user's own (say `--config ~/dotfiles/x.toml`),
    and the secret files written into them are 0600 anyway.

    Args:
        path: The folder.

    Returns:
        The same path, for chaining.
    """
    missing: list[Path] = []
    current = path
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
    for created in missing:
        # mkdir's mode is filtered by the umask; chmod is not.
        with contextlib.suppress(OSError):
            os.chmod(created, PRIVATE_DIR_MODE)
    return path


def atomic_write(path: Path, data: bytes, mode: int = PRIVATE_FILE_MODE) -> None:
    """Write a file so that readers see the old content or the new, never a mix.

    The bytes go to a temporary file in the same folder (created 0600, so a secret is never
    readable by others, even for a moment), are flushed to disk, then renamed over `path`.
    If anything fails, the old file is left untouched and the temporary file removed.

    Args:
        path: Destination file.
        data: The full new content.
        mode: Permission bits of the new file.

    Raises:
        OSError: The folder could not be created or the file not written.
    """
    path = Path(path)
    ensure_private_dir(path.parent)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    """Make the rename durable; not possible (nor needed) on every platform."""
    if not hasattr(os, "O_DIRECTORY"):  # pragma: no cover - Windows
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
