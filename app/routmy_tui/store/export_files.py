"""Write an export to a file: JSON with data URLs, or Markdown with its pictures beside it."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from routmy_tui.core.files import atomic_write, ensure_private_dir
from routmy_tui.core.images import ImageError, decode_url, is_remote_url
from routmy_tui.core.picture_files import picture_file_name
from routmy_tui.core.text import replace_surrogates
from routmy_tui.store.export import export_markdown, export_text
from routmy_tui.store.store import Store

__all__ = ["pictures_dir_for", "write_export"]


def pictures_dir_for(target: Path) -> Path:
    """The folder a Markdown export's pictures go to: `chat.md` -> `chat_files/` beside it."""
    return target.with_name(f"{target.stem}_files")


def write_export(store: Store, conversation_id: str, target: Path, fmt: str = "md") -> str:
    """Write the conversation to `target` as Markdown ("md") or JSON ("json").

    JSON carries pictures as data URLs (import restores them). Markdown links each picture
    to a file written once (named by its content) in `<name>_files/` beside the document;
    https pictures are linked as they are. Every file is written atomically, mode 0600.

    Returns:
        What was written, in a few words for the screen.

    Raises:
        StoreError: No such conversation.
        OSError: A file could not be written.
    """
    if fmt == "json":
        atomic_write(target, export_text(store, conversation_id, "json").encode("utf-8"))
        return f"Exported to {target}"
    folder = pictures_dir_for(target)
    written: dict[str, str] = {}

    def link(url: str) -> str:
        if is_remote_url(url):
            return url
        if url not in written:
            try:
                name = picture_file_name(url)
                data = decode_url(url).data
            except ImageError:
                return "#picture-not-readable"
            path = ensure_private_dir(folder) / name
            if not path.exists():  # same name, same bytes
                atomic_write(path, data)
            written[url] = f"{quote(folder.name)}/{quote(name)}"
        return written[url]

    text = replace_surrogates(export_markdown(store, conversation_id, link))
    atomic_write(target, text.encode("utf-8"))
    if written:
        return f"Exported to {target} ({len(written)} picture(s) in {folder.name}/)"
    return f"Exported to {target}"
