"""`routmy-tui export ID --format md|json [-o FILE]` and `routmy-tui import FILE`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from routmy_tui.core.text import make_safe
from routmy_tui.services.container import DB_NAME
from routmy_tui.store import Store, StoreError


def _parser(command: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"routmy-tui {command}")
    if command == "export":
        parser.description = "Write a conversation's current branch as Markdown or JSON."
        parser.add_argument("id", help="conversation id (or a unique start of it; 'last')")
        parser.add_argument("--format", choices=("md", "json"), default="md")
        parser.add_argument("-o", "--output", metavar="FILE", help="file to write (default stdout)")
    else:
        parser.description = (
            "Import the app's JSON or Markdown export (or an OpenAI messages list) as a"
            " conversation."
        )
        parser.add_argument("file", help="file to import ('-' reads stdin)")
    parser.add_argument("--data-dir", metavar="DIR", help="where conversations are stored")
    parser.add_argument("--config", metavar="FILE", help="config file to read")
    return parser


def _resolve(store: Store, wanted: str) -> str:
    """A full conversation id from an id, a unique prefix of one, or 'last'."""
    if wanted == "last":
        latest = store.latest_conversation_id()
        if latest is None:
            raise StoreError("there are no conversations yet")
        return latest
    if store.get_conversation(wanted) is not None:
        return wanted
    matches = [
        row.id for row in store.list_conversations(limit=100_000) if row.id.startswith(wanted)
    ]
    if len(matches) == 1:
        return matches[0]
    recent = (
        "\n".join(f"  {row.id}  {row.title}" for row in store.list_conversations(limit=10))
        or "  (none)"
    )
    why = "is ambiguous" if matches else "matches no conversation"
    raise StoreError(f"{wanted!r} {why}; recent conversations:\n{recent}")


def run(argv: Sequence[str]) -> int:
    """Run `export` or `import` (argv[0]); returns the exit status."""
    from routmy_tui.config.settings import load_settings
    from routmy_tui.store.export import export_text
    from routmy_tui.store.export_files import write_export
    from routmy_tui.store.import_json import import_text

    command = argv[0]
    args = _parser(command).parse_args(list(argv[1:]))
    settings = load_settings({"data_dir": args.data_dir, "config_path": args.config})
    try:
        with Store.open(settings.data_dir / DB_NAME) as store:
            if command == "export":
                conversation_id = _resolve(store, args.id)
                if args.output:
                    # Private (0600) and whole or not at all, like every file the app writes;
                    # a Markdown export's pictures go to a folder beside it.
                    write_export(store, conversation_id, Path(args.output), args.format)
                else:
                    text = export_text(store, conversation_id, args.format)
                    # A conversation holds server text: never let it drive the terminal.
                    sys.stdout.write(make_safe(text) if sys.stdout.isatty() else text)
                return 0
            if args.file == "-":
                raw, folder = sys.stdin.read(), Path.cwd()
            else:
                raw, folder = Path(args.file).read_text("utf-8"), Path(args.file).parent
            conversation_id, skipped = import_text(store, raw, folder)
            print(conversation_id)
            for note in skipped:
                # Notes quote the file's text: never let it drive the terminal.
                print(make_safe(f"routmy-tui import: skipped {note}"), file=sys.stderr)
            return 0
    except (StoreError, OSError, ValueError) as exc:
        # The message may quote a file's or a title's text: never let it drive the terminal.
        print(make_safe(f"routmy-tui {command}: {exc}"), file=sys.stderr)
        return 2
