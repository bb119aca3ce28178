"""Stored conversations for the benchmarks, built once per size and kept in a cache folder."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ptyrun import PtyProcess, scratch_dir

from routmy_tui.core.exchange import Exchange
from routmy_tui.core.types import ChatMessage, Reply, Usage
from routmy_tui.store import Store

CACHE = Path(os.environ.get("BENCH_CACHE", Path(tempfile.gettempdir()) / "routmy-bench-cache"))
"""Where built databases are kept between runs (BENCH_CACHE overrides)."""
DB_NAME = "routmy.db"


def question(number: int) -> str:
    """A user message of about 350 characters."""
    return f"MSG-{number:05d} please explain part {number} " + "in detail " * 30


def reply_text(number: int) -> str:
    """About 500 characters of Markdown: a heading, a list, code, a closing marker."""
    return (
        f"### Part {number}\n\n"
        "Here is what matters, **briefly**, with `inline code` and a [link](https://rout.my):\n\n"
        "- the first point, which explains why streaming must never block the UI\n"
        "- the second point, about caching rendered lines by width\n"
        "- the third point, about laying out only what is visible\n\n"
        "```python\ndef visible(items, top, height):\n    return items[top:top + height]\n```\n\n"
        f"That is all for this part. END-{number:05d}"
    )


def _fill(store: Store, title: str, messages: int) -> str:
    conversation = store.create_conversation("demo/chat", title=title)
    parent = None
    for number in range(messages // 2):
        parent = store.add_message(conversation, parent, ChatMessage("user", question(number)))
        parent = store.add_message(
            conversation, parent, ChatMessage("assistant", ""), status="streaming"
        )
        store.checkpoint_reply(
            parent,
            Reply(
                content=reply_text(number),
                status="complete",
                finish_reason="stop",
                usage=Usage(prompt_tokens=100, completion_tokens=120, total_tokens=220),
            ),
        )
        store.save_exchange(
            parent,
            Exchange(
                method="POST",
                url="http://127.0.0.1/v1/chat/completions",
                request_headers={"content-type": "application/json"},
                request_body={"model": "demo/chat", "messages": []},
            ),
        )
    return conversation


def conversations_db(messages: int, count: int = 1) -> Path:
    """A database of `count` conversations of `messages` messages each (built on first use);
    the last one made is the one the app resumes."""
    path = CACHE / f"conversations-{count}x{messages}" / DB_NAME
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    building = path.with_suffix(".building")
    building.unlink(missing_ok=True)
    with Store.open(building) as store, store.transaction():
        for index in range(count):
            _fill(store, f"Long conversation {index + 1}", messages)
    for suffix in ("-wal", "-shm"):
        Path(f"{building}{suffix}").unlink(missing_ok=True)
    building.rename(path)
    return path


def data_dir_with(messages: int, count: int = 1) -> str:
    """A fresh data folder holding a copy of that database (the app writes to it)."""
    source = conversations_db(messages, count)
    data = scratch_dir("routmy-bench-data-")
    shutil.copy(source, Path(data) / DB_NAME)
    return data


def open_from_browser(proc: PtyProcess, messages: int, timeout: float = 120) -> float:
    """Open the newest stored conversation as a user does (Ctrl+O, Enter) in the app running
    in `proc`; seconds from Enter to its last message written. (A conversation of more
    than 5,000 messages is not reopened at start.)"""
    mark = len(proc.text)
    proc.write(b"\x0f")
    proc.wait_for_any(["Search titles and messages"], timeout=30, since=mark)
    proc.drain(quiet=0.3)
    mark = len(proc.text)
    sent = proc.write(b"\r")
    _, shown = proc.wait_for_any([f"END-{messages // 2 - 1:05d}"], timeout=timeout, since=mark)
    return shown - sent
