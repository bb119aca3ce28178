"""A small, fixed history (ids, titles, dates) for snapshots and screenshots of the browser."""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from unittest import mock

from routmy_tui.core.types import ChatMessage
from routmy_tui.store import Store

# Noon UTC, so the dates shown are the same in every time zone from UTC-11 to UTC+11; all in the
# past, so the browser shows dates (it shows a time only for today).
DAY = 24 * 3600.0
BASE = 1_740_830_400.0  # 2025-03-01 12:00 UTC

CONVERSATIONS: list[tuple[str, str, list[str]]] = [
    (
        "demo/chat",
        "Otters and their habits",
        [
            "Tell me about otters",
            "Otters hold hands while they sleep so they do not drift apart, and keep a "
            "favourite stone in a pouch of loose skin under the arm.",
            "Which otters live in rivers?",
            "Most of the thirteen species are river otters; only the sea otter and the "
            "marine otter live in salt water.",
        ],
    ),
    (
        "demo/reasoning",
        "Why is the sky blue?",
        [
            "Why is the sky blue?",
            "Sunlight scatters off air molecules, and blue light scatters far more than red "
            "(Rayleigh scattering), so blue reaches your eyes from every direction.",
        ],
    ),
    (
        "demo/tools",
        "Weather in Lisbon",
        [
            "What is the weather in Lisbon?",
            "Sunny, 21 °C, light wind from the north-west. A good day to watch the otters "
            "at the Oceanário.",
        ],
    ),
    (
        "demo/chat",
        "A haiku about SQLite",
        [
            "Write a haiku about SQLite",
            "One file holds it all / write-ahead log hums softly / the otter sleeps sound",
        ],
    ),
]
"""(model, title, alternating user/assistant messages), oldest first."""


def seed_history(data_dir: Path) -> list[str]:
    """Store `CONVERSATIONS` in `data_dir/routmy.db` with fixed ids and times; return the ids.

    The newest conversation is the last one, so the app resumes it.
    """
    ids = [f"{n:x}" * 32 for n in range(10, 10 + len(CONVERSATIONS))]
    clock = itertools.count()
    now = [BASE]

    # The clock and the ids are fixed for this thread only: other threads (a demo server
    # still answering an earlier test, an app's workers) keep the real ones, and must not
    # use up the fixed ids (the seeding then failed with StopIteration in CI).
    seeding = threading.get_ident()
    real_time, real_uuid4 = time.time, uuid.uuid4
    fixed_ids = iter([uuid.UUID(i) for i in ids])

    def tick() -> float:
        if threading.get_ident() != seeding:
            return real_time()
        # Every stored timestamp is a minute apart within a conversation's day.
        return now[0] + 60 * next(clock)

    def fixed_uuid4() -> uuid.UUID:
        return next(fixed_ids) if threading.get_ident() == seeding else real_uuid4()

    made: list[str] = []
    with (
        Store.open(data_dir / "routmy.db") as store,
        mock.patch("time.time", tick),
        mock.patch.object(uuid, "uuid4", fixed_uuid4),
    ):
        for day, (model, title, texts) in enumerate(CONVERSATIONS):
            now[0] = BASE + day * DAY
            conversation = store.create_conversation(model, title=title)
            parent: int | None = None
            for index, text in enumerate(texts):
                role = "user" if index % 2 == 0 else "assistant"
                parent = store.add_message(
                    conversation,
                    parent,
                    ChatMessage(role, text),
                    model=model if role == "assistant" else None,
                )
            made.append(conversation)
    return made


def seed_pairs(data_dir: Path, pairs: int, reply: Callable[[int], str], title: str = "Long") -> str:
    """One stored conversation of `pairs` questions ("Question N?") each answered by
    `reply(N)`, in `data_dir`'s database; returns its id."""
    with Store.open(data_dir / "routmy.db") as store, store.transaction():
        conversation = store.create_conversation("demo/chat", title=title)
        parent = None
        for number in range(pairs):
            parent = store.add_message(
                conversation, parent, ChatMessage("user", f"Question {number}?")
            )
            parent = store.add_message(
                conversation, parent, ChatMessage("assistant", reply(number))
            )
    return conversation
