"""Benchmark: full-text search over 100,000 stored messages; prints JSON (run on demand)."""

from __future__ import annotations

import itertools
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from routmy_tui.store import Store, open_database

MESSAGES = 100_000
CONVERSATIONS = 1_000
SEARCHES = 30
TARGET_MEDIAN_MS = 50.0

_SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "nu",
    "pe",
    "ra",
    "si",
    "to",
    "vu",
    "we",
    "xa",
    "yo",
    "ze",
    "bri",
    "cla",
    "dro",
    "fle",
    "gri",
    "plo",
    "stra",
    "tru",
]
_COMMON = [
    "the",
    "a",
    "of",
    "to",
    "and",
    "in",
    "is",
    "it",
    "that",
    "for",
    "on",
    "with",
    "as",
    "this",
    "be",
    "are",
    "you",
    "can",
    "use",
    "code",
    "function",
    "value",
    "list",
    "data",
    "file",
    "error",
    "model",
    "request",
    "python",
    "rust",
    "query",
    "table",
    "server",
    "client",
]


def vocabulary(rng: random.Random, size: int = 20_000) -> list[str]:
    """Made-up words, so term frequencies range from very common to rare."""
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def populate(path: Path, rng: random.Random) -> tuple[float, list[str]]:
    """Insert the messages in one transaction; returns (seconds, vocabulary)."""
    vocab = vocabulary(rng)
    cum = list(itertools.accumulate(1.0 / (rank + 1) for rank in range(len(vocab))))  # Zipf-like.
    conn = open_database(path)
    start = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    now = time.time()
    conv_ids = [uuid.uuid4().hex for _ in range(CONVERSATIONS)]
    conn.executemany(
        "INSERT INTO conversations (id, title, created_at, updated_at, model) VALUES (?,?,?,?,?)",
        [
            (cid, f"Conversation {n} about {vocab[n]}", now, now + n, "demo/chat")
            for n, cid in enumerate(conv_ids)
        ],
    )
    per = MESSAGES // CONVERSATIONS
    rows = []
    for n in range(MESSAGES):
        role = "user" if n % 2 == 0 else "assistant"
        text = message_text(rng, vocab, cum)
        rows.append((n + 1, conv_ids[n // per], None if n % per == 0 else n, role, text, now, now))
    conn.executemany(
        "INSERT INTO messages (id, conversation_id, parent_id, role, content, created_at,"
        " updated_at) VALUES (?,?,?,?,?,?,?)",
        rows,
    )
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed, vocab


def message_text(rng: random.Random, vocab: list[str], cum: list[float]) -> str:
    """About 500 characters of Markdown-ish text (`cum`: cumulative word weights)."""
    parts: list[str] = []
    size = 0
    while size < 500:
        kind = rng.random()
        word = rng.choice(_COMMON) if kind < 0.6 else rng.choices(vocab, cum_weights=cum)[0]
        if kind > 0.97:
            word = f"`{word}()`"
        elif kind > 0.94:
            word = f"**{word}**"
        parts.append(word)
        size += len(word) + 1
        if rng.random() < 0.03:
            parts.append("\n\n- ")
    return " ".join(parts)


def timed(fn: Callable[[], object]) -> float:
    """Milliseconds one call of `fn` takes."""
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    rng = random.Random(42)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite"
        insert_s, vocab = populate(path, rng)
        queries = (
            [vocab[i] for i in (0, 1, 2, 5, 10, 50)]  # Frequent made-up words.
            + [vocab[i] for i in (500, 2000, 9000, 15000, 19999)]  # Rare ones.
            + ["python", "error model", "server client request", "function value"]
            + [vocab[3][:3], vocab[700][:4], "que", "cod"]  # Prefixes, as while typing.
            + [f"{vocab[7]} {vocab[300]}", f'"{vocab[4]}" AND', "NEAR( x", "zzzznotthere"]
            + ["the", "data file", "table", f"{vocab[12]} the", "rust query", "cla", "stra"]
        )[:SEARCHES]
        with Store.open(path) as store:
            store.search("warm up")
            times: list[float] = []
            hits: list[int] = []
            for query in queries:
                start = time.perf_counter()
                hits.append(len(store.search(query)))
                times.append((time.perf_counter() - start) * 1000)
            conn = store._conn  # The floor uses the same connection and cache.
            floor = [
                timed(lambda: conn.execute("SELECT count(*) FROM messages").fetchone())
                for _ in range(SEARCHES)
            ]
        size_mb = path.stat().st_size / 1e6
    raw_times = list(times)
    times.sort()
    result = {
        "messages": MESSAGES,
        "conversations": CONVERSATIONS,
        "insert_seconds": round(insert_s, 2),
        "db_mb": round(size_mb, 1),
        "searches": len(times),
        "search_median_ms": round(statistics.median(times), 2),
        "search_p95_ms": round(times[int(len(times) * 0.95) - 1], 2),
        "search_max_ms": round(times[-1], 2),
        "floor_count_star_median_ms": round(statistics.median(floor), 2),
        "per_query": [
            {"query": q, "ms": round(t, 2), "hits": h}
            for q, t, h in zip(queries, raw_times, hits, strict=True)
        ],
        "target_median_ms": TARGET_MEDIAN_MS,
        "ok": statistics.median(times) < TARGET_MEDIAN_MS,
    }
    json.dump(result, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
